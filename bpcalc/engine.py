"""The reference solver: forward pass, deltas, gradients and updates under every convention, as pure functions.

Every function takes a `Network` and returns trace records; nothing prints and nothing is
mutated. Values a student writes down (net, out, E, δ, gradients, new values) pass through the
network's rounding once, here, so hand-calculation mode matches a worked sheet.
"""

from __future__ import annotations

import math
from typing import Callable, Mapping, Sequence

from .arith import exact
from .errors import BpcalcError, NetworkFileError
from .functions import error_gradient, error_terms, layer_outputs, ln_zero, output_deltas
from .model import Layer, Network, edge
from .trace import (Downstream, Evaluation, ForwardPass, NeuronDelta, NeuronPass, ParameterUpdate,
                    StepRecord, TrainRecord)

Round = Callable[[float], float]


def rounder(network: Network) -> Round:
    """The rounding every written-down value goes through: exact unless the file asks for hand rounding."""
    return network.options.rounding or exact


# ---------------------------------------------------------------- values beyond a double

TOO_BIG_INPUT = "scale the inputs or the weights down"
TOO_BIG_STEP = "try a smaller learning_rate"


class Overflow(NetworkFileError):
    """A value went beyond the range of a double, so every later number would be ±inf or nan.

    Results are never shown with such a value: the command stops and says which one. The one
    infinity that is a true result, cross-entropy's ln 0 under hand rounding, is not an Overflow.
    """

    def __init__(self, network: Network, detail: str, advice: str):
        self.detail = detail  # which value, e.g. "sample 1: net of 'h1'"; train adds the epoch
        super().__init__(network.path, None, f"{detail} is beyond the range of a double (±1.8e308); {advice}")


def _require_finite(network: Network, values: Sequence[float], names: Sequence[str], what: str,
                    advice: str = TOO_BIG_INPUT) -> None:
    """Raise an Overflow naming the first value that is ±inf or nan; `what` is formatted with its name."""
    if all(map(math.isfinite, values)):
        return
    name = next(n for n, v in zip(names, values) if not math.isfinite(v))
    raise Overflow(network, what.format(name=name), advice)


def _sum(values: Sequence[float]) -> float:
    """Σ values, exactly rounded (fsum); ±inf or nan where fsum would raise on overflow."""
    try:
        return math.fsum(values)
    except (OverflowError, ValueError):
        return sum(values)


# ---------------------------------------------------------------- forward

def forward(network: Network, index: int) -> ForwardPass:
    """Feed sample `index` forward: net and out for every neuron, E_k for every output, and E_d."""
    r = rounder(network)
    sample = network.samples[index]
    values: Sequence[float] = sample.inputs
    layers = []
    where = f"sample {index + 1}: "
    for layer in network.layers:
        nets = [r(_sum([w * x for w, x in zip(row, values)]) + (b or 0.0))
                for row, b in zip(layer.weights, layer.biases)]
        _require_finite(network, nets, layer.neurons, where + "net of '{name}'")
        outs = [r(o) for o in layer_outputs(layer.activation, nets)]
        _require_finite(network, outs, layer.neurons, where + "out of '{name}'")
        layers.append(tuple(NeuronPass(n, net, out) for n, net, out in zip(layer.neurons, nets, outs)))
        values = outs
    # Exact cross-entropy takes ln out from the nets; hand rounding, from the out written down.
    exact_nets = nets if network.options.rounding is None else None
    terms = tuple(r(e) for e in error_terms(network.options.loss, network.layers[-1].activation.is_softmax,
                                              values, sample.targets, exact_nets))
    for name, term, out, target in zip(network.outputs, terms, values, sample.targets):
        if not math.isfinite(term) and _error_reason(network, out, target) is None:
            raise Overflow(network, f"{where}the error of '{name}'", TOO_BIG_INPUT)
    return ForwardPass(index, tuple(layers), terms, r(_sum(terms)))


def _error_reason(network: Network, out: float, target: float) -> str | None:
    """Why an output's error is truly infinite (ln 0), or None."""
    return ln_zero(network.options.loss, network.layers[-1].activation.is_softmax, out, target)


def infinite_errors(network: Network, evaluation: Evaluation) -> list[str]:
    """One line for each error term of `evaluation` that is ∞, saying why (ln 0 of an exact 0 or 1)."""
    notes = []
    for fp in evaluation.passes:
        targets = network.samples[fp.sample].targets
        for name, term, out, target in zip(network.outputs, fp.error_terms, fp.outputs, targets):
            if not math.isfinite(term):
                notes.append(f"sample {fp.sample + 1}: the error of '{name}' is ∞: "
                             f"{_error_reason(network, out, target)}")
    return notes


def l2_term(network: Network) -> float:
    """λΣw² over every weight (biases are not penalised)."""
    lam = network.options.l2
    if not lam:
        return 0.0
    return lam * _sum([w * w for layer in network.layers for row in layer.weights for w in row])


def evaluate(network: Network) -> Evaluation:
    """Every sample fed forward, and the total error E over all of them."""
    r = rounder(network)
    passes = tuple(forward(network, i) for i in range(len(network.samples)))
    penalty = r(l2_term(network))
    _require_finite(network, [penalty], ["l2"], "the l2 term λΣw²")
    errors = [p.error for p in passes]
    total = r(reduce(network, errors) + penalty)
    if all(map(math.isfinite, errors)):  # an infinite E_d (ln 0) makes the total truly infinite too
        _require_finite(network, [total], ["E"], "the total error E")
    return Evaluation(passes, penalty, total)


def reduce(network: Network, values: Sequence[float]) -> float:
    """Combine per-sample values by the file's reduction: their mean or their sum."""
    total = _sum(values)
    return total / len(values) if network.options.reduction == "mean" else total


# ---------------------------------------------------------------- batches

def batches(network: Network) -> list[tuple[int, ...]]:
    """The sample indices of each update in one epoch, in file order."""
    n = len(network.samples)
    size = {"full": n, "online": 1}.get(network.options.batch, network.options.batch)
    return [tuple(range(start, min(start + size, n))) for start in range(0, n, size)]


# ---------------------------------------------------------------- one update

def step(network: Network, batch: Sequence[int] | None = None,
         velocity: Mapping[str, float] | None = None, *, evaluate_after: bool = True,
         before: Evaluation | None = None) -> StepRecord:
    """One update on `batch` (default: the first batch), back-propagating layer by layer.

    Layers are updated from the output back. Under `hidden_deltas: new_weights` the deltas of a
    layer are propagated through the already-updated weights of the layer above; under
    `old_weights` (the default, and true gradient descent) through the weights before the step.
    `velocity` is each parameter's previous step, for momentum; `before` is `evaluate(network)`
    where the caller has it already (train passes on the previous step's `after`).
    """
    eta = require_learning_rate(network)
    batch = tuple(batches(network)[0] if batch is None else batch)
    velocity = velocity or {}
    r = rounder(network)
    before = evaluate(network) if before is None else before
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
    _require_finite_step(network, batch, deltas, updates)
    updated = network.with_layers(tuple(layers))
    try:
        after = evaluate(updated) if evaluate_after else None
    except Overflow as overflow:
        raise Overflow(network, f"after the update, {overflow.detail}", TOO_BIG_STEP) from None
    batch_error = r(reduce(network, [p.error for p in passes]) + before.l2_term)
    return StepRecord(network, batch, before, batch_error, tuple(deltas), tuple(updates), updated, after)


def _require_finite_step(network: Network, batch: Sequence[int], deltas: Sequence[Mapping[str, NeuronDelta]],
                         updates: Sequence[ParameterUpdate]) -> None:
    """Every δ, every gradient and every new value of a step is finite, or the step is refused.

    ∂E/∂out of an output may be ∞ under cross-entropy (out exactly 0 or 1): δ uses the cancelled
    form out − t there, so only δ and, for hidden neurons, Σδw must be finite. A gradient is
    finite only if each sample's term is.
    """
    outputs = set(network.outputs)
    for sample, record in zip(batch, deltas):
        where = f"sample {sample + 1}: "
        _require_finite(network, [d.delta for d in record.values()], list(record), where + "δ of '{name}'")
        hidden = [d for d in record.values() if d.name not in outputs]
        _require_finite(network, [d.dE_dout for d in hidden], [d.name for d in hidden], where + "Σδw into '{name}'")
    bad = next((u for u in updates if not math.isfinite(u.gradient)), None)
    if bad is not None:
        raise Overflow(network, f"the gradient ∂E/∂{network.label_of(bad.name)}", TOO_BIG_INPUT)
    bad = next((u for u in updates if not math.isfinite(u.new)), None)
    if bad is not None:
        raise Overflow(network, f"the new value of {network.label_of(bad.name)}", TOO_BIG_STEP)


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
    exact_nets = nets if network.options.rounding is None else None
    grads = error_gradient(loss, layer.activation.is_softmax, outs, targets, exact_nets)
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
        total = _sum([t.weight * t.delta for t in terms])
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
    new_biases = {u.name: u.new for u in updates if u.is_bias}
    biases = tuple(b if b is None else new_biases[n] for n, b in zip(layer.neurons, layer.biases))
    return layer._replace(weights=tuple(rows), biases=biases), updates


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
    however many epochs run. A run in which a value goes beyond a double stops, naming the epoch.
    `progress`, if given, is called with each finished epoch's number (for a progress bar).
    """
    if epochs < 0:
        raise BpcalcError(f"the number of epochs must be 0 or more, not {epochs}")
    require_learning_rate(network)
    wanted = sorted({c for c in checkpoints if 0 <= c <= epochs})
    velocity: dict[str, float] = {}
    plan = batches(network)
    current = evaluate(network)  # an overflow here is the file's, before any training
    history = [(0, current.error)] if wanted and wanted[0] == 0 else []
    epoch = 0
    try:
        for epoch in range(1, epochs + 1):
            for batch in plan:
                # Each step evaluates its result, so an overflow is caught in the epoch that made it.
                record = step(network, batch, velocity, before=current)
                network, velocity, current = record.updated, record.velocity, record.after
            if epoch in wanted:
                history.append((epoch, current.error))
            if progress is not None:
                progress(epoch)
    except Overflow as overflow:
        raise NetworkFileError(network.path, None, f"training diverged in epoch {epoch}: {overflow.detail} "
                                                   f"is beyond the range of a double; {TOO_BIG_STEP}") from None
    return TrainRecord(epochs, epochs * len(plan), network, current, tuple(history))


def checkpoints_for(epochs: int) -> list[int]:
    """0, 1, 10, 100, … up to `epochs`, and `epochs` itself: where training reports its error."""
    points, p = [0], 1
    while p < epochs:
        points.append(p)
        p *= 10
    points.append(epochs)
    return sorted(set(points))
