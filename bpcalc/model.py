"""The network as immutable data: a graph of neurons grouped in layers, its samples and the conventions to train it by. No I/O.

Each neuron has an activation (its layer's), its incoming weights from any earlier neuron or
input, and a bias or a threshold. A bias and a threshold are one thing, the weight of a
constant input: +1 for a bias (net = Σ w·x + b), −1 for a threshold (net = Σ w·x − θ). Since
a neuron is fed only by neurons before it, every network is acyclic by construction. Layers
group the neurons for headings, softmax and the dense fast path.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Iterator, Literal, Mapping, Sequence, SupportsIndex, overload

from .arith import Rounding
from .functions import Activation
from .records import Record

# A parameter is named the way the file and the JSON name it: a weight by its edge
# "SOURCE->DEST", a bias or threshold by its neuron "DEST".
ARROW = "->"

LossName = Literal["half_sse", "sse", "mse", "cross_entropy"]
Reduction = Literal["mean", "sum"]
HiddenDeltas = Literal["old_weights", "new_weights"]
DeltaSign = Literal["gradient", "error"]
ParameterKind = Literal["weight", "bias", "threshold"]


def edge(source: str, dest: str) -> str:
    """The name of the weight from `source` to `dest`, e.g. "i1->h1"."""
    return f"{source}{ARROW}{dest}"


class Neuron(Record):
    """One neuron: its incoming weights in order, and its bias or threshold."""

    name: str
    weights: tuple[tuple[str, float], ...]  # (source, w) for each incoming edge
    bias: float | None = None  # b, or θ when `threshold`; None: neither (0, and not a parameter)
    threshold: bool = False  # net = Σ w·x − θ instead of Σ w·x + b

    @property
    def constant(self) -> float:
        """The input the bias multiplies: +1, or −1 for a threshold."""
        return -1.0 if self.threshold else 1.0

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(source for source, _ in self.weights)

    @property
    def bias_kind(self) -> ParameterKind:
        return "threshold" if self.threshold else "bias"


class Layer(Record):
    """A group of neurons with one activation; `sparse` when only the weights written exist."""

    activation: Activation
    neurons: tuple[Neuron, ...]
    sparse: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.neurons)


def dense_layer(activation: Activation, names: Sequence[str], sources: Sequence[str],
                rows: Sequence[Sequence[float]], biases: Sequence[float | None]) -> Layer:
    """A layer fed by every one of `sources`: rows[j][i] is the weight from source i into neuron j."""
    return Layer(activation, tuple(Neuron(name, tuple(zip(sources, row)), bias)
                                   for name, row, bias in zip(names, rows, biases)))


class Sample(Record):
    """One training pair, values in input and output order; no targets: a forward pass only."""

    inputs: tuple[float, ...]
    targets: tuple[float, ...] | None


class Options(Record):
    """How the network is trained; each field is a key of the file format with its default."""

    learning_rate: float | None = None  # η; step and train need it
    loss: LossName = "half_sse"
    reduction: Reduction = "mean"  # how a batch's per-sample errors combine
    batch: Literal["full", "online"] | int = "full"  # or k samples per update
    l2: float = 0.0  # λ in λ·Σw² (weights only)
    momentum: float = 0.0  # α in Δθ(n) = −η·∂E/∂θ + α·Δθ(n−1)
    update_biases: bool = True  # false holds every bias and threshold fixed
    hidden_deltas: HiddenDeltas = "old_weights"
    rounding: Rounding | None = None  # hand-calculation mode
    delta_sign: DeltaSign = "gradient"  # how the course writes δ (display and answers only)


class Parameter(Record):
    """One trainable value: a weight (by its edge), or a bias or threshold (by its neuron)."""

    key: str  # "i1->h1", or the neuron
    kind: ParameterKind
    neuron: str  # the neuron whose net it enters
    source: str = ""  # a weight's source
    value: float = 0.0

    @property
    def is_weight(self) -> bool:
        return self.kind == "weight"


class Network(Record):
    """Inputs, layers, samples and options: everything a command needs."""

    inputs: tuple[str, ...]
    layers: tuple[Layer, ...]
    samples: tuple[Sample, ...] = ()
    options: Options = Options()
    labels: Mapping[str, str] = MappingProxyType({})  # display label → parameter ("w1" → "i1->h1")
    name: str | None = None
    path: str | None = None  # the file it came from, for messages

    # ---- structure

    @property
    def outputs(self) -> tuple[str, ...]:
        return self.layers[-1].names

    @property
    def neurons(self) -> tuple[Neuron, ...]:
        """Every non-input neuron in file order (which is an order of the graph)."""
        return tuple(n for layer in self.layers for n in layer.neurons)

    def neuron(self, name: str) -> Neuron:
        for n in self.neurons:
            if n.name == name:
                return n
        raise KeyError(name)

    def layer_of(self) -> dict[str, int]:
        """The layer index of every neuron (inputs are -1)."""
        where = {name: -1 for name in self.inputs}
        for index, layer in enumerate(self.layers):
            where.update((n.name, index) for n in layer.neurons)
        return where

    def feeds(self) -> dict[str, tuple[str, ...]]:
        """For every input and neuron, the neurons its out feeds, in file order."""
        fed: dict[str, list[str]] = {name: [] for name in self.inputs}
        for n in self.neurons:
            fed[n.name] = []
        for n in self.neurons:
            for source in n.sources:
                fed[source].append(n.name)
        return {name: tuple(dests) for name, dests in fed.items()}

    @property
    def layered(self) -> bool:
        """Every layer fed by all of the layer before and nothing else: the dense matrix form."""
        before = self.inputs
        for layer in self.layers:
            if any(n.sources != before for n in layer.neurons):
                return False
            before = layer.names
        return True

    @property
    def has_targets(self) -> bool:
        return bool(self.samples) and all(s.targets is not None for s in self.samples)

    # ---- parameters

    def parameters(self) -> Iterator[Parameter]:
        """Every parameter: the weights neuron by neuron, then the biases and thresholds (the JSON's order)."""
        for n in self.neurons:
            for source, w in n.weights:
                yield Parameter(edge(source, n.name), "weight", n.name, source, w)
        for n in self.neurons:
            if n.bias is not None:
                yield Parameter(n.name, n.bias_kind, n.name, "", n.bias)

    def weights(self) -> dict[str, float]:
        """Every weight by edge name."""
        return {edge(s, n.name): w for n in self.neurons for s, w in n.weights}

    def biases(self) -> dict[str, float]:
        """Every bias that is written (fixed or not) by neuron name; thresholds are not biases."""
        return {n.name: n.bias for n in self.neurons if n.bias is not None and not n.threshold}

    def thresholds(self) -> dict[str, float]:
        """Every threshold θ by neuron name."""
        return {n.name: n.bias for n in self.neurons if n.bias is not None and n.threshold}

    def values(self) -> dict[str, float]:
        """Every parameter's value by key, in parameter order."""
        return {p.key: p.value for p in self.parameters()}

    @overload
    def __getitem__(self, index: SupportsIndex) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Any, ...]: ...
    @overload
    def __getitem__(self, index: str) -> float: ...

    def __getitem__(self, index):
        """A parameter's value by its label or one name (net["w5"], net["b(h2)"]), its edge
        (net["h1->o1"]) or a bias's neuron (net["h1"]); a number or slice indexes the record's fields."""
        if isinstance(index, str):
            return ParameterValues(self, self.values())[index]
        return tuple.__getitem__(self, index)

    def __repr__(self) -> str:
        """One line, not pages of fields: the shape, the parameters and the samples."""
        shape = "-".join(str(n) for n in (len(self.inputs), *(len(layer.neurons) for layer in self.layers)))
        counts = count_kinds([p.kind for p in self.parameters()])
        samples = len(self.samples)
        return (f"<Network {self.name or self.path or ''}: {shape}, {counts}, "
                f"{samples} sample{'s' if samples != 1 else ''}>").replace("<Network : ", "<Network ")

    def _repr_pretty_(self, printer, cycle: bool) -> None:  # IPython's pretty printer
        printer.text(repr(self))

    def label_of(self, parameter: str) -> str:
        """The one name of a parameter everywhere it is shown: its label, else w(i1->h1), b(h1) or theta(h1)."""
        for label, target in self.labels.items():
            if target == parameter:
                return label
        if ARROW in parameter:
            return f"w({parameter})"
        return f"theta({parameter})" if self.neuron(parameter).threshold else f"b({parameter})"

    # ---- new networks

    def with_parameters(self, values: Mapping[str, float]) -> Network:
        """A copy with the given parameters (by key) replaced; the others unchanged."""
        if not values:
            return self
        layers = []
        for layer in self.layers:
            neurons = []
            for n in layer.neurons:
                weights = tuple((s, values.get(edge(s, n.name), w)) for s, w in n.weights)
                bias = n.bias if n.bias is None else values.get(n.name, n.bias)
                neurons.append(n._replace(weights=weights, bias=bias))
            layers.append(layer._replace(neurons=tuple(neurons)))
        return self._replace(layers=tuple(layers))


def count_kinds(kinds: Sequence[str]) -> str:
    """"8 weights, 4 biases": how many parameters of each kind, for a one-line repr."""
    plural = {"weight": "weights", "bias": "biases", "threshold": "thresholds"}
    return ", ".join(f"{kinds.count(k)} {k if kinds.count(k) == 1 else plural[k]}" for k in plural if k in kinds)


class ParameterValues(Mapping[str, float]):
    """Values by parameter, read by label as well as by edge: keys are the one names (w5, b(h2)) in
    the network's order, and a lookup also takes a parameter's edge (h1->o1) or a bias's neuron."""

    def __init__(self, network: Network, by_key: Mapping[str, float]):
        self._network = network
        self._by_key = by_key

    def __getitem__(self, name: str) -> float:
        if name in self._by_key:
            return self._by_key[name]
        from .errors import BpcalcError
        from .quantities import parameter_named

        try:
            key = parameter_named(self._network, name)
        except BpcalcError as problem:
            raise KeyError(str(problem)) from None
        if key not in self._by_key:
            raise KeyError(f"{name}: not among these values")
        return self._by_key[key]

    def __iter__(self) -> Iterator[str]:
        return (self._network.label_of(key) for key in self._by_key)

    def __len__(self) -> int:
        return len(self._by_key)

    def __repr__(self) -> str:
        return "{" + ", ".join(f"{name!r}: {value!r}" for name, value in self.items()) + "}"
