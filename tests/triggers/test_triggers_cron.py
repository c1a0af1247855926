"""Cron expressions: parsing, and the next / previous slot in a time zone, DST included.

The slots are cronsim's (Debian cron's rules); the property tests compare them with a plain
walk over every real minute of a window, applying those rules: an expression at a fixed time
fires once per wall time (a skipped one right after the jump), any other runs by the clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intercom_connector.workflow.triggers import (
    CronSyntaxError,
    next_after,
    parse_cron,
    previous_before,
)
from intercom_connector.workflow.triggers.schedule import Schedule

DUBLIN = ZoneInfo("Europe/Dublin")


def utc(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def at(instant: float, zone=UTC) -> str:
    return datetime.fromtimestamp(instant, zone).isoformat()


@pytest.mark.parametrize(
    ("text", "field", "values"),
    [
        ("*/15 * * * *", "minutes", {0, 15, 30, 45}),
        ("0 9-17/4 * * *", "hours", {9, 13, 17}),
        ("0 0 1,15 * *", "days", {1, 15}),
        ("0 0 * jan-mar *", "months", {1, 2, 3}),
        ("0 0 * * mon-fri", "weekdays", {1, 2, 3, 4, 5}),
        ("0 0 * * 7", "weekdays", {0}),
        ("0 0 * * 5/1", "weekdays", {5, 6, 0}),
        ("@hourly", "minutes", {0}),
        ("@weekly", "weekdays", {0}),
    ],
)
def test_fields_parse_to_their_values(text, field, values):
    assert getattr(parse_cron(text), field) == frozenset(values)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0 2 * *", "has 4 fields"),
        ("60 * * * *", "minute: '60' is not valid .*use 0-59"),
        ("* 24 * * *", "hour: '24' is not valid .*use 0-23"),
        ("* * 0 * *", "day of month: '0' is not valid .*use 1-31"),
        ("* * * 13 *", "month: '13' is not valid"),
        ("* * * * 8", "day of week: '8' is not valid"),
        ("*/0 * * * *", "minute: '\\*/0' is not valid"),
        ("5-1 * * * *", "minute: '5-1' is not valid"),
        ("a * * * *", "minute: 'a' is not valid"),
        ("1,,2 * * * *", "minute: '1,,2' is not valid"),
        ("@sometimes", "unknown macro"),
        ("0 0 30 feb *", "never fires"),
        ("0 0 L * *", "extension"),
        ("0 0 * * 5#2", "extension"),
        ("0 0 0 * * *", "has 6 fields"),
    ],
)
def test_bad_expressions_say_what_is_wrong(text, message):
    with pytest.raises(CronSyntaxError, match=message):
        parse_cron(text)


def test_feb_29_is_found_in_the_next_leap_year():
    cron = parse_cron("0 0 29 2 *")
    assert at(next_after(cron, UTC, utc("2025-03-01T00:00:00"))) == "2028-02-29T00:00:00+00:00"


def test_both_day_fields_restricted_fire_on_either():
    cron = parse_cron("0 0 13 * fri")  # the 13th, and every Friday
    start = utc("2026-02-01T00:00:00")
    slots, instant = [], start
    for _ in range(4):
        instant = next_after(cron, UTC, instant)
        slots.append(at(instant)[:10])
    assert slots == ["2026-02-06", "2026-02-13", "2026-02-20", "2026-02-27"]


def test_a_star_day_field_leaves_the_other_one_alone():
    cron = parse_cron("0 0 */1 * mon")  # starts with '*': Mondays only
    assert at(next_after(cron, UTC, utc("2026-02-01T00:00:00")))[:10] == "2026-02-02"


def test_daily_at_two_in_dublin_follows_summer_time():
    cron = parse_cron("0 2 * * *")
    winter = next_after(cron, DUBLIN, utc("2026-01-10T12:00:00"))
    summer = next_after(cron, DUBLIN, utc("2026-07-10T12:00:00"))
    assert at(winter) == "2026-01-11T02:00:00+00:00"
    assert at(summer) == "2026-07-11T01:00:00+00:00"  # 02:00 IST


def test_a_time_the_clock_skips_fires_once_right_after_the_jump():
    # 2026-03-29 in Dublin: 01:00 GMT jumps to 02:00 IST, so 01:30 does not exist.
    cron = parse_cron("30 1 * * *")
    slot = next_after(cron, DUBLIN, utc("2026-03-28T12:00:00"))
    assert at(slot) == "2026-03-29T01:00:00+00:00"  # 02:00 IST, the jump itself, as cron does
    assert at(next_after(cron, DUBLIN, slot)) == "2026-03-30T00:30:00+00:00"


def test_the_fall_back_hour_runs_twice_for_an_expression_that_runs_by_the_clock():
    # 2026-10-25 in Dublin: 02:00 IST falls back to 01:00 GMT; cron keeps every half hour.
    cron = parse_cron("*/30 * * * *")
    slots, instant = [], utc("2026-10-24T23:45:00")
    for _ in range(5):
        instant = next_after(cron, DUBLIN, instant)
        slots.append(at(instant)[11:16])
    assert slots == ["00:00", "00:30", "01:00", "01:30", "02:00"]  # UTC: no hour left out


def test_the_fall_back_hour_runs_twice_backwards_too():
    cron = parse_cron("*/30 * * * *")
    slot = previous_before(cron, DUBLIN, utc("2026-10-25T01:10:00"))
    assert at(slot) == "2026-10-25T01:00:00+00:00"  # 01:00 GMT, the second pass


@pytest.mark.parametrize(
    ("text", "after", "expected"),
    [
        # The 1st of February on a Monday: 2027, then not until 2038.
        ("0 0 */29 2 1", "2027-02-02T00:00:00", "2038-02-01T00:00:00+00:00"),
        # The 29th of February on a Sunday: 2032, then 2060.
        ("0 0 29 2 */7", "2032-03-01T00:00:00", "2060-02-29T00:00:00+00:00"),
    ],
)
def test_a_next_run_more_than_ten_years_away_is_found(text, after, expected):
    cron = parse_cron(text)
    slot = next_after(cron, UTC, utc(after))
    assert at(slot) == expected
    assert previous_before(cron, UTC, slot) < utc(after)


def test_a_time_the_clock_passes_twice_fires_once():
    # 2026-10-25 in Dublin: 02:00 IST falls back to 01:00 GMT; 01:30 happens twice.
    cron = parse_cron("30 1 * * *")
    first = next_after(cron, DUBLIN, utc("2026-10-24T12:00:00"))
    assert at(first) == "2026-10-25T00:30:00+00:00"  # the first 01:30 (IST)
    assert at(next_after(cron, DUBLIN, first)) == "2026-10-26T01:30:00+00:00"


def test_every_schedule_slots_are_multiples_of_the_period_since_the_epoch():
    every = Schedule(period=900)
    assert every.next_after(utc("2026-01-01T10:07:00")) == utc("2026-01-01T10:15:00")
    assert every.previous_before(utc("2026-01-01T10:15:00")) == utc("2026-01-01T10:00:00")
    assert every.latest_at_or_before(utc("2026-01-01T10:15:00")) == utc("2026-01-01T10:15:00")
    assert every.count_between(utc("2026-01-01T10:00:00"), utc("2026-01-01T11:00:00")) == 3


def test_cron_schedule_counts_the_slots_between_two_instants():
    daily = Schedule(cron=parse_cron("0 2 * * *"), zone=DUBLIN)
    assert daily.count_between(utc("2026-01-01T02:00:00"), utc("2026-01-05T02:00:00")) == 3


# --- against a plain walk over every minute --------------------------------------------

FIELD_CHOICES = {
    "minute": ["*", "*/7", "0", "5,35", "10-20", "50-59/3"],
    "hour": ["*", "*/5", "1", "0-3", "2,14"],
    "day": ["*", "*/3", "1", "13", "28-31"],
    "month": ["*", "3", "10,11", "*/4"],
    "weekday": ["*", "0", "1-5", "6,3"],
}
expressions = st.tuples(*(st.sampled_from(choices) for choices in FIELD_CHOICES.values())).map(
    " ".join
)
zones = st.sampled_from([UTC, DUBLIN, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")])
# instants around the 2026 DST changes of Europe and the US, and elsewhere in the year
instants = st.sampled_from(
    [
        utc("2026-03-08T00:00:00"),
        utc("2026-03-28T20:00:00"),
        utc("2026-10-24T20:00:00"),
        utc("2026-11-01T00:00:00"),
        utc("2026-10-25T00:20:00"),
        utc("2026-03-29T00:40:00"),
        utc("2026-06-15T00:00:00"),
    ]
).flatmap(lambda base: st.floats(base, base + 86_400 * 2, allow_nan=False))

WINDOW = timedelta(days=3)


def brute_slots(cron, zone, instant):
    """Every slot's instant from a walk over each real minute around ``instant``.

    Debian cron's rules: an expression at a fixed time (minute and hour without ``*``) fires
    once per wall time, on its first pass, and wall times the clock skipped fire at the jump;
    any other fires at every real minute whose wall time matches.
    """
    minute, hour = cron.expression.split()[:2]
    fixed = not minute.startswith("*") and not hour.startswith("*")
    start = (instant // 60) * 60 - WINDOW.total_seconds()
    end = start + 2 * WINDOW.total_seconds()
    found: list[float] = []
    seen: set[datetime] = set()
    previous: datetime | None = None
    moment = start
    while moment <= end:
        wall = datetime.fromtimestamp(moment, zone).replace(tzinfo=None)
        if not fixed:
            fires = cron.matches(wall)
        else:
            fires = cron.matches(wall) and wall not in seen
            skipped = previous is not None and wall - previous > timedelta(minutes=1)
            while skipped and previous is not None and previous + timedelta(minutes=1) < wall:
                previous += timedelta(minutes=1)
                fires = fires or cron.matches(previous)
            seen.add(wall)
        if fires:
            found.append(moment)
        previous = wall
        moment += 60
    return found, start, end


@settings(max_examples=150, deadline=None)
@given(text=expressions, zone=zones, instant=instants)
def test_next_slot_is_the_first_slot_after_the_instant(text, zone, instant):
    cron = parse_cron(text)
    slots, _, end = brute_slots(cron, zone, instant)
    later = [slot for slot in slots if slot > instant]
    got = next_after(cron, zone, instant)
    if later and min(later) < end - 4 * 3600:
        assert got == min(later)
    else:
        assert got > end - 4 * 3600 - 1


@settings(max_examples=150, deadline=None)
@given(text=expressions, zone=zones, instant=instants)
def test_previous_slot_is_the_last_slot_before_the_instant(text, zone, instant):
    cron = parse_cron(text)
    slots, start, _ = brute_slots(cron, zone, instant)
    earlier = [slot for slot in slots if slot < instant]
    got = previous_before(cron, zone, instant)
    if earlier and max(earlier) > start + 4 * 3600:
        assert got == max(earlier)
    else:
        assert got < start + 4 * 3600 + 1
