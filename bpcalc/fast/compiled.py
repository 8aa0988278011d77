"""Small networks compiled to straight-line Python: the training loop of one network's graph, written out once.

For a 2-2-2 net the interpreter, not the arithmetic, is the cost: every loop, list and call
of the general engine costs more than the multiply it wraps. So this module writes what a
person would write by hand for that one network — one local variable per weight, one line per
neuron, one term per edge of the graph (skip connections and sparse layers included) — from
the activation and loss templates in bpcalc.functions, compiles it once per network shape (its
wiring: each neuron's sources and bias kind; `Shape`) and options (bpcalc.fast.codecache keeps
the compiled code between runs), and runs the epochs inside it. `print(source_for(network))` shows the code; the names follow the maths:

    x0, x1 …        the inputs of a sample            t0, t1 …   its targets
    z2_0, a2_0      net and out of neuron 0 of layer 2 (layer 1 is the first after the inputs);
                    a net nothing else reads is written inside its out: a2_0 = σ(w·a + b)
    d2_0            δ = ∂E_d/∂net of that neuron
    w2_0_1          the weight from neuron 1 of layer 1, the layer before, into neuron 0 of layer 2
    w3_0_1_2        a skip connection: the weight from neuron 2 of layer 1 into neuron 0 of layer 3
                    (w3_0_0_1: from input 1; layer 0 is the inputs)
    b2_0, th2_0     neuron 0 of layer 2's bias (net = … + b2_0) or threshold (net = … − th2_0,
                    whose gradient is −δ)
    gw2_0_1, gb2_0, gth2_0   a batch's summed per-sample gradient δ·x, δ or −δ (batches of
                    more than one sample)
    vw2_0_1, vb2_0, vth2_0   the parameter's previous step Δθ(n−1) (momentum only)
    neta, alpha     −η and α;  l2x2: 2λ;  n: the batch's size
    top, e0, total  softmax: the largest net, e^(net−top), their sum   g0, mean: its δ's terms

A neuron's δ sums w·δ over the neurons it feeds, in any later layer, in file order (as the
engine does), through their weights as they stand: before the update, or already updated for
hidden_deltas: new_weights, for which the layers are updated from the output back, each before
the δ of the layers below it are computed.

Beside `train` the source defines `error`, engine.evaluate's total error E without the records,
for the error at checkpoints. Both first bind the helpers the templates call (exp, tanh …) to
local names: an epoch then reads nothing but locals, as hand-tuned code does.

Every operation is the reference engine's, in its order, on doubles; only sums are added left
to right where the engine uses math.fsum, and σ is first written without its overflow guard
(`quick_source`: 1/(1+e^−net), a few ulps from the guarded form, and rerun with the guard if
e^−net ever overflows), which is why results agree to ~1e-15 rather than exactly. Hand
rounding is not compiled: bpcalc.training leaves it to the engine.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from .. import engine
from .. import functions
from . import codecache
from ..functions import LOSSES, SOFTMAX_CROSS_ENTROPY
from ..model import Network, edge
from ..records import Record
from ..trace import Evaluation


def supported(network: Network) -> bool:
    """Whether this module can compile the network: no hand rounding, and templates for every part."""
    options = network.options
    if options.rounding is not None or options.learning_rate is None or not network.samples:
        return False
    *hidden, output = network.layers
    if any(layer.activation.is_softmax or not layer.activation.source for layer in hidden):
        return False
    if not output.activation.is_softmax and not output.activation.source:
        return False
    loss = LOSSES.get(options.loss)
    if loss is None:
        return False
    return bool(dict(loss.delta_sources).get(output.activation.name) or loss.gradient_source)


# The functions the templates of bpcalc.functions call, by the names they call them.
HELPERS = {"exp": math.exp, "tanh": math.tanh, "times": functions._times,
           "softplus": functions._softplus, "log_sum_exp": functions._log_sum_exp}


# ---------------------------------------------------------------- the shape a program is written for

Source = tuple[int, int]  # (layer, index) of what feeds an edge; layer 0 is the inputs
Wiring = tuple[tuple[Source, ...], str]  # a neuron's sources in its edge order, and "bias", "threshold" or ""


class Shape(Record):
    """Everything the generated source depends on; parameter values, samples, η, α and λ are its arguments."""

    inputs: int
    layers: tuple[tuple[str, str, str, tuple[Wiring, ...]], ...]  # (activation, f, f', each neuron's wiring)
    loss: str
    reduction: str
    mode: str  # one | online | full | batches: how the epoch is cut into updates (see _mode)
    update_biases: bool
    new_weights: bool
    momentum: bool
    l2: bool
    quick: bool  # activations in their quick_source form, where they have one

    @property
    def outputs(self) -> int:
        return len(self.layers[-1][3])


def _mode(network: Network) -> str:
    """one: a single sample, updated every epoch; online: one update per sample; full: one batch
    of several samples; batches: several batches, some of several samples."""
    plan = engine.batches(network)
    if all(len(batch) == 1 for batch in plan):
        return "one" if len(plan) == 1 else "online"
    return "full" if len(plan) == 1 else "batches"


def _wiring(network: Network) -> tuple[tuple[Wiring, ...], ...]:
    """Each layer's neurons as (their sources by (layer, index), their bias kind)."""
    where = {name: (0, i) for i, name in enumerate(network.inputs)}
    layers = []
    for l, layer in enumerate(network.layers, 1):
        layers.append(tuple((tuple(where[s] for s, _ in n.weights), "" if n.bias is None else n.bias_kind)
                            for n in layer.neurons))
        where.update((n.name, (l, j)) for j, n in enumerate(layer.neurons))
    return tuple(layers)


def shape_of(network: Network, quick: bool = True) -> Shape:
    options = network.options
    layers = tuple((layer.activation.name,
                    (quick and layer.activation.quick_source) or layer.activation.source,
                    layer.activation.derivative_source, wiring)
                   for layer, wiring in zip(network.layers, _wiring(network)))
    return Shape(len(network.inputs), layers, options.loss, options.reduction, _mode(network),
                 options.update_biases, options.hidden_deltas == "new_weights",
                 bool(options.momentum), bool(options.l2), quick)


# ---------------------------------------------------------------- writing the source

class _Source:
    """Lines of Python at an indentation that `block` deepens."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 0

    def __call__(self, line: str) -> None:
        self.lines.append("    " * self.depth + line)

    def block(self, header: str) -> _Source:
        self(header)
        return self

    def __enter__(self) -> None:
        self.depth += 1

    def __exit__(self, *exc) -> None:
        self.depth -= 1

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


class _Writer:
    """Writes the training function for one Shape, a part of backpropagation per method."""

    def __init__(self, shape: Shape):
        self.shape = shape
        self.out = _Source()
        self.L = len(shape.layers)  # layers are numbered 1..L; layer 0 is the inputs
        self.gradients: dict[int, list[tuple[str, str, str, bool]]] = {}  # gradient_names, by layer
        # The neurons each input and neuron feeds, in file order: the terms of its δ.
        self.fed: dict[Source, list[Source]] = {(0, i): [] for i in range(shape.inputs)}
        for l in range(1, self.L + 1):
            for j, (sources, _) in enumerate(self.wiring(l)):
                self.fed[l, j] = []
                for source in sources:
                    self.fed[source].append((l, j))

    # names ------------------------------------------------------------

    def wiring(self, l: int) -> tuple[Wiring, ...]:
        return self.shape.layers[l - 1][3]

    def width(self, l: int) -> int:
        return self.shape.inputs if l == 0 else len(self.wiring(l))

    def value(self, l: int, i: int) -> str:
        """The out of neuron i of layer l: what its edges carry."""
        return f"x{i}" if l == 0 else f"a{l}_{i}"

    def weight(self, l: int, j: int, source: Source) -> str:
        """The weight of the edge from `source` into neuron j of layer l."""
        m, i = source
        return f"w{l}_{j}_{i}" if m == l - 1 else f"w{l}_{j}_{m}_{i}"

    def bias(self, l: int, j: int) -> str | None:
        """Neuron j of layer l's bias or threshold, None if it has neither."""
        kind = self.wiring(l)[j][1]
        return None if not kind else f"b{l}_{j}" if kind == "bias" else f"th{l}_{j}"

    def weights(self, l: int) -> list[str]:
        return [self.weight(l, j, source) for j, (sources, _) in enumerate(self.wiring(l)) for source in sources]

    def biases(self, l: int) -> list[str]:
        return [b for b in (self.bias(l, j) for j in range(self.width(l))) if b]

    def trainable(self) -> list[str]:
        """The parameters the function updates, in state order: layer by layer, the weights neuron by
        neuron, then the biases and thresholds."""
        names = []
        for l in range(1, self.L + 1):
            names += self.weights(l)
            if self.shape.update_biases:
                names += self.biases(l)
        return names

    def fixed(self) -> list[str]:
        """Biases and thresholds held by update_biases: false: read, never written."""
        if self.shape.update_biases:
            return []
        return [b for l in range(1, self.L + 1) for b in self.biases(l)]

    def sample_names(self) -> str:
        names = [f"x{i}" for i in range(self.shape.inputs)] + [f"t{k}" for k in range(self.shape.outputs)]
        return ", ".join(names) + ("," if len(names) == 1 else "")

    # the function --------------------------------------------------------

    def write(self) -> str:
        shape, out = self.shape, self.out
        params, fixed = self.trainable(), self.fixed()
        velocities = ["v" + p for p in params] if shape.momentum else []
        state = params + velocities
        with out.block("def train(epochs, state, samples, neta, alpha, l2x2, fixed):"):
            out('"""Run `epochs` epochs from `state` (parameters, then previous steps); return the new state."""')
            out(f"{', '.join(HELPERS)} = helpers  # as locals, which are read faster than globals")
            out(f"{_tuple(state)} = state")
            if fixed:
                out(f"{_tuple(fixed)} = fixed")
            if shape.mode == "one":
                out(f"({self.sample_names()}), = samples")
            elif shape.mode == "full":
                out("n = len(samples)")
            with out.block("for epoch in range(epochs):"):
                {"one": self.one_sample_update, "online": self.online_epoch,
                 "full": self.full_batch_update, "batches": self.batched_epoch}[shape.mode]()
            out(f"return ({', '.join(state)},)")
        out("")
        self.write_error()
        return out.text()

    def write_error(self) -> None:
        """error(): engine.evaluate's total E over all samples, for checkpoints, without building
        records; nan if a net is beyond a double (as engine.evaluate would refuse it)."""
        out, shape = self.out, self.shape
        loss = LOSSES[shape.loss]
        if shape.loss == "cross_entropy" and shape.layers[-1][0] == "softmax":
            loss = SOFTMAX_CROSS_ENTROPY
        with out.block("def error(state, rows, fixed, l2):"):
            out('"""E = reduce(E_d over every sample) + λ·Σw², at the parameters in `state`."""')
            out(f"{', '.join(HELPERS)} = helpers")
            params, fixed = self.trainable(), self.fixed()
            out(f"{_tuple(params)} = state[:{len(params)}]")  # the velocities after them are not needed
            if fixed:
                out(f"{_tuple(fixed)} = fixed")
            out("E = 0.0")
            out("unbounded = 0.0  # Σ (net − net): 0 while every net is finite, nan once one is not")
            with out.block(f"for {self.sample_names()} in rows:"):
                self.forward(keep_nets=True)
                nets = [f"z{l}_{j}" for l in range(1, self.L + 1) for j in range(self.width(l))]
                out(f"unbounded += {' + '.join(f'({z} - {z})' for z in nets)}")
                if "{lse}" in loss.term_source:
                    out(f"lse = log_sum_exp(({''.join(f'z{self.L}_{k}, ' for k in range(shape.outputs))}))")
                terms = [loss.term_source.format(out=f"a{self.L}_{k}", net=f"z{self.L}_{k}", target=f"t{k}",
                                                 K=repr(float(shape.outputs)), lse="lse")
                         for k in range(shape.outputs)]
                out(f"E += {' + '.join(f'({t})' for t in terms)}")
            if shape.reduction == "mean":
                out("E /= len(rows)")
            if shape.l2:
                weights = [w for l in range(1, self.L + 1) for w in self.weights(l)]
                out(f"E += l2 * ({' + '.join(f'{w} * {w}' for w in weights) or '0.0'})")
            out("return E + unbounded")

    def one_sample_update(self) -> None:
        self.sample_update()

    def online_epoch(self) -> None:
        with self.out.block(f"for {self.sample_names()} in samples:"):
            self.sample_update()

    def full_batch_update(self) -> None:
        self.batch_update("samples")

    def batched_epoch(self) -> None:
        with self.out.block("for n, batch in samples:"):
            self.batch_update("batch")

    # one sample, one update: deltas then updates, or interleaved for new_weights --------

    def sample_update(self) -> None:
        self.forward()
        self.output_deltas()
        if self.shape.new_weights:
            for l in range(self.L, 0, -1):
                if l < self.L:
                    self.hidden_deltas(l)
                self.update_layer(l, batched=False)
        else:
            for l in range(self.L - 1, 0, -1):
                self.hidden_deltas(l)
            for l in range(self.L, 0, -1):
                self.update_layer(l, batched=False)

    # a batch of samples: gradients summed over the batch, then one update --------

    def batch_update(self, batch: str) -> None:
        out = self.out
        if self.shape.new_weights:
            return self.batch_update_new_weights(batch)
        self.zero_gradients(range(1, self.L + 1))
        with out.block(f"for {self.sample_names()} in {batch}:"):
            self.forward()
            self.output_deltas()
            for l in range(self.L - 1, 0, -1):
                self.hidden_deltas(l)
            for l in range(self.L, 0, -1):
                self.accumulate(l)
        for l in range(self.L, 0, -1):
            self.update_layer(l, batched=True)

    def kept(self, l: int) -> list[str]:
        """What a sample's pass over layer l (and the passes below it) read of its earlier passes:
        the inputs, the outs of layers 1..l (and their nets where f' reads them), and the δ of the
        later neurons they feed."""
        names = [f"x{i}" for i in range(self.shape.inputs)]
        for m in range(1, l + 1):
            if "{net}" in self.shape.layers[m - 1][2]:
                names += [f"z{m}_{j}" for j in range(self.width(m))]
            names += [f"a{m}_{j}" for j in range(self.width(m))]
        fed = {dest for m in range(l + 1) for i in range(self.width(m)) for dest in self.fed[m, i]}
        return names + [f"d{m}_{j}" for m in range(l + 1, self.L + 1) for j in range(self.width(m)) if (m, j) in fed]

    def batch_update_new_weights(self, batch: str) -> None:
        """new_weights over a batch: layer l's deltas need every later layer already updated from
        every sample, so the forward values are kept per sample and each layer is a pass over them."""
        out, L = self.out, self.L
        self.zero_gradients([L])
        if L > 1:
            out("kept = []")
        with out.block(f"for {self.sample_names()} in {batch}:"):
            self.forward()  # a net f' reads is kept, and no other
            self.output_deltas()
            self.accumulate(L)
            if L > 1:  # += rather than .append: an epoch reads nothing but locals
                out(f"kept += (({', '.join(self.kept(L - 1))},),)")
        self.update_layer(L, batched=True)
        for l in range(L - 1, 0, -1):
            self.zero_gradients([l])
            if l > 1:
                out("passed, kept = kept, []")
            with out.block(f"for {_tuple(self.kept(l))} in {'passed' if l > 1 else 'kept'}:"):
                self.hidden_deltas(l)
                self.accumulate(l)
                if l > 1:
                    out(f"kept += (({', '.join(self.kept(l - 1))},),)")
            self.update_layer(l, batched=True)

    # the parts ------------------------------------------------------------

    def forward(self, keep_nets: bool = False) -> None:
        """net = Σ w·x + b (or − θ), out = f(net), layer by layer, each net over its neuron's own
        edges. A net that nothing else reads is written inside f, as one would by hand
        (`keep_nets` keeps every one, for code that reads them)."""
        out = self.out
        for l in range(1, self.L + 1):
            name, source, derivative, wiring = self.shape.layers[l - 1]
            # Inside f: the same operations, without storing and loading the net every epoch.
            inline = not keep_nets and name != "softmax" and source.count("{net}") == 1 and "{net}" not in derivative
            out(f"# layer {l}: net and out")
            for j, (sources, kind) in enumerate(wiring):
                total = " + ".join(f"{self.weight(l, j, s)} * {self.value(*s)}" for s in sources) or "0.0"
                if kind:  # the constant input: +1 for a bias, −1 for a threshold
                    total += f" {'+' if kind == 'bias' else '-'} {self.bias(l, j)}"
                if inline:
                    out(f"a{l}_{j} = {source.format(net=f'({total})')}")
                    continue
                out(f"z{l}_{j} = {total}")
                if name != "softmax":
                    out(f"a{l}_{j} = {source.format(net=f'z{l}_{j}')}")
            if name == "softmax":  # functions.softmax, shifted by the largest net
                width = len(wiring)
                nets = [f"z{l}_{j}" for j in range(width)]
                out(f"top = {'max(' + ', '.join(nets) + ')' if width > 1 else nets[0]}")
                for j in range(width):
                    out(f"e{j} = exp(z{l}_{j} - top)")
                out(f"total = {' + '.join(f'e{j}' for j in range(width))}")
                for j in range(width):
                    out(f"a{l}_{j} = e{j} / total")

    def output_deltas(self) -> None:
        """δ_k of functions.output_deltas: the cancelled form, or ∂E/∂out × f'(net) (softmax: its Jacobian)."""
        out, L = self.out, self.L
        name, _, derivative, wiring = self.shape.layers[-1]
        K = len(wiring)
        loss = LOSSES[self.shape.loss]
        out(f"# layer {L}: δ = ∂E_d/∂net from the loss ({loss.name})")
        cancelled = dict(loss.delta_sources).get(name)
        if cancelled:
            if "{total}" in cancelled:
                out(f"tsum = {' + '.join(f't{k}' for k in range(K))}")
            for k in range(K):
                out(f"d{L}_{k} = {cancelled.format(out=f'a{L}_{k}', target=f't{k}', total='tsum')}")
            return
        gradients = [loss.gradient_source.format(out=f"a{L}_{k}", target=f"t{k}", K=repr(float(K)))
                     for k in range(K)]
        if name != "softmax":  # δ_k = ∂E/∂out_k × f'(net_k)
            for k in range(K):
                slope = derivative.format(net=f"z{L}_{k}", out=f"a{L}_{k}")
                out(f"d{L}_{k} = {_times(f'({gradients[k]})', slope)}")
            return
        for k in range(K):
            out(f"g{k} = {gradients[k]}")
        out(f"mean = {' + '.join(f'g{k} * a{L}_{k}' for k in range(K))}")
        for k in range(K):
            out(f"d{L}_{k} = a{L}_{k} * (g{k} - mean)")

    def hidden_deltas(self, l: int) -> None:
        """δ_j = (Σ_k w_jk·δ_k) × f'(net_j) over the neurons k that j feeds, in any later layer,
        through their weights as they stand now."""
        out = self.out
        derivative = self.shape.layers[l - 1][2]
        out(f"# layer {l}: δ back-propagated")
        for j in range(self.width(l)):
            fed = self.fed[l, j]
            if not fed:  # an out nothing reads: no error flows back to it
                out(f"d{l}_{j} = 0.0")
                continue
            total = " + ".join(f"{self.weight(m, k, (l, j))} * d{m}_{k}" for m, k in fed)
            total = f"({total})" if len(fed) > 1 else total
            out(f"d{l}_{j} = {_times(total, derivative.format(net=f'z{l}_{j}', out=f'a{l}_{j}'))}")

    def gradient_names(self, l: int) -> list[tuple[str, str, str, bool]]:
        """(parameter, accumulator, per-sample term, whether the gradient is minus the term) for
        every parameter of layer l that moves: δ·x for a weight, δ for a bias, −δ for a threshold."""
        if l in self.gradients:
            return self.gradients[l]
        items = self.gradients[l] = []
        for j, (sources, kind) in enumerate(self.wiring(l)):
            for source in sources:
                w = self.weight(l, j, source)
                items.append((w, f"g{w}", f"d{l}_{j} * {self.value(*source)}", False))
            if self.shape.update_biases and kind:
                b = self.bias(l, j)
                assert b is not None  # the neuron has a bias or threshold: `kind` says which
                items.append((b, f"g{b}", f"d{l}_{j}", kind == "threshold"))
        return items

    def zero_gradients(self, layers) -> None:
        for l in layers:
            names = [g for _, g, _, _ in self.gradient_names(l)]
            if names:
                self.out(f"{' = '.join(names)} = 0.0")

    def accumulate(self, l: int) -> None:
        for _, g, term, negative in self.gradient_names(l):
            self.out(f"{g} {'-' if negative else '+'}= {term}")

    def update_layer(self, l: int, batched: bool) -> None:
        """θ ← θ + Δθ with Δθ = −η·∂E/∂θ + α·Δθ(n−1), ∂E/∂θ the reduced δ·x (+ 2λw) of a weight,
        δ of a bias, −δ of a threshold."""
        out, shape = self.out, self.shape
        out(f"# layer {l}: update")
        for param, g, term, negative in self.gradient_names(l):
            if negative and not batched and not shape.momentum:
                # θ − (−η)·δ is the very double θ + (−η)·(−δ) is, without the negation
                out(f"{param} -= neta * {term}")
                continue
            if batched:
                gradient = f"{g} / n" if shape.reduction == "mean" else g
            else:
                gradient = f"-{term}" if negative else term
            if shape.l2 and param.startswith("w"):
                gradient = f"{gradient} + l2x2 * {param}"
            if shape.momentum:
                out(f"v{param} = neta * ({gradient}) + alpha * v{param}")
                out(f"{param} += v{param}")
            else:
                out(f"{param} += neta * ({gradient})")


def _tuple(names: list[str]) -> str:
    return "(" + ", ".join(names) + ("," if len(names) == 1 else "") + ")"


def _times(value: str, factor: str) -> str:
    """value × f' — f' = 1 (linear) multiplies by nothing, which is exact."""
    return value if factor == "1.0" else f"{value} * ({factor})"


# ---------------------------------------------------------------- compiling, once per shape

class Program(Record):
    """A shape's generated source and the compiled function."""

    shape: Shape
    source: str
    train: Callable
    error: Callable
    parameters: tuple[str, ...]  # the names in state order


_PROGRAMS: dict[Shape, Program] = {}


def program_for(network: Network, quick: bool = True) -> Program:
    """The compiled program for the network's shape; `quick`: with the activations' quick forms."""
    shape = shape_of(network, quick)
    program = _PROGRAMS.get(shape)
    if program is None:
        writer = _Writer(shape)
        source = writer.write()
        code = codecache.code_for(source)
        import linecache

        filename = code.co_filename
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # readable tracebacks
        namespace: dict[str, Any] = {"helpers": tuple(HELPERS.values())}
        exec(code, namespace)
        program = Program(shape, source, namespace["train"], namespace["error"], tuple(writer.trainable()))
        _PROGRAMS[shape] = program
    return program


def source_for(network: Network) -> str:
    """The generated training function for `network`, to read."""
    return program_for(network).source


# ---------------------------------------------------------------- running it

def _rows(network: Network) -> tuple[tuple[float, ...], ...]:
    """Each sample's inputs then targets: the values the program reads (training needs targets)."""
    engine.require_targets(network)
    return tuple(s.inputs + (s.targets or ()) for s in network.samples)


def _flat_samples(network: Network):
    rows = _rows(network)
    mode = _mode(network)
    if mode == "batches":
        return tuple((len(batch), tuple(rows[i] for i in batch)) for batch in engine.batches(network))
    return rows


class CompiledTrainer:
    """Holds one network's state as a flat tuple and advances it with the compiled function."""

    def __init__(self, network: Network):
        options = network.options
        self.start = network
        self.program = program_for(network)
        updatable = options.update_biases
        params: list[float] = []  # in the program's state order (_Writer.trainable)
        fixed: list[float] = []
        names: list[str] = []
        for layer in network.layers:
            for n in layer.neurons:
                params += [w for _, w in n.weights]
                names += [edge(source, n.name) for source, _ in n.weights]
            biases = [(n.name, n.bias) for n in layer.neurons if n.bias is not None]
            (params if updatable else fixed).extend(b for _, b in biases)
            if updatable:
                names += [name for name, _ in biases]
        self.count = len(params)
        self.names = tuple(names)  # the model's name of each parameter in the state
        self._error: tuple[tuple[float, ...] | None, float] = (None, 0.0)  # (state, its error): asked twice a chunk
        self._network: tuple = (None, None)  # (state, its network): the record and its evaluation both ask
        # Momentum's previous steps: a saved run's (Network.previous_steps), else from rest.
        velocities = [network.previous_steps.get(name, 0.0) for name in names] if options.momentum else []
        self.state = tuple(params + velocities)
        self.arguments = (_flat_samples(network), -engine.require_learning_rate(network), options.momentum,
                          2 * options.l2, tuple(fixed))
        self.rows = _rows(network)

    def advance(self, epochs: int) -> None:
        try:
            self.state = self.program.train(epochs, self.state, *self.arguments)
        except OverflowError:  # a quick form overflowed (σ of a net below −709): rerun with `source`
            self.program = program_for(self.start, quick=False)
            self.state = self.program.train(epochs, self.state, *self.arguments)

    def sound(self) -> bool:
        """Every parameter and the error finite: nothing has gone beyond a double."""
        return all(map(math.isfinite, self.state[:self.count])) and math.isfinite(self.error())

    def velocity(self) -> dict[str, float]:
        """Each parameter's previous step, by the model's names (as StepRecord.velocity)."""
        if not self.start.options.momentum:
            return {}
        return dict(zip(self.names, self.state[self.count:]))

    def network(self) -> Network:
        if self._network[0] is self.state:
            return self._network[1]
        values = iter(self.state[:self.count])
        updatable = self.start.options.update_biases
        layers = []
        for layer in self.start.layers:
            neurons = [n._replace(weights=tuple([(source, next(values)) for source, _ in n.weights]))
                       for n in layer.neurons]
            if updatable:
                neurons = [n if n.bias is None else n._replace(bias=next(values)) for n in neurons]
            layers.append(layer._replace(neurons=tuple(neurons)))
        network = self.start._replace(layers=tuple(layers), previous_steps=self.velocity())
        self._network = (self.state, network)
        return network

    def evaluation(self) -> Evaluation:
        return engine.evaluate(self.network())

    def error(self) -> float:
        if self._error[0] is self.state:
            return self._error[1]
        try:
            error = self.program.error(self.state, self.rows, self.arguments[-1], self.start.options.l2)
        except OverflowError:
            self.program = program_for(self.start, quick=False)
            error = self.program.error(self.state, self.rows, self.arguments[-1], self.start.options.l2)
        self._error = (self.state, error)
        return error
