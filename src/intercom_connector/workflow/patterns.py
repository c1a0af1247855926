"""Regular expressions written by users, run by RE2: linear time, whatever the pattern.

Python's ``re`` backtracks: ``(a+)+$`` against thirty ``a`` and a ``!`` takes minutes, and a
workflow's JSONPath filter (``match()``, ``search()``, ``=~ /.../``) meets data from a
customer's workspace. RE2 (google-re2) never backtracks, so a run cannot be held by a pattern.
RE2 refuses what it cannot do in linear time (backreferences, lookaround): such a pattern,
like one that does not compile, is refused when the workflow is loaded, not silently treated
as "no match" as RFC 9535 would have it.

``JSONPATH`` is the python-jsonpath environment every workflow reference is compiled with.
"""

from __future__ import annotations

import functools
from typing import Any

import re2
from jsonpath import JSONPathEnvironment
from jsonpath.exceptions import JSONPathError
from jsonpath.filter import RegexLiteral, StringLiteral
from jsonpath.function_extensions import ExpressionType, FilterFunction
from jsonpath.parse import Parser
from jsonpath.stream import TokenStream
from jsonpath.token import TOKEN_RE_FLAGS, Token

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would print its own copy of every error on stderr

_INLINE_FLAGS = {"i": "i", "m": "m", "s": "s"}  # "a" (ASCII classes) is RE2's default anyway


class PatternError(ValueError):
    """A pattern RE2 cannot compile; the message says why."""


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str, flags: str = "") -> Any:
    """The RE2 program for ``pattern`` (PatternError if it does not compile)."""
    inline = "".join(sorted({_INLINE_FLAGS[f] for f in flags if f in _INLINE_FLAGS}))
    source = f"(?{inline}){pattern}" if inline else pattern
    try:
        return re2.compile(source, options=_OPTIONS)
    except re2.error as error:
        reason = error.args[0] if error.args else error
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError(f"regular expression {pattern!r} is not valid: {reason}") from None


class _PatternFunction(FilterFunction):
    """``match()`` / ``search()``: a string and a pattern, a boolean."""

    arg_types = [ExpressionType.VALUE, ExpressionType.VALUE]
    return_type = ExpressionType.LOGICAL
    whole = True

    def __call__(self, value: object, pattern: object) -> bool:
        if not isinstance(value, str) or not isinstance(pattern, str):
            return False
        try:
            program = compile_pattern(pattern)
        except PatternError as error:  # a pattern read from the data at run time
            raise JSONPathError(str(error), token=None) from None
        found = program.fullmatch(value) if self.whole else program.search(value)
        return found is not None


class _Match(_PatternFunction):
    whole = True


class _Search(_PatternFunction):
    whole = False


class _Re2Literal:
    """An RE2 program dressed as the ``re.Pattern`` python-jsonpath expects of a literal."""

    def __init__(self, pattern: str, flags: str) -> None:
        self.pattern = pattern
        self.flags = sum(Parser.RE_FLAG_MAP[flag] for flag in set(flags))
        self._program = compile_pattern(pattern, flags)

    def fullmatch(self, value: str) -> Any:
        return self._program.fullmatch(value)


class _Re2Parser(Parser):
    """Compiles ``=~ /pattern/flags`` literals with RE2 instead of ``re``."""

    def parse_regex(self, stream: TokenStream) -> RegexLiteral:
        pattern = stream.current().value
        flags = ""
        if stream.peek().kind == TOKEN_RE_FLAGS:
            stream.next()
            flags = stream.next().value
        try:
            literal = _Re2Literal(pattern, flags)
        except PatternError as error:
            raise JSONPathError(str(error), token=stream.current()) from None
        return RegexLiteral(value=literal)  # type: ignore[arg-type]


class _Re2Environment(JSONPathEnvironment):
    parser_class = _Re2Parser

    def setup_function_extensions(self) -> None:
        super().setup_function_extensions()
        self.function_extensions["match"] = _Match()
        self.function_extensions["search"] = _Search()

    def validate_function_extension_signature(self, token: Token, args: list[Any]) -> list[Any]:
        """A literal pattern is compiled now, so a bad one fails the load, not the run."""
        checked: list[Any] = super().validate_function_extension_signature(token, args)
        if token.value in ("match", "search") and len(args) == 2:
            pattern = args[1]
            if isinstance(pattern, StringLiteral):
                try:
                    compile_pattern(pattern.value)
                except PatternError as error:
                    raise JSONPathError(str(error), token=token) from None
        return checked


JSONPATH = _Re2Environment()

__all__ = ["JSONPATH", "PatternError", "compile_pattern"]
