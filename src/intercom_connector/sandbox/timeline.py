"""When seeded records were created and last updated: months of history with busy days.

A workspace's records do not arrive one every few minutes for a year. Sign-ups grow over
time, dip at weekends, and come in bursts (a launch, an import, a campaign) where one day
holds weeks' worth. Listings that split by ``created_at`` meet exactly that shape at
Intercom, so the sandbox seeds it: a growing trend, quieter weekends, and about one day in
thirty with ten to forty times the usual volume. Times are sorted, so seq order stays
creation order (the cursor listing relies on it); each spread has its own generator, so
the rest of the seeded data does not change with it.
"""

from __future__ import annotations

import random
from itertools import accumulate

DAY = 86_400


def _day_weights(rng: random.Random, days: int) -> list[float]:
    weights = []
    for day in range(days):
        trend = 0.4 + 1.2 * day / max(days - 1, 1)
        weekend = 0.35 if day % 7 in (5, 6) else 1.0
        burst = rng.uniform(10, 40) if rng.random() < 1 / 30 else 1.0
        weights.append(trend * weekend * burst)
    return weights


def creation_times(seed: str, count: int, end: int, days: int) -> list[int]:
    """``count`` sorted unix times over the ``days`` days before ``end``."""
    if count <= 0:
        return []
    rng = random.Random(f"timeline:{seed}")
    cumulative = list(accumulate(_day_weights(rng, days)))
    start = end - days * DAY
    chosen = rng.choices(range(days), cum_weights=cumulative, k=count)
    return sorted(start + day * DAY + rng.randrange(DAY) for day in chosen)


def update_times(seed: str, created: list[int], end: int) -> list[int]:
    """A last-update time per creation time: most records change within weeks, some never."""
    rng = random.Random(f"updates:{seed}")
    result = []
    for when in created:
        roll = rng.random()
        if roll < 0.3:
            result.append(when)
        else:
            horizon = max(end - when, 1)
            delay = int(horizon * rng.random() ** 3)  # skewed towards soon after creation
            result.append(min(when + delay, end - 1))
    return result
