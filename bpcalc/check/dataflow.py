"""One step recomputed from named values: each quantity a solution writes down, computed from the earlier ones.

The engine computes a step in one go; checking answers needs more: recompute every quantity
from a student's own earlier numbers (follow-through) or under a slip of the pen (a δ without
f′). So the step is laid out here as a dataflow, in solution order, where each node is one named
quantity (net_h1, delta_o1, dE/dw5, w5+, …) computed from the nodes before it. `run` computes
them in order and lets a caller replace any value before it is used further. With nothing
replaced and no slips it reproduces engine.step to the last bit; tests/test_check_dataflow.py
holds the two to 1e-12 on every example, so the definitions cannot drift apart.

Activations and losses come from functions.py and rounding from engine.rounder, as in the engine.
"""

from __future__ import annotations

import math
from typing import Callable, Iterable, Sequence

from .. import engine
from ..errors import BpcalcError
from ..functions import error_gradient, error_terms, layer_outputs, output_deltas
from ..model import Network, edge
from ..quantities import AFTER, STEP, sample_suffix
from ..records import Record

NET_FOR_OUT = ("forward", "gradient", "derivative", "error")


class Slips(Record):
    """Departures from the textbook formulas that students make; all off gives the network's own maths."""

    flip_update: bool = False  # θ⁺ = θ + η·∂E/∂θ
    delta_sign: bool = False  # δ, ∂E/∂out and ∂E/∂θ written as their negatives: δ = (t − out)·f′
    no_derivative: bool = False  # f′(net) left out of every δ
    net_for_out: str | None = None  # where net stands in for out: one of NET_FOR_OUT


class Node(Record):
    """One quantity: its key (its name, or '#…' for a value no sheet names), what it is computed from, and how."""

    key: str
    deps: tuple[str, ...]
    formula: Callable[..., float]
    kind: str = ""  # forward, factor, delta, gradient, step, new, error_after, after; "" for unnamed values

    @property
    def named(self) -> bool:
        return not self.key.startswith("#")


Choose = Callable[[str, float], float]


class Dataflow:
    """The nodes of one step of `network` (its first batch), in solution order."""

    def __init__(self, network: Network, slips: Slips = Slips()):
        self.network = network
        self.slips = slips
        self.nodes: tuple[Node, ...] = tuple(_Builder(network, slips).build())
        self.order = {node.key: k for k, node in enumerate(self.nodes)}

    @property
    def names(self) -> tuple[str, ...]:
        """Every named quantity, in solution order."""
        return tuple(node.key for node in self.nodes if node.named)

    def run(self, choose: Choose | None = None) -> dict[str, float]:
        """Every node's value computed from the values carried before it.

        `choose(key, value)` gives the value to carry forward from a named node (a student's own
        number, say); without it each node's own value is carried. Returns the computed values.
        """
        carried: dict[str, float] = {}
        computed: dict[str, float] = {}
        for node in self.nodes:
            try:
                value = node.formula(*(carried[d] for d in node.deps))
            except (ArithmeticError, ValueError):  # a slip can take a value outside a function's domain
                value = math.nan
            computed[node.key] = value
            carried[node.key] = choose(node.key, value) if choose is not None and node.named else value
        return computed


class _Builder:
    """Lays out the nodes: forward pass of every sample, then layer by layer from the output back:
    the δs of the batch's samples, each parameter's gradient, step and new value; then the forward
    pass through the new parameters and E_after."""

    def __init__(self, network: Network, slips: Slips):
        self.network = network
        self.slips = slips
        self.options = network.options
        self.r = engine.rounder(network)
        self.batch = engine.batches(network)[0]
        self.nodes: list[Node] = []
        self.negated: set[str] = set()  # nodes written with the opposite sign (Slips.delta_sign)
        self.keys: set[str] = set()

    # ---- helpers

    def add(self, key: str, deps: Iterable[str], formula: Callable[..., float], kind: str = "", *,
            signed: bool = False) -> str:
        """Append a node; under Slips.delta_sign a `signed` node is written negated and its readers undo that."""
        deps = tuple(deps)
        if self.slips.delta_sign:
            flips = tuple(d in self.negated for d in deps)
            if signed or any(flips):
                inner, sign = formula, -1.0 if signed else 1.0

                def formula(*values, inner=inner, sign=sign, flips=flips):
                    return sign * inner(*(-v if f else v for v, f in zip(values, flips)))
            if signed:
                self.negated.add(key)
        if key in self.keys:
            raise BpcalcError(f"the name {key} would mean two quantities of this network; "
                              "rename the label that makes it so")
        self.keys.add(key)
        self.nodes.append(Node(key, deps, formula, kind if not key.startswith("#") else ""))
        return key

    def constant(self, key: str, value: float) -> str:
        return self.add(key, (), lambda value=value: value)

    def suffix(self, sample: int) -> str:
        return sample_suffix(self.network, sample)

    def label(self, parameter: str) -> str:
        return self.network.label_of(parameter)

    # ---- the whole step

    def build(self) -> list[Node]:
        network = self.network
        self.old = {}
        for name, value in network.weights().items():
            self.old[name] = self.constant(f"#old:{name}", value)
        for name, value in network.biases().items():
            self.old[name] = self.constant(f"#old:{name}", value)
        self.inputs = [[self.constant(f"#in:{name}{self.suffix(s)}", x)
                        for name, x in zip(network.inputs, sample.inputs)]
                       for s, sample in enumerate(network.samples)]
        before = [self.forward(s, self.old, "", "", "forward") for s in range(len(network.samples))]
        self.total("E_total", [b[2] for b in before], self.old, "forward")
        self.nets = {s: b[0] for s, b in enumerate(before)}
        self.outs = {s: b[1] for s, b in enumerate(before)}
        if self.options.learning_rate is None:
            return self.nodes  # forward only: the step needs η
        self.new: dict[str, str] = {}
        self.deltas: dict[tuple[int, str], str] = {}
        for index in reversed(range(len(network.layers))):
            for sample in self.batch:
                if index == len(network.layers) - 1:
                    self.output_deltas(sample)
                else:
                    self.hidden_deltas(index, sample)
            self.update(index)
        parameters = {**self.old, **self.new}
        one_epoch_is_one_update = engine.updates_per_epoch(network) == 1
        at, hidden = (f"{AFTER}1", "") if one_epoch_is_one_update else ("", "#after:")
        after = [self.forward(s, parameters, at, hidden, "after") for s in range(len(network.samples))]
        self.total("E_after", [a[2] for a in after], parameters, "error_after")
        return self.nodes

    # ---- forward

    def forward(self, s: int, parameters: dict[str, str], at: str, hidden: str, kind: str):
        """net and out of every neuron and E_k of every output for sample s, and (unnamed) E_d."""
        network, r, k = self.network, self.r, self.suffix(s)
        sources = sources_net = self.inputs[s]
        nets: dict[str, str] = {}
        outs: dict[str, str] = {}
        for index, layer in enumerate(network.layers):
            feed = sources_net if self.slips.net_for_out == "forward" else sources
            source_names = network.sources(index)
            layer_nets = []
            for j, neuron in enumerate(layer.neurons):
                weights = [parameters[edge(src, neuron)] for src in source_names]
                bias = [parameters[neuron]] if layer.biases[j] is not None else []
                n = len(feed)

                def net(*v, n=n, has_bias=bool(bias)):
                    return r(math.fsum([v[n + i] * v[i] for i in range(n)]) + (v[2 * n] if has_bias else 0.0))
                layer_nets.append(self.add(f"{hidden}net_{neuron}{k}{at}", (*feed, *weights, *bias), net, kind))
                if not layer.activation.is_softmax:
                    f = layer.activation.f
                    outs[neuron] = self.add(f"{hidden}out_{neuron}{k}{at}", (layer_nets[-1],),
                                            lambda x, f=f: r(f(x)), kind)
            if layer.activation.is_softmax:
                for j, neuron in enumerate(layer.neurons):
                    outs[neuron] = self.add(f"{hidden}out_{neuron}{k}{at}", layer_nets,
                                            lambda *v, j=j, a=layer.activation: r(layer_outputs(a, v)[j]), kind)
            nets.update(zip(layer.neurons, layer_nets))
            sources, sources_net = [outs[n] for n in layer.neurons], layer_nets
        output = network.layers[-1]
        values = [nets[n] if self.slips.net_for_out == "error" else outs[n] for n in output.neurons]
        targets = network.samples[s].targets
        terms = [self.add(f"{hidden}E_{neuron}{k}{at}", (values[j],),
                          lambda v, j=j: r(_one_of(error_terms, self.options.loss, output.activation.is_softmax,
                                                   v, j, targets)), kind)
                 for j, neuron in enumerate(output.neurons)]
        error = self.add(f"#{hidden}E_d{k}{at}", terms, lambda *v: r(math.fsum(v)))
        return nets, outs, error

    def total(self, key: str, errors: Sequence[str], parameters: dict[str, str], kind: str) -> str:
        """E = reduce(E_d) + λΣw², the penalty over the weights in `parameters`."""
        weights = [parameters[name] for name in self.network.weights()]
        lam, r, n = self.options.l2, self.r, len(errors)

        def total(*v):
            penalty = r(lam * math.fsum(w * w for w in v[n:])) if lam else 0.0
            return r(engine.reduce(self.network, v[:n]) + penalty)
        return self.add(key, (*errors, *weights), total, kind)

    # ---- deltas

    def slope(self, activation, net: str, out: str, key: str) -> str:
        """f′(net) for one neuron, as the slips say (left out, or taken of net instead of out)."""
        if self.slips.no_derivative:
            return self.add(key, (), lambda: 1.0, "factor")
        if self.slips.net_for_out == "derivative":
            return self.add(key, (net,), lambda x, df=activation.df: df(x, x), "factor")
        return self.add(key, (net, out), lambda x, y, df=activation.df: df(x, y), "factor")

    def output_deltas(self, s: int) -> None:
        network, r, k = self.network, self.r, self.suffix(s)
        layer = network.layers[-1]
        loss, activation = self.options.loss, layer.activation
        targets = network.samples[s].targets
        nets = [self.nets[s][n] for n in layer.neurons]
        outs = [self.outs[s][n] for n in layer.neurons]
        values = nets if self.slips.net_for_out == "error" else outs
        # With softmax, or cross-entropy and its matching output, δ is not the product of the two
        # factors (the engine uses the Jacobian, or the cancelled form out − t), so it is computed
        # from the layer's nets and outs as the engine does.
        joint = activation.is_softmax or loss == "cross_entropy"
        width = len(outs)
        for j, neuron in enumerate(layer.neurons):
            gradient = self.add(f"dE/dout_{neuron}{k}", (values[j],),
                                lambda v, j=j: _one_of(error_gradient, loss, activation.is_softmax, v, j, targets),
                                "factor", signed=True)
            slope = None
            if not activation.is_softmax:  # softmax has no per-neuron f′: its Jacobian couples the layer
                slope = self.slope(activation, nets[j], outs[j], f"dout/dnet_{neuron}{k}")
            if activation.is_softmax:  # coupled: every out of the layer enters each δ
                delta = self.add(f"delta_{neuron}{k}", (*nets, *outs),
                                 lambda *v, j=j: r(output_deltas(loss, activation, v[:width], v[width:], targets)[j]),
                                 "delta", signed=True)
            elif joint:  # cross-entropy with sigmoid: δ = out − t, one neuron at a time
                delta = self.add(f"delta_{neuron}{k}", (nets[j], outs[j]),
                                 lambda n, o, j=j: r(output_deltas(loss, activation, _spread(n, j, width),
                                                                   _spread(o, j, width), targets)[j]),
                                 "delta", signed=True)
            else:
                delta = self.add(f"delta_{neuron}{k}", (gradient, slope), lambda g, f: r(g * f), "delta", signed=True)
            self.deltas[s, neuron] = delta

    def hidden_deltas(self, index: int, s: int) -> None:
        """δ_j = (Σ_k δ_k·w_kj) × f′(net_j), through the old or the already-updated w_kj."""
        network, r, k = self.network, self.r, self.suffix(s)
        layer, above = network.layers[index], network.layers[index + 1]
        through = self.new if self.options.hidden_deltas == "new_weights" else self.old
        for neuron in layer.neurons:
            terms = [self.add(f"dE_{upper}/dout_{neuron}{k}", (self.deltas[s, upper], through[edge(neuron, upper)]),
                              lambda d, w: w * d, "factor", signed=True)
                     for upper in above.neurons]
            total = self.add(f"dE/dout_{neuron}{k}", terms, lambda *v: math.fsum(v), "factor", signed=True)
            slope = self.slope(layer.activation, self.nets[s][neuron], self.outs[s][neuron], f"dout/dnet_{neuron}{k}")
            self.deltas[s, neuron] = self.add(f"delta_{neuron}{k}", (total, slope), lambda g, f: r(g * f), "delta",
                                              signed=True)

    # ---- updates

    def update(self, index: int) -> None:
        """∂E/∂θ (per sample when the batch has several), Δθ and θ⁺ for every parameter of layer `index`."""
        network, r, options = self.network, self.r, self.options
        layer = network.layers[index]
        sources = network.sources(index)
        several = len(self.batch) > 1
        parameters = []  # (name, is_bias, sources of x per sample or None)
        for j, neuron in enumerate(layer.neurons):
            for i, source in enumerate(sources):
                parameters.append((edge(source, neuron), neuron, [self.source(index, i, s) for s in self.batch]))
        for j, neuron in enumerate(layer.neurons):
            if layer.biases[j] is not None:
                parameters.append((neuron, neuron, None))
        gradients = {}
        for name, dest, xs in parameters:
            label = self.label(name)
            per_sample = []
            for position, s in enumerate(self.batch):
                key = f"{'' if several else '#'}dE/d{label}{self.suffix(s)}"
                if xs is None:
                    per_sample.append(self.add(key, (self.deltas[s, dest],), lambda d: r(d), "gradient", signed=True))
                else:
                    per_sample.append(self.add(key, (self.deltas[s, dest], xs[position]),
                                               lambda d, x: r(d * x), "gradient", signed=True))
            fixed = xs is None and not options.update_biases
            if fixed:
                gradients[name] = self.add(f"dE/d{label}", (), lambda: 0.0, "gradient", signed=True)
            else:
                penalty = 0.0 if xs is None else 2 * options.l2 * network.weights()[name]
                gradients[name] = self.add(f"dE/d{label}", per_sample,
                                           lambda *v, p=penalty: r(engine.reduce(network, v) + p), "gradient",
                                           signed=True)
        steps = {}
        sign = 1.0 if self.slips.flip_update else -1.0
        for name, _, xs in parameters:
            if xs is None and not options.update_biases:
                steps[name] = self.add(f"{STEP}{self.label(name)}", (), lambda: 0.0, "step")
            else:
                eta, alpha = options.learning_rate, options.momentum
                # the first update has no previous step: α·0 is added as the engine adds it
                steps[name] = self.add(f"{STEP}{self.label(name)}", (gradients[name],),
                                       lambda g, eta=eta, alpha=alpha: sign * eta * g + alpha * 0.0, "step")
        for name, _, xs in parameters:
            if xs is None and not options.update_biases:
                self.new[name] = self.add(f"{self.label(name)}+", (self.old[name],), lambda old: old, "new")
            else:
                self.new[name] = self.add(f"{self.label(name)}+", (self.old[name], steps[name]),
                                          lambda old, step: r(old + step), "new")

    def source(self, index: int, i: int, s: int) -> str:
        """The node holding x_i for layer `index` on sample s: an input, or a neuron's out (by a slip, its net)."""
        if index == 0:
            return self.inputs[s][i]
        neuron = self.network.layers[index - 1].neurons[i]
        return self.nets[s][neuron] if self.slips.net_for_out == "gradient" else self.outs[s][neuron]


def _spread(value: float, j: int, width: int) -> list[float]:
    """A layer's worth of values with `value` at position j and a harmless 0.5 elsewhere."""
    values = [0.5] * width
    values[j] = value
    return values


def _one_of(function, first, second, value: float, j: int, targets: Sequence[float]) -> float:
    """Element j of a per-output function of the loss (error_terms, error_gradient, output_deltas).

    Apart from softmax's δ, each output's element depends only on its own out (and on how many
    outputs there are), so a node depends on its own neuron alone; the others are filled in.
    """
    return function(first, second, _spread(value, j, len(targets)), targets)[j]


def nearest(flow: Dataflow, key: str, among: set[str] | dict, stop: set[str] | dict = frozenset()) -> list[str]:
    """The nodes of `among` that `key` is computed from with none of `among` in between, in solution
    order; the search does not go back past a node of `stop` (a value carried as it should be)."""
    node = flow.nodes[flow.order[key]]
    found, seen, todo = set(), set(), list(node.deps)
    while todo:
        dep = todo.pop()
        if dep in seen:
            continue
        seen.add(dep)
        if dep in among:
            found.add(dep)
        elif dep not in stop:
            todo.extend(flow.nodes[flow.order[dep]].deps)
    return sorted(found, key=flow.order.__getitem__)
