"""What a triggered run starts from: the event, made into the run's own definition.

A run's definition is kept in the run log so that a resume needs nothing else. For a run
started by a notification or a schedule slot, the definition is the file as written plus:

- the event under the reserved config key ``_trigger`` (config values are data, never
  resolved, so text in a notification such as ``"{$.config.x}"`` stays text), and
- a generated first step ``trigger`` (a ``map`` copying each top-level field of that
  event), so ``$.steps.trigger`` reads the event like any step's output and ``runs show``
  lists it first.

``runs resume`` then works on triggered runs unchanged: the event travels in the log.
"""

from __future__ import annotations

import json
from typing import Any

from intercom_connector.catalog.registry import Catalog
from intercom_connector.workflow.loader import LoadedWorkflow, check_data
from intercom_connector.workflow.model import TRIGGER_CONFIG_KEY, TRIGGER_STEP_ID
from intercom_connector.workflow.triggers.schedule import Schedule, iso

GENERATED_DESCRIPTION = "The event that started this run (added by intercom-connector serve)."


def run_definition(
    loaded: LoadedWorkflow, event: dict[str, Any], catalog: Catalog | None = None
) -> LoadedWorkflow:
    """The checked workflow a run for ``event`` executes (and its log keeps)."""
    data = dict(loaded.data)
    config = dict(data.get("config") or {})
    config[TRIGGER_CONFIG_KEY] = event
    step = {
        "id": TRIGGER_STEP_ID,
        "description": GENERATED_DESCRIPTION,
        "map": {key: f"$.config.{TRIGGER_CONFIG_KEY}[{json.dumps(key)}]" for key in event},
    }
    data["config"] = config
    data["steps"] = [step, *data["steps"]]
    return check_data(data, loaded.file, catalog=catalog)


def schedule_event(
    workflow: str,
    schedule: Schedule,
    slot: float,
    *,
    fired_at: float,
    missed: int = 0,
    last_fired: float | None = None,
) -> dict[str, Any]:
    """``$.steps.trigger`` of a scheduled run.

    ``previous_at`` is the slot before this one by the schedule (a nightly export reads
    ``previous_at_unix`` .. ``scheduled_at_unix`` as "since the last night"); ``last_fired_at``
    is the slot of the last run the server started, which differs after ``missed`` slots.
    """
    previous = schedule.previous_before(slot)
    return {
        "type": "schedule",
        "workflow": workflow,
        "schedule": schedule.spec,
        "timezone": schedule.timezone,
        "scheduled_at": iso(schedule.local(slot)),
        "scheduled_at_unix": int(slot),
        "previous_at": iso(schedule.local(previous)),
        "previous_at_unix": int(previous),
        "last_fired_at": None if last_fired is None else iso(schedule.local(last_fired)),
        "last_fired_at_unix": None if last_fired is None else int(last_fired),
        "missed": missed,
        "fired_at": iso(schedule.local(int(fired_at))),
        "fired_at_unix": int(fired_at),
    }
