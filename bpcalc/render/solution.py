"""Worked solutions of `forward` and `step` as documents: every line a formula, its numbers and the engine's value.

The layout follows the sheets (Mazur's tutorial, the CSC4007 solutions): the forward pass
layer by layer, the error, then from the output layer back: each neuron's δ, each weight's
gradient and its update, the error after the step and a further forward pass. Values are
taken from the trace; nothing is recomputed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..model import ARROW, Network, edge
from ..trace import Evaluation, ForwardPass, NeuronDelta, ParameterUpdate, StepRecord
from . import formulas as fx
from .document import Block, Document, Equation, Group, Note, Prose, Section, Table
from .expr import (ALPHA, ETA, LAMBDA, ONE, Expr, Neg, Num, Param, Paren, Ratio, Sum, Sym, Word, dot,
                   minus, plus, times)
from .text import Writer

NAMES = Writer()  # the text spelling of a symbol is its name in answer files
L2_SUM = Word("Σw²", r"\sum w^{2}")


@dataclass(frozen=True)
class View:
    """How a solution is written: the δ sign shown, symbols only or with numbers, full or compact."""

    delta_sign: str = "gradient"  # gradient: δ = ∂E/∂net (bpcalc, Mazur); error: δ = −∂E/∂net (Udacity)
    symbolic: bool = False
    show_deltas: bool = True
    digits: int = 9

    @property
    def error_sign(self) -> bool:
        return self.delta_sign == "error"


class Symbols:
    """The symbols of one network: sample suffixes, parameters by label, the source of each weight."""

    def __init__(self, network: Network):
        self.network = network
        self.several = len(network.samples) > 1
        self.labels = {target: label for label, target in network.labels.items()}

    def k(self, sample: int) -> int | None:
        """The 1-based sample number written as a suffix, when the network has several samples."""
        return sample + 1 if self.several else None

    def net(self, neuron: str, sample: int) -> Sym:
        return Sym("net", neuron, self.k(sample))

    def out(self, neuron: str, sample: int) -> Sym:
        return Sym("out", neuron, self.k(sample))

    def t(self, neuron: str, sample: int) -> Sym:
        return Sym("t", neuron, self.k(sample))

    def delta(self, neuron: str, sample: int) -> Sym:
        return Sym("delta", neuron, self.k(sample))

    def error(self, neuron: str, sample: int) -> Sym:
        return Sym("E", neuron, self.k(sample))

    def param(self, name: str) -> Param:
        return Param(name, self.labels.get(name), ARROW not in name)

    def source(self, index: int, name: str, sample: int) -> Sym:
        """What a weight of layer `index` multiplies: an input's value or the previous layer's out."""
        return Sym("x", name, self.k(sample)) if index == 0 else self.out(name, sample)

    def source_values(self, fp: ForwardPass, index: int) -> tuple[float, ...]:
        if index == 0:
            return self.network.samples[fp.sample].inputs
        return tuple(n.out for n in fp.layers[index - 1])

    def inputs_prose(self, sample: int) -> Prose:
        """inputs i1 = 0.05, i2 = 0.1; targets t_o1 = 0.01, t_o2 = 0.99"""
        values = self.network.samples[sample]
        parts: list = ["inputs "]
        for k, (name, x) in enumerate(zip(self.network.inputs, values.inputs)):
            parts += [", " if k else "", Sym("x", name, self.k(sample)), " = ", Num(x)]
        parts.append("; targets ")
        for k, (name, t) in enumerate(zip(self.network.outputs, values.targets)):
            parts += [", " if k else "", self.t(name, sample), " = ", Num(t)]
        return tuple(parts)


def equation(symbol: Expr, formula: Expr | None, numbers: Expr | None, value: float | None,
             view: View, named: bool = True, note: Prose = ()) -> Equation:
    """An equation, stripped to symbol = formula when the view is symbolic."""
    name = NAMES(symbol) if named else None
    if view.symbolic:
        return Equation(symbol, formula, name=name)
    return Equation(symbol, formula, numbers, value, name, note)


def layer_name(network: Network, index: int) -> str:
    if index == len(network.layers) - 1:
        return "output layer"
    return "hidden layer" if len(network.layers) == 2 else f"hidden layer {index + 1}"


def title(network: Network, what: str) -> str:
    return f"{network.name or network.path or 'network'}: {what}"


# ---------------------------------------------------------------- conventions

def conventions(network: Network, view: View, command: str) -> tuple[Prose, ...]:
    """The header: which loss, η, δ sign, biases, hidden-δ weights and rounding the numbers follow."""
    o = network.options
    softmax = network.layers[-1].activation.is_softmax
    k_t, k_out = Sym("t", "k"), Sym("out", "k")
    term = fx.error_term(o.loss, softmax, k_t, k_out, len(network.outputs))
    items: list[Prose] = [(f"loss {o.loss}: ", Sym("E", "k"), " = ", term)]
    if len(network.samples) > 1:
        items.append((Sym("E_total"), f" = {o.reduction} of the {len(network.samples)} samples' errors",))
    if o.l2:
        items.append(("L2 ", LAMBDA, " = ", Num(o.l2)))
    if command != "forward":
        if o.learning_rate is not None:
            items.append((ETA, " = ", Num(o.learning_rate)))
        w = Param("w", "w", False)
        x_delta = dot(Sym("delta", "X"), Sym("x", "x"))
        if view.error_sign:
            items.append((Sym("delta", "X"), " = −", fx.dE(Sym("net", "X")), " (error sign), ",
                          w.as_("step"), " = +", dot(ETA, x_delta)))
        else:
            items.append((Sym("delta", "X"), " = ", fx.dE(Sym("net", "X")), ", ",
                          w.as_("new"), " = ", minus(w, dot(ETA, w.as_("grad")))))
        biases = [b for layer in network.layers for b in layer.biases if b is not None]
        items.append(("no biases" if not biases else
                      "biases updated" if o.update_biases else "biases held fixed",))
        if len(network.layers) > 1:
            items.append((f"hidden δ through the {'updated' if o.hidden_deltas == 'new_weights' else 'old'} weights",))
        if len(network.samples) > 1:
            items.append((f"batch: {o.batch}",))
        if o.momentum:
            items.append(("momentum ", ALPHA, " = ", Num(o.momentum)))
    if o.rounding:
        items.append((f"hand rounding: every value written down is rounded to {o.rounding.describe()} "
                      "and carried forward rounded",))
    elif not view.symbolic:
        items.append((f"exact arithmetic, shown to {view.digits} significant digits",))
    return tuple(items)


# ---------------------------------------------------------------- forward

def forward_document(network: Network, evaluation: Evaluation, view: View) -> Document:
    """`bpcalc forward`: every sample fed forward, neuron by neuron, and the error."""
    sy = Symbols(network)
    sections = [forward_section(sy, network, fp, view) for fp in evaluation.passes]
    if sy.several:
        sections.append(total_section(sy, network, evaluation, view))
    return Document(title(network, "forward pass"), conventions(network, view, "forward"), tuple(sections))


def forward_section(sy: Symbols, network: Network, fp: ForwardPass, view: View,
                    heading: str = "Forward pass") -> Section:
    """One sample fed forward through `network` (the one whose weights produced `fp`)."""
    k = sy.k(fp.sample)
    blocks: list[Block] = [] if view.symbolic else [Note(sy.inputs_prose(fp.sample))]
    for index, layer in enumerate(network.layers):
        groups = [Group(neuron_forward(sy, network, fp, index, j, view)) for j in range(len(layer.neurons))]
        name = layer_name(network, index)
        blocks.append(Section((f"{name[0].upper()}{name[1:]} ({layer.activation.name})",), tuple(groups), 2))
    blocks.append(Section((f"Error ({network.options.loss})",), (Group(error_lines(sy, network, fp, view)),), 2))
    suffix = f", sample {k}" if k else ""
    return Section((heading + suffix,), tuple(blocks))


def neuron_forward(sy: Symbols, network: Network, fp: ForwardPass, index: int, j: int,
                   view: View) -> tuple[Equation, ...]:
    """net = Σ w·x + b·1 and out = f(net) for neuron j of layer `index`."""
    layer = network.layers[index]
    neuron = fp.layers[index][j]
    s = fp.sample
    values = sy.source_values(fp, index)
    symbols, numbers = [], []
    for i, source in enumerate(network.sources(index)):
        symbols.append(dot(sy.param(edge(source, neuron.name)), sy.source(index, source, s)))
        numbers.append(times(Num(layer.weights[j][i]), Num(values[i])))
    if layer.biases[j] is not None:
        symbols.append(dot(sy.param(neuron.name), ONE))
        numbers.append(times(Num(layer.biases[j]), ONE))
    net = sy.net(neuron.name, s)
    net_line = equation(net, plus(*symbols), plus(*numbers), neuron.net, view)
    act = layer.activation
    if act.is_softmax:
        nets = [sy.net(n.name, s) for n in fp.layers[index]]
        formula = fx.softmax(net, nets)
        substituted = fx.softmax(Num(neuron.net), [Num(n.net) for n in fp.layers[index]])
    else:
        formula = fx.activation(act, net)
        substituted = fx.activation(act, net, neuron.net)
    out_line = equation(sy.out(neuron.name, s), formula, substituted, neuron.out, view)
    return net_line, out_line


def error_lines(sy: Symbols, network: Network, fp: ForwardPass, view: View,
                evaluation: Evaluation | None = None) -> tuple[Equation, ...]:
    """Each output's error term, then the sample's error (or E_total, with a single sample)."""
    o = network.options
    softmax = network.layers[-1].activation.is_softmax
    s = fp.sample
    targets = network.samples[s].targets
    K = len(network.outputs)
    lines = []
    for neuron, t, term in zip(fp.layers[-1], targets, fp.error_terms):
        formula = fx.error_term(o.loss, softmax, sy.t(neuron.name, s), sy.out(neuron.name, s), K)
        numbers = fx.error_term(o.loss, softmax, Num(t), Num(neuron.out), K)
        lines.append(equation(sy.error(neuron.name, s), formula, numbers, term, view))
    terms = [sy.error(n, s) for n in network.outputs]
    values = [Num(e) for e in fp.error_terms]
    if sy.several:
        symbol, value, named = Sym("E_sample", sample=sy.k(s)), fp.error, False
    else:
        symbol, named = Sym("E_total"), True
        value = evaluation.error if evaluation is not None else fp.error
        if o.l2 and evaluation is not None:
            terms.append(dot(LAMBDA, L2_SUM))
            values.append(Num(evaluation.l2_term))
    if len(terms) == 1:
        lines.append(equation(symbol, terms[0], None, value, view, named))
    else:
        lines.append(equation(symbol, plus(*terms), plus(*values), value, view, named))
    return tuple(lines)


def total_section(sy: Symbols, network: Network, evaluation: Evaluation, view: View,
                  shown: tuple[int, ...] | None = None) -> Section:
    """E_total over every sample: the mean or sum of the E[k], plus λΣw²."""
    o = network.options
    n = len(evaluation.passes)
    parts = [Sym("E_sample", sample=sy.k(fp.sample)) for fp in evaluation.passes]
    values = [Num(fp.error) for fp in evaluation.passes]
    if o.reduction == "mean":
        formula: Expr = Ratio(Paren(plus(*parts)), Num(float(n)))
        numbers: Expr = Ratio(Paren(plus(*values)), Num(float(n)))
    else:
        formula, numbers = plus(*parts), plus(*values)
    if o.l2:
        formula = plus(formula, dot(LAMBDA, L2_SUM))
        numbers = plus(numbers, Num(evaluation.l2_term))
    blocks: list[Block] = [Group((equation(Sym("E_total"), formula, numbers, evaluation.error, view),))]
    if shown is not None and len(shown) < n and not view.symbolic:
        others = ", ".join(str(i + 1) for i in range(n) if i not in shown)
        blocks.append(Note((f"Samples outside this batch ({others}) are fed forward the same way "
                            "(bpcalc forward shows them).",)))
    return Section(("Total error",), tuple(blocks))


# ---------------------------------------------------------------- step

def step_document(record: StepRecord, view: View) -> Document:
    """`bpcalc step`: the worked update (with --show-deltas or --symbolic), else the compact one."""
    network = record.network
    sy = Symbols(network)
    heads = conventions(network, view, "step")
    if not view.show_deltas and not view.symbolic:
        return Document(title(network, "one step of backpropagation"), heads,
                        (summary_section(sy, record), error_change_section(record)))
    sections = [forward_section(sy, network, fp, view) for fp in record.passes]
    if sy.several:
        sections.append(total_section(sy, network, record.before, view, record.batch))
    sections += backward_sections(sy, record, view)
    if not view.symbolic:
        sections += [summary_section(sy, record), after_section(sy, record)]
    return Document(title(network, "one step of backpropagation"), heads, tuple(sections))


def params_into(network: Network, index: int, j: int) -> list[str]:
    """The parameters feeding neuron j of layer `index`: its incoming weights, then its bias."""
    layer = network.layers[index]
    dest = layer.neurons[j]
    names = [edge(s, dest) for s in network.sources(index)]
    if layer.biases[j] is not None:
        names.append(dest)
    return names


class Backward:
    """The backward pass of one step, written layer by layer from the output."""

    def __init__(self, sy: Symbols, record: StepRecord, view: View):
        self.sy = sy
        self.record = record
        self.view = view
        self.network = record.network
        self.options = record.network.options
        self.updates = {u.name: u for u in record.updates}
        # One sample and no L2: each gradient is final where it is computed (Mazur's layout);
        # otherwise each sample's term is shown in its block and combined afterwards.
        self.combine = len(record.batch) > 1 or self.options.l2 > 0
        self.exact = self.options.rounding is None

    def sections(self) -> list[Section]:
        return [self.layer_section(index) for index in reversed(range(len(self.network.layers)))]

    def layer_section(self, index: int) -> Section:
        layer = self.network.layers[index]
        heading = (f"Backward pass: {layer_name(self.network, index)} ({', '.join(layer.neurons)})",)
        blocks: list[Block] = []
        if index < len(self.network.layers) - 1 and self.options.hidden_deltas == "new_weights":
            blocks.append(Note(("δ flows back through the weights just updated above "
                                "(hidden_deltas: new_weights), as the sheet does.",)))
        neurons = range(len(layer.neurons))
        if not self.combine:
            p = 0
            for j in neurons:
                lines = list(self.delta_lines(index, j, p))
                for name in params_into(self.network, index, j):
                    lines += self.gradient_lines(index, j, name, p) + self.update_lines(index, j, name)
                blocks.append(Group(tuple(lines)))
            return Section(heading, tuple(blocks))
        for p, fp in enumerate(self.record.passes):
            groups = []
            for j in neurons:
                lines = list(self.delta_lines(index, j, p))
                for name in params_into(self.network, index, j):
                    lines += self.gradient_lines(index, j, name, p)
                groups.append(Group(tuple(lines)))
            k = self.sy.k(fp.sample)
            blocks.append(Section((f"Sample {k}" if k else "The sample",), tuple(groups), 2))
        n = len(self.record.batch)
        how = (f"Combining the {n} samples ({self.options.reduction})" if n > 1
               else "Adding the L2 term")
        groups = []
        for j in neurons:
            lines = []
            for name in params_into(self.network, index, j):
                lines += self.combine_lines(name) + self.update_lines(index, j, name)
            groups.append(Group(tuple(lines)))
        blocks.append(Section((how,), tuple(groups), 2))
        return Section(heading, tuple(blocks))

    # ------------------------------------------------------------ deltas

    def shown(self, x: float) -> float:
        """A δ-signed value as displayed: negated under the error-sign convention (display only)."""
        return -x if self.view.error_sign else x

    def delta_lines(self, index: int, j: int, p: int) -> tuple[Equation, ...]:
        if index == len(self.network.layers) - 1:
            return self.output_delta_lines(j, p)
        return self.hidden_delta_lines(index, j, p)

    def output_delta_lines(self, j: int, p: int) -> tuple[Equation, ...]:
        sy, view, o = self.sy, self.view, self.options
        fp = self.record.passes[p]
        s = fp.sample
        layer = self.network.layers[-1]
        name = layer.neurons[j]
        neuron = fp.layers[-1][j]
        d: NeuronDelta = self.record.deltas[p][name]
        t_value = self.network.samples[s].targets[j]
        out, net, t, delta = sy.out(name, s), sy.net(name, s), sy.t(name, s), sy.delta(name, s)
        softmax = layer.activation.is_softmax
        K = len(self.network.outputs)
        neg = view.error_sign
        grad_f = fx.error_gradient(o.loss, softmax, t, out, K)
        grad_n = fx.error_gradient(o.loss, softmax, Num(t_value), Num(neuron.out), K)
        slope_f = fx.derivative(layer.activation, net, out) if not softmax else None
        slope_n = fx.derivative(layer.activation, Num(neuron.net), Num(neuron.out)) if not softmax else None
        cancelled = o.loss == "cross_entropy"
        if view.symbolic:
            if cancelled:
                formula = fx.cancelled_delta(t, out, neg)
            elif softmax:
                formula = self.softmax_formula(p, j, symbols=True)
            else:
                first = fx.error_gradient(o.loss, softmax, t, out, K, negated=neg)
                formula = dot(first, slope_f) if slope_f is not None else first
            return (equation(delta, formula, None, None, view),)
        lines = [equation(fx.dE(out), grad_f, grad_n, d.dE_dout, view)]
        if d.dout_dnet is not None:
            lines.append(equation(fx.d(out, net), slope_f, slope_n, d.dout_dnet, view))
        if cancelled:
            note = ("f′ cancels against the loss",)
            lines.append(equation(delta, fx.cancelled_delta(t, out, neg),
                                  fx.cancelled_delta(Num(t_value), Num(neuron.out), neg),
                                  self.shown(d.delta), view, note=note))
        elif softmax:
            lines.append(equation(delta, self.softmax_formula(p, j, symbols=True),
                                  self.softmax_formula(p, j, symbols=False), self.shown(d.delta), view,
                                  note=("through softmax's Jacobian",)))
        elif neg:
            first = Paren(fx.error_gradient(o.loss, softmax, t, out, K, negated=True))
            first_n = Paren(fx.error_gradient(o.loss, softmax, Num(t_value), Num(neuron.out), K, negated=True))
            lines.append(equation(delta, times(first, fx.d(out, net)), times(first_n, Num(d.dout_dnet)),
                                  self.shown(d.delta), view))
        else:
            lines.append(equation(delta, times(fx.dE(out), fx.d(out, net)),
                                  times(Num(d.dE_dout), Num(d.dout_dnet)), d.delta, view))
        return tuple(lines)

    def softmax_formula(self, p: int, j: int, symbols: bool) -> Expr:
        """δ_k = out_k(dE/dout_k − Σ_j dE/dout_j·out_j) for a softmax output with a non-matching loss."""
        fp = self.record.passes[p]
        s = fp.sample
        names = self.network.outputs
        deltas = self.record.deltas[p]
        if symbols:
            grads = [fx.dE(self.sy.out(n, s)) for n in names]
            outs = [self.sy.out(n, s) for n in names]
        else:
            grads = [Num(deltas[n].dE_dout) for n in names]
            outs = [Num(n.out) for n in fp.layers[-1]]
        return fx.softmax_delta(outs[j], grads[j], grads, outs)

    def weight_symbol(self, name: str) -> Param:
        """The weight a hidden δ flows back through: the new one under hidden_deltas: new_weights."""
        p = self.sy.param(name)
        return p.as_("new") if self.options.hidden_deltas == "new_weights" else p

    def hidden_delta_lines(self, index: int, j: int, p: int) -> tuple[Equation, ...]:
        sy, view = self.sy, self.view
        fp = self.record.passes[p]
        s = fp.sample
        layer = self.network.layers[index]
        name = layer.neurons[j]
        neuron = fp.layers[index][j]
        d: NeuronDelta = self.record.deltas[p][name]
        out, net, delta = sy.out(name, s), sy.net(name, s), sy.delta(name, s)
        terms = [dot(sy.delta(t.neuron, s), self.weight_symbol(edge(name, t.neuron))) for t in d.downstream]
        slope_f = fx.derivative(layer.activation, net, out)
        slope_n = fx.derivative(layer.activation, Num(neuron.net), Num(neuron.out))
        if view.symbolic:
            weighted = Paren(plus(*terms))
            return (equation(delta, dot(weighted, slope_f) if slope_f is not None else weighted,
                             None, None, view),)
        lines = []
        if len(terms) > 1:
            # Each term is the part of dE/dout that flows back through one neuron K: Mazur's
            # ∂E_o1/∂out_h1 = δ_o1·w5, named dE_o1/dout_h1 in answer files.
            for term, t in zip(terms, d.downstream):
                part = fx.d(Sym("E", t.neuron), out)
                lines.append(equation(Neg(part) if view.error_sign else part, term,
                                      times(Num(self.shown(t.delta)), Num(t.weight)),
                                      self.shown(t.product), view, named=not view.error_sign))
            numbers: Expr = plus(*(Num(self.shown(t.product)) for t in d.downstream))
        else:
            t = d.downstream[0]
            numbers = times(Num(self.shown(t.delta)), Num(t.weight))
        total = Neg(fx.dE(out)) if view.error_sign else fx.dE(out)
        lines.append(equation(total, plus(*terms), numbers, self.shown(d.dE_dout), view,
                              named=not view.error_sign))
        lines.append(equation(fx.d(out, net), slope_f, slope_n, d.dout_dnet, view))
        lines.append(equation(delta, times(total, fx.d(out, net)),
                              times(Num(self.shown(d.dE_dout)), Num(d.dout_dnet)), self.shown(d.delta), view))
        return tuple(lines)

    # ------------------------------------------------------------ gradients and updates

    def source(self, index: int, j: int, name: str, p: int) -> tuple[Expr, float]:
        """The symbol and value a parameter multiplies: the source's out (or input), or 1 for a bias."""
        if ARROW not in name:
            return ONE, 1.0
        fp = self.record.passes[p]
        sources = self.network.sources(index)
        i = sources.index(name.split(ARROW)[0])
        return self.sy.source(index, sources[i], fp.sample), self.sy.source_values(fp, index)[i]

    def term_symbol(self, name: str, p: int) -> Param:
        """How one sample's gradient term is named: dE/dw5 when it is the gradient, else dE/dw5[k]."""
        param = self.sy.param(name)
        if not self.combine:
            return param.as_("grad")
        if len(self.record.batch) > 1:
            return param.as_("grad", self.sy.k(self.record.passes[p].sample))
        return param.as_("grad_sample")

    def gradient_lines(self, index: int, j: int, name: str, p: int) -> list[Equation]:
        u = self.updates[name]
        if u.fixed:
            return []
        sy, view = self.sy, self.view
        fp = self.record.passes[p]
        s = fp.sample
        dest = self.network.layers[index].neurons[j]
        d: NeuronDelta = self.record.deltas[p][dest]
        param = sy.param(name)
        x, x_value = self.source(index, j, name, p)
        out, net, delta = sy.out(dest, s), sy.net(dest, s), sy.delta(dest, s)
        symbol = self.term_symbol(name, p)
        named = symbol.role == "grad"
        if view.symbolic:
            formula = Neg(dot(delta, x)) if view.error_sign else dot(delta, x)
            return [equation(symbol, formula, None, None, view, named)]
        lines = [equation(fx.d(net, param), x if x is not ONE else None, None, x_value, view, named=False)]
        three_factors = self.exact and d.dout_dnet is not None and self.options.loss != "cross_entropy"
        if three_factors:
            formula: Expr = fx.chain(fx.dE(out), fx.d(out, net), fx.d(net, param))
            numbers: Expr = times(Num(d.dE_dout), Num(d.dout_dnet), Num(x_value))
        elif view.error_sign:
            formula, numbers = Neg(dot(delta, x)), Neg(times(Num(-d.delta), Num(x_value)))
        else:
            formula, numbers = dot(delta, x), times(Num(d.delta), Num(x_value))
        lines.append(equation(symbol, formula, numbers, u.per_sample[p], view, named))
        return lines

    def combine_lines(self, name: str) -> list[Equation]:
        """dE/dP from the samples' terms: their mean or sum, plus 2λw for a weight under L2."""
        u = self.updates[name]
        if u.fixed:
            return []
        param = self.sy.param(name)
        batch = self.record.passes
        parts = [self.term_symbol(name, p) for p in range(len(batch))]
        values = [Num(v) for v in u.per_sample]
        n = len(batch)
        if n > 1 and self.options.reduction == "mean":
            formula: Expr = Ratio(Paren(plus(*parts)), Num(float(n)))
            numbers: Expr = Ratio(Paren(plus(*values)), Num(float(n)))
        else:
            formula, numbers = plus(*parts), plus(*values)
        if not u.is_bias and self.options.l2:
            formula = Sum((("+", formula), ("+", dot(Num(2.0), LAMBDA, param))))
            numbers = Sum((("+", numbers), ("+", times(Num(2.0), Num(self.options.l2), Num(u.old)))))
        return [equation(param.as_("grad"), formula, numbers, u.gradient, self.view)]

    def update_lines(self, index: int, j: int, name: str) -> list[Equation]:
        u: ParameterUpdate = self.updates[name]
        sy, view, o = self.sy, self.view, self.options
        param = sy.param(name)
        new = param.as_("new")
        if u.fixed:
            return [equation(new, param, None, u.new, view, note=("held fixed: update_biases is false",))]
        eta = o.learning_rate
        momentum = [("+", dot(ALPHA, param.as_("previous")))] if o.momentum else []
        momentum_n = [("+", times(Num(o.momentum), Num(u.previous_step)))] if o.momentum else []
        grad = param.as_("grad")
        if not view.error_sign:
            descent = dot(ETA, grad)
            if view.symbolic and not self.combine:  # CSC4007's W⁺ = W − η·δ·out, one sample
                x, _ = self.source(index, j, name, 0)
                dest = self.network.layers[index].neurons[j]
                descent = dot(ETA, sy.delta(dest, self.record.passes[0].sample), x)
            formula = Sum((("+", param), ("−", descent), *momentum))
            numbers = Sum((("+", Num(u.old)), ("−", times(Num(eta), Num(u.gradient))), *momentum_n))
            return [equation(new, formula, numbers, u.new, view)]
        # The error-sign convention writes the step first, Δw = +η·δ·x (+ α·Δw(n−1)), then w⁺ = w + Δw.
        step = param.as_("step")
        if not self.combine:
            dest = self.network.layers[index].neurons[j]
            fp = self.record.passes[0]
            x, x_value = self.source(index, j, name, 0)
            d = self.record.deltas[0][dest]
            terms = [("+", dot(ETA, sy.delta(dest, fp.sample), x)), *momentum]
            step_n = Sum((("+", times(Num(eta), Num(-d.delta), Num(x_value))), *momentum_n))
        else:
            terms = [("−", dot(ETA, grad)), *momentum]
            step_n = Sum((("−", times(Num(eta), Num(u.gradient))), *momentum_n))
        step_f = Sum(tuple(terms))
        if view.symbolic:
            return [equation(new, Sum((("+", param), *terms)), None, None, view)]
        return [equation(step, step_f, step_n, u.step, view),
                equation(new, plus(param, step), plus(Num(u.old), Num(u.step)), u.new, view)]


def backward_sections(sy: Symbols, record: StepRecord, view: View) -> list[Section]:
    return Backward(sy, record, view).sections()


# ---------------------------------------------------------------- summary and after

def parameter_cell(sy: Symbols, name: str) -> str:
    """w5 (h1->o1): the label with the edge it names, or the edge alone."""
    label = sy.labels.get(name)
    if label:
        return f"{label} ({name})"
    return name if ARROW in name else f"{name} (bias)"


def summary_section(sy: Symbols, record: StepRecord) -> Section:
    """Every parameter: old value, gradient, new value."""
    rows = []
    for u in record.updates:
        gradient = "fixed" if u.fixed else u.gradient
        rows.append((parameter_cell(sy, u.name), u.old, gradient, u.new))
    return Section(("New values",), (Table(("parameter", "old", "dE/dP", "new (P+)"), tuple(rows)),))


def error_change_section(record: StepRecord) -> Section:
    """E_total before and E_after after the step, and whether the step lowered it."""
    after = record.after.error if record.after else None
    view = View()
    lines = [equation(Sym("E_total"), None, None, record.before.error, view)]
    if after is not None:
        lines.append(equation(Sym("E_after"), None, None, after, view, note=(_trend(record.before.error, after),)))
    return Section(("Error before and after the step",), (Group(tuple(lines)), *_batch_note(record)))


def _trend(before: float, after: float) -> str:
    if after < before:
        return "lower: the step reduced the error"
    if after > before:
        return "higher: the step increased the error"
    return "unchanged"


def after_section(sy: Symbols, record: StepRecord) -> Section:
    """The further forward pass: each neuron before and after the step, and whether each output
    moved towards its target (the CSC4007 sheets' "comment on the result")."""
    blocks: list[Block] = [Note(("Feeding the same inputs forward again with the new weights:",))]
    assert record.after is not None
    several = len(record.batch) > 1
    header = (("sample",) if several else ()) + ("neuron", "net before", "net after", "out before", "out after")
    rows = []
    verdicts = []
    for s in record.batch:
        before, after = record.before.passes[s], record.after.passes[s]
        for layer_b, layer_a in zip(before.layers, after.layers):
            for nb, na in zip(layer_b, layer_a):
                rows.append(((str(s + 1),) if several else ()) + (nb.name, nb.net, na.net, nb.out, na.out))
        targets = record.network.samples[s].targets
        for name, t, ob, oa in zip(record.network.outputs, targets, before.outputs, after.outputs):
            verdicts.append(Note((sy.out(name, s), ": ", Num(ob), " → ", Num(oa), ", target ", Num(t),
                                  ": ", _towards(t, ob, oa))))
    blocks.append(Table(header, tuple(rows)))
    blocks += verdicts
    blocks += error_change_section(record).blocks
    return Section(("After the step: a further forward pass",), tuple(blocks))


def _batch_note(record: StepRecord) -> tuple[Note, ...]:
    """Online and mini-batch steps: say that the errors cover more samples than the step used."""
    n = len(record.network.samples)
    if len(record.batch) == n:
        return ()
    used = ", ".join(str(s + 1) for s in record.batch)
    return (Note((f"E_total and E_after are over all {n} samples; this step used sample{'s' if len(record.batch) > 1 else ''} {used}.",)),)


def _towards(target: float, before: float, after: float) -> str:
    gap_before, gap_after = abs(target - before), abs(target - after)
    if gap_after < gap_before:
        return "closer to the target"
    if gap_after > gap_before:
        return "further from the target"
    return "no closer to the target"


def iter_sections(document: Document) -> Iterator[Section]:
    def walk(sections):
        for section in sections:
            yield section
            yield from walk(b for b in section.blocks if isinstance(b, Section))
    yield from walk(document.sections)
