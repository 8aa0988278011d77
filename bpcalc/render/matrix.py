"""Worked solutions in matrix notation (`--notation matrix`): a layer at a time, with its vectors
and matrices written out in the engine's numbers.

Layer l (1 for the first layer of neurons, M for the output; the inputs are a⁰ = x):

    forward    n^l = W^l a^(l−1) + b^l (− θ^l with thresholds),  a^l = f^l(n^l),  e = t − a^M
    output δ   δ^M = ∂E/∂a^M ⊙ f′(n^M) = Ḟ^M(n^M) ∂E/∂a^M  (softmax: (diag(a) − a aᵀ) ∂E/∂a)
    hidden δ   δ^l = ((W^(l+1))ᵀ δ^(l+1)) ⊙ f′(n^l) = Ḟ^l(n^l) (W^(l+1))ᵀ δ^(l+1)  (Nielsen's, then Hagan's)
    gradients  ∂E/∂W^l = δ^l (a^(l−1))ᵀ,  ∂E/∂b^l = δ^l  (∂E/∂θ^l = −δ^l)
    updates    W^l(new) = W^l − η ∂E/∂W^l (+ α ΔW^l(n−1))

A layer fed by more than the layer before (skip connections) has one term per layer that feeds
it, W^(l,m) a^m, nearest first; a weight the network does not have is a 0 in its matrix. The
layout of each step (which samples, how gradients combine, old or new weights for the hidden δ)
is the neuron form's (render/solution.py, render/backward.py). Every number is taken from the
engine's records (StepRecord, Evaluation); here they are only arranged into matrices.
"""

from __future__ import annotations

from typing import Callable, Sequence

from ..engine import error_vector
from ..expr import (ALPHA, ETA, HALF, L2_SUM, LAMBDA, Call, Deriv, E, Expr, Matrix, Neg, Num, Paren, Prod, Ratio, Sum,
                    Sym, Word, dot, plus, times)
from ..functions import loss_of
from ..model import Network, edge
from ..records import Record
from ..trace import Evaluation, ForwardPass, StepRecord, UpdateRecord
from .backward import Backward
from .conventions import conventions
from .document import Block, Document, Group, Matrices, MatrixEquation, Note, Prose, Section
from .symbols import Symbols, View, layer_name, targets_of, title

SUPERSCRIPT = str.maketrans("0123456789,", "⁰¹²³⁴⁵⁶⁷⁸⁹˒")
SUBSCRIPT = str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉,")
# out = f(net) for a whole layer, by activation; None: a = n itself (linear)
FUNCTION = {"sigmoid": "σ", "linear": None, "leaky_relu": "lrelu"}
MISSING_NOTE = ("A 0 in a weight matrix stands for a weight the network does not have (a sparse layer, "
                "or a layer that feeds only some of the neurons after it), and a 0 in b or θ for a neuron "
                "without one; those entries are never updated.")
SQUARED = ("half_sse", "sse", "mse")  # losses whose ∂E/∂a is a multiple of (a − t), written with the vectors


def up(n: int | str) -> str:
    return str(n).translate(SUPERSCRIPT)


def down(n: int | str) -> str:
    return str(n).translate(SUBSCRIPT)


def column(values: Sequence[float], keep: bool = False) -> Expr:
    """A column vector of numbers; a single one is the number itself unless `keep` (a factor of a product)."""
    return grid([(v,) for v in values], keep)


def row(values: Sequence[float], keep: bool = True) -> Expr:
    return grid([tuple(values)], keep)


def grid(rows: Sequence[Sequence[float]], keep: bool = False) -> Expr:
    if len(rows) == 1 and len(rows[0]) == 1 and not keep:
        return Num(rows[0][0])
    return Matrix(tuple(tuple(Num(v) for v in r) for r in rows))


def product(*factors: Expr) -> Expr:
    """A matrix product written side by side (W¹x, [0.15 0.2][0.05; 0.1]); numbers alone by ×."""
    if all(isinstance(f, Num) for f in factors):
        return times(*factors)
    return Prod(tuple(factors), "")


def hadamard(a: Expr, b: Expr) -> Expr:
    """a ⊙ b, elementwise; two single numbers by ×."""
    if isinstance(a, Num) and isinstance(b, Num):
        return times(a, b)
    return Prod((a, b), "⊙")


def negated(x: Expr) -> Expr:
    """−x, without brackets around a product of matrices (−δ²(a¹)ᵀ)."""
    return Sum((("−", x),))


def transposed(w: Word) -> Word:
    """(W²)ᵀ, (a¹)ᵀ, xᵀ."""
    if len(w.text) == 1:  # x, e: no brackets needed
        return Word(w.text + "ᵀ", w.latex + r"^{\mathsf{T}}")
    return Word(f"({w.text})ᵀ", rf"\left({w.latex}\right)^{{\mathsf{{T}}}}")


class Shape:
    """How the layers feed one another: for each layer, the layers whose outs (or inputs) it
    takes, nearest first, each by its number (0 for the inputs) and its neurons' names."""

    def __init__(self, network: Network):
        self.network = network
        layer_of = network.layer_of()
        self.names: list[tuple[str, ...]] = [network.inputs] + [layer.names for layer in network.layers]
        self.sources: list[tuple[int, ...]] = []
        for layer in network.layers:
            fed = {layer_of[s] + 1 for n in layer.neurons for s in n.sources}
            self.sources.append(tuple(sorted(fed, reverse=True)))
        # A 0 in some matrix stands for a parameter the network does not have: a weight of a sparse
        # layer or of a skip connection to only some neurons, a bias some neurons of a layer lack.
        edges = set(network.weights())
        self.missing = any(
            edge(c, n.name) not in edges
            for l, layer in enumerate(network.layers, 1) for m in self.sources[l - 1]
            for n in layer.neurons for c in self.names[m]) or any(
            len({(n.bias is None, n.threshold) for n in layer.neurons}) > 1 for layer in network.layers)

    def double(self, l: int) -> bool:
        """Whether layer l's weight matrices carry the layer they come from too (W^(2,1), W^(2,0))."""
        sources = self.sources[l - 1]
        return len(sources) > 1 or (len(sources) == 1 and sources[0] != l - 1)

    def number(self, neuron: str) -> int:
        return next(l for l, names in enumerate(self.names) if neuron in names)

    def fed_by(self, m: int) -> list[int]:
        """The layers that layer m feeds, nearest first."""
        return [l for l in range(m + 1, len(self.names)) if m in self.sources[l - 1]]

    def weights(self, l: int, m: int, value: Callable[[str], float | None]) -> list[list[float]]:
        """W^(l,m) with `value(edge)` for each entry; 0 where there is no weight."""
        return [[_or_zero(value(edge(c, j))) for c in self.names[m]] for j in self.names[l]]

    def per_neuron(self, l: int, value: Callable[[str], float | None]) -> list[float]:
        """A vector over layer l's neurons, 0 where `value` has none."""
        return [_or_zero(value(j)) for j in self.names[l]]


def _or_zero(v: float | None) -> float:
    return 0.0 if v is None else v


class Notation:
    """The symbols of matrix notation: n¹, a¹, W², W^(2,1), b², θ², δ², x, t, e, with a sample's
    [k] on the vectors that belong to one sample."""

    def __init__(self, shape: Shape, several: bool):
        self.shape = shape
        self.several = several

    def mark(self, sample: int | None) -> str:
        return f"[{sample + 1}]" if self.several and sample is not None else ""

    def vector(self, letter: str, latex: str, l: int | None, sample: int | None = None) -> Word:
        k = self.mark(sample)
        if l is None:
            return Word(letter + k, latex + k)
        return Word(f"{letter}{up(l)}{k}", f"{latex}^{{{l}}}{k}")

    def a(self, l: int, sample: int | None) -> Word:
        """a^l, the outs of layer l; a⁰ is the input vector x."""
        return self.vector("x", r"\mathbf{x}", None, sample) if l == 0 else self.vector("a", r"\mathbf{a}", l, sample)

    def n(self, l: int, sample: int | None) -> Word:
        return self.vector("n", r"\mathbf{n}", l, sample)

    def delta(self, l: int, sample: int | None) -> Word:
        return self.vector("δ", r"\boldsymbol{\delta}", l, sample)

    def t(self, sample: int | None) -> Word:
        return self.vector("t", r"\mathbf{t}", None, sample)

    def e(self, sample: int | None) -> Word:
        return self.vector("e", r"\mathbf{e}", None, sample)

    def W(self, l: int, m: int, role: str = "value") -> Word:
        sup, latex = (f"{l},{m}", f"{l},{m}") if self.shape.double(l) else (str(l), str(l))
        return _role(Word("W" + up(sup), rf"\mathbf{{W}}^{{{latex}}}"), role)

    def bias(self, l: int, threshold: bool, role: str = "value") -> Word:
        if threshold:
            return _role(Word("θ" + up(l), rf"\boldsymbol{{\theta}}^{{{l}}}"), role)
        return _role(Word("b" + up(l), rf"\mathbf{{b}}^{{{l}}}"), role)

    def slope(self, l: int, sample: int | None) -> Word:
        """f′(n^l), the vector of each neuron's f′."""
        n = self.n(l, sample)
        return Word(f"f{up(l)}′({n.text})", rf"{{f^{{{l}}}}}'({n.latex})")

    def jacobian(self, l: int, sample: int | None) -> Word:
        """Hagan's Ḟ^l(n^l): the f′ on a diagonal."""
        n = self.n(l, sample)
        return Word(f"Ḟ{up(l)}({n.text})", rf"\dot{{\mathbf{{F}}}}^{{{l}}}({n.latex})")

    def diag(self, a: Word) -> Word:
        return Word(f"diag({a.text})", rf"\operatorname{{diag}}({a.latex})")

    def error(self, sample: int | None, per_sample: bool) -> Expr:
        """E, or one sample's E[k] whose gradient is a term of the batch's."""
        if not per_sample:
            return E
        if self.several and sample is not None:
            return Sym("E_sample", sample=sample + 1)
        return Word("E_d", "E_d")

    def outer(self, l: int, m: int, sample: int | None) -> Word:
        """δ^l (a^m)ᵀ, the gradient of W^(l,m) as one symbol, to take an entry of."""
        delta, a = self.delta(l, sample), transposed(self.a(m, sample))
        return Word(delta.text + a.text, delta.latex + " " + a.latex)

    def entry(self, w: Word, *at: int) -> Word:
        """One entry of a matrix or vector: δ²₁, [δ²(a¹)ᵀ]₁,₂."""
        text_at = ",".join(down(i) for i in at)
        latex_at = ",".join(str(i) for i in at)
        bare = w.text if not any(c in w.text for c in "()ᵀ") else f"[{w.text}]"
        bare_latex = w.latex if not any(c in w.text for c in "()ᵀ") else rf"\left[{w.latex}\right]"
        return Word(bare + text_at, f"{{{bare_latex}}}_{{{latex_at}}}")


def _role(w: Word, role: str) -> Word:
    if role == "new":
        return Word(w.text + "(new)", w.latex + r"(\text{new})")
    if role == "step":
        return Word("Δ" + w.text, r"\Delta " + w.latex)
    if role == "previous":
        return Word("Δ" + w.text + "(n−1)", r"\Delta " + w.latex + "(n-1)")
    return w


def meq(symbol: Expr, formulas: Sequence[Expr], numbers: Sequence[Expr], result: Expr | None, view: View,
        note: Prose = ()) -> MatrixEquation:
    """symbol = formulas = numbers = result; the formulas alone when the view is symbolic."""
    if view.symbolic:
        return MatrixEquation(symbol, tuple(formulas))
    sides = [*formulas, *numbers] + ([result] if result is not None else [])
    return MatrixEquation(symbol, tuple(sides), note)


def _function_of(activation_name: str, n: Word) -> Expr:
    fn = FUNCTION.get(activation_name, activation_name)
    return n if fn is None else Call(fn, (n,))


# ---------------------------------------------------------------- forward

class Forward:
    """The forward pass of one sample, a layer at a time: n^l, a^l, then e and the error."""

    def __init__(self, network: Network, view: View, shape: Shape, notation: Notation):
        self.network, self.view, self.shape, self.ms = network, view, shape, notation
        self.sy = Symbols(network)
        self.weights = network.weights()
        self.neurons = {n.name: n for n in network.neurons}

    def section(self, fp: ForwardPass, evaluation: Evaluation, heading: str = "Forward pass") -> Section:
        s = fp.sample
        blocks: list[Block] = []
        if not self.view.symbolic:
            targets = (("; ", self.ms.t(s), " = ", column(targets_of(self.network, s)))
                       if fp.error is not None else ())
            blocks.append(Note((Word("a⁰", r"\mathbf{a}^{0}"), " = ", self.ms.a(0, s), " = ",
                                column(self.network.samples[s].inputs), *targets)))
        for index, layer in enumerate(self.network.layers):
            l = index + 1
            title = f"Layer {l}: {layer_name(self.network, index)} ({layer.activation.name})"
            blocks.append(Section((title,), (Matrices(self.layer(fp, l)),), 2))
        if fp.error is not None:
            blocks.append(self.error_section(fp, evaluation))
        k = self.sy.k(s)
        return Section((heading + (f", sample {k}" if k else ""),), tuple(blocks))

    def layer(self, fp: ForwardPass, l: int) -> tuple[MatrixEquation, ...]:
        ms, shape, s = self.ms, self.shape, fp.sample
        layer = self.network.layers[l - 1]
        outs = {p.name: p.out for lp in fp.layers for p in lp}
        formula: list[tuple[str, Expr]] = []
        numbers: list[tuple[str, Expr]] = []
        for m in shape.sources[l - 1]:
            values = shape.weights(l, m, self.weights.get)
            formula.append(("+", product(ms.W(l, m), ms.a(m, s))))
            inputs = (self.network.samples[s].inputs if m == 0 else [outs[name] for name in shape.names[m]])
            numbers.append(("+", product(grid(values, keep=True), column(inputs, keep=True))))
        for threshold in (False, True):
            if not any(n.bias is not None and n.threshold == threshold for n in layer.neurons):
                continue
            sign = "−" if threshold else "+"
            formula.append((sign, ms.bias(l, threshold)))
            numbers.append((sign, column(shape.per_neuron(l, lambda j: self._bias(j, threshold)))))
        nets = [p.net for p in fp.layers[l - 1]]
        n, a = ms.n(l, s), ms.a(l, s)
        lines = [meq(n, [Sum(tuple(formula)) if formula else Num(0.0)], [Sum(tuple(numbers))] if numbers else [],
                     column(nets), self.view)]
        lines.append(meq(a, [_function_of(layer.activation.name, n)], [],
                         column([p.out for p in fp.layers[l - 1]]), self.view))
        return tuple(lines)

    def _bias(self, neuron: str, threshold: bool) -> float | None:
        n = self.neurons[neuron]
        return n.bias if n.bias is not None and n.threshold == threshold else None

    def error_section(self, fp: ForwardPass, evaluation: Evaluation) -> Section:
        """e = t − a^M, then the error: E = eᵀe for F = e², its ½ or 1/K for the other squared
        losses; each output's term for cross-entropy."""
        from .solution import error_lines

        ms, s, o = self.ms, fp.sample, self.network.options
        M = len(self.network.layers)
        t, a = ms.t(s), ms.a(M, s)
        e = ms.e(s)
        lines = [meq(e, [Sum((("+", t), ("−", a)))],
                     [Sum((("+", column(targets_of(self.network, s))), ("−", column(fp.outputs))))],
                     column(error_vector(self.network, fp)), self.view)]
        if o.loss not in SQUARED:  # each output's term, as the neuron form writes it
            return Section((f"Error ({o.loss})",), (Matrices(tuple(lines)),
                                                    Group(error_lines(self.sy, self.network, fp, self.view, evaluation))), 2)
        K = len(self.network.outputs)
        e_values = error_vector(self.network, fp)
        square = product(transposed(e), e)
        formula: Expr = {"sse": square, "half_sse": product(HALF, square), "mse": Ratio(square, Num(float(K)))}[o.loss]
        numbers: Expr = product(row(e_values, keep=False), column(e_values))
        scalar = isinstance(numbers, Prod) and numbers.op == "×"  # one output: e×e
        if o.loss == "half_sse":
            numbers = times(HALF, numbers) if scalar else product(HALF, numbers)
        elif o.loss == "mse":
            numbers = Ratio(Paren(numbers) if scalar else numbers, Num(float(K)))
        value = fp.error
        if self.sy.several:
            symbol: Expr = Sym("E_sample", sample=s + 1)
        else:
            symbol, value = Sym("E_total"), evaluation.error
            if o.l2:
                formula = plus(formula, dot(LAMBDA, L2_SUM))
                numbers = plus(numbers, Num(evaluation.l2_term))
        lines.append(meq(symbol, [formula], [numbers], Num(value) if value is not None else None, self.view))
        return Section((f"Error ({o.loss})",), (Matrices(tuple(lines)),), 2)


def forward_document(network: Network, evaluation: Evaluation, view: View) -> Document:
    """`bpcalc forward --notation matrix`."""
    from .solution import total_section

    shape = Shape(network)
    sy = Symbols(network)
    fw = Forward(network, view, shape, Notation(shape, sy.several))
    sections = [fw.section(fp, evaluation) for fp in evaluation.passes]
    if sy.several and evaluation.error is not None:
        sections.append(total_section(sy, network, evaluation, view))
    return Document(title(network, "forward pass in matrix notation"), conventions(network, view, "forward"),
                    (*_missing(shape, view), *sections))


def _missing(shape: Shape, view: View) -> tuple[Section, ...]:
    """The one note that a 0 in a matrix is a parameter the network lacks, when one is."""
    if not shape.missing or view.symbolic:
        return ()
    return (Section(("Notation",), (Note((MISSING_NOTE,)),)),)


# ---------------------------------------------------------------- backward

class MatrixBackward:
    """The backward pass of one step in matrix notation: per layer from the output, δ, the
    gradients and the updates, in the neuron form's order (backward.Backward)."""

    def __init__(self, record: StepRecord, view: View, shape: Shape, notation: Notation):
        self.record, self.view, self.shape, self.ms = record, view, shape, notation
        self.network = record.network
        self.o = record.network.options
        self.sy = Symbols(record.network)
        self.neuron_form = Backward(self.sy, record, view)
        self.combine = self.neuron_form.combine
        self.updates = {u.name: u for u in record.updates}
        self.M = len(self.network.layers)

    def shown(self, x: float) -> float:
        return -x if self.view.error_sign else x

    def sections(self) -> list[Section]:
        return [self.layer_section(l) for l in range(self.M, 0, -1)]

    def layer_section(self, l: int) -> Section:
        index = l - 1
        layer = self.network.layers[index]
        heading = (f"Backward pass: layer {l}, {layer_name(self.network, index)} ({', '.join(layer.names)})",)
        blocks: list[Block] = []
        if l < self.M and self.o.hidden_deltas == "new_weights":
            blocks.append(Note(("δ flows back through the weight matrices just updated above "
                                "(hidden_deltas: new_weights), as the sheet does.",)))
        if not self.combine:
            blocks.append(Matrices(self.delta_lines(l, 0) + self.gradient_lines(l, 0) + self.update_lines(l)))
            return Section(heading, tuple(blocks))
        for p, fp in enumerate(self.record.passes):
            k = self.sy.k(fp.sample)
            blocks.append(Section((f"Sample {k}" if k else "The sample",),
                                  (Matrices(self.delta_lines(l, p) + self.gradient_lines(l, p)),), 2))
        n = len(self.record.batch)
        how = f"Combining the {n} samples ({self.o.reduction})" if n > 1 else "Adding the L2 term"
        blocks.append(Section((how,), (Matrices(self.combine_lines(l) + self.update_lines(l)),), 2))
        return Section(heading, tuple(blocks))

    # ------------------------------------------------------------ δ

    def delta_lines(self, l: int, p: int) -> tuple[MatrixEquation, ...]:
        return self.output_delta(p) if l == self.M else self.hidden_delta(l, p)

    def _deltas(self, l: int, p: int) -> list[float]:
        deltas = self.record.deltas[p]
        return [self.shown(deltas[j].delta) for j in self.shape.names[l]]

    def output_delta(self, p: int) -> tuple[MatrixEquation, ...]:
        ms, view, o, M = self.ms, self.view, self.o, self.M
        fp = self.record.passes[p]
        s = fp.sample
        names = self.network.outputs
        d = [self.record.deltas[p][j] for j in names]
        activation = self.network.layers[-1].activation
        softmax = activation.is_softmax
        targets = targets_of(self.network, s)
        t, a, delta = ms.t(s), ms.a(M, s), ms.delta(M, s)
        neg = view.error_sign
        result = column(self._deltas(M, p))
        if o.loss == "cross_entropy" and (not softmax or abs(sum(targets) - 1.0) < 1e-9):
            why = "softmax's Jacobian times ∂E/∂a comes to a − t" if softmax else "f′ cancels against the loss"
            first, second = (t, a) if neg else (a, t)
            values = (targets, fp.outputs) if neg else (fp.outputs, targets)
            return (meq(delta, [Sum((("+", first), ("−", second)))],
                        [Sum((("+", column(values[0])), ("−", column(values[1]))))], result, view,
                        note=(why,)),)
        K = len(names)
        dE = Deriv(E, a)
        grad_symbol: Expr = Neg(dE) if neg else dE
        grad_values = [self.shown(x.dE_dout) for x in d]
        written = loss_of(o.loss, softmax).written_gradient
        numbers = ([written(column(targets), column(fp.outputs), K, neg)] if o.loss in SQUARED else [])
        lines = [meq(grad_symbol, [written(t, a, K, neg)], numbers, column(grad_values), view)]
        grad_factor = Paren(grad_symbol) if neg else grad_symbol
        if softmax:
            jac = Paren(Sum((("+", ms.diag(a)), ("−", product(a, transposed(a))))))
            outs = fp.outputs
            diag = grid([[outs[i] if i == j else 0.0 for j in range(K)] for i in range(K)], keep=True)
            jac_n = Paren(Sum((("+", diag), ("−", product(column(outs, keep=True), row(outs))))))
            lines.append(meq(delta, [product(jac, grad_factor)], [product(jac_n, column(grad_values, keep=True))],
                             result, view, note=("softmax's Jacobian",)))
            return tuple(lines)
        slope_values = [x.dout_dnet for x in d]
        assert all(v is not None for v in slope_values), "only softmax has no f′ of one neuron"
        slopes = column([v for v in slope_values if v is not None])
        lines.append(self.slope_line(M, p, slopes))
        lines.append(meq(delta, [hadamard(grad_factor, ms.slope(M, s)), product(ms.jacobian(M, s), grad_factor)],
                         [hadamard(column(grad_values), slopes)], result, view))
        return tuple(lines)

    def slope_line(self, l: int, p: int, slopes: Expr) -> MatrixEquation:
        """f′(n^l) = a(1−a) for σ, … (elementwise), with each neuron's f′."""
        s = self.record.passes[p].sample
        act = self.network.layers[l - 1].activation
        written = act.written_slope(self.ms.n(l, s), self.ms.a(l, s))
        return meq(self.ms.slope(l, s), [written] if written is not None else [], [], slopes, self.view)

    def hidden_delta(self, l: int, p: int) -> tuple[MatrixEquation, ...]:
        """δ^l = (Σ_m (W^(m,l))ᵀ δ^m) ⊙ f′(n^l), over the layers m that layer l feeds, through the
        weights the engine used (old or updated)."""
        ms, view, shape = self.ms, self.view, self.shape
        s = self.record.passes[p].sample
        deltas = self.record.deltas[p]
        names = shape.names[l]
        role = "new" if self.o.hidden_deltas == "new_weights" else "value"
        terms: list[Expr] = []
        terms_n: list[Expr] = []
        for m in shape.fed_by(l):
            used = {(j, t.neuron): t.weight for j in names for t in deltas[j].downstream}
            # (W^(m,l))ᵀ: row j (a neuron of layer l), column k (a neuron of layer m)
            wt = [[used.get((j, k), 0.0) for k in shape.names[m]] for j in names]
            terms.append(product(transposed(ms.W(m, l, role)), ms.delta(m, s)))
            terms_n.append(product(grid(wt, keep=True), column(self._deltas(m, p), keep=True)))
        back: Expr = plus(*terms) if terms else Num(0.0)
        back_n: Expr = plus(*terms_n) if terms_n else Num(0.0)
        slopes_raw = [deltas[j].dout_dnet for j in names]
        assert all(v is not None for v in slopes_raw), "a hidden neuron has its own f′"
        slopes = column([v for v in slopes_raw if v is not None])
        dE_da = column([self.shown(deltas[j].dE_dout) for j in names])
        delta = ms.delta(l, s)
        formulas = [hadamard(Paren(back), ms.slope(l, s)),
                    product(ms.jacobian(l, s), terms[0] if len(terms) == 1 else Paren(back))]
        numbers = [hadamard(Paren(back_n), slopes), hadamard(dE_da, slopes)]
        return (self.slope_line(l, p, slopes),
                meq(delta, formulas, numbers, column(self._deltas(l, p)), view))

    # ------------------------------------------------------------ gradients and updates

    def groups(self, l: int) -> list[ParameterMatrix]:
        """Layer l's parameter matrices: W^(l,m) for each layer m feeding it, then b^l and θ^l."""
        shape = self.shape
        keys: Callable[[str], str | None] = lambda key: key if key in self.updates else None
        groups = [ParameterMatrix(self.ms.W(l, m), "weight", m,
                                  tuple(tuple(keys(edge(c, j)) for c in shape.names[m]) for j in shape.names[l]))
                  for m in shape.sources[l - 1]]
        for threshold, kind in ((False, "bias"), (True, "threshold")):
            column_keys = tuple((j if j in self.updates and self.updates[j].kind == kind else None,)
                                for j in shape.names[l])
            if any(key for (key,) in column_keys):
                groups.append(ParameterMatrix(self.ms.bias(l, threshold), kind, None, column_keys))
        return groups

    def of(self, group: ParameterMatrix, field: str, p: int | None = None) -> Expr:
        """The group's matrix of one field of each parameter's update (old, gradient, new, …;
        with `p`, that sample's term of the gradient); 0 where the network has no parameter."""
        def value(key: str) -> float:
            u = self.updates[key]
            return u.per_sample[p] if p is not None else getattr(u, field)
        return grid(group.fill(value))

    def masked(self, group: ParameterMatrix) -> bool:
        """Whether some entry of the matrix is a parameter the network does not have."""
        return any(key is None for r in group.keys for key in r)

    def fixed(self, group: ParameterMatrix) -> bool:
        """Held fixed (update_biases: false): every bias and threshold, or none."""
        return any(key is not None and self.updates[key].fixed for r in group.keys for key in r)

    def inputs(self, fp: ForwardPass, m: int) -> list[float]:
        """a^m of a sample: its inputs for m = 0, else layer m's outs."""
        if m == 0:
            return list(self.network.samples[fp.sample].inputs)
        outs = {q.name: q.out for layer in fp.layers for q in layer}
        return [outs[name] for name in self.shape.names[m]]

    def gradient_lines(self, l: int, p: int) -> tuple[MatrixEquation, ...]:
        """∂E/∂W^(l,m) = δ^l (a^m)ᵀ for each layer m feeding l, then ∂E/∂b^l = δ^l (∂E/∂θ^l = −δ^l)."""
        ms, view = self.ms, self.view
        fp = self.record.passes[p]
        s = fp.sample
        E_k = ms.error(s, self.combine)
        delta = ms.delta(l, s)
        lines = []
        for group in self.groups(l):
            if self.fixed(group):
                continue
            formula: Expr
            numbers: Expr
            if group.source is not None:
                formula = product(delta, transposed(ms.a(group.source, s)))
                numbers = product(column(self._deltas(l, p), keep=True), row(self.inputs(fp, group.source)))
                negative = view.error_sign
            else:
                formula, numbers = delta, column(self._deltas(l, p))
                # ∂E/∂θ = −∂E/∂n; under the error sign δ is −∂E/∂n already
                negative = (group.kind == "threshold") != view.error_sign
            if negative:
                formula, numbers = negated(formula), negated(numbers)
            note: Prose = ()
            if self.masked(group):
                note = ("0 where the network has no such parameter",)
            # ∂E/∂b = δ needs no numbers between the symbol and the values, unless some are masked
            shown = [numbers] if group.source is not None or negative or note else []
            lines.append(meq(Deriv(E_k, group.symbol), [formula], shown, self.of(group, "", p), view, note))
        return tuple(lines)

    def combine_lines(self, l: int) -> tuple[MatrixEquation, ...]:
        """∂E/∂W from the samples' terms, their mean or sum, plus 2λW for a weight matrix under L2."""
        ms, view = self.ms, self.view
        n = len(self.record.passes)
        lines = []
        for group in self.groups(l):
            if self.fixed(group):
                continue
            parts = [Deriv(ms.error(fp.sample, True), group.symbol) for fp in self.record.passes]
            values = [self.of(group, "", p) for p in range(n)]
            formula: Expr
            numbers: Expr | None
            if n == 1:
                formula, numbers = parts[0], None
            elif self.o.reduction == "mean":
                formula = Ratio(Paren(plus(*parts)), Num(float(n)))
                numbers = Ratio(Paren(plus(*values)), Num(float(n)))
            else:
                formula, numbers = plus(*parts), plus(*values)
            if group.kind == "weight" and self.o.l2:
                formula = plus(formula, dot(Num(2.0), LAMBDA, group.symbol))
                numbers = plus(numbers or values[0], times(Num(2.0), Num(self.o.l2), self.of(group, "old")))
            lines.append(meq(Deriv(E, group.symbol), [formula], [numbers] if numbers is not None else [],
                             self.of(group, "gradient"), view))
        return tuple(lines)

    def update_lines(self, l: int, compact: bool = False) -> tuple[MatrixEquation, ...]:
        """P(new) = P − η ∂E/∂P (+ α ΔP(n−1)) for each of layer l's matrices; under the error sign
        the step first, ΔW = η δ aᵀ (+ α ΔW(n−1)) for one sample, then P(new) = P + ΔP. `compact`:
        without the δ, from the gradient (the step table)."""
        ms, view, o = self.ms, self.view, self.o
        eta = o.learning_rate
        assert eta is not None, "a step without a learning_rate is refused before it is made"
        fp = self.record.passes[0]
        s = fp.sample
        lines = []
        for group in self.groups(l):
            symbol, old, new = group.symbol, self.of(group, "old"), _role(group.symbol, "new")
            if self.fixed(group):
                lines.append(meq(new, [symbol], [], old, view, note=("held fixed: update_biases is false",)))
                continue
            momentum: list[tuple[str, Expr]] = []
            momentum_n: list[tuple[str, Expr]] = []
            if o.momentum:
                momentum = [("+", dot(ALPHA, _role(symbol, "previous")))]
                momentum_n = [("+", times(Num(o.momentum), self.of(group, "previous_step")))]
            grad = Deriv(E, symbol)
            descent: list[tuple[str, Expr]] = [("−", dot(ETA, grad))]
            descent_n: list[tuple[str, Expr]] = [("−", times(Num(eta), self.of(group, "gradient")))]
            if not view.error_sign:
                lines.append(meq(new, [Sum((("+", symbol), *descent, *momentum))],
                                 [Sum((("+", old), *descent_n, *momentum_n))], self.of(group, "new"), view))
                continue
            if not (self.combine or compact):  # one sample: Δ = +η δ (a^m)ᵀ, Δb = +η δ, Δθ = −η δ
                delta, deltas = ms.delta(l, s), column(self._deltas(l, 0), keep=group.source is not None)
                if group.source is not None:
                    descent = [("+", dot(ETA, product(delta, transposed(ms.a(group.source, s)))))]
                    descent_n = [("+", times(Num(eta), product(deltas, row(self.inputs(fp, group.source)))))]
                else:
                    sign = "−" if group.kind == "threshold" else "+"
                    descent, descent_n = [(sign, dot(ETA, delta))], [(sign, times(Num(eta), deltas))]
            step = _role(symbol, "step")
            lines.append(meq(step, [Sum((*descent, *momentum))], [Sum((*descent_n, *momentum_n))],
                             self.of(group, "step"), view))
            lines.append(meq(new, [plus(symbol, step)], [plus(old, self.of(group, "step"))], self.of(group, "new"), view))
        return tuple(lines)


class ParameterMatrix(Record):
    """One matrix of a layer's parameters: its symbol, weight/bias/threshold, the layer its weights
    come from (None for b and θ), and the parameter key of each entry (None: the network has none)."""

    symbol: Word
    kind: str
    source: int | None
    keys: tuple[tuple[str | None, ...], ...]

    def fill(self, value: Callable[[str], float]) -> list[list[float]]:
        """The matrix of `value` of each parameter, 0 where there is none."""
        return [[0.0 if key is None else value(key) for key in r] for r in self.keys]


def step_document(record: StepRecord, view: View, which: UpdateRecord | None = None) -> Document:
    """`bpcalc step --notation matrix`: with --show-deltas (or --symbolic) the forward pass, each
    layer's δ, gradients and updates, and a further forward pass; else each layer's updates."""
    from .solution import after_section, error_change_section, total_section, update_section

    network = record.network
    shape = Shape(network)
    sy = Symbols(network)
    ms = Notation(shape, sy.several)
    back = MatrixBackward(record, view, shape, ms)
    heads = conventions(network, view, "step")
    what = "one step of backpropagation" if which is None else f"update {which.number} of training"
    heading = title(network, what + " in matrix notation")
    sections: list[Section] = [] if which is None else [update_section(which)]
    layers = range(len(network.layers), 0, -1)
    if not view.show_deltas and not view.symbolic:
        updates = tuple(Section((f"Layer {l}: {layer_name(network, l - 1)}",),
                                (Matrices(back.update_lines(l, compact=True)),), 2) for l in layers)
        sections += [Section(("New values",), updates), error_change_section(record)]
        return Document(heading, heads, (*_missing(shape, view), *sections))
    forward = Forward(network, view, shape, ms)
    sections += [forward.section(fp, record.before) for fp in record.passes]
    if sy.several:
        sections.append(total_section(sy, network, record.before, view, record.batch))
    sections += back.sections()
    if not view.symbolic:
        sections.append(after_section(sy, record))
    return Document(heading, heads, (*_missing(shape, view), *sections))


# ---------------------------------------------------------------- explain

def explain_document(record: StepRecord, parameter: str, view: View) -> Document:
    """`bpcalc explain PARAM --notation matrix`: δ as vectors from the output down to the
    parameter's layer, the entry of δ^l (a^m)ᵀ (or of δ^l) that is its gradient, and its update."""
    from ..chain import locate, parameter_chains
    from .explain import _what

    network = record.network
    shape = Shape(network)
    sy = Symbols(network)
    ms = Notation(shape, sy.several)
    back = MatrixBackward(record, view, shape, ms)
    shown = network.label_of(parameter)
    named = f"{shown} ({parameter})" if parameter in sy.labels else shown
    _, neuron, source = locate(network, parameter)
    l = shape.number(neuron)
    j = shape.names[l].index(neuron) + 1
    sections = [_what(record, sy, parameter, parameter_chains(record, parameter)[0])]
    u = back.updates[parameter]
    for p, fp in enumerate(record.passes):
        s = fp.sample
        lines = [line for m in range(len(network.layers), l - 1, -1) for line in back.delta_lines(m, p)]
        delta = record.deltas[p][neuron]
        d_j = back.shown(delta.delta)
        symbol = back.neuron_form.term_symbol(parameter, p)
        if source:
            m = shape.number(source)
            i = shape.names[m].index(source) + 1
            a_i = Word(f"{ms.a(m, s).text}{down(i)}", f"{{{ms.a(m, s).latex}}}_{{{i}}}")
            formulas: list[Expr] = [ms.entry(ms.outer(l, m, s), j, i),
                                    product(ms.entry(ms.delta(l, s), j), a_i)]
            numbers: Expr = times(Num(d_j), Num(back.inputs(fp, m)[i - 1]))
            negative = view.error_sign
        else:
            formulas = [ms.entry(ms.delta(l, s), j)]
            numbers = Num(d_j)
            negative = network.neuron(neuron).threshold != view.error_sign
        if negative:
            formulas, numbers = [Neg(f) for f in formulas], Neg(numbers)
        worked = [numbers] if source or negative else []  # a bias's entry of δ is its value itself
        entry = meq(symbol, formulas, worked, Num(u.per_sample[p]), view,
                    note=(f"row {j}: {neuron}" + (f", column {i}: {source}" if source else ""),))
        k = sy.k(s)
        heading = "δ layer by layer, and the entry that is the gradient" + (f", sample {k}" if k else "")
        sections.append(Section((heading,), (Matrices((*lines, entry)),)))
    neuron_form = back.neuron_form
    update = (neuron_form.combine_lines(parameter) if neuron_form.combine else []) + neuron_form.update_lines(parameter)
    sections.append(Section(("The update",), (Group(tuple(update)),)))
    return Document(title(network, f"how {named} is learned, in matrix notation"),
                    conventions(network, view, "step"), (*_missing(shape, view), *sections))
