"""The chain rule for one parameter along every path from it to the error, multiplied out from a step's records.

A weight into neuron j reaches the error through every chain j → k₁ → … → output. Each
path's product of factors (dE/dout × dout/dnet × dnet/dout × … × dnet_j/dθ) is one term of
∂E_d/∂θ; their sum is the gradient the step computed layer by layer. This is what
`bpcalc explain` shows. The factors are read from the trace (the weights are the ones the
deltas flowed through, old or updated); only the products and their sum are new here.
"""

from __future__ import annotations

import math

from .errors import BpcalcError
from .model import ARROW, Network
from .records import Record
from .trace import StepRecord

MAX_PATHS = 64  # beyond this, listing paths teaches nothing; the layer-by-layer sums remain


class Factor(Record):
    """One factor of a path, from the error back to the parameter.

    kind: loss (dE/dout_k), slope (dout_n/dnet_n), delta (dE/dnet_k, for an output whose f′
    does not separate: softmax or cross-entropy), weight (dnet_k/dout_n = w_kn), input
    (dnet_j/dθ: the source's value, or 1 for a bias).
    """

    kind: str
    neuron: str  # the neuron the factor belongs to (k for a weight's dnet_k)
    source: str  # weight: the neuron n it leaves; input: the parameter's source ("" for a bias)
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
    count: int
    total: float | None  # None when the paths were too many to list


def parameters(network: Network) -> list[str]:
    """Every parameter's name as a user types it: its label, else its edge or neuron."""
    names = [name for _, _, _, name in network.weight_names()] + [n for _, _, n in network.bias_names()]
    return [network.label_of(n) for n in names]


def resolve(network: Network, text: str) -> str:
    """The parameter (edge or neuron) that `text` names: a label, an edge (i1->h1) or a bias's neuron."""
    wanted = ARROW.join(part.strip() for part in text.strip().split(ARROW))
    if wanted in network.labels:
        return network.labels[wanted]
    known = {name for _, _, _, name in network.weight_names()} | {n for _, _, n in network.bias_names()}
    if wanted in known:
        return wanted
    raise BpcalcError(f"no parameter '{text}'; the parameters are: {', '.join(parameters(network))}")


def locate(network: Network, parameter: str) -> tuple[int, str, str]:
    """(layer, neuron, source) of a parameter; source is "" for a bias."""
    source, _, dest = parameter.rpartition(ARROW)
    for index, layer in enumerate(network.layers):
        if dest in layer.neurons:
            return index, dest, source
    raise KeyError(parameter)


def parameter_chains(record: StepRecord, parameter: str) -> tuple[ParameterChain, ...]:
    """The paths of `parameter` for every sample of the step's batch."""
    network = record.network
    layer, neuron, source = locate(network, parameter)
    count = _count_paths(network, layer)
    chains = []
    for position, fp in enumerate(record.passes):
        if source:
            sources = network.sources(layer)
            i = sources.index(source)
            x = network.samples[fp.sample].inputs[i] if layer == 0 else fp.layers[layer - 1][i].out
        else:
            x = 1.0
        first = Factor("input", neuron, source, x)
        if count > MAX_PATHS:
            chains.append(ParameterChain(parameter, fp.sample, layer, neuron, (), count, None))
            continue
        paths = []
        for route, factors in _routes(network, record, position, layer, neuron):
            factors = factors + (first,)
            paths.append(ChainPath(route, factors, math.prod(f.value for f in factors)))
        total = math.fsum(p.value for p in paths)
        chains.append(ParameterChain(parameter, fp.sample, layer, neuron, tuple(paths), count, total))
    return tuple(chains)


def _count_paths(network: Network, layer: int) -> int:
    return math.prod(len(l.neurons) for l in network.layers[layer + 1:])


def _routes(network: Network, record: StepRecord, position: int, layer: int, neuron: str):
    """(neurons, factors from the error back to `neuron`'s net) for every route from `neuron` to the error."""
    deltas = record.deltas[position]
    d = deltas[neuron]
    if layer == len(network.layers) - 1:
        separable = d.dout_dnet is not None and network.options.loss != "cross_entropy"
        if separable:
            yield (neuron,), (Factor("loss", neuron, "", d.dE_dout), Factor("slope", neuron, "", d.dout_dnet))
        else:
            yield (neuron,), (Factor("delta", neuron, "", d.delta),)
        return
    slope = Factor("slope", neuron, "", d.dout_dnet)
    for term in d.downstream:
        weight = Factor("weight", term.neuron, neuron, term.weight)
        for route, factors in _routes(network, record, position, layer + 1, term.neuron):
            yield (neuron,) + route, factors + (weight, slope)
