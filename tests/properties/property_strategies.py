"""Hypothesis strategies for the property tests: JSON-like values, references, workflows.

A module of its own (not conftest) so test files can import it by a name no other test
folder uses.

It once steered around inputs that crashed the connector (invalid regex literals, filters
that fail while evaluating, loop ids shared with other steps, digit-like text for integer
fields); those are fixed, pinned by their own tests, and now generated like any input.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from hypothesis import strategies as st

# --- text and JSON-like values -------------------------------------------------------------

ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "yes",
        "no",
        "on",
        "null",
        "~",
        "1e400",
        "NaN",
        "-0",
        "0x1F",
        "$",
        "$.",
        "$$",
        "$$.steps.a",
        "{$.config.x}",
        "{$.}",
        "a\nb",
        "\t",
        "\u202eevil",
        "\u0000",
        "😀",
        "名前",
        "ǅ",
        "\ufeff",
        "'",
        '"',
        "\\",
        "- a",
        "key: value",
        "[1, 2",
        "{",
        "&a",
        "*a",
        "!!binary",
        "%YAML 1.2",
        "---",
    ]
)
TEXT = st.one_of(st.text(max_size=12), ODD_TEXT)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    TEXT,
)
KEYS = st.one_of(st.text(max_size=8), ODD_TEXT)


@cache  # building a recursive strategy costs more than drawing from it
def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """None, booleans, numbers (NaN and infinities included), text, lists and objects."""
    return st.recursive(
        SCALARS,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
        max_leaves=max_leaves,
    )


@cache
def json_objects(max_leaves: int = 12) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(KEYS, json_values(max_leaves), max_size=5)


# --- JSONPath references -------------------------------------------------------------------

NAMES = st.sampled_from(
    ["a", "b", "x", "data", "id", "value", "index", "list-contacts", "_", "a1", "名前", "ü"]
)
STEP_NAMES = st.sampled_from(["a", "b", "list-contacts", "loop-1", "名前", "missing"])
REGEX_PATTERNS = st.sampled_from(["a", ".*", "^x$", "[0-9]+", "(a|b)c?", "\\d", "é", "(", "[z-a]"])


def _quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


LITERALS = st.one_of(
    st.integers(-5, 5).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["true", "false", "null", "[1, 2]", "undefined"]),
    st.text(max_size=5).map(_quoted),
)


@st.composite
def relative_queries(draw: st.DrawFn, bare: bool = True) -> str:
    start = draw(st.sampled_from(["@", "$", "_", "#"]))
    segments = st.one_of(
        NAMES.map(lambda name: "." + name),
        st.sampled_from(["[*]", ".*", "..a", "[0]", "[-1]", "['a']"]),
    )
    rest = draw(st.lists(segments, min_size=0 if bare else 1, max_size=3))
    if not bare and start == "@" and not rest:
        rest = [".a"]
    return start + "".join(rest)


@st.composite
def function_calls(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(["count", "length", "value", "match", "search", "keys", "typeof"]))
    argument = st.one_of(
        relative_queries(bare=True),
        LITERALS,
        REGEX_PATTERNS.map(_quoted),
    )
    arguments = draw(st.lists(argument, max_size=2))
    return f"{name}({', '.join(arguments)})"


@st.composite
def filters(draw: st.DrawFn, depth: int = 0) -> str:
    operand = st.one_of(relative_queries(), LITERALS, function_calls())
    kind = draw(st.integers(0, 4 if depth < 2 else 2))
    if kind == 0:
        return draw(operand)
    if kind == 1:
        operator = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in", "contains"]))
        return f"{draw(operand)} {operator} {draw(operand)}"
    if kind == 2:
        flags = draw(st.sampled_from(["", "i", "ims"]))
        return f"{draw(relative_queries())} =~ /{draw(REGEX_PATTERNS)}/{flags}"
    if kind == 3:
        joint = draw(st.sampled_from(["&&", "||", "and", "or"]))
        return f"{draw(filters(depth + 1))} {joint} {draw(filters(depth + 1))}"
    return f"!({draw(filters(depth + 1))})"


def _slice(bounds: tuple[int | None, int | None, int | None]) -> str:
    return "[" + ":".join("" if bound is None else str(bound) for bound in bounds) + "]"


SMALL = st.one_of(st.none(), st.integers(-3, 3))
SEGMENTS = st.one_of(
    NAMES.map(lambda name: "." + name),
    NAMES.map(lambda name: f"['{name}']"),
    st.integers(-3, 3).map(lambda index: f"[{index}]"),
    st.sampled_from(["[*]", ".*", "..", "..*", ".~", "[0, 1]", "['a', 'b']", "[01]", "[-0]"]),
    NAMES.map(lambda name: ".." + name),
    st.tuples(SMALL, SMALL, SMALL).map(_slice),
    filters().map(lambda text: f"[?{text}]"),
    st.text(max_size=3),
)
REFERENCE_ROOTS = st.one_of(
    STEP_NAMES.map(lambda name: f"$.steps.{name}"),
    STEP_NAMES.map(lambda name: f"$.steps['{name}']"),
    st.sampled_from(["$.config", "$.env", "$.steps", "$", "$.", "$$", "$.other", "$..a"]),
)


@st.composite
def reference_texts(draw: st.DrawFn) -> str:
    """Strings starting with ``$``: mostly JSONPath-like, sometimes anything at all."""
    if draw(st.integers(0, 4)) == 0:
        return "$" + draw(st.text(max_size=20))
    return draw(REFERENCE_ROOTS) + "".join(draw(st.lists(SEGMENTS, max_size=4)))


def template_texts() -> st.SearchStrategy[str]:
    """Longer strings with ``{$.path}`` slots."""
    return st.tuples(st.text(max_size=4), reference_texts(), st.text(max_size=4)).map(
        lambda parts: f"{parts[0]}{{{parts[1]}}}{parts[2]}"
    )


CONTEXTS = st.fixed_dictionaries(
    {
        "steps": st.dictionaries(STEP_NAMES.filter(lambda n: n != "missing"), json_values()),
        "config": st.dictionaries(NAMES, json_values(), max_size=4),
        "env": st.fixed_dictionaries(
            {
                "run_id": st.text(max_size=6),
                "workflow": st.text(max_size=6),
                "started_at": st.just("2026-01-01T00:00:00Z"),
                "started_at_unix": st.integers(0, 2**33),
            }
        ),
    }
)


def _step_kinds_by_id(steps: Any, found: dict[Any, set[bool]]) -> dict[Any, set[bool]]:
    """For each hashable step id: whether it is a loop, for every step that has it."""
    if not isinstance(steps, list):
        return found
    for step in steps:
        if not isinstance(step, dict):
            continue
        step_id = step.get("id")
        if isinstance(step_id, str):
            found.setdefault(step_id, set()).add("loop" in step)
        for body in ("steps", "then", "else"):
            _step_kinds_by_id(step.get(body), found)
    return found


# --- workflow documents --------------------------------------------------------------------

VALID_IDS = st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,12}", fullmatch=True)
STEP_IDS = st.one_of(
    VALID_IDS,
    st.sampled_from(["a", "b", "loop-1", "each", "list-contacts"]),  # often shared: duplicates
    st.text(st.characters(codec="utf-8"), max_size=10),
    ODD_TEXT,
    st.integers(),
    st.booleans(),
    st.none(),
)
OPERATIONS = st.one_of(
    st.sampled_from(
        [
            "List contacts",
            "list_contacts",
            "ListContacts",
            "GET /contacts",
            "create_contact",
            "Create export job",
            "download_export_job",
            "List attached companies",
            "search_contacts",
            "raw_http_request",
            "get_contact",
        ]
    ),
    TEXT,
)
REFERENCES_IN_FILES = st.one_of(
    reference_texts(),
    template_texts(),
    st.sampled_from(
        [
            "$.steps.a.data",
            "$.steps.a",
            "$.steps.loop-1.value",
            "$.steps.loop-1.index",
            "$.steps.loop-1.results[*].b",
            "$.config.x",
            "$.config",
            "$.env.run_id",
            "$.env.nope",
            "$$.literal",
        ]
    ),
)
FIELD_VALUES = st.one_of(json_values(6), REFERENCES_IN_FILES)
INPUT_FIELDS = st.sampled_from(
    ["per_page", "email", "contact_id", "query", "role", "starting_after", "name", "tag_id"]
)


def _inputs() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.dictionaries(st.one_of(INPUT_FIELDS, KEYS), FIELD_VALUES, max_size=3),
        FIELD_VALUES,
    )


def _with_extras(base: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[Any]:
    """A step as drawn, sometimes with an unknown key or another kind's key added."""
    extra = st.dictionaries(
        st.one_of(st.sampled_from(["junk", "call", "map", "steps", "else", "all"]), KEYS),
        FIELD_VALUES,
        max_size=2,
    )
    return st.one_of(base, st.tuples(base, extra).map(lambda pair: {**pair[1], **pair[0]}))


def steps(children: st.SearchStrategy[Any] | None = None) -> st.SearchStrategy[Any]:
    """One step of any kind with random fields; ``children`` for loop and branch bodies."""
    if children is None:
        bodies: st.SearchStrategy[Any] = st.one_of(st.just([]), FIELD_VALUES)
    else:
        bodies = st.one_of(st.lists(children, max_size=3), FIELD_VALUES)
    common = {"id": STEP_IDS}
    optional_common = {"description": st.one_of(st.none(), TEXT, FIELD_VALUES)}
    call = st.fixed_dictionaries(
        {**common, "call": OPERATIONS},
        optional={**optional_common, "input": _inputs(), "all": FIELD_VALUES | st.booleans()},
    )
    list_loop = st.fixed_dictionaries(
        {"list": st.one_of(REFERENCES_IN_FILES, st.lists(json_values(4), max_size=3))},
        optional={"parallel": st.one_of(st.integers(-2, 70), FIELD_VALUES)},
    )
    forever_loop = st.fixed_dictionaries(
        {"forever": st.one_of(st.just(True), FIELD_VALUES)},
        optional={"max_iterations": st.one_of(st.integers(-2, 10), FIELD_VALUES)},
    )
    loop = st.fixed_dictionaries(
        {**common, "loop": st.one_of(list_loop, forever_loop, FIELD_VALUES), "steps": bodies},
        optional=optional_common,
    )
    breaks = st.fixed_dictionaries(
        {**common, "break": st.one_of(STEP_IDS, FIELD_VALUES)}, optional=optional_common
    )
    comparison = st.fixed_dictionaries(
        {
            "value1": FIELD_VALUES,
            "comparison": st.one_of(
                st.sampled_from(["equal", "==", "is not empty", "exists", "<", "in", "bogus"]),
                TEXT,
                FIELD_VALUES,
            ),
        },
        optional={"value2": FIELD_VALUES},
    )
    condition = st.fixed_dictionaries(
        {
            **common,
            "condition": st.one_of(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "all": st.one_of(st.lists(comparison, max_size=3), FIELD_VALUES),
                        "any": st.one_of(st.lists(comparison, max_size=3), FIELD_VALUES),
                    },
                ),
                FIELD_VALUES,
            ),
        },
        optional={**optional_common, "then": bodies, "else": bodies},
    )
    delay = st.fixed_dictionaries(
        {
            **common,
            "delay": st.one_of(
                st.floats(),
                st.integers(),
                st.sampled_from(["500ms", "1m30s", "2h", "1e400", "nan", "-1s", "99999999d"]),
                FIELD_VALUES,
            ),
        },
        optional=optional_common,
    )
    mapping = st.fixed_dictionaries(
        {**common, "map": st.one_of(st.dictionaries(KEYS, FIELD_VALUES, max_size=3), FIELD_VALUES)},
        optional=optional_common,
    )
    return st.one_of(
        *(_with_extras(kind) for kind in (call, loop, breaks, condition, delay, mapping)),
        json_values(4),
    )


STEPS = steps(steps(steps()))


@st.composite
def workflow_documents(draw: st.DrawFn) -> Any:
    """Mappings shaped more or less like workflows, and now and then anything else.

    A composite (and filtered here, not with ``.filter``) so that its repr, which hypothesis
    builds when a draw is rejected, is its name rather than the ~10 MB construction of the
    nested step strategies.
    """
    document = draw(_DOCUMENTS)
    return document


def _documents() -> st.SearchStrategy[Any]:
    document = st.fixed_dictionaries(
        {"name": st.one_of(TEXT, FIELD_VALUES), "steps": st.lists(STEPS, max_size=4)},
        optional={
            "version": st.one_of(st.just(1), FIELD_VALUES),
            "trigger": st.one_of(st.sampled_from(["manual", "schedule"]), FIELD_VALUES),
            "authentication": st.one_of(TEXT, FIELD_VALUES),
            "config": st.one_of(
                st.dictionaries(st.sampled_from(["x", "y", "per_page"]) | KEYS, json_values(4)),
                FIELD_VALUES,
            ),
            "description": FIELD_VALUES,
            "junk": FIELD_VALUES,
        },
    )
    return st.one_of(document, document, document, json_values(6))


_DOCUMENTS = _documents()


PLAIN_IDS = st.sampled_from(["a", "b", "c", "loop-1", "list-contacts"])


@st.composite
def plausible_workflows(draw: st.DrawFn) -> dict[str, Any]:
    """Workflows of the right shape over a few shared ids, so the whole-workflow checks
    (unique ids, references to earlier steps, loops and breaks, inputs) get exercised."""

    def reference() -> str:
        return draw(
            st.one_of(
                st.sampled_from(
                    [
                        "$.steps.a.data",
                        "$.steps.b",
                        "$.steps.list-contacts.data[0].id",
                        "$.steps.loop-1.value",
                        "$.steps.loop-1.index",
                        "$.steps.loop-1.results[*].c",
                        "$.config.per_page",
                        "$.config.nope",
                        "$.env.run_id",
                        "Hi {$.steps.a.name}",
                    ]
                ),
                reference_texts(),
            )
        )

    def value() -> Any:
        if draw(st.booleans()):
            return reference()
        return draw(st.one_of(st.integers(-1, 200), st.text(max_size=5), st.none()))

    def step(depth: int) -> dict[str, Any]:
        kinds = ["call", "map", "delay", "break", "condition", "loop"]
        kind = draw(st.sampled_from(kinds if depth < 2 else kinds[:4]))
        drawn: dict[str, Any] = {"id": draw(PLAIN_IDS)}
        if kind == "call":
            drawn["call"] = draw(OPERATIONS)
            fields = draw(st.lists(INPUT_FIELDS, unique=True, max_size=2))
            drawn["input"] = {field: value() for field in fields}
            if draw(st.booleans()):
                drawn["all"] = True
        elif kind == "map":
            drawn["map"] = {"v": value(), "w": value()}
        elif kind == "delay":
            drawn["delay"] = draw(st.sampled_from([0, 0.5, "30s", "1m30s", "$.config.per_page"]))
        elif kind == "break":
            drawn["break"] = draw(PLAIN_IDS)
        elif kind == "condition":
            match = draw(st.sampled_from(["all", "any"]))
            operator = draw(st.sampled_from(["==", "exists", "<", "in list"]))
            drawn["condition"] = {
                match: [{"value1": value(), "comparison": operator, "value2": value()}]
            }
            drawn["then"] = [step(depth + 1) for _ in range(draw(st.integers(0, 2)))]
        else:
            loops = [{"list": "$.steps.a.data"}, {"list": [1, 2]}, {"forever": True}]
            drawn["loop"] = draw(st.sampled_from(loops))
            drawn["steps"] = [step(depth + 1) for _ in range(draw(st.integers(1, 2)))]
        return drawn

    count = draw(st.integers(1, 4))
    document = {
        "name": "plausible",
        "config": {"per_page": draw(st.integers(1, 150))},
        "steps": [step(0) for _ in range(count)],
    }
    return document


# --- operation inputs ----------------------------------------------------------------------


def schema_values(
    schema: Any, definitions: dict[str, Any], depth: int = 0
) -> st.SearchStrategy[Any]:
    """Values that often fit ``schema`` and sometimes do not: enough valid input to get past
    the field names into the schema checks (and the sandbox), enough junk to test refusals."""
    junk = json_values(4)
    if not isinstance(schema, dict) or depth > 3:
        return junk
    if "$ref" in schema:
        target = definitions.get(str(schema["$ref"]).rsplit("/", 1)[-1], {})
        return schema_values(target, definitions, depth + 1)
    for combinator in ("anyOf", "oneOf", "allOf"):
        if isinstance(schema.get(combinator), list) and schema[combinator]:
            options = [schema_values(s, definitions, depth + 1) for s in schema[combinator]]
            return st.one_of(*options, junk)
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return st.one_of(st.sampled_from(schema["enum"]), junk)
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    fitting: list[st.SearchStrategy[Any]] = []
    for kind in kinds:
        if kind == "string":
            fitting.append(TEXT)
            fitting.append(st.from_regex(r"-?[0-9]{1,6}", fullmatch=True))
        elif kind == "integer":
            low, high = schema.get("minimum"), schema.get("maximum")
            fitting.append(st.integers(min_value=low, max_value=high))
            fitting.append(st.integers(-10, 10).map(str))
        elif kind == "number":
            fitting.append(st.floats())
        elif kind == "boolean":
            fitting.append(st.booleans())
        elif kind == "null":
            fitting.append(st.none())
        elif kind == "array":
            items = schema_values(schema.get("items", {}), definitions, depth + 1)
            fitting.append(st.lists(items, max_size=3))
        elif kind == "object" or "properties" in schema:
            fitting.append(object_values(schema, definitions, depth + 1))
    return st.one_of(*fitting, junk) if fitting else junk


def object_values(
    schema: dict[str, Any], definitions: dict[str, Any], depth: int = 0
) -> st.SearchStrategy[dict[str, Any]]:
    """Objects of the schema's properties: its required ones usually, the others sometimes."""
    properties = schema.get("properties") or {}
    required = [name for name in schema.get("required", []) if name in properties]
    values = {
        name: schema_values(field, definitions, depth)
        for name, field in properties.items()
        if isinstance(field, dict)
    }
    optional = {name: strategy for name, strategy in values.items() if name not in required}
    return st.fixed_dictionaries(
        {name: values[name] for name in required if name in values}, optional=optional
    )
