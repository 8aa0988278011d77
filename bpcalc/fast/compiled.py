"""Small networks compiled to straight-line Python: the training loop of one network shape, written out as source once.

For a 2-2-2 net the interpreter, not the arithmetic, is the cost: every loop, list and call
of the general engine costs more than the multiply it wraps. So this module writes what a
person would write by hand for that one network — one local variable per weight, one line per
neuron — from the activation and loss templates in bpcalc.functions, compiles it once per
network shape and options (bpcalc.fast.codecache keeps the compiled code between runs), and
runs the epochs inside it. `print(source_for(network))` shows the code; the names follow the
maths:

    x0, x1 …        the inputs of a sample            t0, t1 …   its targets
    z2_0, a2_0      net and out of neuron 0 of layer 2 (layer 1 is the first after the inputs);
                    a net nothing else reads is written inside its out: a2_0 = σ(w·a + b)
    d2_0            δ = ∂E_d/∂net of that neuron
    w2_0_1, b2_0    the weight from neuron 1 of layer 1 into neuron 0 of layer 2; its bias
    gw2_0_1, gb2_0  a batch's summed per-sample gradient δ·x (batches of more than one sample)
    vw2_0_1, vb2_0  the parameter's previous step Δθ(n−1) (momentum only)
    neta, alpha     −η and α;  l2x2: 2λ;  n: the batch's size
    top, e0, total  softmax: the largest net, e^(net−top), their sum   g0, mean: its δ's terms

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
from typing import Callable

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

class Shape(Record):
    """Everything the generated source depends on; parameter values, samples, η, α and λ are its arguments."""

    inputs: int
    layers: tuple[tuple[str, str, str, int, tuple[bool, ...]], ...]  # (activation, f, f', width, has bias)
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
        return self.layers[-1][3]


def _mode(network: Network) -> str:
    """one: a single sample, updated every epoch; online: one update per sample; full: one batch
    of several samples; batches: several batches, some of several samples."""
    plan = engine.batches(network)
    if all(len(batch) == 1 for batch in plan):
        return "one" if len(plan) == 1 else "online"
    return "full" if len(plan) == 1 else "batches"


def shape_of(network: Network, quick: bool = True) -> Shape:
    options = network.options
    layers = tuple((layer.activation.name,
                    (quick and layer.activation.quick_source) or layer.activation.source,
                    layer.activation.derivative_source,
                    len(layer.neurons), tuple(b is not None for b in layer.biases))
                   for layer in network.layers)
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

    # names ------------------------------------------------------------

    def width(self, l: int) -> int:
        return self.shape.inputs if l == 0 else self.shape.layers[l - 1][3]

    def value(self, l: int, i: int) -> str:
        """The out of neuron i of layer l: what feeds layer l + 1."""
        return f"x{i}" if l == 0 else f"a{l}_{i}"

    def has_bias(self, l: int, j: int) -> bool:
        return self.shape.layers[l - 1][4][j]

    def trainable(self) -> list[str]:
        """The parameters the function updates, in state order: layer by layer, weights then biases."""
        names = []
        for l in range(1, self.L + 1):
            names += [f"w{l}_{j}_{i}" for j in range(self.width(l)) for i in range(self.width(l - 1))]
            if self.shape.update_biases:
                names += [f"b{l}_{j}" for j in range(self.width(l)) if self.has_bias(l, j)]
        return names

    def fixed(self) -> list[str]:
        """Biases held by update_biases: false: read, never written."""
        if self.shape.update_biases:
            return []
        return [f"b{l}_{j}" for l in range(1, self.L + 1) for j in range(self.width(l)) if self.has_bias(l, j)]

    def sample_names(self) -> str:
        names = [f"x{i}" for i in range(self.shape.inputs)] + [f"t{k}" for k in range(self.shape.outputs)]
        return ", ".join(names) + ("," if len(names) == 1 else "")

    # the function --------------------------------------------------------

    def write(self) -> str:
        shape, out = self.shape, self.out
        params = self.trainable()
        velocities = ["v" + p for p in params] if shape.momentum else []
        state = params + velocities
        with out.block("def train(epochs, state, samples, neta, alpha, l2x2, fixed):"):
            out('"""Run `epochs` epochs from `state` (parameters, then previous steps); return the new state."""')
            out(f"{', '.join(HELPERS)} = helpers  # as locals, which are read faster than globals")
            out(f"{_tuple(state)} = state")
            if self.fixed():
                out(f"{_tuple(self.fixed())} = fixed")
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
            params = self.trainable()
            out(f"{_tuple(params)} = state[:{len(params)}]")  # the velocities after them are not needed
            if self.fixed():
                out(f"{_tuple(self.fixed())} = fixed")
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
                weights = [p for p in self.trainable() if p.startswith("w")]
                out(f"E += l2 * ({' + '.join(f'{w} * {w}' for w in weights)})")
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

    def batch_update_new_weights(self, batch: str) -> None:
        """new_weights over a batch: layer l's deltas need layer l+1 already updated from every
        sample, so the forward values are kept per sample and each layer is a pass over them."""
        out = self.out
        kept = [f"x{i}" for i in range(self.shape.inputs)] + [f"t{k}" for k in range(self.shape.outputs)]
        for l in range(1, self.L + 1):
            kept += [f"z{l}_{j}" for j in range(self.width(l))] + [f"a{l}_{j}" for j in range(self.width(l))]
        deltas = [f"d{self.L}_{k}" for k in range(self.width(self.L))]
        out("kept = []")
        self.zero_gradients([self.L])
        with out.block(f"for {self.sample_names()} in {batch}:"):
            self.forward(keep_nets=True)
            self.output_deltas()
            self.accumulate(self.L)
            out(f"kept.append(({', '.join(kept + deltas)},))")
        self.update_layer(self.L, batched=True)
        for l in range(self.L - 1, 0, -1):
            self.zero_gradients([l])
            new = [f"d{l}_{j}" for j in range(self.width(l))]
            out("passed, kept = kept, []")
            with out.block(f"for {_tuple(kept + deltas)} in passed:"):
                self.hidden_deltas(l)
                self.accumulate(l)
                if l > 1:
                    out(f"kept.append(({', '.join(kept + new)},))")
            self.update_layer(l, batched=True)
            deltas = new

    # the parts ------------------------------------------------------------

    def forward(self, keep_nets: bool = False) -> None:
        """net = Σ w·x + b, out = f(net), layer by layer. A net that nothing else reads is written
        inside f, as one would by hand (`keep_nets` keeps every one, for code that reads them)."""
        out = self.out
        for l in range(1, self.L + 1):
            name, source, derivative, width, _ = self.shape.layers[l - 1]
            # Inside f: the same operations, without storing and loading the net every epoch.
            inline = not keep_nets and name != "softmax" and source.count("{net}") == 1 and "{net}" not in derivative
            out(f"# layer {l}: net and out")
            for j in range(width):
                terms = [f"w{l}_{j}_{i} * {self.value(l - 1, i)}" for i in range(self.width(l - 1))]
                if self.has_bias(l, j):
                    terms.append(f"b{l}_{j}")
                total = " + ".join(terms)
                if inline:
                    out(f"a{l}_{j} = {source.format(net=f'({total})')}")
                    continue
                out(f"z{l}_{j} = {total}")
                if name != "softmax":
                    out(f"a{l}_{j} = {source.format(net=f'z{l}_{j}')}")
            if name == "softmax":  # functions.softmax, shifted by the largest net
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
        name, _, derivative, K, _ = self.shape.layers[-1]
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
        if name == "softmax":
            out(f"mean = {' + '.join(f'g{k} * a{L}_{k}' for k in range(K))}")
            for k in range(K):
                out(f"d{L}_{k} = a{L}_{k} * (g{k} - mean)")

    def hidden_deltas(self, l: int) -> None:
        """δ_j = (Σ_k w_kj·δ_k) × f'(net_j), through layer l+1's weights as they stand now."""
        out = self.out
        derivative = self.shape.layers[l - 1][2]
        out(f"# layer {l}: δ back-propagated")
        for j in range(self.width(l)):
            total = " + ".join(f"w{l + 1}_{k}_{j} * d{l + 1}_{k}" for k in range(self.width(l + 1)))
            total = f"({total})" if self.width(l + 1) > 1 else total
            out(f"d{l}_{j} = {_times(total, derivative.format(net=f'z{l}_{j}', out=f'a{l}_{j}'))}")

    def gradient_names(self, l: int) -> list[tuple[str, str, str]]:
        """(parameter, accumulator, per-sample term δ·x) for every parameter of layer l that moves."""
        items = []
        for j in range(self.width(l)):
            for i in range(self.width(l - 1)):
                items.append((f"w{l}_{j}_{i}", f"gw{l}_{j}_{i}", f"d{l}_{j} * {self.value(l - 1, i)}"))
            if self.shape.update_biases and self.has_bias(l, j):
                items.append((f"b{l}_{j}", f"gb{l}_{j}", f"d{l}_{j}"))
        return items

    def zero_gradients(self, layers) -> None:
        for l in layers:
            names = [g for _, g, _ in self.gradient_names(l)]
            self.out(f"{' = '.join(names)} = 0.0")

    def accumulate(self, l: int) -> None:
        for _, g, term in self.gradient_names(l):
            self.out(f"{g} += {term}")

    def update_layer(self, l: int, batched: bool) -> None:
        """θ ← θ + Δθ with Δθ = −η·∂E/∂θ + α·Δθ(n−1), ∂E/∂θ = reduced δ·x (+ 2λw for weights)."""
        out, shape = self.out, self.shape
        out(f"# layer {l}: update")
        for param, g, term in self.gradient_names(l):
            gradient = term
            if batched:
                gradient = f"{g} / n" if shape.reduction == "mean" else g
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
        namespace = {"helpers": tuple(HELPERS.values())}
        exec(code, namespace)
        program = Program(shape, source, namespace["train"], namespace["error"], tuple(writer.trainable()))
        _PROGRAMS[shape] = program
    return program


def source_for(network: Network) -> str:
    """The generated training function for `network`, to read."""
    return program_for(network).source


# ---------------------------------------------------------------- running it

def _flat_samples(network: Network):
    rows = tuple(s.inputs + s.targets for s in network.samples)
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
        params, fixed, names = [], [], []
        for index, layer in enumerate(network.layers):
            params += [w for row in layer.weights for w in row]
            names += [edge(s, d) for d in layer.neurons for s in network.sources(index)]
            biases = [(n, b) for n, b in zip(layer.neurons, layer.biases) if b is not None]
            (params if updatable else fixed).extend(b for _, b in biases)
            if updatable:
                names += [n for n, _ in biases]
        self.count = len(params)
        self.names = tuple(names)  # the model's name of each parameter in the state
        self._error = (None, 0.0)  # (state, its error): the driver asks twice after a chunk
        velocities = [0.0] * len(params) if options.momentum else []
        self.state = tuple(params + velocities)
        self.arguments = (_flat_samples(network), -options.learning_rate, options.momentum,
                          2 * options.l2, tuple(fixed))
        self.rows = tuple(s.inputs + s.targets for s in network.samples)

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
        values = iter(self.state[:self.count])
        updatable = self.start.options.update_biases
        layers = []
        for layer in self.start.layers:
            rows = tuple(tuple(next(values) for _ in row) for row in layer.weights)
            biases = layer.biases
            if updatable:
                biases = tuple(None if b is None else next(values) for b in layer.biases)
            layers.append(layer._replace(weights=rows, biases=biases))
        return self.start.with_layers(tuple(layers))

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
