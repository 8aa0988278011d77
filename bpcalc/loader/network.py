"""Reads a network file's YAML into a model.Network: the options, the layers, the labels and the samples."""

from __future__ import annotations

import os

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..arith import Rounding
from ..errors import NetworkFileError
from ..functions import ACTIVATIONS, LOSSES, Activation, leaky_relu
from ..model import ARROW, Layer, Network, Options, Sample, edge
from .data import _csv_samples, _Init, _init, generated_names
from .yamltext import (
    _boolean, _check_keys, _check_line_lengths, _choice, _clip, _comma_hint, _compose, _count, _describe,
    _fields, _FastLoader, _Invalid, _is_null, _items, _key_node, _Loader, _name, _new_name, _number,
    _plain_float, _whole_number,
    check_layer_size, read_text,
)

TOP_KEYS = ("name", "learning_rate", "loss", "reduction", "batch", "l2", "momentum",
            "update_biases", "hidden_deltas", "rounding", "init", "layers", "labels", "samples")
LAYER_KEYS = ("activation", "neurons", "weights", "biases")
SIZED_LAYER_KEYS = ("activation", "size")
NEURON_KEYS = ("bias", "weights")
SAMPLE_KEYS = ("inputs", "targets")
ROUNDING_KEYS = ("decimals", "significant")
REDUCTIONS = ("mean", "sum")
HIDDEN_DELTAS = ("old_weights", "new_weights")
# Beyond a double's 17 digits rounding changes nothing; the cap keeps Decimal well inside its context.
MAX_DIGITS = 100


# ---------------------------------------------------------------- reading the file

def load_network(path: str | os.PathLike) -> Network:
    """The network in the file at `path`."""
    return parse_network(read_text(path), os.fsdecode(path))


def parse_network(text: str, path: str | None) -> Network:
    """The network written in `text`; `path` names it in messages and in Network.path."""
    path = os.fsdecode(path) if path is not None else None
    try:
        if not text.strip():  # blank, even with tabs, which YAML would report as misplaced
            raise _Invalid(None, "the file is empty; expected a network with 'layers' and 'samples'")
        _check_line_lengths(text)
        try:
            return _read(text, path, _FastLoader)
        except _Invalid:  # read again to report it: the pure-Python parser's marks hold the text
            return _read(text, path, _Loader)
    except _Invalid as problem:
        raise NetworkFileError(path, problem.line, problem.message, problem.column) from None
    except RecursionError:
        raise NetworkFileError(path, None, "the file is nested too deeply to be a network file") from None


def _read(text: str, path: str | None, loader: type) -> Network:
    root = _compose(text, loader)
    _check_keys(root)
    return _network(root, path)


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


# The size form: generated names, with weights and biases drawn by the file's init (see data.py).

def _sized_layer(node: Node, where: str, sources: tuple[str, ...], names: dict[str, int], is_output: bool,
                 init: _Init | None, hidden_number: int) -> Layer:
    """`- {activation: sigmoid, size: 16}`: generated names, weights and biases from `init`."""
    fields = _fields(node, where, SIZED_LAYER_KEYS, required=("activation", "size"))
    size = _whole_number(fields["size"], f"{where} size", 1, 100_000)
    check_layer_size(fields["size"], where, size, len(sources))  # before any weight is drawn
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
