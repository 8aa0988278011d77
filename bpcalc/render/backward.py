"""The backward pass of one step, written layer by layer from the output: each δ, each gradient, each update.

A hidden neuron's δ sums over every neuron it feeds, in whatever later layer (a skip
connection included); a threshold's gradient is −δ, its input being −1. With one sample (and
no L2) each gradient is final where it is computed, and its update follows at once, as in
Mazur's tutorial; with several samples each sample's terms come in a block of their own, then
how they combine. Values come from the step's records.
"""

from __future__ import annotations

import math

from ..model import Neuron, edge
from ..trace import NeuronDelta, ParameterUpdate, StepRecord
from . import formulas as fx
from .document import Block, Equation, Group, Note, Section
from ..expr import (ALPHA, ETA, LAMBDA, ONE, Expr, Neg, Num, Param, Paren, Ratio, Sum, Sym, beside, dot, minus, plus,
                    times)
from .symbols import Symbols, View, equation, layer_name, targets_of


def params_into(neuron: Neuron) -> list[str]:
    """The parameters feeding `neuron`: its incoming weights (its own edges), then its bias or threshold."""
    names = [edge(source, neuron.name) for source in neuron.sources]
    if neuron.bias is not None:
        names.append(neuron.name)
    return names


class Backward:
    """The backward pass of one step, written layer by layer from the output, each neuron by name."""

    def __init__(self, sy: Symbols, record: StepRecord, view: View):
        self.sy = sy
        self.record = record
        self.view = view
        self.network = record.network
        self.options = record.network.options
        self.updates = {u.name: u for u in record.updates}
        parameters = list(record.network.parameters())
        self.dest = {p.key: p.neuron for p in parameters}  # the neuron whose net each parameter enters
        self.source_of = {p.key: p.source for p in parameters}
        self.layer_of = record.network.layer_of()
        self.output_index = {name: j for j, name in enumerate(record.network.outputs)}
        # One sample and no L2: each gradient is final where it is computed (Mazur's layout);
        # otherwise each sample's term is shown in its block and combined afterwards.
        self.combine = len(record.batch) > 1 or self.options.l2 > 0
        self.exact = self.options.rounding is None

    def sections(self) -> list[Section]:
        return [self.layer_section(index) for index in reversed(range(len(self.network.layers)))]

    def layer_section(self, index: int) -> Section:
        layer = self.network.layers[index]
        heading = (f"Backward pass: {layer_name(self.network, index)} ({', '.join(layer.names)})",)
        blocks: list[Block] = list(self.softmax_notes(index))
        if index < len(self.network.layers) - 1 and self.options.hidden_deltas == "new_weights":
            blocks.append(Note(("δ flows back through the weights just updated above "
                                "(hidden_deltas: new_weights), as the sheet does.",)))
        if not self.combine:
            for neuron in layer.neurons:
                lines = list(self.delta_lines(neuron.name, 0))
                for name in params_into(neuron):
                    lines += self.gradient_lines(name, 0) + self.update_lines(name)
                blocks.append(Group(tuple(lines)))
            return Section(heading, tuple(blocks))
        for p, fp in enumerate(self.record.passes):
            groups = []
            for neuron in layer.neurons:
                lines = list(self.delta_lines(neuron.name, p))
                for name in params_into(neuron):
                    lines += self.gradient_lines(name, p)
                groups.append(Group(tuple(lines)))
            k = self.sy.k(fp.sample)
            blocks.append(Section((f"Sample {k}" if k else "The sample",), tuple(groups), 2))
        n = len(self.record.batch)
        how = (f"Combining the {n} samples ({self.options.reduction})" if n > 1
               else "Adding the L2 term")
        groups = []
        for neuron in layer.neurons:
            lines = []
            for name in params_into(neuron):
                lines += self.combine_lines(name) + self.update_lines(name)
            groups.append(Group(tuple(lines)))
        blocks.append(Section((how,), tuple(groups), 2))
        return Section(heading, tuple(blocks))

    def softmax_notes(self, index: int) -> list[Note]:
        """Said once per layer: how δ goes through softmax's Jacobian, and why a term is left out
        (output layer); why dE_K/dout_X is not 0 where E_K is (the layer feeding the outputs)."""
        if not self.network.layers[-1].activation.is_softmax or self.view.symbolic:
            return []
        cross_entropy = self.options.loss == "cross_entropy"
        zero_targets = cross_entropy and any(t == 0 for s in self.record.batch
                                             for t in targets_of(self.network, s))
        if index == len(self.network.layers) - 1:
            text = ("Softmax joins the outputs: each out_k depends on every net_j, so "
                    "δ_j = Σ_k dE/dout_k·dout_k/dnet_j, with dout_k/dnet_j = out_k(1 − out_j) for k = j "
                    "and out_k(0 − out_j) for k ≠ j.")
            if zero_targets:
                text += (" With cross-entropy dE/dout_k = −t_k/out_k, so where t_k = 0 the term is 0, and it "
                         "is left out.")
            return [Note((text,))]
        outputs = set(self.network.outputs)
        feeds = any(t.neuron in outputs for n in self.network.layers[index].names
                    for deltas in self.record.deltas for t in deltas[n].downstream)
        if not (feeds and zero_targets):
            return []
        return [Note(("dE_K/dout_X = δ_K·w is the part of dE/dout_X that flows back through net_K. Through "
                      "softmax net_K moves every output, so δ_K = out_K − t_K is not 0 where t_K = 0 and E_K = 0: "
                      "the error reaches net_K through the other outputs.",))]

    # ------------------------------------------------------------ deltas

    def shown(self, x: float) -> float:
        """A δ-signed value as displayed: negated under the error-sign convention (display only)."""
        return -x if self.view.error_sign else x

    def delta_lines(self, neuron: str, p: int) -> tuple[Equation, ...]:
        if neuron in self.output_index:
            return self.output_delta_lines(neuron, p)
        return self.hidden_delta_lines(neuron, p)

    def output_delta_lines(self, name: str, p: int) -> tuple[Equation, ...]:
        sy, view, o = self.sy, self.view, self.options
        fp = self.record.passes[p]
        s = fp.sample
        j = self.output_index[name]
        layer = self.network.layers[-1]
        neuron = fp.neuron(name)
        d: NeuronDelta = self.record.deltas[p][name]
        targets = targets_of(self.network, s)
        t_value = targets[j]
        out, net, t, delta = sy.out(name, s), sy.net(name, s), sy.t(name, s), sy.delta(name, s)
        softmax = layer.activation.is_softmax
        K = len(self.network.outputs)
        neg = view.error_sign
        grad_f = fx.error_gradient(o.loss, softmax, t, out, K)
        grad_n = fx.error_gradient(o.loss, softmax, Num(t_value), Num(neuron.out), K)
        slope_f = fx.derivative(layer.activation, net, out) if not softmax else None
        slope_n = fx.derivative(layer.activation, Num(neuron.net), Num(neuron.out)) if not softmax else None
        # Cross-entropy cancels f′: δ = out − t (softmax: out·Σt − t, the Jacobian form below
        # when the targets do not add up to 1).
        cancelled = o.loss == "cross_entropy" and (not softmax or math.isclose(math.fsum(targets), 1.0))
        if view.symbolic:
            if cancelled:
                formula = fx.cancelled_delta(t, out, neg)
            elif softmax:
                formula = self.softmax_formula(p, name, symbols=True, negated=neg)
            else:
                first = fx.error_gradient(o.loss, softmax, t, out, K, negated=neg)
                formula = dot(first, slope_f) if slope_f is not None else first
            return (equation(delta, formula, None, None, view),)
        lines = [equation(fx.dE(out), grad_f, grad_n, d.dE_dout, view)]
        if d.dout_dnet is not None:
            lines.append(equation(fx.d(out, net), slope_f, slope_n, d.dout_dnet, view))
        if softmax:
            lines += self.jacobian_lines(p, name, cancelled)
        elif cancelled:
            note = ("f′ cancels against the loss",)
            lines.append(equation(delta, fx.cancelled_delta(t, out, neg),
                                  fx.cancelled_delta(Num(t_value), Num(neuron.out), neg),
                                  self.shown(d.delta), view, note=note))
        else:
            assert d.dout_dnet is not None, "only softmax has no f′ of one neuron"
            slope = Num(d.dout_dnet)
            if neg:
                first = Paren(fx.error_gradient(o.loss, softmax, t, out, K, negated=True))
                first_n = Paren(fx.error_gradient(o.loss, softmax, Num(t_value), Num(neuron.out), K, negated=True))
                lines.append(equation(delta, times(first, fx.d(out, net)), times(first_n, slope),
                                      self.shown(d.delta), view))
            else:
                lines.append(equation(delta, times(fx.dE(out), fx.d(out, net)),
                                      times(Num(d.dE_dout), slope), d.delta, view))
        return tuple(lines)

    def jacobian_lines(self, p: int, name: str, cancelled: bool) -> list[Equation]:
        """δ_j of a softmax output through the Jacobian, with numbers: δ_j = Σ_k dE/dout_k·dout_k/dnet_j,
        dout_k/dnet_j = out_k(1 − out_j) for k = j and −out_k·out_j otherwise. A cross-entropy term
        whose t_k = 0 is 0 and left out (layer_section says so once); when the targets add up to 1
        the out_k cancel, and a second line gives δ_j = out_j − t_j."""
        sy, view = self.sy, self.view
        fp = self.record.passes[p]
        s = fp.sample
        outs = {n.name: n.out for n in fp.layers[-1]}
        targets = dict(zip(self.network.outputs, targets_of(self.network, s)))
        out_j, net_j = sy.out(name, s), sy.net(name, s)
        o, K = self.options, len(self.network.outputs)
        symbols: list[Expr] = []
        numbers: list[Expr] = []
        for k in self.network.outputs:
            if o.loss == "cross_entropy" and targets[k] == 0:
                continue
            out_k = sy.out(k, s)
            symbols.append(dot(fx.dE(out_k), fx.d(out_k, net_j)))
            # dE/dout_k written with its numbers, times out_k(1 − out_j) or out_k(0 − out_j)
            grad = fx.error_gradient(o.loss, True, Num(targets[k]), Num(outs[k]), K)
            kronecker = Num(1.0 if k == name else 0.0)
            numbers.append(times(grad, beside(Num(outs[k]), Paren(minus(kronecker, Num(outs[name]), tight=True)))))
        value = self.shown(self.record.deltas[p][name].delta)
        neg = view.error_sign
        if not symbols:  # every target 0: every term is 0
            lines = [equation(sy.delta(name, s), None, None, value, view, note=("every t_k = 0",))]
        else:
            formula: Expr = plus(*symbols)
            substituted: Expr = plus(*numbers)
            if neg:
                formula, substituted = Neg(Paren(formula)), Neg(Paren(substituted))
            lines = [equation(sy.delta(name, s), formula, substituted, value, view, named=not cancelled,
                              note=("through softmax's Jacobian",))]
        if cancelled:
            t = sy.t(name, s)
            lines.append(equation(sy.delta(name, s), fx.cancelled_delta(t, out_j, neg),
                                  fx.cancelled_delta(Num(targets[name]), Num(outs[name]), neg), value, view,
                                  note=("the out_k cancel: Σ_k t_k = 1",)))
        return lines

    def softmax_formula(self, p: int, name: str, symbols: bool, negated: bool = False) -> Expr:
        """δ_k = out_k(dE/dout_k − Σ_j dE/dout_j·out_j): softmax's Jacobian (its negative under the error sign)."""
        fp = self.record.passes[p]
        s = fp.sample
        names = self.network.outputs
        deltas = self.record.deltas[p]
        if symbols:
            grads: list[Expr] = [fx.dE(self.sy.out(n, s)) for n in names]
            outs: list[Expr] = [self.sy.out(n, s) for n in names]
        else:
            grads = [Num(deltas[n].dE_dout) for n in names]
            outs = [Num(n.out) for n in fp.layers[-1]]
        j = self.output_index[name]
        formula = fx.softmax_delta(outs[j], grads[j], grads, outs)
        return Neg(formula) if negated else formula

    def weight_symbol(self, name: str) -> Param:
        """The weight a hidden δ flows back through: the new one under hidden_deltas: new_weights."""
        p = self.sy.param(name)
        return p.as_("new") if self.options.hidden_deltas == "new_weights" else p

    def hidden_delta_lines(self, name: str, p: int) -> tuple[Equation, ...]:
        """dE/dout = Σ δ_k·w over every neuron k this one feeds (in any later layer), then δ."""
        sy, view = self.sy, self.view
        fp = self.record.passes[p]
        s = fp.sample
        activation = self.network.layers[self.layer_of[name]].activation
        neuron = fp.neuron(name)
        d: NeuronDelta = self.record.deltas[p][name]
        slope = d.dout_dnet
        assert slope is not None, "a hidden neuron has its own f′: softmax is for the output layer only"
        out, net, delta = sy.out(name, s), sy.net(name, s), sy.delta(name, s)
        terms = [dot(sy.delta(t.neuron, s), self.weight_symbol(edge(name, t.neuron))) for t in d.downstream]
        slope_f = fx.derivative(activation, net, out)
        slope_n = fx.derivative(activation, Num(neuron.net), Num(neuron.out))
        total = Neg(fx.dE(out)) if view.error_sign else fx.dE(out)
        if not terms:  # a later sparse layer leaves it out: its out never reaches the error
            note = (f"{name} feeds no neuron",)
            if view.symbolic:
                return (equation(delta, Num(0.0), None, None, view),)
            return (equation(total, None, None, self.shown(d.dE_dout), view, named=not view.error_sign, note=note),
                    equation(fx.d(out, net), slope_f, slope_n, slope, view),
                    equation(delta, times(total, fx.d(out, net)),
                             times(Num(self.shown(d.dE_dout)), Num(slope)), self.shown(d.delta), view))
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
        lines.append(equation(total, plus(*terms), numbers, self.shown(d.dE_dout), view,
                              named=not view.error_sign))
        lines.append(equation(fx.d(out, net), slope_f, slope_n, slope, view))
        lines.append(equation(delta, times(total, fx.d(out, net)),
                              times(Num(self.shown(d.dE_dout)), Num(slope)), self.shown(d.delta), view))
        return tuple(lines)

    # ------------------------------------------------------------ gradients and updates

    def source(self, name: str, p: int) -> tuple[Expr, float]:
        """The symbol and value a parameter multiplies: its source's out (of any earlier layer) or
        input, 1 for a bias, −1 for a threshold (net = Σ w·x − θ)."""
        kind = self.updates[name].kind
        if kind != "weight":
            return ONE, -1.0 if kind == "threshold" else 1.0
        source = self.source_of[name]
        fp = self.record.passes[p]
        return self.sy.source(source, fp.sample), self.sy.source_value(fp, source)

    def term_symbol(self, name: str, p: int) -> Param:
        """How one sample's gradient term is named: dE/dw5 when it is the gradient, else dE/dw5[k]."""
        param = self.sy.param(name)
        if not self.combine:
            return param.as_("grad")
        if len(self.record.batch) > 1:
            return param.as_("grad", self.sy.k(self.record.passes[p].sample))
        return param.as_("grad_sample")

    def gradient_lines(self, name: str, p: int) -> list[Equation]:
        """dnet/dP and one sample's dE/dP: δ·x for a weight, δ·1 for a bias, −δ for a threshold."""
        u = self.updates[name]
        if u.fixed:
            return []
        sy, view = self.sy, self.view
        fp = self.record.passes[p]
        s = fp.sample
        dest = self.dest[name]
        d: NeuronDelta = self.record.deltas[p][dest]
        param = sy.param(name)
        x, x_value = self.source(name, p)
        out, net, delta = sy.out(dest, s), sy.net(dest, s), sy.delta(dest, s)
        symbol = self.term_symbol(name, p)
        named = symbol.role == "grad"
        threshold = u.kind == "threshold"
        if threshold:
            # ∂E/∂θ = δ·(−1): −δ, which under the error sign (δ = −∂E/∂net) is +δ itself.
            formula: Expr = delta if view.error_sign else Neg(delta)
            numbers: Expr | None = None if view.error_sign else Neg(Num(d.delta))
        elif view.error_sign:
            formula, numbers = Neg(dot(delta, x)), Neg(times(Num(-d.delta), Num(x_value)))
        else:
            formula, numbers = dot(delta, x), times(Num(d.delta), Num(x_value))
        if view.symbolic:
            return [equation(symbol, formula, None, None, view, named)]
        lines = [equation(fx.d(net, param), x if x is not ONE else None, None, x_value, view, named=False)]
        # Three factors, dE/dout × dout/dnet × dnet/dP, where δ splits (not softmax, not cross-entropy).
        if self.exact and d.dout_dnet is not None and self.options.loss != "cross_entropy" and not threshold:
            formula = fx.chain(fx.dE(out), fx.d(out, net), fx.d(net, param))
            numbers = times(Num(d.dE_dout), Num(d.dout_dnet), Num(x_value))
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
        formula: Expr
        numbers: Expr | None
        if n == 1:  # only the L2 term to add (or, for a bias or threshold, nothing: the data term is all)
            formula, numbers = parts[0], None
        elif self.options.reduction == "mean":
            formula = Ratio(Paren(plus(*parts)), Num(float(n)))
            numbers = Ratio(Paren(plus(*values)), Num(float(n)))
        else:
            formula, numbers = plus(*parts), plus(*values)
        if u.is_weight and self.options.l2:
            formula = Sum((("+", formula), ("+", dot(Num(2.0), LAMBDA, param))))
            numbers = Sum((("+", numbers or values[0]), ("+", times(Num(2.0), Num(self.options.l2), Num(u.old)))))
        return [equation(param.as_("grad"), formula, numbers, u.gradient, self.view)]

    def update_lines(self, name: str) -> list[Equation]:
        """P⁺ = P − η·∂E/∂P (+ α·ΔP(n−1)); under the error sign the step ΔP first, then P⁺ = P + ΔP."""
        u: ParameterUpdate = self.updates[name]
        sy, view, o = self.sy, self.view, self.options
        param = sy.param(name)
        new = param.as_("new")
        if u.fixed:
            return [equation(new, param, None, u.new, view, note=("held fixed: update_biases is false",))]
        eta = o.learning_rate
        assert eta is not None, "a step without a learning_rate is refused before it is made"
        momentum = [("+", dot(ALPHA, param.as_("previous")))] if o.momentum else []
        momentum_n = [("+", times(Num(o.momentum), Num(u.previous_step)))] if o.momentum else []
        grad = param.as_("grad")
        threshold = u.kind == "threshold"
        dest = self.dest[name]
        fp = self.record.passes[0]
        if not view.error_sign:
            descent: tuple[str, Expr] = ("−", dot(ETA, grad))
            if view.symbolic and not self.combine:  # CSC4007's W⁺ = W − η·δ·out, one sample
                delta = sy.delta(dest, fp.sample)
                x, _ = self.source(name, 0)
                # θ⁺ = θ − η·(−δ) = θ + η·δ
                descent = ("+", dot(ETA, delta)) if threshold else ("−", dot(ETA, delta, x))
            formula = Sum((("+", param), descent, *momentum))
            numbers = Sum((("+", Num(u.old)), ("−", times(Num(eta), Num(u.gradient))), *momentum_n))
            return [equation(new, formula, numbers, u.new, view)]
        # The error-sign convention writes the step first, Δw = +η·δ·x (+ α·Δw(n−1)), then w⁺ = w + Δw;
        # a threshold's input is −1, so Δθ = −η·δ.
        step = param.as_("step")
        if not self.combine:
            x, x_value = self.source(name, 0)
            d = self.record.deltas[0][dest]
            delta = sy.delta(dest, fp.sample)
            if threshold:
                terms = [("−", dot(ETA, delta)), *momentum]
                step_n = Sum((("−", times(Num(eta), Num(-d.delta))), *momentum_n))
            else:
                terms = [("+", dot(ETA, delta, x)), *momentum]
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
