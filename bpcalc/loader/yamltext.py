"""Reading a file within bounds, composing it as plain YAML, and the checks every value shares."""

from __future__ import annotations

import math
import os
import re

import yaml
from yaml.composer import Composer
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from ..errors import NetworkFileError
from ..model import ARROW

# Bounds on what a file may hold, so that a wrong or hostile file is refused quickly, before
# the YAML parsers spend time or memory on it (a file with a problem is read a second time, by
# the pure-Python one at ~25 µs per value). A hand-typed network is a few kilobytes with a few
# hundred values; these leave room for big matrices.
MAX_FILE_BYTES = 1024 * 1024
MAX_LINE_CHARS = 20_000
MAX_DEPTH = 32  # the canonical file nests 7 deep
MAX_VALUES = 50_000  # YAML nodes: every number, name, list and map
MAX_NAME_CHARS = 100
# For layers whose weights are not written out one by one (e.g. generated from a size).
MAX_WEIGHTS = 1_000_000

_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_FLOAT = "tag:yaml.org,2002:float"


# ---------------------------------------------------------------- reading the file

# A network file named "-" is read from standard input (`cat net.yaml | bpcalc step -`), and
# named so in messages.
STDIN = "-"
STDIN_NAME = "<stdin>"


def source_name(path: str | os.PathLike) -> str:
    """How messages and Network.path name the file at `path`: <stdin> for -."""
    shown = os.fsdecode(path)
    return STDIN_NAME if shown == STDIN else shown


def read_source(path: str | os.PathLike, limit: int = MAX_FILE_BYTES) -> str:
    """The text of the file at `path`, or of standard input for -, as read_text reads a file."""
    if os.fsdecode(path) != STDIN:
        return read_text(path, limit)
    import sys

    stream = sys.stdin.buffer if sys.stdin is not None else None
    if stream is None:
        raise NetworkFileError(STDIN_NAME, None, "standard input is closed; expected a network file on it")
    try:
        data = stream.read(limit + 1)
    except OSError as error:
        raise NetworkFileError(STDIN_NAME, None, f"cannot read standard input: {error.strerror or error}") from None
    return _decoded(data, STDIN_NAME, limit)


def read_text(path: str | os.PathLike, limit: int = MAX_FILE_BYTES) -> str:
    """The file's text as UTF-8; any failure to read it is a NetworkFileError, not a traceback.

    At most `limit` bytes are read, so a huge file (or /dev/zero) is refused without filling memory.
    """
    shown = os.fsdecode(path)
    try:
        with open(path, "rb") as file:
            data = file.read(limit + 1)
    except IsADirectoryError:
        raise NetworkFileError(shown, None, "this is a directory; expected a file") from None
    except FileNotFoundError:
        raise NetworkFileError(shown, None, "no such file") from None
    except PermissionError:
        raise NetworkFileError(shown, None, "cannot read the file: permission denied") from None
    except OSError as error:
        raise NetworkFileError(shown, None, f"cannot read the file: {error.strerror or error}") from None
    return _decoded(data, shown, limit)


def _decoded(data: bytes, shown: str, limit: int) -> str:
    """At most `limit` bytes of UTF-8, as text."""
    if len(data) > limit:
        raise NetworkFileError(shown, None, f"the file is larger than {limit:,} bytes, the most bpcalc reads; "
                                            "expected a network file of a few kilobytes (is this the right file?)")
    try:
        # Editors on Windows may start the file with a BOM (what "utf-8-sig" drops, at the cost of
        # loading another codec at every start).
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise NetworkFileError(shown, None, "the file is UTF-16 text; save it as UTF-8") from None
        line = data.count(b"\n", 0, error.start) + 1
        raise NetworkFileError(shown, line, f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} "
                                            "cannot be decoded); save it as UTF-8") from None


class _Invalid(Exception):
    """A problem at a place in the text; parse_network adds the path to make it a NetworkFileError."""

    def __init__(self, where: Node | yaml.Mark | None, message: str):
        mark = getattr(where, "start_mark", where)
        self.line = mark.line + 1 if mark is not None else None
        self.column = mark.column + 1 if mark is not None else None
        self.message = " ".join(message.split())  # one line, whatever YAML put in it
        super().__init__(self.message)


# YAML's line breaks, so that line numbers here agree with the parser's.
_LINE_BREAK = "\r\n|[\r\n\x85\u2028\u2029]"  # compiled on first use (re caches it): only long lines need it


def _check_line_lengths(text: str) -> None:
    """Refuse a line longer than MAX_LINE_CHARS (minified or binary data), naming it."""
    if len(text) <= MAX_LINE_CHARS:
        return
    for number, line in enumerate(re.split(_LINE_BREAK, text), start=1):
        if len(line) > MAX_LINE_CHARS:
            mark = yaml.Mark(None, None, number - 1, MAX_LINE_CHARS, None, None)
            raise _Invalid(mark, f"line {number} is {len(line):,} characters long; expected at most "
                                 f"{MAX_LINE_CHARS:,} per line (is this the right file?)")


class _Limits:
    """Composes plain YAML only: no anchors or aliases (which also bounds 'billion laughs') and no tags.

    It also counts: nesting deeper than MAX_DEPTH or more than MAX_VALUES nodes stops the parse
    at once, before the composer recurses out of stack or the tree fills memory.
    """

    _depth = 0
    _values = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
            raise _Invalid(event.start_mark, "anchors and aliases are not supported in network files; "
                                             "write the value out in full")
        if event.tag is not None:
            raise _Invalid(event.start_mark, "YAML tags (!…) are not supported in network files; "
                                             "write the plain value")
        self._count(event)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def _count(self, event) -> None:
        self._values += 1
        if self._values > MAX_VALUES:
            raise _Invalid(event.start_mark, f"the file holds more than {MAX_VALUES:,} values (numbers, names, "
                                             "lists and maps), the most bpcalc reads; expected a network "
                                             "of a few hundred (is this the right file?)")
        if self._depth >= MAX_DEPTH:
            raise _Invalid(event.start_mark, f"lists and maps nested more than {MAX_DEPTH} deep; a network "
                                             "file nests at most about 7 (is a bracket not closed?)")


class _Loader(_Limits, yaml.SafeLoader):
    """PyYAML's pure-Python parser: the one that reports problems (its marks hold the text)."""


try:
    from yaml._yaml import CParser
except ImportError:  # PyYAML built without libyaml
    _FastLoader = _Loader
else:
    class _FastLoader(_Limits, Composer, CParser, Resolver):  # type: ignore[no-redef]
        """libyaml's scanner and parser (~8× faster: 0.4 ms for Mazur's file, not 3) under the same
        composer and checks. Its marks lack the text, so a file it finds a problem in is read again
        by _Loader, whose messages and hints are the documented ones."""

        def __init__(self, stream):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            Resolver.__init__(self)

        def compose_scalar_node(self, anchor):
            node = super().compose_scalar_node(anchor)
            if node.style == "":  # libyaml's plain style; the pure-Python parser's is None
                node.style = None
            return node


def _compose(text: str, loader: type = _Loader) -> Node:
    """The YAML node tree of `text`, with every YAML-level problem turned into an _Invalid."""
    try:
        root = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as error:
        raise _Invalid(error.problem_mark or error.context_mark, _syntax_message(error)) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position)
        column = error.position - (text.rfind("\n", 0, error.position) + 1)
        mark = yaml.Mark(error.name, error.position, line, column, None, None)
        raise _Invalid(mark, f"the file contains the character #x{error.character:04x}, which YAML does not "
                             "allow (is this a binary file?)") from None
    if root is None:
        raise _Invalid(None, "the file is empty; expected a network with 'layers' and 'samples'")
    return root


def check_layer_size(node: Node, where: str, neurons: int, sources: int) -> None:
    """Refuse a layer of more than MAX_WEIGHTS weights before anything is built for it.

    Written-out weights are bounded by MAX_VALUES already; this is for layers given by a size.
    """
    if neurons * sources > MAX_WEIGHTS:
        raise _Invalid(node, f"{where}: {neurons:,} neurons fed by {sources:,} would be {neurons * sources:,} "
                             f"weights; expected at most {MAX_WEIGHTS:,} (bpcalc shows small networks "
                             "step by step)")


def _syntax_message(error: yaml.MarkedYAMLError) -> str:
    problem, context = error.problem or "", error.context or ""
    if "'\\t'" in problem:
        return "invalid YAML: found a tab where YAML allows only spaces (indent with spaces, not tabs)"
    if problem.startswith("but "):  # the composer splits one sentence over context and problem
        return f"invalid YAML: {context}, {problem}"
    if context and error.context_mark is not None:
        return f"invalid YAML: {problem} ({context} at line {error.context_mark.line + 1})"
    return f"invalid YAML: {problem or context}"


def _check_keys(node: Node) -> None:
    """Every map in the file has plain names as keys, each at most once."""
    if isinstance(node, SequenceNode):
        for item in node.value:
            _check_keys(item)
    elif isinstance(node, MappingNode):
        first_line: dict[str, int] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                raise _Invalid(key, f"a key must be a name, got {_describe(key)}")
            if key.value in first_line:
                raise _Invalid(key, f"duplicate key '{key.value}' (first at line {first_line[key.value]})")
            first_line[key.value] = key.start_mark.line + 1
            _check_keys(value)


# ---------------------------------------------------------------- scalars

def _describe(node: Node) -> str:
    """How a node reads in a message: 'a list', 'the string '0.5'', 'the boolean yes', …"""
    if isinstance(node, MappingNode):
        return "a map"
    if isinstance(node, SequenceNode):
        return "a list"
    text = _clip(node.value)
    if node.style is not None:
        return f"the string '{text}'"
    if node.tag == _NULL:
        return "nothing (null)"
    if node.tag == _BOOL:
        return f"the boolean {text}"
    return text if _float(node.value) is not None else f"'{text}'"


def _clip(text: str) -> str:
    """`text` cut to 40 characters, so that a message stays readable whatever the file holds."""
    return text if len(text) <= 40 else text[:37] + "..."


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _plain_float(node: Node) -> float | None:
    """The value of an unquoted scalar Python reads as a number (YAML 1.1 would read 5e-1 as text)."""
    if not isinstance(node, ScalarNode) or node.style is not None:
        return None
    value = _float(node.value)
    if value is None and node.tag == _FLOAT:
        return math.nan  # .inf and .nan: numbers to YAML, but not to float(), and never allowed here
    return value


def _number(node: Node, what: str) -> float:
    value = _plain_float(node)
    if value is None:
        quoted = isinstance(node, ScalarNode) and node.style is not None and _float(node.value) is not None
        hint = " (numbers are written without quotes)" if quoted else ""
        raise _Invalid(node, f"{what}: expected a number, got {_describe(node)}{hint}")
    if not math.isfinite(value):
        raise _Invalid(node, f"{what}: expected a finite number, got {_clip(node.value)} "
                             "(non-finite numbers are not allowed)")
    return value


def _whole_number(node: Node, what: str, smallest: int, largest: int | None = None) -> int:
    value = _number(node, what)
    if not value.is_integer() or value < smallest or (largest is not None and value > largest):
        bound = f"from {smallest} to {largest}" if largest is not None else f"{smallest} or more"
        raise _Invalid(node, f"{what}: expected a whole number {bound}, got {_clip(node.value)}")
    return int(value)


def _boolean(node: Node, what: str) -> bool:
    if isinstance(node, ScalarNode) and node.style is None and node.tag == _BOOL:
        return node.value.lower() in ("true", "yes", "on")
    raise _Invalid(node, f"{what}: expected true or false, got {_describe(node)}")


def _is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.style is None and node.tag == _NULL)


def _choice(node: Node, choices: tuple[str, ...], what: str, where: str | None = None) -> str:
    """One word out of `choices`, suggesting the closest when the word is misspelt."""
    prefix = f"{where}: " if where else ""
    valid = f"(valid: {', '.join(choices)})"
    if not isinstance(node, ScalarNode) or _is_null(node):
        raise _Invalid(node, f"{prefix}expected the {what} {valid}, got {_describe(node)}")
    if node.value not in choices:
        close = _did_you_mean(node.value, choices)
        raise _Invalid(node, f"{prefix}unknown {what} '{node.value}'{close} {valid}")
    return node.value


def _did_you_mean(word: str, choices: tuple[str, ...]) -> str:
    import difflib  # only for a misspelt word: not at every start

    close = difflib.get_close_matches(word, choices, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _name(node: Node, what: str) -> str:
    """A name as written (so 1, Ω and Top are all names) that can sit on either side of '->'."""
    if not isinstance(node, ScalarNode):
        raise _Invalid(node, f"{what}: expected a name, got {_describe(node)}")
    name = node.value
    if not name.strip():
        raise _Invalid(node, f"{what}: a name must not be empty")
    if len(name) > MAX_NAME_CHARS:
        raise _Invalid(node, f"{what} '{_clip(name)}': a name is at most {MAX_NAME_CHARS} characters, "
                             f"this one has {len(name):,}")
    hidden = next((c for c in name if not c.isprintable()), None)
    if hidden is not None:
        import unicodedata  # only for this message: not at every start

        found = f"U+{ord(hidden):04X} {unicodedata.name(hidden, '')}".rstrip()
        raise _Invalid(node, f"{what} {ascii(_clip(name))}: a name must not contain tabs, line breaks or "
                             f"invisible characters (found {found})")
    if name != name.strip():
        raise _Invalid(node, f"{what} '{name}': a name must not start or end with spaces")
    if ARROW in name:
        raise _Invalid(node, f"{what} '{name}': a name must not contain '{ARROW}', "
                             "which joins the ends of a weight")
    return name


def _new_name(node: Node, what: str, seen: dict[str, int]) -> str:
    """A name not yet used by any input or neuron; `seen` remembers each one's line."""
    name = _name(node, what)
    if name in seen:
        raise _Invalid(node, f"{what} '{name}': the name is already used at line {seen[name]} "
                             "(input and neuron names must be unique across the network)")
    seen[name] = node.start_mark.line + 1
    return name


# ---------------------------------------------------------------- maps and lists

def _fields(node: Node, where: str, allowed: tuple[str, ...],
            required: tuple[str, ...] = ()) -> dict[str, Node]:
    """The values of a map by key, once it is known to have only `allowed` keys and every `required` one."""
    if not isinstance(node, MappingNode):
        raise _Invalid(node, f"{where}: expected a map with keys {', '.join(allowed)}, got {_describe(node)}")
    fields = {}
    for key, value in node.value:
        if key.value not in allowed:
            close = _did_you_mean(key.value, allowed) or f" (allowed: {', '.join(allowed)})"
            raise _Invalid(key, f"{where}: unknown key '{key.value}'{close}")
        fields[key.value] = value
    for key in required:
        if key not in fields:
            raise _Invalid(node, f"{where}: missing '{key}' (required: {', '.join(required)})")
    return fields


def _items(node: Node, where: str, expected: str) -> list[Node]:
    if not isinstance(node, SequenceNode):
        raise _Invalid(node, f"{where}: expected a list ({expected}), got {_describe(node)}")
    return node.value


_DECIMAL_COMMA = r"(\d+),(\d+)"  # compiled on first use: only a message needs it


def _comma_hint(node: Node) -> str:
    """A hint where a list or map reads wrongly because it was written with decimal commas (0,15)."""
    start, end = node.start_mark, node.end_mark
    written = start.buffer[start.index:end.index] if isinstance(start.buffer, str) else ""
    match = re.search(_DECIMAL_COMMA, written)
    return f" (a decimal comma? write {match[1]}.{match[2]}, not {match[0]})" if match else ""


def _key_node(node: Node, key: str) -> Node | None:
    if isinstance(node, MappingNode):
        for candidate, _ in node.value:
            if candidate.value == key:
                return candidate
    return None
