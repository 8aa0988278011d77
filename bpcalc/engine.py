"""The reference solver: one walk over the graph of neurons — forward, deltas, gradients, updates — under every convention.

A step is computed once, here, by `Walk`: the forward pass neuron by neuron, then from the
output layer back, each neuron's δ_j = f′(net_j)·Σ_k w_jk·δ_k over the neurons k it feeds,
each parameter's gradient, step and new value, and the forward pass after the update. Every
value a sheet writes down is named (net_h1, delta_o1, dE/dw5, w5+; see quantities.py) and
handed to a `Tape` as it is computed: the engine's own tape keeps each value as it is, while
`check` listens to the same walk to learn what each value is computed from and to carry a
student's own number forward instead (follow-through). Values pass through the network's
rounding once, here, so hand-calculation mode matches a worked sheet. Nothing prints and
nothing is mutated; every function returns trace records.
"""

from __future__ import annotations

import math
from typing import Callable, Literal, Mapping, Sequence

from . import quantities as q
from .arith import exact
from .errors import BpcalcError, NetworkFileError
from .functions import error_gradient, error_terms, layer_outputs, ln_zero, output_deltas
from .model import Network, Neuron, ParameterKind, edge
from .records import Record
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


def _sum(values: Sequence[float]) -> float:
    """Σ values, exactly rounded (fsum); ±inf or nan where fsum would raise on overflow."""
    try:
        return math.fsum(values)
    except (OverflowError, ValueError):
        return sum(values)


def reduce(network: Network, values: Sequence[float]) -> float:
    """Combine per-sample values by the file's reduction: their mean or their sum."""
    total = _sum(values)
    return total / len(values) if network.options.reduction == "mean" else total


# ---------------------------------------------------------------- what the walk tells

Kind = Literal["forward", "factor", "delta", "gradient", "step", "new", "error_after", "after", ""]


class Tape:
    """Hears each value the walk writes down, in solution order, and returns the value to carry on.

    `key` is the quantity's name (net_h1, delta_o1, dE/dw5, w5+), or '#…' for a value no sheet
    names; `deps` are the keys it was computed from; `signed` marks the values whose sign depends
    on how δ is written (δ, ∂E/∂out, ∂E/∂θ). The engine's own tape carries every value as it is.
    """

    def __call__(self, key: str, value: float, deps: tuple[str, ...], kind: Kind, signed: bool) -> float:
        return value


NetForOut = Literal["forward", "gradient", "derivative", "error"]
NET_FOR_OUT: tuple[NetForOut, ...] = ("forward", "gradient", "derivative", "error")  # where net may stand for out


class Slips(Record):
    """Departures from the textbook formulas that students make, for `check` to recompute under.

    All off is the network's own maths. (A δ written with the other sign is the tape's business:
    the maths is the same, only the numbers written down are negated.)
    """

    flip_update: bool = False  # θ⁺ = θ + η·∂E/∂θ
    no_derivative: bool = False  # f′(net) left out of every δ
    net_for_out: NetForOut | None = None  # where net stands for out


NO_SLIPS = Slips()


class Keys(Record):
    """Where a sample's values are kept in a walk: the key of each neuron's net and out (inputs
    included), and of its E_d (None without targets)."""

    nets: dict[str, str]
    outs: dict[str, str]
    error: str | None


class Walk:
    """One step of one network over its graph, value by value; see the module's docstring.

    With no tape it is the engine (and a value beyond a double stops it with an Overflow); with
    a tape it is `check`'s recomputation, where a slip may make any value inf or nan.
    """

    def __init__(self, network: Network, tape: Tape | None = None, slips: Slips = NO_SLIPS):
        self.network = network
        self.tape = tape
        self.strict = tape is None
        self.slips = slips
        self.r = rounder(network)
        self.v: dict[str, float] = {}  # every value carried, by key
        self.exact = network.options.rounding is None
        self.outputs = network.outputs
        self.output_layer = network.layers[-1]
        self.softmax_output = self.output_layer.activation.is_softmax
        # The names each sheet writes, made once (quantities.py spells them).
        self.label = {p.key: network.label_of(p.key) for p in network.parameters()}
        self.activation = {n.name: layer.activation for layer in network.layers for n in layer.neurons}
        self.neuron = {n.name: n for n in network.neurons}
        self.old = {}
        for p in network.parameters():
            self.old[p.key] = self.put(f"#old:{p.key}", p.value)
        self.input_keys = []
        for s, sample in enumerate(network.samples):
            k = q.sample_suffix(network, s)
            self.input_keys.append({name: self.put(f"#in:{name}{k}", x) for name, x in zip(network.inputs, sample.inputs)})

    def put(self, key: str, value: float, deps: tuple[str, ...] = (), kind: Kind = "", signed: bool = False) -> str:
        """Write down one value; returns its key, under which the value to carry on is kept."""
        if self.tape is not None:
            value = self.tape(key, value, deps, kind, signed)
        self.v[key] = value
        return key

    def require_finite(self, values: Sequence[float], names: Sequence[str], what: str,
                       advice: str = TOO_BIG_INPUT) -> None:
        """In the engine, stop at the first value that is ±inf or nan; `what` is formatted with its name."""
        if not self.strict or all(map(math.isfinite, values)):
            return
        name = next(n for n, v in zip(names, values) if not math.isfinite(v))
        raise Overflow(self.network, what.format(name=name), advice)

    # ------------------------------------------------------------ forward

    def forward(self, s: int, parameters: Mapping[str, str], at: str = "", hidden: str = "",
                kind: Kind = "forward") -> tuple[ForwardPass, Keys]:
        """net and out of every neuron, E_k of every output and E_d for sample s, with the
        parameters held under `parameters` (key → the key of its value); and where each is kept."""
        network, r, v = self.network, self.r, self.v
        k = q.sample_suffix(network, s)
        outs = dict(self.input_keys[s])
        nets = dict(outs)  # an input's "net" is the input itself (for Slips.net_for_out)
        feed = nets if self.slips.net_for_out == "forward" else outs
        where = f"sample {s + 1}: "
        layers = []
        for layer in network.layers:
            activation = layer.activation
            for n in layer.neurons:
                weights = [parameters[edge(source, n.name)] for source in n.sources]
                xs = [feed[source] for source in n.sources]
                terms = [v[w] * v[x] for w, x in zip(weights, xs)]
                bias = (parameters[n.name],) if n.bias is not None else ()
                constant = n.constant * v[bias[0]] if bias else 0.0
                nets[n.name] = self.put(f"{hidden}{q.net(n.name, k)}{at}", r(_sum(terms) + constant),
                                        (*xs, *weights, *bias), kind)
                if not activation.is_softmax:
                    outs[n.name] = self.put(f"{hidden}{q.out(n.name, k)}{at}", r(activation.f(v[nets[n.name]])),
                                            (nets[n.name],), kind)
            names = layer.names
            layer_nets = [v[nets[name]] for name in names]
            self.require_finite(layer_nets, names, where + "net of '{name}'")
            if activation.is_softmax:
                for name, out in zip(names, layer_outputs(activation, layer_nets)):
                    outs[name] = self.put(f"{hidden}{q.out(name, k)}{at}", r(out), tuple(nets[m] for m in names), kind)
            layer_outs = [v[outs[name]] for name in names]
            self.require_finite(layer_outs, names, where + "out of '{name}'")
            layers.append(tuple(NeuronPass(name, net, out) for name, net, out in zip(names, layer_nets, layer_outs)))
        targets = network.samples[s].targets
        if targets is None:
            return ForwardPass(s, tuple(layers), (), None), Keys(nets, outs, None)
        per_output, error = self.error_terms(s, nets, outs, targets, at, hidden, kind)
        return ForwardPass(s, tuple(layers), per_output, v[error]), Keys(nets, outs, error)

    def error_terms(self, s: int, nets: Mapping[str, str], outs: Mapping[str, str], targets: Sequence[float],
                    at: str, hidden: str, kind: Kind) -> tuple[tuple[float, ...], str]:
        """E_k for each output, and the key of E_d = Σ_k E_k."""
        network, r, v = self.network, self.r, self.v
        k = q.sample_suffix(network, s)
        loss = network.options.loss
        from_net = self.slips.net_for_out == "error"
        values = [v[nets[name]] if from_net else v[outs[name]] for name in self.outputs]
        # Exact cross-entropy takes ln out from the nets (finite where out rounds to 0 or 1);
        # hand rounding, from the out written down.
        by_nets = loss == "cross_entropy" and self.exact
        exact_nets = [v[nets[name]] for name in self.outputs] if by_nets else None
        keys = []
        for j, name in enumerate(self.outputs):
            source = nets[name] if from_net or by_nets else outs[name]
            if self.softmax_output and by_nets:
                deps = tuple(nets[m] for m in self.outputs)
                value = error_terms(loss, True, values, targets, exact_nets)[j]
            else:
                deps = (source,)
                value = _one_of(error_terms, loss, self.softmax_output, values[j], j, targets,
                                None if exact_nets is None else exact_nets[j])
            keys.append(self.put(f"{hidden}{q.error_term(name, k)}{at}", r(value), deps, kind))
        terms = tuple(v[key] for key in keys)
        where = f"sample {s + 1}: "
        for name, term, out, target in zip(self.outputs, terms, values, targets):
            if self.strict and not math.isfinite(term) and _error_reason(network, out, target) is None:
                raise Overflow(network, f"{where}the error of '{name}'", TOO_BIG_INPUT)
        return terms, self.put(f"#{hidden}E_d{k}{at}", r(_sum(terms)), tuple(keys))

    def total(self, key: str, errors: Sequence[str], parameters: Mapping[str, str], kind: Kind) -> tuple[float, float]:
        """E = reduce(E_d) + λΣw² with the weights held under `parameters`; returns (λΣw², E)."""
        network, r, v = self.network, self.r, self.v
        weights = tuple(parameters[w] for w in network.weights())
        lam = network.options.l2
        penalty = r(lam * _sum([v[w] * v[w] for w in weights])) if lam else 0.0
        self.require_finite([penalty], ["l2"], "the l2 term λΣw²")
        total = r(reduce(network, [v[e] for e in errors]) + penalty)
        key = self.put(key, total, (*errors, *weights), kind)
        total = v[key]
        if all(math.isfinite(v[e]) for e in errors):  # an infinite E_d (ln 0) makes the total truly infinite
            self.require_finite([total], ["E"], "the total error E")
        return penalty, total

    def evaluate(self, parameters: Mapping[str, str], at: str = "", hidden: str = "", kind: Kind = "forward",
                 total_key: str = q.E_TOTAL, total_kind: Kind = "forward") -> tuple[Evaluation, list[Keys]]:
        """Every sample fed forward, and the total error E over them (None when a sample has no
        targets); and where each sample's values are kept."""
        passes, keys = [], []
        for s in range(len(self.network.samples)):
            fp, where = self.forward(s, parameters, at, hidden, kind)
            passes.append(fp)
            keys.append(where)
        errors = [where.error for where in keys if where.error is not None]
        if len(errors) < len(passes):
            return Evaluation(tuple(passes), 0.0, None), keys
        penalty, total = self.total(total_key, errors, parameters, total_kind)
        return Evaluation(tuple(passes), penalty, total), keys

    # ------------------------------------------------------------ one update

    def step(self, batch: Sequence[int], velocity: Mapping[str, float], evaluate_after: bool = True,
             before: Evaluation | None = None) -> StepRecord:
        """The update on `batch`, from the output layer back; see `step` below."""
        network = self.network
        eta = require_learning_rate(network)
        require_targets(network)
        if before is None:
            before, keys = self.evaluate(self.old)
        else:  # carried over from the step before (training): its values, without recomputing them
            keys = self.seed(before)
        nets, outs = [where.nets for where in keys], [where.outs for where in keys]
        self.new: dict[str, str] = {}
        deltas: list[dict[str, NeuronDelta]] = [{} for _ in batch]
        updates: dict[str, ParameterUpdate] = {}
        feeds = network.feeds()
        through = self.new if network.options.hidden_deltas == "new_weights" else self.old
        delta_keys: dict[tuple[int, str], str] = {}
        last = len(network.layers) - 1
        for index in reversed(range(len(network.layers))):
            layer = network.layers[index]
            for record, s in zip(deltas, batch):
                if index == last:
                    found = self.output_deltas(s, nets[s], outs[s], delta_keys)
                else:
                    found = [self.hidden_delta(n, s, nets[s], outs[s], feeds[n.name], through, delta_keys)
                             for n in layer.neurons]
                record.update((d.name, d) for d in found)
            for u in self.update(layer.neurons, batch, outs, nets, delta_keys, velocity, eta):
                updates[u.name] = u
        ordered = tuple(updates[p.key] for p in network.parameters())
        self.require_finite_step(batch, deltas, ordered)
        updated = network.with_parameters({u.name: u.new for u in ordered})
        if network.options.momentum:  # the state the next update starts from
            updated = updated._replace(previous_steps={u.name: u.step for u in ordered if not u.fixed})
        after = None
        if evaluate_after:
            one_epoch_is_one_update = updates_per_epoch(network) == 1
            at, hidden = (q.after_suffix(1), "") if one_epoch_is_one_update else ("", "#after:")
            try:
                after, _ = self.evaluate({**self.old, **self.new}, at, hidden, "after", q.E_AFTER, "error_after")
            except Overflow as overflow:
                raise Overflow(network, f"after the update, {overflow.detail}", TOO_BIG_STEP) from None
        batch_error = self.r(reduce(network, [known(before.passes[s].error) for s in batch]) + before.l2_term)
        return StepRecord(network, tuple(batch), before, batch_error, tuple(deltas), ordered, updated, after)

    def seed(self, before: Evaluation) -> list[Keys]:
        """The nets and outs of an evaluation already made, carried as this walk's values."""
        keys = []
        for fp in before.passes:
            k = q.sample_suffix(self.network, fp.sample)
            nets, outs = dict(self.input_keys[fp.sample]), dict(self.input_keys[fp.sample])
            for layer in fp.layers:
                for neuron in layer:
                    nets[neuron.name] = self.put(q.net(neuron.name, k), neuron.net)
                    outs[neuron.name] = self.put(q.out(neuron.name, k), neuron.out)
            keys.append(Keys(nets, outs, None))
        return keys

    def slope(self, n: Neuron, net: str, out: str, k: str) -> str:
        """dout/dnet = f′(net) (σ′ written with out), or as a slip has it."""
        key, df = q.dout_dnet(n.name, k), self.activation[n.name].df
        if self.slips.no_derivative:
            return self.put(key, 1.0, (), "factor")
        if self.slips.net_for_out == "derivative":
            return self.put(key, df(self.v[net], self.v[net]), (net,), "factor")
        return self.put(key, df(self.v[net], self.v[out]), (net, out), "factor")

    def output_deltas(self, s: int, nets: Mapping[str, str], outs: Mapping[str, str],
                      delta_keys: dict[tuple[int, str], str]) -> list[NeuronDelta]:
        """δ_k = ∂E_d/∂out_k × f′(net_k) for each output (softmax: through its Jacobian; cross-entropy:
        the cancelled form out − t)."""
        network, r, v = self.network, self.r, self.v
        k = q.sample_suffix(network, s)
        activation = self.output_layer.activation
        loss = network.options.loss
        targets = network.samples[s].targets
        assert targets is not None
        from_net = self.slips.net_for_out == "error"
        net_keys = [nets[name] for name in self.outputs]
        out_keys = [outs[name] for name in self.outputs]
        values = [v[key] for key in (net_keys if from_net else out_keys)]
        by_nets = loss == "cross_entropy" and self.exact
        # Cross-entropy with its own output, and softmax, do not split δ into the two factors:
        # δ comes from the layer's nets and outs at once, as output_deltas computes it.
        joint = activation.is_softmax or loss == "cross_entropy"
        width = len(self.outputs)
        found = []
        for j, name in enumerate(self.outputs):
            if self.softmax_output and by_nets:
                grad_deps = tuple(net_keys)
                gradient = error_gradient(loss, True, values, targets, [v[key] for key in net_keys])[j]
            else:
                grad_deps = (net_keys[j] if from_net or by_nets else out_keys[j],)
                gradient = _one_of(error_gradient, loss, self.softmax_output, values[j], j, targets,
                                   v[net_keys[j]] if by_nets else None)
            g = self.put(q.dE_dout(name, k), gradient, grad_deps, "factor", signed=True)
            slope = None if activation.is_softmax else self.slope(self.neuron[name], net_keys[j], out_keys[j], k)
            key = q.delta(name, k)
            if activation.is_softmax:
                value = output_deltas(loss, activation, [v[n] for n in net_keys], [v[o] for o in out_keys], targets)[j]
                delta = self.put(key, r(value), (*net_keys, *out_keys), "delta", signed=True)
            elif joint:
                value = output_deltas(loss, activation, _spread(v[net_keys[j]], j, width),
                                      _spread(v[out_keys[j]], j, width), targets)[j]
                delta = self.put(key, r(value), (net_keys[j], out_keys[j]), "delta", signed=True)
            else:
                assert slope is not None
                delta = self.put(key, r(v[g] * v[slope]), (g, slope), "delta", signed=True)
            delta_keys[s, name] = delta
            found.append(NeuronDelta(name, v[g], None if slope is None else v[slope], v[delta]))
        return found

    def hidden_delta(self, n: Neuron, s: int, nets: Mapping[str, str], outs: Mapping[str, str],
                     fed: Sequence[str], through: Mapping[str, str],
                     delta_keys: dict[tuple[int, str], str]) -> NeuronDelta:
        """δ_j = (Σ_k δ_k·w_jk) × f′(net_j) over the neurons k that j feeds, through the old or the
        already-updated w_jk."""
        r, v = self.r, self.v
        k = q.sample_suffix(self.network, s)
        parts, downstream = [], []
        for upper in fed:
            d, w = delta_keys[s, upper], through[edge(n.name, upper)]
            parts.append(self.put(q.dE_part(upper, n.name, k), v[w] * v[d], (d, w), "factor", signed=True))
            downstream.append(Downstream(upper, v[w], v[d]))
        total = self.put(q.dE_dout(n.name, k), _sum([v[p] for p in parts]), tuple(parts), "factor", signed=True)
        slope = self.slope(n, nets[n.name], outs[n.name], k)
        delta = self.put(q.delta(n.name, k), r(v[total] * v[slope]), (total, slope), "delta", signed=True)
        delta_keys[s, n.name] = delta
        return NeuronDelta(n.name, v[total], v[slope], v[delta], tuple(downstream))

    def update(self, neurons: Sequence[Neuron], batch: Sequence[int], outs: Sequence[Mapping[str, str]],
               nets: Sequence[Mapping[str, str]], delta_keys: Mapping[tuple[int, str], str],
               velocity: Mapping[str, float], eta: float) -> list[ParameterUpdate]:
        """∂E/∂θ (per sample when the batch has several), Δθ and θ⁺ for the parameters into `neurons`:
        θ⁺ = θ − η·∂E/∂θ + α·Δθ(n−1); a fixed bias or threshold keeps its value. A sheet writes
        every gradient first, then every step, then every new value."""
        network, r, v = self.network, self.r, self.v
        options = network.options
        sources = nets if self.slips.net_for_out == "gradient" else outs
        # (parameter, its kind, its neuron, per sample the key of the value it multiplies or, for a
        # bias or threshold, its constant ±1)
        parameters: list[tuple[str, ParameterKind, Neuron, list[str] | float]] = []
        for n in neurons:
            for source in n.sources:
                parameters.append((edge(source, n.name), "weight", n, [sources[s][source] for s in batch]))
        for n in neurons:
            if n.bias is not None:
                parameters.append((n.name, n.bias_kind, n, n.constant))
        terms, gradients, steps = {}, {}, {}
        for name, kind, n, xs in parameters:
            terms[name] = [self.gradient_term(name, s, delta_keys[s, n.name], xs if isinstance(xs, float) else xs[p],
                                              several=len(batch) > 1)
                           for p, s in enumerate(batch)]
            if kind != "weight" and not options.update_biases:
                gradients[name] = self.put(q.gradient(self.label[name]), 0.0, (), "gradient", signed=True)
            else:
                penalty = 2 * options.l2 * v[self.old[name]] if kind == "weight" else 0.0
                gradients[name] = self.put(q.gradient(self.label[name]),
                                           r(reduce(network, [v[t] for t in terms[name]]) + penalty),
                                           tuple(terms[name]), "gradient", signed=True)
        descent = eta if self.slips.flip_update else -eta
        for name, kind, n, xs in parameters:
            if kind != "weight" and not options.update_biases:
                steps[name] = self.put(q.step(self.label[name]), 0.0, (), "step")
            else:
                change = descent * v[gradients[name]] + options.momentum * velocity.get(name, 0.0)
                steps[name] = self.put(q.step(self.label[name]), change, (gradients[name],), "step")
        result = []
        for name, kind, n, xs in parameters:
            old = self.old[name]
            per_sample = tuple(v[t] for t in terms[name])
            if kind != "weight" and not options.update_biases:
                self.new[name] = self.put(q.new(self.label[name]), v[old], (old,), "new")
                result.append(ParameterUpdate(name, kind, v[old], per_sample, 0.0, 0.0, 0.0, 0.0, v[old], True))
                continue
            self.new[name] = self.put(q.new(self.label[name]), r(v[old] + v[steps[name]]), (old, steps[name]), "new")
            penalty = 2 * options.l2 * v[old] if kind == "weight" else 0.0
            result.append(ParameterUpdate(name, kind, v[old], per_sample, v[gradients[name]], penalty,
                                          velocity.get(name, 0.0), v[steps[name]], v[self.new[name]]))
        return result

    def gradient_term(self, name: str, s: int, delta: str, x: str | float, several: bool) -> str:
        """One sample's ∂E_d/∂θ: δ·x for a weight, δ for a bias (x = +1), −δ for a threshold (x = −1).
        Named dE/dθ[k] when the batch has several samples; with one it is the gradient itself."""
        v = self.v
        key = f"{'' if several else '#'}{q.gradient(self.label[name], q.sample_suffix(self.network, s))}"
        if isinstance(x, float):
            return self.put(key, self.r(v[delta] if x > 0 else -v[delta]), (delta,), "gradient", signed=True)
        return self.put(key, self.r(v[delta] * v[x]), (delta, x), "gradient", signed=True)

    # ------------------------------------------------------------ a step's values within a double

    def require_finite_step(self, batch: Sequence[int], deltas: Sequence[Mapping[str, NeuronDelta]],
                            updates: Sequence[ParameterUpdate]) -> None:
        """In the engine, every δ, every gradient and every new value of a step is finite, or the step is refused.

        ∂E/∂out of an output may be ∞ under cross-entropy (out exactly 0 or 1): δ uses the cancelled
        form out − t there, so only δ and, for hidden neurons, Σδw must be finite. A gradient is
        finite only if each sample's term is.
        """
        if not self.strict:
            return
        outputs = set(self.outputs)
        for sample, record in zip(batch, deltas):
            where = f"sample {sample + 1}: "
            self.require_finite([d.delta for d in record.values()], list(record), where + "δ of '{name}'")
            hidden = [d for d in record.values() if d.name not in outputs]
            self.require_finite([d.dE_dout for d in hidden], [d.name for d in hidden], where + "Σδw into '{name}'")
        bad = next((u for u in updates if not math.isfinite(u.gradient)), None)
        if bad is not None:
            raise Overflow(self.network, f"the gradient ∂E/∂{self.label[bad.name]}", TOO_BIG_INPUT)
        bad = next((u for u in updates if not math.isfinite(u.new)), None)
        if bad is not None:
            raise Overflow(self.network, f"the new value of {self.label[bad.name]}", TOO_BIG_STEP)


def known(error: float | None) -> float:
    """An error that step and train have made sure exists (every sample has targets)."""
    assert error is not None
    return error


def _spread(value: float, j: int, width: int) -> list[float]:
    """A layer's worth of values with `value` at position j and a harmless 0.5 elsewhere."""
    values = [0.5] * width
    values[j] = value
    return values


def _one_of(function, loss: str, softmax_output: bool, value: float, j: int, targets: Sequence[float],
            net: float | None = None) -> float:
    """Element j of a per-output function of the loss (error_terms, error_gradient), from output j's
    own value (and net) alone: apart from softmax's δ, each output's element depends only on them."""
    width = len(targets)
    nets = None if net is None else _spread(net, j, width)
    return function(loss, softmax_output, _spread(value, j, width), targets, nets)[j]


def _error_reason(network: Network, out: float, target: float) -> str | None:
    """Why an output's error is truly infinite (ln 0), or None."""
    return ln_zero(network.options.loss, network.layers[-1].activation.is_softmax, out, target)


# ---------------------------------------------------------------- the engine's functions

def forward(network: Network, index: int) -> ForwardPass:
    """Feed sample `index` forward: net and out for every neuron, E_k for every output, and E_d."""
    walk = Walk(network)
    return walk.forward(index, walk.old)[0]


def evaluate(network: Network) -> Evaluation:
    """Every sample fed forward, and the total error E over all of them (None without targets)."""
    walk = Walk(network)
    return walk.evaluate(walk.old)[0]


def error_vector(network: Network, fp: ForwardPass) -> tuple[float, ...]:
    """e = t − out for each output of a pass with targets (Hagan's e, the error vector of matrix
    notation), each rounded as a value written down is."""
    r = rounder(network)
    targets = network.samples[fp.sample].targets or ()
    return tuple(r(t - out) for t, out in zip(targets, fp.outputs))


def infinite_errors(network: Network, evaluation: Evaluation) -> list[str]:
    """One line for each error term of `evaluation` that is ∞, saying why (ln 0 of an exact 0 or 1)."""
    notes = []
    for fp in evaluation.passes:
        targets = network.samples[fp.sample].targets or ()
        for name, term, out, target in zip(network.outputs, fp.error_terms, fp.outputs, targets):
            if not math.isfinite(term):
                notes.append(f"sample {fp.sample + 1}: the error of '{name}' is ∞: "
                             f"{_error_reason(network, out, target)}")
    return notes


def l2_term(network: Network) -> float:
    """λΣw² over every weight (biases and thresholds are not penalised)."""
    lam = network.options.l2
    if not lam:
        return 0.0
    return lam * _sum([w * w for w in network.weights().values()])


def batches(network: Network) -> list[tuple[int, ...]]:
    """The sample indices of each update in one epoch, in file order."""
    n = len(network.samples)
    batch = network.options.batch
    size = n if batch == "full" else 1 if batch == "online" else batch
    return [tuple(range(start, min(start + size, n))) for start in range(0, n, size)]


def updates_per_epoch(network: Network) -> int:
    return len(batches(network))


def step(network: Network, batch: Sequence[int] | None = None,
         velocity: Mapping[str, float] | None = None, *, evaluate_after: bool = True,
         before: Evaluation | None = None) -> StepRecord:
    """One update on `batch` (default: the first batch), back-propagating from the output layer.

    Under `hidden_deltas: new_weights` a neuron's δ flows back through the already-updated weights
    of the neurons it feeds; under `old_weights` (the default, and true gradient descent) through
    the weights before the step. `velocity` is each parameter's previous step, for momentum;
    `before` is `evaluate(network)` where the caller has it already (train passes on the previous
    step's `after`). Without `velocity` the step starts from the network's own previous steps
    (a saved file's momentum state; none: from rest).
    """
    batch = tuple(batches(network)[0] if batch is None else batch)
    return Walk(network).step(batch, network.previous_steps if velocity is None else velocity,
                              evaluate_after, before)


def require_learning_rate(network: Network) -> float:
    eta = network.options.learning_rate
    if eta is None:
        raise NetworkFileError(network.path, None,
                               "no learning_rate: step and train need one (add e.g. `learning_rate: 0.5`)")
    return eta


def require_targets(network: Network) -> None:
    """step and train need a target for every sample; forward does not."""
    missing = [str(s + 1) for s, sample in enumerate(network.samples) if sample.targets is None]
    if missing:
        which = f"sample {missing[0]} has" if len(missing) == 1 else f"samples {', '.join(missing)} have"
        raise NetworkFileError(network.path, None, f"{which} no targets: step and train need a target for "
                                                   "every output (forward shows the outputs without them)")


# ---------------------------------------------------------------- training

def train(network: Network, epochs: int, checkpoints: Sequence[int] = (),
          progress: Callable[[int], None] | None = None, until: float | None = None) -> TrainRecord:
    """`epochs` passes over the samples, batch by batch, momentum carried across batches and epochs.

    With `until`, training stops after the first epoch at whose end the error is ≤ `until` (at
    once, 0 epochs, if the start already is): `epochs` is then the most it may run. The record's
    `epochs` are the epochs run, its last checkpoint their end, and `stopped` says which ended it.

    The error is measured only at the `checkpoints` (and at the end), so memory stays flat
    however many epochs run. A run in which a value goes beyond a double stops, naming the epoch.
    `progress`, if given, is called with each finished epoch's number (for a progress bar).
    """
    if epochs < 0:
        raise BpcalcError(f"the number of epochs must be 0 or more, not {epochs}")
    if until is not None:
        until = target_error(until)
    require_learning_rate(network)
    require_targets(network)
    wanted = sorted({c for c in checkpoints if 0 <= c <= epochs})
    velocity: Mapping[str, float] = network.previous_steps  # a saved run's momentum, or rest
    plan = batches(network)
    current = evaluate(network)  # an overflow here is the file's, before any training
    history = [(0, known(current.error))] if wanted and wanted[0] == 0 else []
    epoch = 0
    reached = until is not None and known(current.error) <= until
    try:
        for epoch in range(1, 0 if reached else epochs + 1):
            for batch in plan:
                # Each step evaluates its result, so an overflow is caught in the epoch that made it.
                record = step(network, batch, velocity, before=current)
                assert record.after is not None
                network, velocity, current = record.updated, record.velocity, record.after
            reached = until is not None and known(current.error) <= until
            if epoch in wanted or reached:
                history.append((epoch, known(current.error)))
            if progress is not None:
                progress(epoch)
            if reached:
                break
    except Overflow as overflow:
        raise NetworkFileError(network.path, None, f"training diverged in epoch {epoch}: {overflow.detail} "
                                                   f"is beyond the range of a double; {TOO_BIG_STEP}") from None
    if until is None:
        return TrainRecord(epochs, epochs * len(plan), network, current, tuple(history), velocity)
    run = epoch if reached else epochs
    return TrainRecord(run, run * len(plan), network, current, ended(history, run, known(current.error)),
                       velocity, "target" if reached else "epochs", until)


def target_error(until: float) -> float:
    """A target error: a number ≥ 0 (∞ is met at once)."""
    if isinstance(until, bool) or not isinstance(until, (int, float)) or not until >= 0:
        raise BpcalcError(f"the target error must be a number 0 or more, not {until!r}")
    return float(until)


def ended(history: Sequence[tuple[int, float]], epochs: int, error: float) -> tuple[tuple[int, float], ...]:
    """The checkpoints of a run stopped by a target error: those it ran, and always its last epoch."""
    kept = [(e, err) for e, err in history if e <= epochs]
    if not kept or kept[-1][0] != epochs:
        kept.append((epochs, error))
    return tuple(kept)


def checkpoints_for(epochs: int) -> list[int]:
    """0, 1, 10, 100, … up to `epochs`, and `epochs` itself: where training reports its error."""
    points, p = [0], 1
    while p < epochs:
        points.append(p)
        p *= 10
    points.append(epochs)
    return sorted(set(points))
