"""Reads a network file's YAML into a model.Network: the options, the layers, the labels and the samples."""

from __future__ import annotations

import os
from typing import Any, Mapping

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..arith import Rounding
from ..errors import BpcalcError, NetworkFileError
from ..functions import ACTIVATIONS, LOSSES, Activation, leaky_relu
from ..model import ARROW, Layer, Network, Neuron, Options, Sample, dense_layer, edge
from ..quantities import parameter_named
from .data import _csv_samples, _Init, _init, generated_names
from .yamltext import (
    _boolean, _check_keys, _check_line_lengths, _choice, _clip, _comma_hint, _compose, _count, _describe,
    _fields, _FastLoader, _Invalid, _is_null, _items, _key_node, _Loader, _name, _new_name, _number,
    _plain_float, _whole_number,
    check_layer_size, read_source, source_name,
)

TOP_KEYS = ("name", "learning_rate", "loss", "reduction", "batch", "l2", "momentum",
            "update_biases", "hidden_deltas", "rounding", "delta_sign", "init", "layers", "labels", "samples",
            "previous_steps")
LAYER_KEYS = ("activation", "connections", "neurons", "weights", "biases", "thresholds")
SIZED_LAYER_KEYS = ("activation", "size")
NEURON_KEYS = ("bias", "threshold", "weights")
CONNECTIONS = ("full", "sparse")
DELTA_SIGNS = ("gradient", "error")
SAMPLE_KEYS = ("inputs", "targets")
ROUNDING_KEYS = ("decimals", "significant")
REDUCTIONS = ("mean", "sum")
HIDDEN_DELTAS = ("old_weights", "new_weights")
# Beyond a double's 17 digits rounding changes nothing; the cap keeps Decimal well inside its context.
MAX_DIGITS = 100


# ---------------------------------------------------------------- reading the file

def load_network(path: str | os.PathLike) -> Network:
    """The network in the file at `path` (standard input for -)."""
    return parse_network(read_source(path), source_name(path))


TEXT_SOURCE = "<text>"  # how messages name a network given as YAML text
DICT_SOURCE = "<dict>"  # and one given as a dict


def is_yaml_text(source: str) -> bool:
    """Is this string a network written out rather than a file's path? A path if it names an existing
    file or ends in .yaml or .yml; otherwise YAML text if it holds a newline or a ':' (which no
    network file's name needs); else a path (which then reports the missing file)."""
    if source.endswith((".yaml", ".yml")) or os.path.exists(source):
        return False
    return "\n" in source or ":" in source


def network_from(source: str | os.PathLike | Mapping[str, Any]) -> Network:
    """The network in a file, in YAML text, or in a dict of the same shape as the file."""
    if isinstance(source, Mapping):
        return _from_dict(source)
    if isinstance(source, str) and is_yaml_text(source):
        return parse_network(source, TEXT_SOURCE)
    return load_network(source)


def _from_dict(source: Mapping[str, Any]) -> Network:
    """A dict, written as the YAML it stands for and read as a file is; its messages name `<dict>`
    without the line, which is one of that text's, not of anything the user wrote."""
    import yaml

    try:
        text = yaml.safe_dump(_plain(source), sort_keys=False, allow_unicode=True)
    except yaml.YAMLError as problem:
        raise NetworkFileError(DICT_SOURCE, None, f"cannot be read as a network: {problem}") from None
    try:
        return parse_network(text, DICT_SOURCE)
    except NetworkFileError as problem:
        raise NetworkFileError(DICT_SOURCE, None, problem.message) from None


def _plain(value: Any) -> Any:
    """Mappings, lists and tuples as YAML's plain dicts and lists; numbers that are not Python's own
    (numpy's float64, say) as floats; the rest as it is."""
    if isinstance(value, Mapping):
        return {(_plain(k) if not isinstance(k, str) else k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if not isinstance(value, (bool, int, float, str)) and value is not None and hasattr(value, "__float__"):
        return float(value)
    return value


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
    outputs = layers[-1].names
    if _key_node(fields["samples"], "csv") is not None:  # probabilities checked line by line there
        samples = _csv_samples(fields["samples"], path, inputs, outputs,
                               probabilities=options.loss == "cross_entropy")
    else:
        samples = _samples(fields["samples"], inputs, outputs)
        _check_probability_targets(fields["samples"], options, samples, outputs)
    network = Network(inputs, layers, samples, options, labels, _title(fields.get("name")), path)
    if "previous_steps" in fields:
        network = network._replace(previous_steps=_previous_steps(fields["previous_steps"], fields, network))
    return network


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
        for k, target in enumerate(sample.targets or ()):
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
    given: dict[str, Any] = {key: read(fields[key]) for key, read in _OPTION_READERS.items() if key in fields}
    options = Options(**given)
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
    "delta_sign": lambda node: _choice(node, DELTA_SIGNS, "delta_sign"),
    "rounding": _rounding,
}


# ---------------------------------------------------------------- layers

class _Graph:
    """What the layers read so far know of the net: every name and its place, for the edges into the next."""

    def __init__(self, inputs: tuple[str, ...], later: dict[str, int]):
        self.position = {name: k for k, name in enumerate(inputs)}  # file order: inputs, then neurons
        self.layer = {name: 1 for name in inputs}  # the layer number each name is in (inputs: 1)
        self.before = inputs  # the names of the layer before the one being read
        self.later = later  # every neuron name written in the file, by its layer number (for messages)

    def add(self, layer: Layer, number: int) -> None:
        for n in layer.neurons:
            self.position[n.name] = len(self.position)
            self.layer[n.name] = number
        self.before = layer.names


def _layers(node: Node, names: dict[str, int], init: _Init | None = None) -> tuple[tuple[str, ...], tuple[Layer, ...]]:
    entries = _items(node, "layers", "the inputs, then each layer of neurons")
    if len(entries) < 2:
        raise _Invalid(node, "layers: expected at least 2 entries (the inputs, then at least one layer "
                             f"of neurons), got {len(entries)}")
    inputs = _inputs(entries[0], names)
    graph = _Graph(inputs, _written_names(entries))
    layers: list[Layer] = []
    for number, entry in enumerate(entries[1:], start=2):
        layer = _layer(entry, f"layer {number}", number, graph, names, is_output=number == len(entries),
                       init=init, hidden_number=number - 1)
        graph.add(layer, number)
        layers.append(layer)
    return inputs, tuple(layers)


def _written_names(entries: list[Node]) -> dict[str, int]:
    """Every neuron name the layers write, by layer number: to tell a weight from a later layer
    (which would make a cycle) from a name that is not there at all."""
    found: dict[str, int] = {}
    for number, entry in enumerate(entries[1:], start=2):
        pairs = entry.value if isinstance(entry, MappingNode) else ()
        neurons = next((value for key, value in pairs if key.value == "neurons"), None)
        if isinstance(neurons, MappingNode):
            found.update((key.value, number) for key, _ in neurons.value if isinstance(key, ScalarNode))
        elif isinstance(neurons, SequenceNode):
            found.update((item.value, number) for item in neurons.value if isinstance(item, ScalarNode))
    return found


def _inputs(node: Node, names: dict[str, int]) -> tuple[str, ...]:
    if _key_node(node, "activation") is not None and _key_node(node, "inputs") is None:
        raise _Invalid(node, "layer 1: the first entry of layers lists the inputs only, "
                             "e.g. - inputs: [x1, x2]")
    fields = _fields(node, "layer 1", ("inputs",), required=("inputs",))
    items = _items(fields["inputs"], "layer 1 inputs", "the input names, e.g. [x1, x2]")
    if not items:
        raise _Invalid(fields["inputs"], "layer 1 inputs: expected at least one input name")
    return tuple(_new_name(item, "input", names) for item in items)


def _layer(node: Node, where: str, number: int, graph: _Graph, names: dict[str, int], is_output: bool,
           init: _Init | None = None, hidden_number: int = 0) -> Layer:
    if _key_node(node, "size") is not None:
        return _sized_layer(node, where, graph.before, names, is_output, init, hidden_number)
    misplaced = _key_node(node, "inputs")
    if misplaced is not None:
        raise _Invalid(misplaced, f"{where}: only the first entry of layers lists inputs; "
                                  "this one needs activation and neurons")
    fields = _fields(node, where, LAYER_KEYS, required=("activation", "neurons"))
    activation = _activation(fields["activation"], where, is_output)
    sparse = "connections" in fields and _choice(fields["connections"], CONNECTIONS, "connections", where) == "sparse"
    neurons = fields["neurons"]
    if isinstance(neurons, MappingNode):
        return Layer(activation, _map_form(fields, where, number, graph, names, sparse), sparse)
    if isinstance(neurons, SequenceNode):
        if sparse:
            raise _Invalid(fields["connections"], f"{where}: a sparse layer is written neuron by neuron, "
                                                  "neurons: {h1: {weights: {x1: …}}, …}; the matrix form is "
                                                  "fed by every neuron of the layer before")
        names_, rows, biases, threshold = _matrix_form(fields, where, graph.before, names, init)
        layer = dense_layer(activation, names_, graph.before, rows, biases)
        if threshold:
            layer = layer._replace(neurons=tuple(n._replace(threshold=True) for n in layer.neurons))
        return layer
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


def _bias(node: Node | None, neuron: str, what: str = "bias") -> float | None:
    """A neuron's bias (or threshold); none written (or null) means no such parameter at all."""
    return None if _is_null(node) else _number(node, f"{what} of '{neuron}'")


# The map form: each neuron carries its bias or threshold and its incoming weights keyed by source.

def _map_form(fields: dict[str, Node], where: str, number: int, graph: _Graph, names: dict[str, int],
              sparse: bool) -> tuple[Neuron, ...]:
    for key in ("weights", "biases", "thresholds"):
        if key in fields:
            raise _Invalid(fields[key], f"{where}: '{key}' at layer level goes with "
                                        "neurons: [list of names]; "
                                        "with neurons: {…} each neuron carries its own bias and weights")
    neurons = fields["neurons"]
    if not neurons.value:
        raise _Invalid(neurons, f"{where} neurons: expected at least one neuron")
    result = []
    for key, value in neurons.value:
        name = _new_name(key, "neuron", names)
        entry = _fields(value, f"neuron '{name}'", NEURON_KEYS, required=("weights",))
        if "bias" in entry and "threshold" in entry:
            raise _Invalid(entry["threshold"], f"neuron '{name}': give a bias (net = Σw·x + b) or a threshold "
                                               "(net = Σw·x − θ), not both")
        weights = _incoming(entry["weights"], name, number, graph, sparse)
        if "threshold" in entry:
            result.append(Neuron(name, weights, _bias(entry["threshold"], name, "threshold"), True))
        else:
            result.append(Neuron(name, weights, _bias(entry.get("bias"), name)))
    return tuple(result)


def _incoming(node: Node, dest: str, number: int, graph: _Graph, sparse: bool) -> tuple[tuple[str, float], ...]:
    """The weights into `dest` keyed by source, in file order of the sources (inputs first).

    A source is the layer before or, as a skip connection, any input or earlier neuron; under
    `connections: full` every neuron of the layer before must be there."""
    where = f"weights into '{dest}'"
    before = graph.before
    if not isinstance(node, MappingNode):
        raise _Invalid(node, f"{where}: expected a map {{source: weight}} naming {', '.join(before)}, "
                             f"got {_describe(node)}")
    given: dict[str, float] = {}
    for key, value in node.value:
        source = key.value
        if source not in graph.position:
            raise _Invalid(key, _not_a_source(source, dest, number, graph) + _comma_hint(node))
        given[source] = _number(value, f"weight from '{source}' into '{dest}'")
    if sparse and not given:
        raise _Invalid(node, f"{where}: a neuron of a sparse layer needs at least one weight")
    missing = [name for name in before if name not in given]
    if missing and not sparse:
        raise _Invalid(node, f"{where}: missing {', '.join(missing)} (expected one weight from each neuron of "
                             f"the layer before: {', '.join(before)}; for a neuron that sees only some of them, "
                             "mark the layer `connections: sparse`)")
    return tuple(sorted(given.items(), key=lambda item: graph.position[item[0]]))


def _not_a_source(source: str, dest: str, number: int, graph: _Graph) -> str:
    about = f"weight from '{source}' into '{dest}'"
    if source == dest:
        return f"{about}: a neuron cannot feed itself (the net must stay feed-forward)"
    later = graph.later.get(source)
    if later == number:
        return (f"{about}: '{source}' is in the same layer; a neuron is fed by the inputs and earlier layers "
                "only (the net must stay feed-forward)")
    if later is not None and later > number:
        return (f"{about}: '{source}' is in a later layer (layer {later}), which would make a cycle; a neuron is "
                "fed by the inputs and earlier layers only")
    return (f"{about}: there is no neuron '{source}' in the layer before or earlier "
            f"(the layer before has {', '.join(graph.before)})")


# The matrix form: names in a list, a row of weights per neuron, an optional list of biases or thresholds.

def _matrix_form(fields: dict[str, Node], where: str, sources: tuple[str, ...], names: dict[str, int],
                 init: _Init | None = None):
    """(names, rows, biases or thresholds, whether they are thresholds) of a dense layer."""
    items = fields["neurons"].value
    if not items:
        raise _Invalid(fields["neurons"], f"{where} neurons: expected at least one neuron")
    neurons = tuple(_new_name(item, "neuron", names) for item in items)
    if "biases" in fields and "thresholds" in fields:
        raise _Invalid(fields["thresholds"], f"{where}: give biases or thresholds, not both")
    threshold = "thresholds" in fields
    if "weights" not in fields and init is not None and "biases" not in fields and not threshold:
        return (neurons, *init.draw(len(neurons), len(sources)), False)
    if "weights" not in fields:
        raise _Invalid(fields["neurons"], f"{where}: neurons given as a list need weights: [[…], …] "
                                          "beside them, one row per neuron")
    rows = _matrix(fields["weights"], where, neurons, sources)
    key = "thresholds" if threshold else "biases"
    return neurons, rows, _bias_list(fields.get(key), where, neurons, key), threshold


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


def _bias_list(node: Node | None, where: str, neurons: tuple[str, ...], key: str = "biases") -> tuple[float | None, ...]:
    if _is_null(node):
        return (None,) * len(neurons)
    values = _items(node, f"{where} {key}", "one per neuron")
    if len(values) != len(neurons):
        raise _Invalid(node, f"{where} {key}: expected {len(neurons)} "
                             f"(one per neuron: {', '.join(neurons)}), got {len(values)}")
    what = "threshold" if key == "thresholds" else "bias"
    return tuple(_bias(value, neuron, what) for value, neuron in zip(values, neurons))


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
    return dense_layer(activation, neurons, sources, *init.draw(size, len(sources)))


# ---------------------------------------------------------------- labels

def _labels(node: Node | None, inputs: tuple[str, ...], layers: tuple[Layer, ...],
            names: dict[str, int]) -> dict[str, str]:
    if _is_null(node):
        return {}
    if not isinstance(node, MappingNode):
        raise _Invalid(node, f"labels: expected a map {{label: SRC->DST or neuron}}, got {_describe(node)}")
    neurons = {n.name: n for layer in layers for n in layer.neurons}
    unlabelled = Network(inputs, layers)
    defaults = {unlabelled.label_of(p.key): p.key for p in unlabelled.parameters()}
    labels: dict[str, str] = {}
    labelled: dict[str, tuple[str, int]] = {}  # parameter → its label and that label's line
    for key, value in node.value:
        label = _name(key, "label")
        if label in names:
            raise _Invalid(key, f"label '{label}': an input or neuron is already called '{label}' "
                                "(the label would be ambiguous in answer files)")
        target = _target(value, label, inputs, neurons)
        if defaults.get(label, target) != target:
            raise _Invalid(key, f"label '{label}' is how bpcalc names {defaults[label]}; choose another label")
        if target in labelled:
            first, line = labelled[target]
            raise _Invalid(value, f"label '{label}': {target} already has the label '{first}' (line {line}); "
                                  "a parameter takes one label")
        labelled[target] = (label, key.start_mark.line + 1)
        labels[label] = target
    return labels


def _target(node: Node, label: str, inputs: tuple[str, ...], neurons: dict[str, Neuron]) -> str:
    """The parameter a label names: a weight 'SRC->DST', or a neuron with a bias or threshold."""
    where = f"label '{label}'"
    if not isinstance(node, ScalarNode) or _is_null(node):
        raise _Invalid(node, f"{where}: expected a weight SRC->DST or a neuron with a bias or threshold, "
                             f"got {_describe(node)}")
    if ARROW in node.value:
        source, _, dest = (part.strip() for part in node.value.partition(ARROW))
        if dest not in neurons:
            raise _Invalid(node, f"{where}: there is no neuron '{dest}' for the weight {source}{ARROW}{dest}")
        if source not in neurons[dest].sources:
            raise _Invalid(node, f"{where}: there is no weight {source}{ARROW}{dest} "
                                 f"('{dest}' is fed by {', '.join(neurons[dest].sources)})")
        return edge(source, dest)
    neuron = node.value.strip()
    if neuron in inputs:
        raise _Invalid(node, f"{where}: '{neuron}' is an input, which has no bias; "
                             "a label names a weight SRC->DST or a neuron with a bias or threshold")
    if neuron not in neurons:
        raise _Invalid(node, f"{where}: there is no neuron '{neuron}'; a label names a weight SRC->DST "
                             "or a neuron with a bias or threshold")
    if neurons[neuron].bias is None:
        raise _Invalid(node, f"{where}: neuron '{neuron}' has no bias or threshold to label")
    return neuron


# ---------------------------------------------------------------- momentum's state

def _previous_steps(node: Node, fields: dict[str, Node], network: Network) -> dict[str, float]:
    """Each parameter's last step Δθ(n−1), which momentum carries into the next update (what
    `train --save` writes so that training resumes exactly): keyed by any name `explain` takes."""
    if _is_null(node):
        return {}
    if not network.options.momentum:
        raise _Invalid(node, "previous_steps: the steps momentum carries on, but the file has no momentum "
                             "(add e.g. `momentum: 0.9`, or remove previous_steps)")
    if not isinstance(node, MappingNode):
        raise _Invalid(node, f"previous_steps: expected a map {{parameter: its last step Δθ}}, got {_describe(node)}")
    kinds = {p.key: p.kind for p in network.parameters()}
    steps: dict[str, float] = {}
    written: dict[str, tuple[str, int]] = {}  # parameter → the key it was given under and its line
    for key, value in node.value:
        try:
            parameter = parameter_named(network, key.value)
        except BpcalcError as problem:
            raise _Invalid(key, f"previous_steps: {problem}") from None
        name = network.label_of(parameter)
        if kinds[parameter] != "weight" and not network.options.update_biases:
            raise _Invalid(key, f"previous_steps: {name} is held fixed (update_biases: false), so it has no step")
        if parameter in written:
            first, line = written[parameter]
            raise _Invalid(key, f"previous_steps: {name} is already given, as '{first}' (line {line})")
        written[parameter] = (key.value, key.start_mark.line + 1)
        steps[parameter] = _number(value, f"previous_steps '{key.value}'")
    return steps


# ---------------------------------------------------------------- samples

def _samples(node: Node, inputs: tuple[str, ...], outputs: tuple[str, ...]) -> tuple[Sample, ...]:
    items = _items(node, "samples", "one or more {inputs: …, targets: …}")
    if not items:
        raise _Invalid(node, "samples: expected at least one sample")
    return tuple(_sample(item, f"sample {number}", inputs, outputs)
                 for number, item in enumerate(items, start=1))


def _sample(node: Node, where: str, inputs: tuple[str, ...], outputs: tuple[str, ...]) -> Sample:
    """A sample's inputs and, unless left out (forward only), its targets."""
    fields = _fields(node, where, SAMPLE_KEYS, required=("inputs",))
    targets = None if _is_null(fields.get("targets")) else fields["targets"]
    return Sample(_values(fields["inputs"], f"{where} inputs", inputs, "input"),
                  None if targets is None else _values(targets, f"{where} targets", outputs, "output neuron"))


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
