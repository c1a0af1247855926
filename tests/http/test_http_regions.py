import pytest

from intercom_connector.http import DEFAULT_VERSION, REGION_URLS, base_url_for


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("us", "https://api.intercom.io"),
        ("eu", "https://api.eu.intercom.io"),
        ("au", "https://api.au.intercom.io"),
        ("EU", "https://api.eu.intercom.io"),
        (None, "https://api.intercom.io"),
    ],
)
def test_region_maps_to_its_host(region, expected):
    assert base_url_for(region, None) == expected


def test_explicit_base_url_wins_over_region():
    assert base_url_for("eu", "http://127.0.0.1:8000/") == "http://127.0.0.1:8000"


def test_unknown_region_error_names_the_valid_regions():
    with pytest.raises(ValueError, match="au, eu, us"):
        base_url_for("mars", None)


def test_region_table_and_version_are_pinned():
    assert set(REGION_URLS) == {"us", "eu", "au"}
    assert DEFAULT_VERSION == "2.16"
