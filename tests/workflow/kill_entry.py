"""The workflow commands as a program that SIGKILLs itself at a chosen step boundary.

``KILL_AT_STEP_EVENT=k``: once the k-th step event of the process (a step started,
finished or failed, or a timer started) is appended to the run log, everything appended so
far is committed and the process sends itself SIGKILL. The log then holds exactly those k
events, so the kill point is a function of the run's own progress, never of the machine's
speed. Only this test program installs the hook; the connector itself has none.
"""

import os
import signal
from typing import Any

from workflow_kit import cli_app

from intercom_connector.workflow import runlog

STEP_EVENTS = frozenset(
    {runlog.STEP_STARTED, runlog.STEP_FINISHED, runlog.STEP_FAILED, runlog.TIMER_STARTED}
)


def arm(kill_at: int) -> None:
    append = runlog.RunLog.append
    seen = 0

    def append_then_maybe_die(self: runlog.RunLog, run_id: str, type: str, **event: Any) -> None:
        nonlocal seen
        append(self, run_id, type, **event)
        if type in STEP_EVENTS:
            seen += 1
            if seen == kill_at:
                self.flush()
                os.kill(os.getpid(), signal.SIGKILL)

    runlog.RunLog.append = append_then_maybe_die  # type: ignore[method-assign]


if __name__ == "__main__":
    arm(int(os.environ["KILL_AT_STEP_EVENT"]))
    cli_app()()
