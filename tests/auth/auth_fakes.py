"""Values shared by the authentication tests (imported by name, like tests/http/http_fakes)."""

from __future__ import annotations

TOKEN = "tok_live_7f3a9c1e5b2d4f608a1c3e5g7i9k"
CLIENT_ID = "connector-tests"
CLIENT_SECRET = "cs_9d8c7b6a5f4e3d2c1b0a"
CODE_TTL = 300.0
