"""Workflows: YAML files of steps over Intercom operations, run with a log you can resume.

The public face of the layer; one concern per module behind it:

- ``model``        the file format as pydantic models, and its JSON Schema
- ``loader``       file -> checked plan, or every problem with file, line, step and field
- ``checks``       workflow-wide checks: ids, operations, inputs, references, breaks
- ``references``   JSONPath references (``$.steps.<id>...``, ``$.config``, ``$.env``)
- ``shapes``, ``shape_checks``  references walked through what each step will produce
- ``salvage``      stand-ins for refused parts, so one pass reports every problem
- ``editor_schema``, ``starter``  the schema editors complete from; `workflow new` files
- ``conditions``   the comparisons of a condition step
- ``interpreter``  the deterministic walk over the steps
- ``engine``       the one side-effect interface the interpreter sees
- ``engines``      the embedded asyncio engine (and, as an extra, Temporal)
- ``runlog``       the append-only SQLite run log (group commit)
- ``runner``       starting and resuming runs
- ``render``, ``progress``  the debug view and the terminal progress
- ``sealing``      step data kept exactly and encrypted at rest
"""

from typing import TYPE_CHECKING

from intercom_connector.lazy_import import attach

if TYPE_CHECKING:
    from intercom_connector.redaction import Redactor
    from intercom_connector.workflow.checks import Plan, check_workflow
    from intercom_connector.workflow.engine import (
        CallFailed,
        Engine,
        ProgressEvent,
        ProgressHandler,
        StepError,
        StepRef,
    )
    from intercom_connector.workflow.engines.embedded import EmbeddedEngine, RunJournal
    from intercom_connector.workflow.interpreter import Interpreter, StepFailed
    from intercom_connector.workflow.loader import (
        LoadedWorkflow,
        check_data,
        load_workflow,
        parse_workflow,
    )
    from intercom_connector.workflow.model import Workflow, workflow_json_schema
    from intercom_connector.workflow.problems import Problem, WorkflowInvalid
    from intercom_connector.workflow.progress import TerminalProgress
    from intercom_connector.workflow.references import MISSING, ReferenceProblem, parse_reference
    from intercom_connector.workflow.render import render_run, run_view
    from intercom_connector.workflow.runlog import RunLog, RunNotFound, RunSummary, StepRecord
    from intercom_connector.workflow.runner import (
        ConfigProblem,
        ResumeRefused,
        RunResult,
        parse_config_value,
        resume_run,
        run_workflow,
    )

__all__ = [
    "MISSING",
    "CallFailed",
    "ConfigProblem",
    "EmbeddedEngine",
    "Engine",
    "Interpreter",
    "LoadedWorkflow",
    "Plan",
    "Problem",
    "ProgressEvent",
    "ProgressHandler",
    "Redactor",
    "ReferenceProblem",
    "ResumeRefused",
    "RunJournal",
    "RunLog",
    "RunNotFound",
    "RunResult",
    "RunSummary",
    "StepError",
    "StepFailed",
    "StepRecord",
    "StepRef",
    "TerminalProgress",
    "Workflow",
    "WorkflowInvalid",
    "check_data",
    "check_workflow",
    "load_workflow",
    "parse_config_value",
    "parse_reference",
    "parse_workflow",
    "render_run",
    "resume_run",
    "run_view",
    "run_workflow",
    "workflow_json_schema",
]

__getattr__, __dir__ = attach(__name__, __file__)
