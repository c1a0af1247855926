"""What a triggered run starts from: the event, made into the run's own definition.

A run's definition is kept in the run log so that a resume needs nothing else. For a run
started by a notification or a schedule slot, the definition is the file as written plus:

- the event under the reserved config key ``_trigger`` (config values are data, never
  resolved, so text in a notification such as ``"{$.config.x}"`` stays text), and
- a generated first step ``trigger`` (a ``map`` copying each top-level field of that
  event), so ``$.steps.trigger`` reads the event like any step's output and ``runs show``
  lists it first.

``runs resume`` then works on triggered runs unchanged: the event travels in the log.

Checking that definition again for every event was a sixth of a triggered run's cost in
``serve``. What the checks conclude depends on the file, the catalog and the event's
top-level keys (they name the generated step's fields), never on the event's values: the
event is checked by the shape its kind declares (``shape_checks``). So a definition
checked once is reused for the next event with the same keys, keyed by the file's name,
a digest of its content as loaded, the event's keys and the catalog object; only the
config (the event) is replaced. An edited file has another digest and is checked afresh;
a file that mentions the reserved key itself is checked every time.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from intercom_connector.catalog.registry import Catalog
from intercom_connector.workflow.checks import Plan
from intercom_connector.workflow.loader import LoadedWorkflow, check_data
from intercom_connector.workflow.model import TRIGGER_CONFIG_KEY, TRIGGER_STEP_ID
from intercom_connector.workflow.triggers.schedule import Schedule, iso

GENERATED_DESCRIPTION = "The event that started this run (added by intercom-connector serve)."
CHECKED_KEPT = 256
"""Checked definitions kept (one per file and event shape); past it the oldest go."""


class CheckedDefinitions:
    """Plans of definitions already checked, by what the checks' result depends on."""

    def __init__(self, kept: int = CHECKED_KEPT) -> None:
        self._kept = kept
        self._plans: dict[tuple[str | None, str, tuple[str, ...]], tuple[object, Plan]] = {}

    @staticmethod
    def key(loaded: LoadedWorkflow, event: dict[str, Any]) -> tuple | None:
        """None when the file itself mentions the reserved config key: never reused."""
        text = repr(loaded.data)
        if TRIGGER_CONFIG_KEY in text:
            return None
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        return loaded.file, digest, tuple(event)

    def definition(
        self, loaded: LoadedWorkflow, data: dict[str, Any], event: dict[str, Any], catalog: Any
    ) -> LoadedWorkflow:
        key = self.key(loaded, event)
        found = self._plans.get(key) if key is not None else None
        if found is None or found[0] is not catalog:
            checked = check_data(data, loaded.file, catalog=catalog)
            if key is not None:
                if len(self._plans) >= self._kept:
                    del self._plans[next(iter(self._plans))]
                self._plans[key] = (catalog, checked.plan)
            return checked
        plan = found[1]
        workflow = plan.workflow.model_copy(update={"config": data["config"]})
        return LoadedWorkflow(dataclasses.replace(plan, workflow=workflow), loaded.file, data)


_CHECKED = CheckedDefinitions()


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
    return _CHECKED.definition(loaded, data, event, catalog)


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
