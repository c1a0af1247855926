"""Five-field cron expressions in a time zone, evaluated by cronsim as Debian's cron does.

``minute hour day-of-month month day-of-week``: ``*``, numbers, ranges ``a-b``, lists
``a,b``, steps ``*/n`` and ``a-b/n``, month and weekday names (``jan``, ``mon``), weekday 0 or
7 for Sunday, and the macros ``@hourly``, ``@daily`` (``@midnight``), ``@weekly``,
``@monthly``, ``@yearly`` (``@annually``). When both day fields are restricted a day matching
either one fires; when one starts with ``*`` both must match (Vixie's rule).

Slots follow cron across daylight-saving changes (cronsim matches Debian's cron): an
expression at a fixed time (neither minute nor hour starts with ``*``) fires once a day
whatever the clock does, a time the clock skips firing right after the jump and a time it
passes twice firing on the first pass; an expression with ``*`` in the minute or the hour
runs by the clock, so it fires in both passes of a repeated hour. Parsing and the search are
cronsim's; this module adds the project's messages and the five-field, no-extension rule.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from cronsim import CronSim, CronSimError

MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_FIELDS = (  # (name, cronsim's name in its messages, range)
    ("minute", "minute", "0-59"),
    ("hour", "hour", "0-23"),
    ("day of month", "day-of-month", "1-31"),
    ("month", "month", "1-12 or jan-dec"),
    ("day of week", "day-of-week", "0-7 or sun-sat"),
)


class CronSyntaxError(ValueError):
    """An expression that is not five valid fields (or never fires)."""


@dataclass(frozen=True)
class Cron:
    """A checked expression and the values each field allows."""

    text: str
    """As written (a macro stays a macro)."""
    expression: str
    """The five fields cronsim evaluates."""
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    """0 = Sunday ... 6 = Saturday."""
    either_day: bool
    """Both day fields are restricted, so a day matching either one fires."""

    def matches(self, wall: datetime) -> bool:
        """Whether a wall-clock time (seconds ignored) has the expression's fields."""
        in_days = wall.day in self.days
        in_weekdays = (wall.weekday() + 1) % 7 in self.weekdays
        day = (in_days or in_weekdays) if self.either_day else (in_days and in_weekdays)
        return (
            day
            and wall.minute in self.minutes
            and wall.hour in self.hours
            and (wall.month in self.months)
        )


def _refusal(source: str, parts: list[str], error: CronSimError) -> CronSyntaxError:
    """cronsim's ``Bad minute`` made into the field, its text and what it accepts."""
    for index, (name, cronsim_name, accepted) in enumerate(_FIELDS):
        if str(error).endswith(cronsim_name):
            if index == 2 and _parses(" ".join([*parts[:3], "*", parts[4]])):
                return CronSyntaxError(
                    f"{source!r} never fires: no month in {parts[3]!r} has day {parts[2]!r}"
                )
            return CronSyntaxError(
                f"{name}: {parts[index]!r} is not valid in {source!r}; use {accepted}, "
                "ranges a-b, lists a,b and steps */n"
            )
    return CronSyntaxError(f"{source!r} is not a cron expression: {error}")


def _parses(expression: str) -> bool:
    try:
        CronSim(expression, datetime(2000, 1, 1, tzinfo=UTC))
    except CronSimError:
        return False
    return True


def parse_cron(text: str) -> Cron:
    """Check a five-field expression or a macro; CronSyntaxError says what is wrong."""
    source = text.strip()
    expression = MACROS.get(source.lower(), source)
    if expression.startswith("@"):
        raise CronSyntaxError(f"unknown macro {source!r}; use one of {', '.join(MACROS)}")
    parts = expression.split()
    if len(parts) != 5:
        raise CronSyntaxError(
            f"{source!r} has {len(parts)} fields; cron needs 5: minute hour day-of-month "
            "month day-of-week (e.g. '0 2 * * *')"
        )
    try:
        parsed = CronSim(expression, datetime(2000, 1, 1, tzinfo=UTC))
    except CronSimError as error:
        raise _refusal(source, parts, error) from None
    weekdays = {day for day in parsed.weekdays if isinstance(day, int)}
    if len(weekdays) < len(parsed.weekdays) or min(parsed.days) < 0:
        raise CronSyntaxError(
            f"{source!r} uses an extension (L, W, #) of some crons; five plain fields only"
        )
    cron = Cron(
        source,
        expression,
        frozenset(parsed.minutes),
        frozenset(parsed.hours),
        frozenset(parsed.days),
        frozenset(parsed.months),
        frozenset(day % 7 for day in weekdays),
        either_day=not parsed.day_and,
    )
    if not cron.either_day and not any(
        day <= calendar.monthrange(2024, month)[1] for month in cron.months for day in cron.days
    ):
        raise CronSyntaxError(f"{source!r} never fires: no month of it has that day")
    return cron


def next_after(cron: Cron, zone: tzinfo, instant: float) -> float:
    """The first slot strictly after ``instant`` (unix seconds)."""
    # Whole seconds: cronsim's next is after its start, and slots fall on whole seconds.
    start = datetime.fromtimestamp(math.floor(instant), zone)
    return next(CronSim(cron.expression, start)).timestamp()


def previous_before(cron: Cron, zone: tzinfo, instant: float) -> float:
    """The last slot strictly before ``instant`` (unix seconds)."""
    start = datetime.fromtimestamp(math.ceil(instant), zone)
    return next(CronSim(cron.expression, start, reverse=True)).timestamp()


__all__ = ["MACROS", "Cron", "CronSyntaxError", "next_after", "parse_cron", "previous_before"]
