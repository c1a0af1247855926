"""Package faces: their public names are pinned, resolve lazily, and import little.

Each face lists its names in an ``if TYPE_CHECKING:`` block and loads a name's module on first
use (``intercom_connector.lazy_import``); these tests pin ``__all__`` and check that importing
a face does not drag in the layers below it.
"""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from intercom_connector.lazy_import import _typing_imports

PUBLIC_NAMES: dict[str, list[str]] = {
    "intercom_connector": [
        "AsyncIntercomClient",
        "Catalog",
        "IntercomClient",
        "InvalidInput",
        "MissingScope",
        "Operation",
        "UnknownOperation",
        "load_catalog",
    ],
    "intercom_connector.http": [
        "DEFAULT_VERSION",
        "PAGINATORS",
        "REGION_URLS",
        "USER_AGENT",
        "ApiClient",
        "AsyncApiClient",
        "AuthenticationError",
        "BadRequest",
        "ClientError",
        "Conflict",
        "ConnectionFailed",
        "CursorPaginator",
        "DownloadResult",
        "EventHandler",
        "IntercomError",
        "InvalidReply",
        "NextUrlPaginator",
        "NotFound",
        "PagePaginator",
        "PaginationError",
        "PaginationSpec",
        "Paginator",
        "PermissionDenied",
        "RateLimitExceeded",
        "RateLimitPolicy",
        "RateLimiter",
        "Reply",
        "RequestSpec",
        "RetryPolicy",
        "ScrollPaginator",
        "SearchBodyPaginator",
        "ServerError",
        "TransientError",
        "UnprocessableEntity",
        "backoff_delay",
        "base_url_for",
        "error_from_response",
        "full_jitter",
        "make_paginator",
        "plan_retry",
        "rate_limit_delay",
        "redact",
        "shared_limiter",
        "should_retry",
    ],
    "intercom_connector.auth": [
        "KEY_ENV",
        "AuthError",
        "AuthType",
        "Authentication",
        "AuthenticationExists",
        "AuthenticationNotFound",
        "AuthenticationStore",
        "AuthorizationDenied",
        "AuthorizationTimeout",
        "InvalidAuthenticationInput",
        "InvalidKey",
        "KeyMissing",
        "KeyProblem",
        "Method",
        "OAuthApp",
        "OAuthEndpoints",
        "OAuthError",
        "ResolvedAuthentication",
        "ScopeRefusedByServer",
        "ScopeSelection",
        "StateMismatch",
        "TamperedSecret",
        "TokenExchangeFailed",
        "UnknownScope",
        "WrongKey",
        "authorize",
        "choose_scopes",
        "current_user",
        "exchange_code",
        "known_scopes",
        "refused_scope",
        "resolve",
    ],
    "intercom_connector.auth.crypto": [
        "KEY_ENV",
        "KeyRing",
        "SecretCipher",
        "generate_key",
        "load_keys",
    ],
    "intercom_connector.sandbox": [
        "DEFAULT_BASE_URL",
        "DEFAULT_TOKEN",
        "Clock",
        "ConnectionDropped",
        "FaultTiming",
        "ManualClock",
        "OAuthClient",
        "RequestLog",
        "RequestRecord",
        "Sandbox",
        "SandboxConfig",
        "ServerHandle",
        "SystemClock",
        "create_app",
        "run_in_thread",
        "stateful_operations",
    ],
    "intercom_connector.workflow": [
        "MISSING",
        "CallFailed",
        "ConfigProblem",
        "EmbeddedEngine",
        "Engine",
        "Interpreter",
        "LoadedWorkflow",
        "Plan",
        "Problem",
        "ProgressEvent",
        "ProgressHandler",
        "Redactor",
        "ReferenceProblem",
        "ResumeRefused",
        "RunJournal",
        "RunLog",
        "RunNotFound",
        "RunResult",
        "RunSummary",
        "StepError",
        "StepFailed",
        "StepRecord",
        "StepRef",
        "TerminalProgress",
        "Workflow",
        "WorkflowInvalid",
        "check_data",
        "check_workflow",
        "load_workflow",
        "parse_config_value",
        "parse_reference",
        "parse_workflow",
        "render_run",
        "resume_run",
        "run_view",
        "run_workflow",
        "workflow_json_schema",
    ],
    "intercom_connector.workflow.engines": ["EmbeddedEngine", "RunJournal"],
    "intercom_connector.workflow.triggers": [
        "DEFAULT_HOST",
        "DEFAULT_MAX_BODY",
        "DEFAULT_PORT",
        "SIGNATURE_HEADER",
        "WEBHOOK_PATH",
        "Cron",
        "CronSyntaxError",
        "Dispatcher",
        "FakeClock",
        "Firing",
        "HostedWorkflow",
        "MalformedNotification",
        "Owner",
        "RunEnded",
        "Schedule",
        "ScheduleState",
        "ScheduledWorkflow",
        "Scheduler",
        "SchedulerClock",
        "ServeOptions",
        "ServeProblem",
        "SignatureRejected",
        "SystemClock",
        "TopicRoutes",
        "TriggerEvent",
        "TriggerServer",
        "TriggerStore",
        "bind",
        "check_servable",
        "next_after",
        "parse_cron",
        "parse_notification",
        "previous_before",
        "run_definition",
        "schedule_event",
        "schedule_of",
        "sign",
        "topic_matches",
        "verify",
        "webhook_app",
    ],
    "intercom_connector.errors": [
        "EXIT_AUTH",
        "EXIT_FAILED",
        "EXIT_INTERRUPTED",
        "EXIT_OK",
        "EXIT_RUN_FAILED",
        "EXIT_USAGE",
        "AuthError",
        "ConnectorError",
        "OperationFailed",
        "RunFailed",
        "UsageError",
    ],
    "intercom_connector.cli": ["COMMANDS", "app", "main"],
}


@pytest.mark.parametrize("package", sorted(PUBLIC_NAMES))
def test_the_public_names_of_each_face_are_pinned(package):
    assert sorted(importlib.import_module(package).__all__) == sorted(PUBLIC_NAMES[package])


@pytest.mark.parametrize("package", sorted(PUBLIC_NAMES))
def test_every_public_name_resolves(package):
    face = importlib.import_module(package)
    for name in PUBLIC_NAMES[package]:
        assert getattr(face, name) is not None, name
        assert name in dir(face)


def _face_source(package: str) -> str:
    return Path(importlib.import_module(package).__file__ or "").read_text(encoding="utf-8")


def _typing_block_imports(package: str) -> dict[str, tuple[str, str]]:
    """What the face's ``if TYPE_CHECKING:`` block imports, as ``ast`` reads it."""
    found: dict[str, tuple[str, str]] = {}
    for node in ast.parse(_face_source(package)).body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom):
                    module = "." * statement.level + (statement.module or "")
                    for alias in statement.names:
                        found[alias.asname or alias.name] = (module, alias.name)
    return found


def _typing_block_names(package: str) -> set[str]:
    return set(_typing_block_imports(package))


LAZY_FACES = [
    p for p in PUBLIC_NAMES if p not in ("intercom_connector.errors", "intercom_connector.cli")
]


@pytest.mark.parametrize("package", sorted(LAZY_FACES))
def test_a_lazy_face_exports_exactly_what_its_typing_block_imports(package):
    assert _typing_block_names(package) == set(PUBLIC_NAMES[package])


@pytest.mark.parametrize("package", sorted(LAZY_FACES))
def test_the_lazy_loader_reads_each_typing_block_as_ast_does(package):
    # lazy_import reads the block as text, to stay clear of importing ast at start-up
    assert _typing_imports(_face_source(package)) == _typing_block_imports(package)


def test_an_unknown_name_is_an_attribute_error():
    import intercom_connector.http as http

    with pytest.raises(AttributeError, match="no_such_name"):
        _ = http.no_such_name


def _loaded_after(statement: str) -> set[str]:
    program = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    ).stdout
    return set(json.loads(out))


HEAVY = {"httpx2", "pydantic", "starlette", "uvicorn", "jsonschema", "cryptography", "rich"}


@pytest.mark.parametrize(
    "statement",
    [
        "import intercom_connector",
        "import intercom_connector.http, intercom_connector.auth, intercom_connector.workflow",
        "import intercom_connector.sandbox, intercom_connector.workflow.triggers",
        "import intercom_connector.cli",
        "from intercom_connector.errors import ConnectorError",
    ],
)
def test_importing_a_face_loads_no_heavy_library(statement):
    loaded = {name.split(".")[0] for name in _loaded_after(statement)}
    assert loaded & HEAVY == set()


def test_the_errors_of_the_http_layer_do_not_load_the_http_client():
    loaded = _loaded_after("import intercom_connector.http.errors")
    assert "intercom_connector.http.client" not in loaded
