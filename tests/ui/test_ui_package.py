"""The panel's package face stays small: the app factory, its settings, the access token."""

import intercom_connector.ui as ui_package


def test_the_ui_package_exports_only_its_face() -> None:
    assert ui_package.__all__ == ["AccessToken", "PanelSettings", "create_app"]
