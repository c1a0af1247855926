"""While parallel listings run, young collections wait for many more new containers; the
threshold found before is put back when the last one ends."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from intercom_connector.http.collector import YOUNG_THRESHOLD, young_collections_spaced


@pytest.fixture(autouse=True)
def default_threshold() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(700, *before[1:])
    yield
    gc.set_threshold(*before)


def test_the_young_threshold_is_raised_while_entered_and_restored_after():
    with young_collections_spaced():
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD

    assert gc.get_threshold()[0] == 700


def test_nested_listings_restore_the_threshold_only_when_the_last_one_ends():
    outer = young_collections_spaced()
    outer.__enter__()
    with young_collections_spaced():
        pass
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD
    outer.__exit__(None, None, None)

    assert gc.get_threshold()[0] == 700


def test_a_threshold_changed_meanwhile_by_someone_else_is_kept():
    with young_collections_spaced():
        gc.set_threshold(5_000)

    assert gc.get_threshold()[0] == 5_000


def test_automatic_collection_switched_off_by_threshold_zero_stays_off():
    gc.set_threshold(0)
    with young_collections_spaced():
        assert gc.get_threshold()[0] == 0

    assert gc.get_threshold()[0] == 0


def test_older_generations_keep_their_thresholds():
    gc.set_threshold(700, 7, 3)
    with young_collections_spaced():
        assert gc.get_threshold()[1:] == (7, 3)
