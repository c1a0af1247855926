"""The debug panel: runs, step data and JSONPath references in a local web page.

``create_app(PanelSettings(connect=...))`` is the ASGI app that `intercom-connector ui`
serves on 127.0.0.1. It reads runs through the run log's reader (the same as `runs show`),
masks values the way `runs show` does, and starts resumes and re-runs through the workflow
runner; ``connect`` (given by the CLI) decides where their requests go.
"""

from intercom_connector.ui.app import PanelSettings, create_app
from intercom_connector.ui.security import AccessToken

__all__ = ["AccessToken", "PanelSettings", "create_app"]
