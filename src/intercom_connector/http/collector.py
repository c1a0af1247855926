"""Fewer young collections while a parallel listing (partitions, or pages fetched ahead)
holds many decoded pages.

A page of 150 contacts is some 6,000 containers, and a listing with 32 partitions keeps up
to twice that many pages alive (in flight and queued). Python's collector starts a young
collection every 700 new containers: each one walks every page still alive, and the pages
that survive are walked again by the older generations. On 20,000 contacts at
``--parallel 32`` that was a fifth of the lister's CPU, for nothing: decoded JSON holds no
reference cycle, and pages are freed by reference counting once read.

``young_collections_spaced`` raises the young generation's threshold to ``YOUNG_THRESHOLD``
while it is entered (by any number of listings, in any threads), then puts back the
threshold it found, unless someone else changed it meanwhile. Cyclic garbage made elsewhere
in the process is still collected: once that many new containers are alive, not 700, so what
it can hold is bounded by count as before, only by a larger one.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["YOUNG_THRESHOLD", "young_collections_spaced"]

YOUNG_THRESHOLD = 100_000

_lock = threading.Lock()
_depth = 0
_saved: int | None = None


@contextmanager
def young_collections_spaced() -> Iterator[None]:
    """A young collection per ``YOUNG_THRESHOLD`` new containers, until the outermost exit."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            young, *older = gc.get_threshold()
            if 0 < young < YOUNG_THRESHOLD:  # 0: automatic collection is off
                _saved = young
                gc.set_threshold(YOUNG_THRESHOLD, *older)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved is not None:
                young, *older = gc.get_threshold()
                if young == YOUNG_THRESHOLD:
                    gc.set_threshold(_saved, *older)
                _saved = None
