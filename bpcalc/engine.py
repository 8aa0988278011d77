"""The reference solver: forward pass, deltas, gradients and updates under every convention, as pure functions.

Every function takes a `Network` and returns trace records; nothing prints and nothing is
mutated. Values a student writes down (net, out, E, δ, gradients, new values) pass through the
network's rounding once, here, so hand-calculation mode matches a worked sheet.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Callable, Iterator, Mapping, Sequence

from .arith import exact
from .errors import BpcalcError, NetworkFileError
from .functions import error_gradient, error_terms, layer_outputs, output_deltas
from .model import Layer, Network, edge
from .trace import (Downstream, Evaluation, ForwardPass, NeuronDelta, NeuronPass, ParameterUpdate,
                    StepRecord, TrainRecord)

Round = Callable[[float], float]


def rounder(network: Network) -> Round:
    """The rounding every written-down value goes through: exact unless the file asks for hand rounding."""
    return network.options.rounding or exact


# ---------------------------------------------------------------- forward

def forward(network: Network, index: int) -> ForwardPass:
    """Feed sample `index` forward: net and out for every neuron, E_k for every output, and E_d."""
    r = rounder(network)
    sample = network.samples[index]
    values: Sequence[float] = sample.inputs
    layers = []
    for layer in network.layers:
        nets = [r(math.fsum([w * x for w, x in zip(row, values)]) + (b or 0.0))
                for row, b in zip(layer.weights, layer.biases)]
        outs = [r(o) for o in layer_outputs(layer.activation, nets)]
        layers.append(tuple(NeuronPass(n, net, out) for n, net, out in zip(layer.neurons, nets, outs)))
        values = outs
    terms = tuple(r(e) for e in error_terms(network.options.loss, network.layers[-1].activation.is_softmax,
                                              values, sample.targets))
    return ForwardPass(index, tuple(layers), terms, r(math.fsum(terms)))


def l2_term(network: Network) -> float:
    """λΣw² over every weight (biases are not penalised)."""
    lam = network.options.l2
    if not lam:
        return 0.0
    return lam * math.fsum(w * w for layer in network.layers for row in layer.weights for w in row)


def evaluate(network: Network) -> Evaluation:
    """Every sample fed forward, and the total error E over all of them."""
    r = rounder(network)
    passes = tuple(forward(network, i) for i in range(len(network.samples)))
    penalty = r(l2_term(network))
    total = reduce(network, [p.error for p in passes])
    return Evaluation(passes, penalty, r(total + penalty))


def reduce(network: Network, values: Sequence[float]) -> float:
    """Combine per-sample values by the file's reduction: their mean or their sum."""
    total = math.fsum(values)
    return total / len(values) if network.options.reduction == "mean" else total


# ---------------------------------------------------------------- batches

def batches(network: Network) -> list[tuple[int, ...]]:
    """The sample indices of each update in one epoch, in file order."""
    n = len(network.samples)
    size = {"full": n, "online": 1}.get(network.options.batch, network.options.batch)
    return [tuple(range(start, min(start + size, n))) for start in range(0, n, size)]


# ---------------------------------------------------------------- one update

def step(network: Network, batch: Sequence[int] | None = None,
         velocity: Mapping[str, float] | None = None, *, evaluate_after: bool = True) -> StepRecord:
    """One update on `batch` (default: the first batch), back-propagating layer by layer.

    Layers are updated from the output back. Under `hidden_deltas: new_weights` the deltas of a
    layer are propagated through the already-updated weights of the layer above; under
    `old_weights` (the default, and true gradient descent) through the weights before the step.
    `velocity` is each parameter's previous step, for momentum.
    """
    eta = require_learning_rate(network)
    batch = tuple(batches(network)[0] if batch is None else batch)
    velocity = velocity or {}
    r = rounder(network)
    before = evaluate(network)
    passes = [before.passes[i] for i in batch]
    deltas: list[dict[str, NeuronDelta]] = [{} for _ in batch]
    updates: list[ParameterUpdate] = []
    layers = list(network.layers)
    # The weights hidden deltas flow back through: `layers` fills with updated ones as we go.
    through = layers if network.options.hidden_deltas == "new_weights" else network.layers
    for index in reversed(range(len(layers))):
        for record, fp, sample in zip(deltas, passes, batch):
            layer_deltas = (_output_deltas(network, fp, sample, r) if index == len(layers) - 1
                            else _hidden_deltas(network, through, index, fp, record, r))
            record.update((d.name, d) for d in layer_deltas)
        new_layer, layer_updates = _update_layer(network, index, passes, deltas, velocity, eta, r)
        layers[index] = new_layer
        updates.extend(layer_updates)
    updates.sort(key=_parameter_order(network))
    updated = network.with_layers(tuple(layers))
    after = evaluate(updated) if evaluate_after else None
    batch_error = r(reduce(network, [p.error for p in passes]) + before.l2_term)
    return StepRecord(network, batch, before, batch_error, tuple(deltas), tuple(updates), updated, after)


def require_learning_rate(network: Network) -> float:
    eta = network.options.learning_rate
    if eta is None:
        raise NetworkFileError(network.path, None,
                               "no learning_rate: step and train need one (add e.g. `learning_rate: 0.5`)")
    return eta


def _output_deltas(network: Network, fp: ForwardPass, sample: int, r: Round) -> list[NeuronDelta]:
    """δ_k = ∂E_d/∂out_k × f'(net_k) for each output neuron (softmax: through its Jacobian)."""
    layer = network.layers[-1]
    nets = [n.net for n in fp.layers[-1]]
    outs = [n.out for n in fp.layers[-1]]
    targets = network.samples[sample].targets
    loss = network.options.loss
    grads = error_gradient(loss, layer.activation.is_softmax, outs, targets)
    deltas = output_deltas(loss, layer.activation, nets, outs, targets)
    result = []
    for name, net, out, g, d in zip(layer.neurons, nets, outs, grads, deltas):
        slope = None if layer.activation.is_softmax else layer.activation.df(net, out)
        result.append(NeuronDelta(name, g, slope, r(d)))
    return result


def _hidden_deltas(network: Network, layers: Sequence[Layer], index: int, fp: ForwardPass,
                   known: Mapping[str, NeuronDelta], r: Round) -> list[NeuronDelta]:
    """δ_j = (Σ_k δ_k·w_kj) × f'(net_j), with w_kj from `layers` (old or already updated)."""
    above = layers[index + 1]
    activation = network.layers[index].activation
    result = []
    for j, neuron in enumerate(fp.layers[index]):
        terms = tuple(Downstream(k, row[j], known[k].delta) for k, row in zip(above.neurons, above.weights))
        total = math.fsum(t.weight * t.delta for t in terms)
        slope = activation.df(neuron.net, neuron.out)
        result.append(NeuronDelta(neuron.name, total, slope, r(total * slope), terms))
    return result


def _update_layer(network: Network, index: int, passes: Sequence[ForwardPass],
                  deltas: Sequence[Mapping[str, NeuronDelta]], velocity: Mapping[str, float],
                  eta: float, r: Round) -> tuple[Layer, list[ParameterUpdate]]:
    """New weights and biases for layer `index` from the batch's deltas."""
    options = network.options
    layer = network.layers[index]
    sources = network.sources(index)

    def source_values(fp: ForwardPass) -> Sequence[float]:
        return network.samples[fp.sample].inputs if index == 0 else [n.out for n in fp.layers[index - 1]]

    inputs = [source_values(fp) for fp in passes]
    updates = []
    rows = []
    for j, dest in enumerate(layer.neurons):
        delta_j = [d[dest].delta for d in deltas]
        row = []
        for i, source in enumerate(sources):
            per_sample = tuple(r(d * x[i]) for d, x in zip(delta_j, inputs))
            u = _update(network, edge(source, dest), False, layer.weights[j][i], per_sample,
                        2 * options.l2 * layer.weights[j][i], velocity, eta, r)
            updates.append(u)
            row.append(u.new)
        rows.append(tuple(row))
        bias = layer.biases[j]
        if bias is not None:
            per_sample = tuple(r(d) for d in delta_j)
            u = _update(network, dest, True, bias, per_sample, 0.0, velocity, eta, r,
                        fixed=not options.update_biases)
            updates.append(u)
    biases = tuple(b if b is None else next(u.new for u in updates if u.is_bias and u.name == n)
                   for n, b in zip(layer.neurons, layer.biases))
    return replace(layer, weights=tuple(rows), biases=biases), updates


def _update(network: Network, name: str, is_bias: bool, old: float, per_sample: tuple[float, ...],
            l2: float, velocity: Mapping[str, float], eta: float, r: Round,
            fixed: bool = False) -> ParameterUpdate:
    """θ⁺ = θ − η·∂E/∂θ + α·Δθ(n−1); a fixed bias reports gradient 0 and keeps its value."""
    if fixed:
        return ParameterUpdate(name, is_bias, old, per_sample, 0.0, 0.0, 0.0, 0.0, old, fixed=True)
    gradient = r(reduce(network, per_sample) + l2)
    previous = velocity.get(name, 0.0)
    change = -eta * gradient + network.options.momentum * previous
    return ParameterUpdate(name, is_bias, old, per_sample, gradient, l2, previous, change, r(old + change))


def _parameter_order(network: Network) -> Callable[[ParameterUpdate], tuple[int, int]]:
    """Sort key: weights in file order, then biases in file order (the JSON's order)."""
    order = {name: k for k, (_, _, _, name) in enumerate(network.weight_names())}
    bias_order = {name: k for k, (_, _, name) in enumerate(network.bias_names())}
    return lambda u: (1, bias_order[u.name]) if u.is_bias else (0, order[u.name])


# ---------------------------------------------------------------- training

def updates_per_epoch(network: Network) -> int:
    return len(batches(network))


def train(network: Network, epochs: int, checkpoints: Sequence[int] = (),
          progress: Callable[[int], None] | None = None) -> TrainRecord:
    """`epochs` passes over the samples, batch by batch, momentum carried across batches and epochs.

    The error is measured only at the `checkpoints` (and at the end), so memory stays flat
    however many epochs run. A run whose parameters stop being finite raises, naming the epoch.
    `progress`, if given, is called with each finished epoch's number (for a progress bar).
    """
    if epochs < 0:
        raise BpcalcError(f"the number of epochs must be 0 or more, not {epochs}")
    require_learning_rate(network)
    wanted = sorted({c for c in checkpoints if 0 <= c <= epochs})
    history = []
    velocity: dict[str, float] = {}
    plan = batches(network)
    if wanted and wanted[0] == 0:
        history.append((0, evaluate(network).error))
    for epoch in range(1, epochs + 1):
        for batch in plan:
            record = step(network, batch, velocity, evaluate_after=False)
            network, velocity = record.updated, record.velocity
        _check_finite(network, epoch)
        if epoch in wanted:
            history.append((epoch, evaluate(network).error))
        if progress is not None:
            progress(epoch)
    final = evaluate(network)
    return TrainRecord(epochs, epochs * len(plan), network, final, tuple(history))


def _check_finite(network: Network, epoch: int) -> None:
    values = list(_parameters(network))
    if not all(math.isfinite(v) for v in values):
        raise BpcalcError(f"training diverged in epoch {epoch}: a parameter became "
                          f"{'nan' if any(math.isnan(v) for v in values) else 'infinite'}; "
                          "try a smaller learning_rate")


def _parameters(network: Network) -> Iterator[float]:
    for layer in network.layers:
        for row in layer.weights:
            yield from row
        yield from (b for b in layer.biases if b is not None)


def checkpoints_for(epochs: int) -> list[int]:
    """0, 1, 10, 100, … up to `epochs`, and `epochs` itself: where training reports its error."""
    points, p = [0], 1
    while p < epochs:
        points.append(p)
        p *= 10
    points.append(epochs)
    return sorted(set(points))
