"""Reads answer files (bpcalc check): a flat map from quantity names to numbers, returned as plain data."""

from __future__ import annotations

import os

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from ..errors import NetworkFileError
from ..records import Record
from .yamltext import _check_keys, _check_line_lengths, _compose, _describe, _Invalid, _is_null, _key_node, _Loader, _number, read_text

# Kept apart from the network reader. Each number's text is returned exactly as written (its
# digits say how precisely the student worked), and bpcalc.check interprets it.

# The one entry that is not a quantity: the name of the variant the file answers, written by
# `bpcalc generate` into each student's blank file (`variant: hw4-01`); its text is that name.
VARIANT = "variant"


class AnswerEntry(Record):
    """One line of an answer file as written: the name, the number's text (None if left blank), and where."""

    name: str
    text: str | None
    line: int
    column: int


def load_answers(path: str | os.PathLike) -> tuple[AnswerEntry, ...]:
    """The entries of the answer file at `path`, in file order."""
    return parse_answers(read_text(path), os.fsdecode(path))


def parse_answers(text: str, path: str | None) -> tuple[AnswerEntry, ...]:
    """The entries written in `text`; every problem is a NetworkFileError naming `path` and the line."""
    path = os.fsdecode(path) if path is not None else None
    try:
        _check_line_lengths(text)
        root = _compose(text) if _has_document(text) else None
        if root is None:
            raise _Invalid(None, "the file has no answers; write one `name: number` per line, "
                                 "e.g. `out_h1: 0.5933` (bpcalc answers prints every name)")
        return _answer_entries(root)
    except _Invalid as problem:
        raise NetworkFileError(path, problem.line, problem.message, problem.column) from None
    except RecursionError:
        raise NetworkFileError(path, None, "the file is nested too deeply to be an answer file") from None


def is_network_text(text: str) -> bool:
    """Does `text` read as a network (a map with `layers`)? False for anything else, invalid YAML included."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except (_Invalid, yaml.YAMLError, RecursionError):
        return False
    return _key_node(root, "layers") is not None


def _has_document(text: str) -> bool:
    """False for a file of nothing but comments and blank lines; syntax errors are left for _compose to report."""
    try:
        return yaml.compose(text, Loader=_Loader) is not None
    except (_Invalid, yaml.YAMLError, RecursionError):
        return True


def _answer_entries(root: Node) -> tuple[AnswerEntry, ...]:
    if not isinstance(root, MappingNode):
        raise _Invalid(root, "an answer file is a map from quantity names to numbers, e.g. "
                             f"`out_h1: 0.5933`; got {_describe(root)}")
    if _key_node(root, "layers") is not None:
        raise _Invalid(root, "this is a network file, not an answer file; give the network first: "
                             "bpcalc check NET ANSWERS...")
    _check_keys(root)
    entries = []
    for key, value in root.value:
        name = key.value
        if name == VARIANT:
            if not isinstance(value, ScalarNode) or _is_null(value) or not value.value.strip():
                raise _Invalid(value if not _is_null(value) else key,
                               f"{VARIANT}: expected the name of the variant this file answers, as bpcalc "
                               f"generate wrote it (e.g. variant: hw4-01), got {_describe(value)}")
            text = value.value.strip()
        elif _is_null(value):
            text = None
        else:
            _number(value, name)  # the same rule for numbers as in network files, with the same messages
            text = value.value.strip()
        entries.append(AnswerEntry(name, text, key.start_mark.line + 1, key.start_mark.column + 1))
    return tuple(entries)
