"""The chain rule for one parameter along every path from it to the error, multiplied out from a step's records.

A weight into neuron j reaches the error through every chain j → k₁ → … → output, each step
along an edge of the graph: to any neuron j feeds, so a path may skip a layer. Each path's
product of factors (dE/dout × dout/dnet × dnet/dout × … × dnet_j/dθ) is one term of ∂E_d/∂θ;
their sum is the gradient the step computed layer by layer. This is what `bpcalc explain`
shows. The factors are read from the trace (the weights are the ones the deltas flowed
through, old or updated); only the products and their sum are new here.
"""

from __future__ import annotations

import math

from .model import ARROW, Network
from .records import Record
from .trace import StepRecord

MAX_PATHS = 64  # beyond this, listing paths teaches nothing; the layer-by-layer sums remain
class Factor(Record):
    """One factor of a path, from the error back to the parameter.

    kind: loss (dE/dout_k), slope (dout_n/dnet_n), delta (dE/dnet_k, for an output whose f′
    does not separate: softmax or cross-entropy), weight (dnet_k/dout_n = w_kn), input
    (dnet_j/dθ: the source's value, 1 for a bias, −1 for a threshold).
    """

    kind: str
    neuron: str  # the neuron the factor belongs to (k for a weight's dnet_k)
    source: str  # weight: the neuron n it leaves; input: the parameter's source ("" for a bias or threshold)
    value: float


class ChainPath(Record):
    """One route from the parameter to the error: its neurons and the product of its factors."""

    neurons: tuple[str, ...]  # j, k₁, …, the output
    factors: tuple[Factor, ...]
    value: float


class ParameterChain(Record):
    """Every path of one parameter for one sample; `total` is their sum, this sample's ∂E_d/∂θ."""

    parameter: str
    sample: int  # index into network.samples
    layer: int  # the layer of the parameter's neuron
    neuron: str
    paths: tuple[ChainPath, ...]  # empty when there are more than MAX_PATHS
    path_count: int  # how many paths there are, listed or not (`count` would hide tuple.count)
    total: float | None  # None when the paths were too many to list


def locate(network: Network, parameter: str) -> tuple[int, str, str]:
    """(layer, neuron, source) of a parameter; source is "" for a bias or threshold."""
    source, _, dest = parameter.rpartition(ARROW)
    layer = network.layer_of().get(dest, -1)
    if layer < 0:
        raise KeyError(parameter)
    return layer, dest, source


def parameter_chains(record: StepRecord, parameter: str) -> tuple[ParameterChain, ...]:
    """The paths of `parameter` for every sample of the step's batch."""
    network = record.network
    layer, neuron, source = locate(network, parameter)
    count = count_paths(network, neuron)
    inputs = {name: i for i, name in enumerate(network.inputs)}
    constant = network.neuron(neuron).constant
    chains = []
    for position, fp in enumerate(record.passes):
        if not source:
            x = constant  # dnet/db = 1, dnet/dθ = −1
        elif source in inputs:
            x = network.samples[fp.sample].inputs[inputs[source]]
        else:
            x = fp.neuron(source).out
        first = Factor("input", neuron, source, x)
        if count > MAX_PATHS:
            chains.append(ParameterChain(parameter, fp.sample, layer, neuron, (), count, None))
            continue
        paths = []
        for route, factors in _routes(network, record, position, neuron):
            factors = factors + (first,)
            paths.append(ChainPath(route, factors, math.prod(f.value for f in factors)))
        total = math.fsum(p.value for p in paths)
        chains.append(ParameterChain(parameter, fp.sample, layer, neuron, tuple(paths), count, total))
    return tuple(chains)


def count_paths(network: Network, neuron: str) -> int:
    """How many paths lead from `neuron` to the error: one from each output, summed back over the
    neurons each one feeds (so a neuron that feeds nothing has none)."""
    outputs = set(network.outputs)
    feeds = network.feeds()
    paths: dict[str, int] = {}
    for n in reversed(network.neurons):  # file order is an order of the graph: later neurons first
        paths[n.name] = 1 if n.name in outputs else sum(paths[k] for k in feeds[n.name])
    return paths[neuron]


def _routes(network: Network, record: StepRecord, position: int, neuron: str):
    """(neurons, factors from the error back to `neuron`'s net) for every route from `neuron` to the error."""
    d = record.deltas[position][neuron]
    if neuron in network.outputs:
        if d.dout_dnet is not None and network.options.loss != "cross_entropy":  # δ splits into two factors
            yield (neuron,), (Factor("loss", neuron, "", d.dE_dout), Factor("slope", neuron, "", d.dout_dnet))
        else:
            yield (neuron,), (Factor("delta", neuron, "", d.delta),)
        return
    assert d.dout_dnet is not None, "a hidden neuron has its own f′: softmax is for the output layer only"
    slope = Factor("slope", neuron, "", d.dout_dnet)
    for term in d.downstream:  # every neuron it feeds, in whatever later layer
        weight = Factor("weight", term.neuron, neuron, term.weight)
        for route, factors in _routes(network, record, position, term.neuron):
            yield (neuron,) + route, factors + (weight, slope)


def on_paths(network: Network, neuron: str) -> list[str]:
    """The neurons after `neuron` on some path from it to the error, in file order (so layer by layer)."""
    outputs = set(network.outputs)
    feeds = network.feeds()
    reaches: dict[str, bool] = {}
    for n in reversed(network.neurons):
        reaches[n.name] = n.name in outputs or any(reaches[k] for k in feeds[n.name])
    found: set[str] = set()
    stack = [k for k in feeds[neuron] if reaches[k]]
    while stack:
        k = stack.pop()
        if k not in found:
            found.add(k)
            stack += [m for m in feeds[k] if reaches[m]]
    return [n.name for n in network.neurons if n.name in found]


class InputChain(Record):
    """Every path from an input to the error for one sample; `total` is their sum, this sample's ∂E_d/∂x.

    Each path starts x → j for a neuron j that x feeds, with the factor dnet_j/dx = w_jx (the
    weight the forward pass used), then the error factors back to net_j as for a parameter.
    """

    input: str
    sample: int  # index into network.samples
    fed: tuple[str, ...]  # the neurons the input feeds, in file order
    paths: tuple[ChainPath, ...]  # empty when there are more than MAX_PATHS
    path_count: int
    total: float | None  # None when the paths were too many to list


def input_chains(record: StepRecord, name: str) -> tuple[InputChain, ...]:
    """The paths of input `name` for every sample of the step's batch: ∂E_d/∂x per sample."""
    network = record.network
    if name not in network.inputs:
        raise KeyError(name)
    fed = network.feeds()[name]
    count = sum(count_paths(network, j) for j in fed)
    chains = []
    for position, fp in enumerate(record.passes):
        if count > MAX_PATHS:
            chains.append(InputChain(name, fp.sample, fed, (), count, None))
            continue
        paths = []
        for j in fed:
            first = Factor("weight", j, name, dict(network.neuron(j).weights)[name])
            for route, factors in _routes(network, record, position, j):
                factors = factors + (first,)
                paths.append(ChainPath(route, factors, math.prod(f.value for f in factors)))
        total = math.fsum(p.value for p in paths)
        chains.append(InputChain(name, fp.sample, fed, tuple(paths), count, total))
    return tuple(chains)
