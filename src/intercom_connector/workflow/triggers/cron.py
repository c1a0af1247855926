"""Five-field cron expressions in a time zone: parse them, find the slot after or before.

``minute hour day-of-month month day-of-week``, as in Vixie cron: ``*``, numbers, ranges
``a-b``, lists ``a,b``, steps ``*/n`` and ``a-b/n`` (``a/n`` runs from ``a`` to the end),
month and weekday names (``jan``, ``mon``), weekday 0 or 7 for Sunday, and the macros
``@hourly``, ``@daily`` (``@midnight``), ``@weekly``, ``@monthly``, ``@yearly``
(``@annually``). When both day fields are restricted a day matching either one fires;
when one starts with ``*`` only the other one counts (Vixie's rule).

Slots are wall-clock times in the zone. Across daylight-saving changes each wall time
fires once: a time the clock skips (01:30 when 01:00 jumps to 02:00) fires when that
much later (02:30, the instant ``fold=0`` gives it), and a time the clock passes twice
fires on the first pass only. The search walks wall time field by field (a month, a day,
an hour at a time when those do not match), so a yearly expression costs a few hundred
steps, not half a million minutes.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_SEARCH_YEARS = 10  # Feb 29 comes round at least every 8 years
_MINUTE = timedelta(minutes=1)
_MARGIN = timedelta(hours=3)
"""More than any daylight-saving shift: a wall time the clock skipped fires later than its
wall-clock neighbours, so the search starts this far on the other side of ``instant``."""


class CronSyntaxError(ValueError):
    """An expression that is not five valid fields (or never fires)."""


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    name_base: int = 0


_FIELDS = (
    _Field("minute", 0, 59),
    _Field("hour", 0, 23),
    _Field("day of month", 1, 31),
    _Field("month", 1, 12, _MONTHS, 1),
    _Field("day of week", 0, 7, _WEEKDAYS, 0),
)


@dataclass(frozen=True)
class Cron:
    """A parsed expression: the set of values each field allows."""

    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    """0 = Sunday ... 6 = Saturday."""
    days_restricted: bool
    weekdays_restricted: bool

    def day_matches(self, day: datetime) -> bool:
        in_days = day.day in self.days
        in_weekdays = (day.weekday() + 1) % 7 in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return in_days or in_weekdays
        return in_days and in_weekdays

    def matches(self, wall: datetime) -> bool:
        """Whether a wall-clock time (seconds ignored) is one of the expression's slots."""
        return (
            wall.minute in self.minutes
            and wall.hour in self.hours
            and wall.month in self.months
            and self.day_matches(wall)
        )


def _value(text: str, field: _Field) -> int:
    lowered = text.lower()
    if lowered in field.names:
        return field.names.index(lowered) + field.name_base
    if not text.isdigit():
        raise CronSyntaxError(f"{field.name}: {text!r} is not a number")
    value = int(text)
    if not field.low <= value <= field.high:
        raise CronSyntaxError(f"{field.name}: {value} is outside {field.low}-{field.high}")
    return value


def _parse_field(text: str, field: _Field) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        if not part:
            raise CronSyntaxError(f"{field.name}: empty item in {text!r}")
        base, slash, step_text = part.partition("/")
        step = 1
        if slash:
            if not step_text.isdigit() or int(step_text) == 0:
                raise CronSyntaxError(f"{field.name}: step {step_text!r} must be a number >= 1")
            step = int(step_text)
        if base == "*":
            low, high = field.low, field.high
        elif "-" in base:
            first, last = base.split("-", 1)
            low, high = _value(first, field), _value(last, field)
            if low > high:
                raise CronSyntaxError(f"{field.name}: range {base!r} runs backwards")
        else:
            low = _value(base, field)
            high = field.high if slash else low
        values.update(range(low, high + 1, step))
    return frozenset(values)


def parse_cron(text: str) -> Cron:
    """Parse a five-field expression or a macro; CronSyntaxError says what is wrong."""
    source = text.strip()
    expanded = MACROS.get(source.lower(), source)
    if expanded.startswith("@"):
        raise CronSyntaxError(f"unknown macro {source!r}; use one of {', '.join(MACROS)}")
    parts = expanded.split()
    if len(parts) != 5:
        raise CronSyntaxError(
            f"{source!r} has {len(parts)} fields; cron needs 5: minute hour day-of-month "
            "month day-of-week (e.g. '0 2 * * *')"
        )
    minutes, hours, days, months, weekdays = (
        _parse_field(part, field) for part, field in zip(parts, _FIELDS, strict=True)
    )
    weekdays = frozenset(day % 7 for day in weekdays)
    cron = Cron(
        source,
        minutes,
        hours,
        days,
        months,
        weekdays,
        days_restricted=not parts[2].startswith("*"),
        weekdays_restricted=not parts[4].startswith("*"),
    )
    if not cron.weekdays_restricted or not cron.days_restricted:
        longest = max(calendar.monthrange(2024, month)[1] for month in months)
        if min(days) > longest:
            raise CronSyntaxError(f"{source!r} never fires: no month of it has that day")
    return cron


def _instant(wall: datetime, zone: tzinfo) -> float:
    return wall.replace(tzinfo=zone, fold=0).timestamp()


def _wall(instant: float, zone: tzinfo) -> datetime:
    """The wall-clock minute containing ``instant``, without a time zone."""
    local = datetime.fromtimestamp(instant, zone)
    return local.replace(second=0, microsecond=0, tzinfo=None, fold=0)


def next_after(cron: Cron, zone: tzinfo, instant: float) -> float:
    """The first slot strictly after ``instant`` (unix seconds)."""
    wall = _wall(instant, zone) - _MARGIN
    limit = wall.year + _SEARCH_YEARS
    while wall.year <= limit:
        if wall.month not in cron.months:
            year, month = (wall.year + 1, 1) if wall.month == 12 else (wall.year, wall.month + 1)
            wall = datetime(year, month, 1)
        elif not cron.day_matches(wall):
            wall = datetime(wall.year, wall.month, wall.day) + timedelta(days=1)
        elif wall.hour not in cron.hours:
            wall = wall.replace(minute=0) + timedelta(hours=1)
        elif wall.minute not in cron.minutes:
            wall += _MINUTE
        else:
            found = _instant(wall, zone)
            if found > instant:
                return found
            wall += _MINUTE
    raise CronSyntaxError(f"{cron.text!r} does not fire within {_SEARCH_YEARS} years")


def previous_before(cron: Cron, zone: tzinfo, instant: float) -> float:
    """The last slot strictly before ``instant`` (unix seconds)."""
    wall = _wall(instant, zone) + _MARGIN
    limit = wall.year - _SEARCH_YEARS
    while wall.year >= limit:
        if wall.month not in cron.months:
            wall = datetime(wall.year, wall.month, 1) - _MINUTE
        elif not cron.day_matches(wall):
            wall = datetime(wall.year, wall.month, wall.day) - _MINUTE
        elif wall.hour not in cron.hours:
            wall = wall.replace(minute=0) - _MINUTE
        elif wall.minute not in cron.minutes:
            wall -= _MINUTE
        else:
            found = _instant(wall, zone)
            if found < instant:
                return found
            wall -= _MINUTE
    raise CronSyntaxError(f"{cron.text!r} did not fire within {_SEARCH_YEARS} years")
