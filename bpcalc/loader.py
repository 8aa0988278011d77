"""Reads a network file (YAML) into a model.Network, checking it against the file-format contract."""

from __future__ import annotations

import difflib
import math
import os
import re
import unicodedata

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .arith import Rounding
from .errors import NetworkFileError
from .functions import ACTIVATIONS, LOSSES, Activation, leaky_relu
from .model import ARROW, Layer, Network, Options, Sample, edge

TOP_KEYS = ("name", "learning_rate", "loss", "reduction", "batch", "l2", "momentum",
            "update_biases", "hidden_deltas", "rounding", "init", "layers", "labels", "samples")
LAYER_KEYS = ("activation", "neurons", "weights", "biases")
SIZED_LAYER_KEYS = ("activation", "size")
INIT_KEYS = ("uniform", "seed")
NEURON_KEYS = ("bias", "weights")
SAMPLE_KEYS = ("inputs", "targets")
ROUNDING_KEYS = ("decimals", "significant")
REDUCTIONS = ("mean", "sum")
HIDDEN_DELTAS = ("old_weights", "new_weights")
# Beyond a double's 17 digits rounding changes nothing; the cap keeps Decimal well inside its context.
MAX_DIGITS = 100

# Bounds on what a file may hold, so that a wrong or hostile file is refused quickly, before
# the (pure-Python, ~25 µs per value) YAML parser spends time or memory on it. A hand-typed
# network is a few kilobytes with a few hundred values; these leave room for big matrices.
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

def load_network(path: str | os.PathLike) -> Network:
    """The network in the file at `path`."""
    return parse_network(read_text(path), os.fsdecode(path))


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
    if len(data) > limit:
        raise NetworkFileError(shown, None, f"the file is larger than {limit:,} bytes, the most bpcalc reads; "
                                            "expected a network file of a few kilobytes (is this the right file?)")
    try:
        return data.decode("utf-8-sig")  # -sig: editors on Windows may start the file with a BOM
    except UnicodeDecodeError as error:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise NetworkFileError(shown, None, "the file is UTF-16 text; save it as UTF-8") from None
        line = data.count(b"\n", 0, error.start) + 1
        raise NetworkFileError(shown, line, f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} "
                                            "cannot be decoded); save it as UTF-8") from None


def parse_network(text: str, path: str | None) -> Network:
    """The network written in `text`; `path` names it in messages and in Network.path."""
    path = os.fsdecode(path) if path is not None else None
    try:
        if not text.strip():  # blank, even with tabs, which YAML would report as misplaced
            raise _Invalid(None, "the file is empty; expected a network with 'layers' and 'samples'")
        _check_line_lengths(text)
        root = _compose(text)
        _check_keys(root)
        return _network(root, path)
    except _Invalid as problem:
        raise NetworkFileError(path, problem.line, problem.message, problem.column) from None
    except RecursionError:
        raise NetworkFileError(path, None, "the file is nested too deeply to be a network file") from None


class _Invalid(Exception):
    """A problem at a place in the text; parse_network adds the path to make it a NetworkFileError."""

    def __init__(self, where: Node | yaml.Mark | None, message: str):
        mark = getattr(where, "start_mark", where)
        self.line = mark.line + 1 if mark is not None else None
        self.column = mark.column + 1 if mark is not None else None
        self.message = " ".join(message.split())  # one line, whatever YAML put in it
        super().__init__(self.message)


# YAML's line breaks, so that line numbers here agree with the parser's.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _check_line_lengths(text: str) -> None:
    """Refuse a line longer than MAX_LINE_CHARS (minified or binary data), naming it."""
    if len(text) <= MAX_LINE_CHARS:
        return
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        if len(line) > MAX_LINE_CHARS:
            mark = yaml.Mark(None, None, number - 1, MAX_LINE_CHARS, None, None)
            raise _Invalid(mark, f"line {number} is {len(line):,} characters long; expected at most "
                                 f"{MAX_LINE_CHARS:,} per line (is this the right file?)")


class _Loader(yaml.SafeLoader):
    """Composes plain YAML only: no anchors or aliases (which also bounds 'billion laughs') and no tags.

    It also counts: nesting deeper than MAX_DEPTH or more than MAX_VALUES nodes stops the parse
    at once, before the composer recurses out of stack or the tree fills memory.
    """

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._values = 0

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


def _compose(text: str) -> Node:
    """The YAML node tree of `text`, with every YAML-level problem turned into an _Invalid."""
    try:
        root = yaml.compose(text, Loader=_Loader)
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


_DECIMAL_COMMA = re.compile(r"(\d+),(\d+)")


def _comma_hint(node: Node) -> str:
    """A hint where a list or map reads wrongly because it was written with decimal commas (0,15)."""
    start, end = node.start_mark, node.end_mark
    written = start.buffer[start.index:end.index] if isinstance(start.buffer, str) else ""
    match = _DECIMAL_COMMA.search(written)
    return f" (a decimal comma? write {match[1]}.{match[2]}, not {match[0]})" if match else ""


def _key_node(node: Node, key: str) -> Node | None:
    if isinstance(node, MappingNode):
        for candidate, _ in node.value:
            if candidate.value == key:
                return candidate
    return None


# ---------------------------------------------------------------- the network

def _network(root: Node, path: str | None) -> Network:
    """The whole file, read in the order each part needs: the samples and labels refer to the layers."""
    fields = _fields(root, "network file", TOP_KEYS, required=("layers", "samples"))
    names: dict[str, int] = {}
    init = _init(fields.get("init"))
    inputs, layers = _layers(fields["layers"], names, init)
    options = _options(fields, layers[-1])
    labels = _labels(fields.get("labels"), inputs, layers, names)
    if _key_node(fields["samples"], "csv") is not None:  # probabilities checked line by line there
        samples = _csv_samples(fields["samples"], path, inputs, layers[-1].neurons,
                               probabilities=options.loss == "cross_entropy")
    else:
        samples = _samples(fields["samples"], inputs, layers[-1].neurons)
        _check_probability_targets(fields["samples"], options, samples, layers[-1].neurons)
    return Network(inputs, layers, samples, options, labels, _title(fields.get("name")), path)


def _title(node: Node | None) -> str | None:
    if _is_null(node):
        return None
    if not isinstance(node, ScalarNode):
        raise _Invalid(node, f"name: expected a line of text, got {_describe(node)}")
    return node.value


def _check_probability_targets(node: Node, options: Options, samples: tuple[Sample, ...],
                               outputs: tuple[str, ...]) -> None:
    """Under cross_entropy every target is a probability; outside 0..1 the loss has no minimum."""
    if options.loss != "cross_entropy":
        return
    for number, sample in enumerate(samples):
        for k, target in enumerate(sample.targets):
            if not 0.0 <= target <= 1.0:
                raise _Invalid(_target_node(node, number, k, outputs[k]),
                               f"sample {number + 1} targets '{outputs[k]}': loss cross_entropy needs "
                               f"targets from 0 to 1 (probabilities), got {target:g}")


def _target_node(node: Node, number: int, k: int, output: str) -> Node:
    """Where target k of sample `number` is written, or the nearest enclosing node that is."""
    if not isinstance(node, SequenceNode) or number >= len(node.value):
        return node
    sample = node.value[number]
    pairs = sample.value if isinstance(sample, MappingNode) else ()
    targets = next((value for key, value in pairs if key.value == "targets"), None)
    if isinstance(targets, SequenceNode) and k < len(targets.value):
        return targets.value[k]
    if isinstance(targets, MappingNode):
        return next((value for key, value in targets.value if key.value == output), targets)
    return sample


def _options(fields: dict[str, Node], output: Layer) -> Options:
    """The options the file sets; Options supplies the defaults for the rest."""
    options = Options(**{key: read(fields[key]) for key, read in _OPTION_READERS.items() if key in fields})
    if options.loss == "cross_entropy" and output.activation.name not in ("sigmoid", "softmax"):
        raise _Invalid(fields["loss"], "loss cross_entropy needs a sigmoid or softmax output layer "
                                       "(the loss takes ln out and ln(1−out)), "
                                       f"but the output layer is {output.activation.name}")
    return options


def _bounded(node: Node, key: str, accept, expected: str) -> float:
    value = _number(node, key)
    if not accept(value):
        raise _Invalid(node, f"{key}: expected a number {expected}, got {_clip(node.value)}")
    return value


def _batch(node: Node) -> str | int:
    if isinstance(node, ScalarNode) and node.value in ("full", "online"):
        return node.value
    count = _plain_float(node)
    if count is None or not count.is_integer() or count < 1:
        raise _Invalid(node, "batch: expected full, online or a whole number of samples ≥ 1, "
                             f"got {_describe(node)}")
    return int(count)


def _rounding(node: Node) -> Rounding | None:
    if _is_null(node) or (isinstance(node, ScalarNode) and node.value == "none"):
        return None
    if not isinstance(node, MappingNode):
        raise _Invalid(node, "rounding: expected none, {decimals: n} or {significant: n}, "
                             f"got {_describe(node)}")
    fields = _fields(node, "rounding", ROUNDING_KEYS)
    if len(fields) != 1:
        raise _Invalid(node, "rounding: expected exactly one of decimals or significant, e.g. {decimals: 4}")
    [(kind, value)] = fields.items()
    smallest = 0 if kind == "decimals" else 1
    return Rounding(kind, _whole_number(value, f"rounding {kind}", smallest, MAX_DIGITS))


_OPTION_READERS = {
    "learning_rate": lambda node: _bounded(node, "learning_rate", lambda x: x > 0, "> 0"),
    "loss": lambda node: _choice(node, tuple(LOSSES), "loss"),
    "reduction": lambda node: _choice(node, REDUCTIONS, "reduction"),
    "batch": _batch,
    "l2": lambda node: _bounded(node, "l2", lambda x: x >= 0, "≥ 0"),
    "momentum": lambda node: _bounded(node, "momentum", lambda x: 0 <= x < 1, "α with 0 ≤ α < 1"),
    "update_biases": lambda node: _boolean(node, "update_biases"),
    "hidden_deltas": lambda node: _choice(node, HIDDEN_DELTAS, "hidden_deltas"),
    "rounding": _rounding,
}


# ---------------------------------------------------------------- layers

def _layers(node: Node, names: dict[str, int], init: _Init | None = None) -> tuple[tuple[str, ...], tuple[Layer, ...]]:
    entries = _items(node, "layers", "the inputs, then each layer of neurons")
    if len(entries) < 2:
        raise _Invalid(node, "layers: expected at least 2 entries (the inputs, then at least one layer "
                             f"of neurons), got {len(entries)}")
    inputs = _inputs(entries[0], names)
    layers: list[Layer] = []
    for number, entry in enumerate(entries[1:], start=2):
        sources = layers[-1].neurons if layers else inputs
        layers.append(_layer(entry, f"layer {number}", sources, names, is_output=number == len(entries),
                             init=init, hidden_number=number - 1))
    return inputs, tuple(layers)


def _inputs(node: Node, names: dict[str, int]) -> tuple[str, ...]:
    if _key_node(node, "activation") is not None and _key_node(node, "inputs") is None:
        raise _Invalid(node, "layer 1: the first entry of layers lists the inputs only, "
                             "e.g. - inputs: [x1, x2]")
    fields = _fields(node, "layer 1", ("inputs",), required=("inputs",))
    items = _items(fields["inputs"], "layer 1 inputs", "the input names, e.g. [x1, x2]")
    if not items:
        raise _Invalid(fields["inputs"], "layer 1 inputs: expected at least one input name")
    return tuple(_new_name(item, "input", names) for item in items)


def _layer(node: Node, where: str, sources: tuple[str, ...], names: dict[str, int], is_output: bool,
           init: _Init | None = None, hidden_number: int = 0) -> Layer:
    if _key_node(node, "size") is not None:
        return _sized_layer(node, where, sources, names, is_output, init, hidden_number)
    misplaced = _key_node(node, "inputs")
    if misplaced is not None:
        raise _Invalid(misplaced, f"{where}: only the first entry of layers lists inputs; "
                                  "this one needs activation and neurons")
    fields = _fields(node, where, LAYER_KEYS, required=("activation", "neurons"))
    activation = _activation(fields["activation"], where, is_output)
    neurons = fields["neurons"]
    if isinstance(neurons, MappingNode):
        return Layer(activation, *_map_form(fields, where, sources, names))
    if isinstance(neurons, SequenceNode):
        return Layer(activation, *_matrix_form(fields, where, sources, names, init))
    raise _Invalid(neurons, f"{where} neurons: expected a map {{name: {{bias: …, weights: {{…}}}}}} "
                            f"or a list of names, got {_describe(neurons)}")


def _activation(node: Node, where: str, is_output: bool) -> Activation:
    if isinstance(node, MappingNode):
        activation = _parametrised_activation(node, where)
    else:
        activation = ACTIVATIONS[_choice(node, tuple(ACTIVATIONS), "activation", where)]
    if activation.is_softmax and not is_output:
        raise _Invalid(node, f"{where}: softmax is only allowed on the output layer (the last one)")
    return activation


def _parametrised_activation(node: Node, where: str) -> Activation:
    """The one activation with a parameter, written {leaky_relu: {slope: s}}."""
    if len(node.value) != 1 or node.value[0][0].value != "leaky_relu":
        raise _Invalid(node, f"{where}: an activation with a parameter is written "
                             "{leaky_relu: {slope: s}}; "
                             "the others are written by name, e.g. activation: sigmoid")
    fields = _fields(node.value[0][1], f"{where} leaky_relu", ("slope",), required=("slope",))
    return leaky_relu(_number(fields["slope"], f"{where} leaky_relu slope"))


def _bias(node: Node | None, neuron: str) -> float | None:
    """A neuron's bias; none written (or null) means no bias parameter at all."""
    return None if _is_null(node) else _number(node, f"bias of '{neuron}'")


# The map form: each neuron carries its bias and its incoming weights keyed by source.

def _map_form(fields: dict[str, Node], where: str, sources: tuple[str, ...], names: dict[str, int]):
    for key in ("weights", "biases"):
        if key in fields:
            raise _Invalid(fields[key], f"{where}: '{key}' at layer level goes with "
                                        "neurons: [list of names]; "
                                        "with neurons: {…} each neuron carries its own bias and weights")
    neurons = fields["neurons"]
    if not neurons.value:
        raise _Invalid(neurons, f"{where} neurons: expected at least one neuron")
    names_, rows, biases = [], [], []
    for key, value in neurons.value:
        name = _new_name(key, "neuron", names)
        entry = _fields(value, f"neuron '{name}'", NEURON_KEYS, required=("weights",))
        names_.append(name)
        rows.append(_incoming(entry["weights"], name, sources))
        biases.append(_bias(entry.get("bias"), name))
    return tuple(names_), tuple(rows), tuple(biases)


def _incoming(node: Node, dest: str, sources: tuple[str, ...]) -> tuple[float, ...]:
    """The weights into `dest` keyed by source, in the order of the layer before."""
    where = f"weights into '{dest}'"
    if not isinstance(node, MappingNode):
        raise _Invalid(node, f"{where}: expected a map {{source: weight}} naming {', '.join(sources)}, "
                             f"got {_describe(node)}")

    def about(source):
        return f"weight from '{source}' into '{dest}'"

    def unknown(source):
        return (f"{about(source)}: there is no neuron '{source}' in the layer before "
                f"(it has {', '.join(sources)})")

    return _by_name(node, sources, where, about, unknown, "one weight from each neuron of the layer before")


# The matrix form: names in a list, a row of weights per neuron, an optional list of biases.

def _matrix_form(fields: dict[str, Node], where: str, sources: tuple[str, ...], names: dict[str, int],
                 init: _Init | None = None):
    items = fields["neurons"].value
    if not items:
        raise _Invalid(fields["neurons"], f"{where} neurons: expected at least one neuron")
    neurons = tuple(_new_name(item, "neuron", names) for item in items)
    if "weights" not in fields and init is not None and "biases" not in fields:
        return (neurons, *init.draw(len(neurons), len(sources)))
    if "weights" not in fields:
        raise _Invalid(fields["neurons"], f"{where}: neurons given as a list need weights: [[…], …] "
                                          "beside them, one row per neuron")
    rows = _matrix(fields["weights"], where, neurons, sources)
    return neurons, rows, _bias_list(fields.get("biases"), where, neurons)


def _matrix(node: Node, where: str, neurons: tuple[str, ...], sources: tuple[str, ...]):
    rows = _items(node, f"{where} weights", "one row per neuron of this layer")
    if len(rows) != len(neurons):
        at = rows[len(neurons)] if len(rows) > len(neurons) else node
        raise _Invalid(at, f"{where} weights: expected {_count(len(neurons), 'row')} (one per neuron: "
                           f"{', '.join(neurons)}), got {len(rows)}")
    return tuple(_row(row, dest, sources) for row, dest in zip(rows, neurons))


def _row(node: Node, dest: str, sources: tuple[str, ...]) -> tuple[float, ...]:
    columns = f"one per neuron of the layer before: {', '.join(sources)}"
    values = _items(node, f"weights into '{dest}'", columns)
    if len(values) != len(sources):
        raise _Invalid(node, f"weights into '{dest}': expected {_count(len(sources), 'number')} ({columns}), "
                             f"got {len(values)}{_comma_hint(node)}")
    return tuple(_number(value, f"weight from '{source}' into '{dest}'")
                 for value, source in zip(values, sources))


def _bias_list(node: Node | None, where: str, neurons: tuple[str, ...]) -> tuple[float | None, ...]:
    if _is_null(node):
        return (None,) * len(neurons)
    values = _items(node, f"{where} biases", "one per neuron")
    if len(values) != len(neurons):
        raise _Invalid(node, f"{where} biases: expected {len(neurons)} "
                             f"(one per neuron: {', '.join(neurons)}), got {len(values)}")
    return tuple(_bias(value, neuron) for value, neuron in zip(values, neurons))


# ---------------------------------------------------------------- labels

def _labels(node: Node | None, inputs: tuple[str, ...], layers: tuple[Layer, ...],
            names: dict[str, int]) -> dict[str, str]:
    if _is_null(node):
        return {}
    if not isinstance(node, MappingNode):
        raise _Invalid(node, f"labels: expected a map {{label: SRC->DST or neuron}}, got {_describe(node)}")
    feeds = _feeds(inputs, layers)
    labels: dict[str, str] = {}
    labelled: dict[str, tuple[str, int]] = {}  # parameter → its label and that label's line
    for key, value in node.value:
        label = _name(key, "label")
        if label in names:
            raise _Invalid(key, f"label '{label}': an input or neuron is already called '{label}' "
                                "(the label would be ambiguous in answer files)")
        target = _target(value, label, inputs, feeds)
        if target in labelled:
            first, line = labelled[target]
            raise _Invalid(value, f"label '{label}': {target} already has the label '{first}' (line {line}); "
                                  "a parameter takes one label")
        labelled[target] = (label, key.start_mark.line + 1)
        labels[label] = target
    return labels


def _feeds(inputs: tuple[str, ...], layers: tuple[Layer, ...]) -> dict[str, tuple[tuple[str, ...], bool]]:
    """For every neuron: the neurons feeding it, and whether it has a bias."""
    feeds, sources = {}, inputs
    for layer in layers:
        for neuron, bias in zip(layer.neurons, layer.biases):
            feeds[neuron] = (sources, bias is not None)
        sources = layer.neurons
    return feeds


def _target(node: Node, label: str, inputs: tuple[str, ...], feeds: dict) -> str:
    """The parameter a label names: a weight 'SRC->DST' or a neuron with a bias."""
    where = f"label '{label}'"
    if not isinstance(node, ScalarNode) or _is_null(node):
        raise _Invalid(node, f"{where}: expected a weight SRC->DST or a neuron with a bias, "
                             f"got {_describe(node)}")
    if ARROW in node.value:
        source, _, dest = (part.strip() for part in node.value.partition(ARROW))
        if dest not in feeds:
            raise _Invalid(node, f"{where}: there is no neuron '{dest}' for the weight {source}{ARROW}{dest}")
        if source not in feeds[dest][0]:
            raise _Invalid(node, f"{where}: there is no weight {source}{ARROW}{dest} "
                                 f"('{dest}' is fed by {', '.join(feeds[dest][0])})")
        return edge(source, dest)
    neuron = node.value.strip()
    if neuron in inputs:
        raise _Invalid(node, f"{where}: '{neuron}' is an input, which has no bias; "
                             "a label names a weight SRC->DST or a neuron with a bias")
    if neuron not in feeds:
        raise _Invalid(node, f"{where}: there is no neuron '{neuron}'; a label names a weight SRC->DST "
                             "or a neuron with a bias")
    if not feeds[neuron][1]:
        raise _Invalid(node, f"{where}: neuron '{neuron}' has no bias to label")
    return neuron


# ---------------------------------------------------------------- samples

def _samples(node: Node, inputs: tuple[str, ...], outputs: tuple[str, ...]) -> tuple[Sample, ...]:
    items = _items(node, "samples", "one or more {inputs: …, targets: …}")
    if not items:
        raise _Invalid(node, "samples: expected at least one sample")
    return tuple(_sample(item, f"sample {number}", inputs, outputs)
                 for number, item in enumerate(items, start=1))


def _sample(node: Node, where: str, inputs: tuple[str, ...], outputs: tuple[str, ...]) -> Sample:
    fields = _fields(node, where, SAMPLE_KEYS, required=SAMPLE_KEYS)
    return Sample(_values(fields["inputs"], f"{where} inputs", inputs, "input"),
                  _values(fields["targets"], f"{where} targets", outputs, "output neuron"))


def _values(node: Node, where: str, names: tuple[str, ...], kind: str) -> tuple[float, ...]:
    """One number per name, from a map naming each exactly once or a list in layer order."""
    if isinstance(node, SequenceNode):
        if len(node.value) != len(names):
            raise _Invalid(node, f"{where}: expected {_count(len(names), 'number')} "
                                 f"(for {', '.join(names)}), got {len(node.value)}{_comma_hint(node)}")
        return tuple(_number(value, f"{where} '{name}'") for value, name in zip(node.value, names))
    if not isinstance(node, MappingNode):
        raise _Invalid(node, f"{where}: expected a map naming {', '.join(names)} or a list of "
                             f"{_count(len(names), 'number')}, got {_describe(node)}")

    def about(name):
        return f"{where} '{name}'"

    def unknown(name):
        return f"{where}: there is no {kind} '{name}' (the {kind}s are {', '.join(names)})"

    return _by_name(node, names, where, about, unknown, f"one value for each {kind}")


def _by_name(node: MappingNode, names: tuple[str, ...], where: str,
             about, unknown, rule: str) -> tuple[float, ...]:
    """One number per name from a map naming each exactly once, in the order of `names`.

    about(name) says what a value is, for messages; unknown(name) why a key is not one of `names`.
    """
    given, known = {}, frozenset(names)
    for key, value in node.value:
        if key.value not in known:
            raise _Invalid(key, unknown(key.value) + _comma_hint(node))
        given[key.value] = _number(value, about(key.value))
    missing = [name for name in names if name not in given]
    if missing:
        raise _Invalid(node, f"{where}: missing {', '.join(missing)} (expected {rule}: {', '.join(names)})")
    return tuple(given[name] for name in names)


# ---------------------------------------------------------------- layers by size, seeded initialisation

class _Init:
    """`init: {uniform: [low, high], seed: s}`: the weights and biases of layers written without them.

    One random.Random(seed) serves the whole file. Layers are filled in file order; in each, neuron
    by neuron, first its weights (one per source, in the order of the layer before), then its
    bias, each `rng.uniform(low, high)`. Python guarantees that sequence for a seed, so a file
    gives the same network on every machine.
    """

    def __init__(self, low: float, high: float, seed: int):
        import random

        self.low, self.high = low, high
        self.rng = random.Random(seed)

    def draw(self, neurons: int, sources: int) -> tuple[tuple[tuple[float, ...], ...], tuple[float, ...]]:
        uniform, low, high = self.rng.uniform, self.low, self.high
        rows, biases = [], []
        for _ in range(neurons):
            rows.append(tuple(uniform(low, high) for _ in range(sources)))
            biases.append(uniform(low, high))
        return tuple(rows), tuple(biases)


def _init(node: Node | None) -> _Init | None:
    if _is_null(node):
        return None
    fields = _fields(node, "init", INIT_KEYS, required=("uniform",))
    bounds = _items(fields["uniform"], "init uniform", "[low, high]")
    if len(bounds) != 2:
        raise _Invalid(fields["uniform"], f"init uniform: expected [low, high], got {_count(len(bounds), 'number')}")
    low, high = (_number(b, "init uniform") for b in bounds)
    if not low < high:
        raise _Invalid(fields["uniform"], f"init uniform: expected low < high, got [{low:g}, {high:g}]")
    seed = _whole_number(fields["seed"], "init seed", 0) if "seed" in fields else 0
    return _Init(low, high, seed)


def generated_names(hidden_number: int, size: int, is_output: bool) -> tuple[str, ...]:
    """Names for a layer given by size: o1 … oK for the output layer, hL_1 … hL_n for the L-th hidden one."""
    if is_output:
        return tuple(f"o{j}" for j in range(1, size + 1))
    return tuple(f"h{hidden_number}_{j}" for j in range(1, size + 1))


def _sized_layer(node: Node, where: str, sources: tuple[str, ...], names: dict[str, int], is_output: bool,
                 init: _Init | None, hidden_number: int) -> Layer:
    """`- {activation: sigmoid, size: 16}`: generated names, weights and biases from `init`."""
    fields = _fields(node, where, SIZED_LAYER_KEYS, required=("activation", "size"))
    size = _whole_number(fields["size"], f"{where} size", 1, 100_000)
    if init is None:
        raise _Invalid(fields["size"], f"{where}: a layer given by size needs its weights drawn: add "
                                       "`init: {uniform: [-1, 1], seed: 1}` at the top of the file")
    activation = _activation(fields["activation"], where, is_output)
    neurons = []
    for name in generated_names(hidden_number, size, is_output):
        if name in names:
            raise _Invalid(fields["size"], f"{where}: the generated neuron name '{name}' is already used "
                                           f"at line {names[name]}; rename that one")
        names[name] = fields["size"].start_mark.line + 1
        neurons.append(name)
    return Layer(activation, tuple(neurons), *init.draw(size, len(sources)))


# ---------------------------------------------------------------- samples from a CSV file

def _csv_samples(node: Node, path: str | None, inputs: tuple[str, ...],
                 outputs: tuple[str, ...], probabilities: bool = False) -> tuple[Sample, ...]:
    """`samples: {csv: data.csv}`: one sample per row, columns named after the inputs and outputs.

    The CSV's path is relative to the network file. Its first line names the columns (extra
    columns are ignored); every later line is a sample. Problems name the CSV file and line.
    """
    fields = _fields(node, "samples", ("csv",), required=("csv",))
    name = fields["csv"]
    if not isinstance(name, ScalarNode) or _is_null(name) or not name.value.strip():
        raise _Invalid(name, f"samples csv: expected a file name, got {_describe(name)}")
    folder = os.path.dirname(path) if path else ""
    csv_path = os.path.join(folder, name.value)
    try:
        text = read_text(csv_path)
    except NetworkFileError as error:
        raise _Invalid(name, f"samples csv '{csv_path}': {error.message}") from None
    return parse_csv_samples(text, csv_path, inputs, outputs, probabilities)


def parse_csv_samples(text: str, csv_path: str, inputs: tuple[str, ...],
                      outputs: tuple[str, ...], probabilities: bool = False) -> tuple[Sample, ...]:
    """The samples in CSV `text` (from the file `csv_path`, named in messages); `probabilities`:
    every target must lie in 0..1 (cross-entropy's targets)."""
    import csv

    rows = csv.reader(text.splitlines())
    try:
        header = next(rows)
    except StopIteration:
        raise NetworkFileError(csv_path, None, "the file is empty; expected a header line naming "
                                               f"the columns {', '.join(inputs + outputs)}") from None
    header = [column.strip() for column in header]
    where = {}
    for k, column in enumerate(header):
        if column in where:
            raise NetworkFileError(csv_path, 1, f"column '{column}' appears twice in the header")
        where[column] = k
    missing = [n for n in inputs + outputs if n not in where]
    if missing:
        kinds = ["input" if n in inputs else "output" for n in missing]
        listed = ", ".join(f"'{n}' ({kind})" for n, kind in zip(missing, kinds))
        raise NetworkFileError(csv_path, 1, f"missing column{'s' if len(missing) > 1 else ''} {listed}; "
                                            f"the header has {', '.join(header)}")
    wanted_in = [where[n] for n in inputs]
    wanted_out = [where[n] for n in outputs]
    samples = []
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line, e.g. at the end
        if len(row) != len(header):
            raise NetworkFileError(csv_path, line, f"expected {len(header)} values (one per column of "
                                                   f"the header), got {len(row)}")
        targets = tuple(_csv_number(row, k, header, csv_path, line) for k in wanted_out)
        if probabilities:
            for name, target in zip(outputs, targets):
                if not 0.0 <= target <= 1.0:
                    raise NetworkFileError(csv_path, line, f"column '{name}': loss cross_entropy needs "
                                                           f"targets from 0 to 1 (probabilities), got {target:g}")
        samples.append(Sample(tuple(_csv_number(row, k, header, csv_path, line) for k in wanted_in), targets))
    if not samples:
        raise NetworkFileError(csv_path, None, "no samples: the file has a header but no rows")
    return tuple(samples)


def _csv_number(row: list[str], k: int, header: list[str], csv_path: str, line: int) -> float:
    cell = row[k].strip()
    try:
        value = float(cell)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value):
        shown = cell if len(cell) <= 40 else cell[:37] + "..."
        why = "expected a finite number" if value is not None else "expected a number"
        raise NetworkFileError(csv_path, line, f"column '{header[k]}': {why}, got '{shown}'")
    return value


# ================================================================ answer files (bpcalc check)
# Kept apart from the network reader above. An answer file is a flat map from quantity names
# to numbers; it is returned as plain data, each number's text exactly as written (its digits
# say how precisely the student worked), and bpcalc.check interprets it.

from dataclasses import dataclass  # noqa: E402 (imported here so that this section stays self-contained)


@dataclass(frozen=True)
class AnswerEntry:
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
        if _is_null(value):
            text = None
        else:
            _number(value, name)  # the same rule for numbers as in network files, with the same messages
            text = value.value.strip()
        entries.append(AnswerEntry(name, text, key.start_mark.line + 1, key.start_mark.column + 1))
    return tuple(entries)
