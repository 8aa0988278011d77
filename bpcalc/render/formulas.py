"""Each activation's and each loss's formulas as expression trees, with symbols or with numbers substituted.

Every function takes the symbols to write (`net`, `out`, `t`) and returns the formula; the
numeric form is the same function given `Num`s. Nothing here computes a value: the values
on the right of `=` always come from the engine's records.
"""

from __future__ import annotations

from typing import Sequence

from ..functions import Activation
from .expr import (EULER, HALF, ONE, Call, Deriv, E, Expr, Neg, Num, Paren, Pow, Prod, Ratio, Sum,
                   beside, dot, minus, one_minus, plus, times)

TWO = Num(2.0)


def activation(act: Activation, net: Expr, net_value: float | None = None) -> Expr | None:
    """out = f(net) written with `net`, or, given `net_value`, with the number (1/(1+e^−0.3775))."""
    numeric = net_value is not None
    name = act.name
    if name == "sigmoid":
        if not numeric:
            return Call("σ", (net,))
        # e^−net, written with the number's sign folded in: e^−0.3775, e^0.02
        power = Neg(Num(net_value)) if net_value >= 0 else Num(-net_value)
        return Ratio(ONE, Paren(Sum((("+", ONE), ("+", Pow(EULER, power))), tight=True)))
    if name == "tanh":
        return Call("tanh", (Num(net_value) if numeric else net,))
    if name == "relu":
        return Call("max", (Num(0.0), Num(net_value) if numeric else net))
    if name == "leaky_relu":
        if not numeric:
            return Call("lrelu", (net,))
        return Num(net_value) if net_value > 0 else times(Num(act.slope), Num(net_value))
    if name == "linear":
        return None if numeric else net
    raise ValueError(name)


def softmax(net_k: Expr, nets: Sequence[Expr]) -> Expr:
    """out_k = e^net_k / (e^net_1 + … + e^net_K), with symbols or numbers."""
    return Ratio(Pow(EULER, net_k), Paren(plus(*(Pow(EULER, n) for n in nets))))


def derivative(act: Activation, net: Expr, out: Expr) -> Expr | None:
    """dout/dnet as the sheet writes it: out(1−out) for σ, 1−out² for tanh; None for linear (it is 1)."""
    name = act.name
    if name == "sigmoid":
        return beside(out, one_minus(out))
    if name == "tanh":
        return minus(ONE, Pow(out, TWO))
    if name == "relu":
        return Call("relu′", (net,))
    if name == "leaky_relu":
        return Call("lrelu′", (net,))
    if name == "linear":
        return None
    raise ValueError(name)


def error_term(loss: str, softmax_output: bool, t: Expr, out: Expr, outputs: int) -> Expr:
    """One output's error term E_k."""
    gap = Paren(minus(t, out))
    if loss == "half_sse":
        return beside(HALF, Pow(gap, TWO))
    if loss == "sse":
        return Pow(gap, TWO)
    if loss == "mse":
        return Ratio(Pow(gap, TWO), Num(float(outputs)))
    if softmax_output:
        return Neg(dot(t, Call("ln", (out,))))
    return Neg(Paren(plus(dot(t, Call("ln", (out,))),
                          dot(Paren(minus(ONE, t, tight=True)), Call("ln", (minus(ONE, out, tight=True),))))))


def error_gradient(loss: str, softmax_output: bool, t: Expr, out: Expr, outputs: int,
                   negated: bool = False) -> Expr:
    """dE/dout_k, or with `negated` −dE/dout_k (the error-sign convention's t − out)."""
    gap = minus(out, t) if not negated else minus(t, out)
    if loss == "half_sse":
        return Neg(Paren(minus(t, out))) if not negated else minus(t, out)
    if loss == "sse":
        return Neg(beside(TWO, Paren(minus(t, out)))) if not negated else beside(TWO, Paren(gap))
    if loss == "mse":
        scaled = beside(Paren(Ratio(TWO, Num(float(outputs)))), Paren(minus(t, out)))
        return Neg(scaled) if not negated else scaled
    if softmax_output:
        return Neg(Ratio(t, out)) if not negated else Ratio(t, out)
    return Ratio(Paren(gap), Paren(beside(out, one_minus(out))))


def cancelled_delta(t: Expr, out: Expr, negated: bool = False) -> Expr:
    """δ = out − t (or t − out): cross-entropy with a σ or softmax output, where f′ cancels."""
    return minus(t, out) if negated else minus(out, t)


def softmax_delta(out_k: Expr, grad_k: Expr, grads: Sequence[Expr], outs: Sequence[Expr]) -> Expr:
    """δ_k = out_k(dE/dout_k − Σ_j dE/dout_j·out_j): softmax's Jacobian applied to the loss gradient."""
    weighted = plus(*(dot(g, o) if not isinstance(g, Num) else times(g, o) for g, o in zip(grads, outs)))
    return beside(out_k, Paren(minus(grad_k, Paren(weighted))))


def chain(*factors: Expr) -> Prod:
    """A product of chain-rule factors: dE/dout × dout/dnet × dnet/dw."""
    return times(*factors)


def d(of: Expr, by: Expr) -> Deriv:
    return Deriv(of, by)


def dE(by: Expr) -> Deriv:
    return Deriv(E, by)
