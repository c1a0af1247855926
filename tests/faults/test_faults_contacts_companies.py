"""The contacts-companies example gives the same outputs with and without faults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fault_kit import clean_sandbox, client_for, faults_met, faulty_sandbox

from intercom_connector.sandbox import Sandbox
from intercom_connector.workflow import RunLog, RunResult, load_workflow, run_workflow

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "contacts-companies.yaml"
SEED = 3  # its fault draws over the run's 51 requests include 429s, a 500 and a drop


async def run_example(sandbox: Sandbox, runlog: RunLog) -> RunResult:
    async with client_for(sandbox) as client:
        result = await run_workflow(load_workflow(EXAMPLE), client, runlog=runlog)
    assert result.succeeded, result.error
    return result


def attached_companies(result: RunResult) -> list[Any]:
    """Each loop iteration's list-attached-companies output, in order."""
    return [
        iteration["list-attached-companies"] for iteration in result.outputs["loop-1"]["results"]
    ]


async def test_contacts_companies_under_faults_gives_the_outputs_it_gives_without_faults(
    runlog: RunLog,
):
    without = await run_example(clean_sandbox(SEED), runlog)
    sandbox = faulty_sandbox(SEED)
    faulted = await run_example(sandbox, runlog)

    met = faults_met(sandbox)
    assert {"429", "drop"} <= set(met) and len(met) >= 3, met
    assert faulted.outputs["list-contacts"] == without.outputs["list-contacts"]
    assert len(attached_companies(faulted)) == 50
    assert attached_companies(faulted) == attached_companies(without)
    assert faulted.outputs["company-names"] == without.outputs["company-names"]
    assert faulted.outputs["company-names"]["companies"]
