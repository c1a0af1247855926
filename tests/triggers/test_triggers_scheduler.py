"""The scheduler on a fake clock: slots fire on time, a missed stretch runs once, no overlap."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from triggers_kit import EXAMPLES, hosted, new_sandbox, sandbox_client, workflow

from intercom_connector.workflow import load_workflow, run_workflow
from intercom_connector.workflow.triggers import (
    FakeClock,
    Schedule,
    ScheduledWorkflow,
    Scheduler,
    TriggerServer,
    parse_cron,
    run_definition,
    schedule_event,
)

EVERY_15M = Schedule(period=900)
NIGHTLY_DUBLIN = Schedule(cron=parse_cron("0 2 * * *"), zone=ZoneInfo("Europe/Dublin"))


def utc(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def scheduler(store, clock, schedule=EVERY_15M, overlap=False, name="job") -> Scheduler:
    return Scheduler(store, [ScheduledWorkflow(name, schedule, overlap)], clock)


def test_a_new_schedule_owes_nothing_for_the_time_before_it_was_served(store):
    clock = FakeClock(utc("2026-01-01T10:07:00"))
    job = scheduler(store, clock)
    job.start()
    assert job.tick() == [] and store.events() == []
    assert store.schedule_state("job").last_slot == utc("2026-01-01T10:00:00")


def test_a_slot_fires_once_when_its_time_comes(store):
    clock = FakeClock(utc("2026-01-01T10:07:00"))
    job = scheduler(store, clock)
    job.start()
    clock.set(utc("2026-01-01T10:14:59"))
    assert job.tick() == []
    clock.set(utc("2026-01-01T10:15:00"))
    (firing,) = job.tick()
    assert firing.fired and firing.slot == utc("2026-01-01T10:15:00") and firing.missed == 0
    assert job.tick() == []
    (event,) = store.events("job")
    assert event.kind == "schedule" and event.event_id == f"schedule:{int(firing.slot)}"
    trigger = event.event
    assert trigger["scheduled_at"] == "2026-01-01T10:15:00Z"
    assert trigger["previous_at_unix"] == int(utc("2026-01-01T10:00:00"))
    assert (trigger["missed"], trigger["last_fired_at"]) == (0, None)


def test_cron_slots_are_wall_clock_times_in_the_time_zone(store):
    clock = FakeClock(utc("2026-07-10T12:00:00"))
    job = scheduler(store, clock, NIGHTLY_DUBLIN)
    job.start()
    clock.set(utc("2026-07-11T00:59:59"))
    assert job.tick() == []
    clock.set(utc("2026-07-11T01:00:00"))  # 02:00 in Dublin (summer time)
    (firing,) = job.tick()
    assert store.events()[0].event["scheduled_at"] == "2026-07-11T02:00:00+01:00"
    assert firing.fired


def test_a_restart_after_missed_slots_runs_the_latest_one_once(store):
    clock = FakeClock(utc("2026-01-01T09:59:00"))
    first = scheduler(store, clock)
    first.start()
    clock.set(utc("2026-01-01T10:00:00"))
    first.tick()
    store.finish(store.events()[0].seq, "succeeded")
    # the server is down from 10:05 to 11:20: slots 10:15 .. 11:15 pass unserved
    clock.set(utc("2026-01-01T11:20:00"))
    restarted = scheduler(store, clock)
    restarted.start()
    (firing,) = restarted.tick()
    assert firing.fired and firing.slot == utc("2026-01-01T11:15:00") and firing.missed == 4
    assert restarted.tick() == []
    latest = store.events()[-1].event
    assert latest["missed"] == 4 and latest["last_fired_at"] == "2026-01-01T10:00:00Z"
    assert len(store.events()) == 2


def test_a_slot_that_comes_while_the_previous_run_goes_is_skipped(store, caplog):
    caplog.set_level(logging.INFO, "intercom_connector.triggers")
    clock = FakeClock(utc("2026-01-01T10:07:00"))
    job = scheduler(store, clock)
    job.start()
    clock.set(utc("2026-01-01T10:15:00"))
    job.tick()
    clock.set(utc("2026-01-01T10:30:00"))
    (skipped,) = job.tick()
    assert not skipped.fired and skipped.reason == "previous run still going"
    assert "slot 2026-01-01T10:30:00+00:00 skipped" in caplog.text
    assert len(store.events()) == 1
    store.finish(store.events()[0].seq, "succeeded")
    clock.set(utc("2026-01-01T10:45:00"))
    (fired,) = job.tick()
    assert fired.fired and fired.missed == 0
    assert store.events()[-1].event["last_fired_at"] == "2026-01-01T10:15:00Z"


def test_overlap_allow_fires_even_while_the_previous_run_goes(store):
    clock = FakeClock(utc("2026-01-01T10:07:00"))
    job = scheduler(store, clock, overlap=True)
    job.start()
    for slot in ("10:15", "10:30"):
        clock.set(utc(f"2026-01-01T{slot}:00"))
        assert job.tick()[0].fired
    assert len(store.events()) == 2


def test_an_edited_schedule_starts_counting_afresh(store):
    clock = FakeClock(utc("2026-01-01T10:07:00"))
    scheduler(store, clock).start()
    clock.set(utc("2026-01-01T13:00:30"))
    edited = scheduler(store, clock, Schedule(period=3600))
    edited.start()
    assert edited.tick() == [] and store.events() == []


async def test_the_server_runs_scheduled_workflows_on_its_clock(home, runlog):
    loaded = workflow(
        """
        name: Every quarter hour
        trigger: {schedule: {every: 15m}}
        steps:
          - id: window
            map:
              from: $.steps.trigger.previous_at_unix
              to: $.steps.trigger.scheduled_at_unix
        """
    )
    clock = FakeClock(utc("2026-01-01T10:07:00"))
    server = TriggerServer([hosted(loaded, sandbox_client(new_sandbox()))], clock=clock)
    serving = asyncio.create_task(server.serve())
    await server.ready.wait()
    assert server.upcoming() == [("Every quarter hour", datetime(2026, 1, 1, 10, 15, tzinfo=UTC))]
    await clock.wait_for_naps(1)
    clock.set(utc("2026-01-01T10:15:00"))
    await clock.wait_for_naps(2)
    assert server.dispatcher is not None
    await server.dispatcher.idle()
    server.stop()
    await serving
    (summary,) = runlog.runs()
    steps = {record.key: record.output for record in runlog.steps(summary.run_id)}
    assert steps["window"] == {
        "from": int(utc("2026-01-01T10:00:00")),
        "to": int(utc("2026-01-01T10:15:00")),
    }


async def test_the_nightly_export_example_exports_the_window_of_its_slot(runlog, tmp_path):
    loaded = load_workflow(EXAMPLES / "schedule-nightly-export.yaml")
    slot = utc("2026-01-02T02:00:00")
    event = schedule_event(loaded.workflow.name, NIGHTLY_DUBLIN, slot, fired_at=slot + 1)
    sandbox = new_sandbox(export_seconds=0.2)
    config = {"poll_seconds": 0.05, "download_dir": str(tmp_path)}
    async with sandbox_client(sandbox) as client:
        result = await run_workflow(
            run_definition(loaded, event), client, config=config, runlog=runlog
        )
    assert result.succeeded, result.error
    job = result.outputs["create-export-job"]
    assert job["job_identifier"]
    (request,) = sandbox.requests.matching("POST", "/export/content/data")
    assert request.status == 200
    started = runlog.steps(result.run_id)[1]
    assert started.input["input"] == {
        "created_at_after": int(utc("2026-01-01T02:00:00")),
        "created_at_before": int(slot),
    }
