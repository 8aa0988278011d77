"""Reads a network file (YAML) into a model.Network, checking it against the file-format contract."""

from __future__ import annotations

import difflib
import math
import os

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .arith import Rounding
from .errors import NetworkFileError
from .functions import ACTIVATIONS, LOSSES, Activation, leaky_relu
from .model import ARROW, Layer, Network, Options, Sample, edge

TOP_KEYS = ("name", "learning_rate", "loss", "reduction", "batch", "l2", "momentum",
            "update_biases", "hidden_deltas", "rounding", "layers", "labels", "samples")
LAYER_KEYS = ("activation", "neurons", "weights", "biases")
NEURON_KEYS = ("bias", "weights")
SAMPLE_KEYS = ("inputs", "targets")
ROUNDING_KEYS = ("decimals", "significant")
REDUCTIONS = ("mean", "sum")
HIDDEN_DELTAS = ("old_weights", "new_weights")
# Beyond a double's 17 digits rounding changes nothing; the cap keeps Decimal well inside its context.
MAX_DIGITS = 100

_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_FLOAT = "tag:yaml.org,2002:float"


# ---------------------------------------------------------------- reading the file

def load_network(path: str | os.PathLike) -> Network:
    """The network in the file at `path`."""
    return parse_network(read_text(path), os.fsdecode(path))


def read_text(path: str | os.PathLike) -> str:
    """The file's text as UTF-8; any failure to read it is a NetworkFileError, not a traceback."""
    shown = os.fsdecode(path)
    try:
        with open(path, "rb") as file:
            data = file.read()
    except IsADirectoryError:
        raise NetworkFileError(shown, None, "this is a directory; expected a file") from None
    except FileNotFoundError:
        raise NetworkFileError(shown, None, "no such file") from None
    except PermissionError:
        raise NetworkFileError(shown, None, "cannot read the file: permission denied") from None
    except OSError as error:
        raise NetworkFileError(shown, None, f"cannot read the file: {error.strerror or error}") from None
    try:
        return data.decode("utf-8-sig")  # -sig: editors on Windows may start the file with a BOM
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise NetworkFileError(shown, line, f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} "
                                            "cannot be decoded); save it as UTF-8") from None


def parse_network(text: str, path: str | None) -> Network:
    """The network written in `text`; `path` names it in messages and in Network.path."""
    path = os.fsdecode(path) if path is not None else None
    try:
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


class _Loader(yaml.SafeLoader):
    """Composes plain YAML only: no anchors or aliases (which also bounds 'billion laughs') and no tags."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
            raise _Invalid(event.start_mark, "anchors and aliases are not supported in network files; "
                                             "write the value out in full")
        if event.tag is not None:
            raise _Invalid(event.start_mark, "YAML tags (!…) are not supported in network files; "
                                             "write the plain value")
        return super().compose_node(parent, index)


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
    text = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    if node.style is not None:
        return f"the string '{text}'"
    if node.tag == _NULL:
        return "nothing (null)"
    if node.tag == _BOOL:
        return f"the boolean {text}"
    return text if _float(node.value) is not None else f"'{text}'"


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
        raise _Invalid(node, f"{what}: expected a finite number, got {node.value} "
                             "(non-finite numbers are not allowed)")
    return value


def _whole_number(node: Node, what: str, smallest: int, largest: int | None = None) -> int:
    value = _number(node, what)
    if not value.is_integer() or value < smallest or (largest is not None and value > largest):
        bound = f"from {smallest} to {largest}" if largest is not None else f"{smallest} or more"
        raise _Invalid(node, f"{what}: expected a whole number {bound}, got {node.value}")
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
    inputs, layers = _layers(fields["layers"], names)
    options = _options(fields, layers[-1])
    labels = _labels(fields.get("labels"), inputs, layers, names)
    samples = _samples(fields["samples"], inputs, layers[-1].neurons)
    return Network(inputs, layers, samples, options, labels, _title(fields.get("name")), path)


def _title(node: Node | None) -> str | None:
    if _is_null(node):
        return None
    if not isinstance(node, ScalarNode):
        raise _Invalid(node, f"name: expected a line of text, got {_describe(node)}")
    return node.value


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
        raise _Invalid(node, f"{key}: expected a number {expected}, got {node.value}")
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

def _layers(node: Node, names: dict[str, int]) -> tuple[tuple[str, ...], tuple[Layer, ...]]:
    entries = _items(node, "layers", "the inputs, then each layer of neurons")
    if len(entries) < 2:
        raise _Invalid(node, "layers: expected at least 2 entries (the inputs, then at least one layer "
                             f"of neurons), got {len(entries)}")
    inputs = _inputs(entries[0], names)
    layers: list[Layer] = []
    for number, entry in enumerate(entries[1:], start=2):
        sources = layers[-1].neurons if layers else inputs
        layers.append(_layer(entry, f"layer {number}", sources, names, is_output=number == len(entries)))
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


def _layer(node: Node, where: str, sources: tuple[str, ...], names: dict[str, int], is_output: bool) -> Layer:
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
        return Layer(activation, *_matrix_form(fields, where, sources, names))
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

def _matrix_form(fields: dict[str, Node], where: str, sources: tuple[str, ...], names: dict[str, int]):
    items = fields["neurons"].value
    if not items:
        raise _Invalid(fields["neurons"], f"{where} neurons: expected at least one neuron")
    neurons = tuple(_new_name(item, "neuron", names) for item in items)
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
                             f"got {len(values)}")
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
                                 f"(for {', '.join(names)}), got {len(node.value)}")
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
    given = {}
    for key, value in node.value:
        if key.value not in names:
            raise _Invalid(key, unknown(key.value))
        given[key.value] = _number(value, about(key.value))
    missing = [name for name in names if name not in given]
    if missing:
        raise _Invalid(node, f"{where}: missing {', '.join(missing)} (expected {rule}: {', '.join(names)})")
    return tuple(given[name] for name in names)


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
