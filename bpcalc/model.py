"""The network as immutable data: layers, parameters, samples and the conventions to train it by. No I/O."""

from __future__ import annotations

from types import MappingProxyType
from typing import Iterator, Mapping

from .arith import Rounding
from .functions import Activation
from .records import Record

# A parameter is named the way the file and the JSON name it: a weight by its edge
# "SOURCE->DEST", a bias by its neuron "DEST".
ARROW = "->"


def edge(source: str, dest: str) -> str:
    """The name of the weight from `source` to `dest`, e.g. "i1->h1"."""
    return f"{source}{ARROW}{dest}"


class Layer(Record):
    """A layer of neurons, each fed by every neuron of the layer before."""

    activation: Activation
    neurons: tuple[str, ...]
    weights: tuple[tuple[float, ...], ...]  # weights[j][i]: from source i to neuron j
    biases: tuple[float | None, ...]  # None: no bias (0, and not a parameter)


class Sample(Record):
    """One training pair, values in layer order."""

    inputs: tuple[float, ...]
    targets: tuple[float, ...]


class Options(Record):
    """How the network is trained; each field is a key of the file format with its default."""

    learning_rate: float | None = None  # η; step and train need it
    loss: str = "half_sse"  # half_sse | sse | mse | cross_entropy
    reduction: str = "mean"  # mean | sum: how a batch's per-sample errors combine
    batch: str | int = "full"  # full | online | k samples per update
    l2: float = 0.0  # λ in λ·Σw² (weights only)
    momentum: float = 0.0  # α in Δθ(n) = −η·∂E/∂θ + α·Δθ(n−1)
    update_biases: bool = True
    hidden_deltas: str = "old_weights"  # old_weights | new_weights
    rounding: Rounding | None = None  # hand-calculation mode


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

    def sources(self, index: int) -> tuple[str, ...]:
        """Names of the neurons feeding layer `index` (the inputs for layer 0)."""
        return self.inputs if index == 0 else self.layers[index - 1].neurons

    @property
    def outputs(self) -> tuple[str, ...]:
        return self.layers[-1].neurons

    @property
    def neurons(self) -> tuple[str, ...]:
        """Every non-input neuron in layer order."""
        return tuple(n for layer in self.layers for n in layer.neurons)

    def weight_names(self) -> Iterator[tuple[int, int, int, str]]:
        """(layer, j, i, "src->dst") for every weight, layer by layer, neuron by neuron."""
        for index, layer in enumerate(self.layers):
            sources = self.sources(index)
            for j, dest in enumerate(layer.neurons):
                for i, source in enumerate(sources):
                    yield index, j, i, edge(source, dest)

    def bias_names(self) -> Iterator[tuple[int, int, str]]:
        """(layer, j, neuron) for every neuron that has a bias."""
        for index, layer in enumerate(self.layers):
            for j, (name, bias) in enumerate(zip(layer.neurons, layer.biases)):
                if bias is not None:
                    yield index, j, name

    def weights(self) -> dict[str, float]:
        """Every weight by edge name."""
        return {name: self.layers[l].weights[j][i] for l, j, i, name in self.weight_names()}

    def biases(self) -> dict[str, float]:
        """Every bias that is written (fixed or not) by neuron name."""
        return {name: self.layers[l].biases[j] for l, j, name in self.bias_names()}

    def label_of(self, parameter: str) -> str:
        """The display name of a parameter: its label if it has one, else its edge or neuron name."""
        for label, target in self.labels.items():
            if target == parameter:
                return label
        return parameter

    # ---- new networks

    def with_parameters(self, weights: Mapping[str, float], biases: Mapping[str, float]) -> Network:
        """A copy with the given weights and biases (by name) replaced; others unchanged."""
        layers = []
        for index, layer in enumerate(self.layers):
            sources = self.sources(index)
            rows = tuple(
                tuple(weights.get(edge(s, dest), w) for s, w in zip(sources, row))
                for dest, row in zip(layer.neurons, layer.weights)
            )
            bs = tuple(b if b is None else biases.get(n, b) for n, b in zip(layer.neurons, layer.biases))
            layers.append(layer._replace(weights=rows, biases=bs))
        return self._replace(layers=tuple(layers))

    def with_layers(self, layers: tuple[Layer, ...]) -> Network:
        return self._replace(layers=layers)
