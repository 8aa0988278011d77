"""The formulas of a worked solution as expression trees, with symbols or with numbers substituted.

Each activation's and loss's own formula is defined beside its value in functions.py; here are
the ones that belong to no single activation or loss (softmax over a layer, the cancelled δ of
cross-entropy, the chain rule). Every function takes the symbols to write (`net`, `out`, `t`)
and returns the formula; the numeric form is the same function given `Num`s. Nothing here
computes a value: the values on the right of `=` always come from the engine's records.
"""

from __future__ import annotations

from typing import Sequence

from ..expr import EULER, Deriv, E, Expr, Num, Paren, Pow, Prod, Ratio, beside, dot, minus, plus, times
from ..functions import Activation, loss_of


def activation(act: Activation, net: Expr, net_value: float | None = None) -> Expr | None:
    """out = f(net) written with `net`, or, given `net_value`, with the number (1/(1+e^−0.3775))."""
    return act.written(net, net_value)


def softmax(net_k: Expr, nets: Sequence[Expr]) -> Expr:
    """out_k = e^net_k / (e^net_1 + … + e^net_K), with symbols or numbers."""
    return Ratio(Pow(EULER, net_k), Paren(plus(*(Pow(EULER, n) for n in nets))))


def derivative(act: Activation, net: Expr, out: Expr) -> Expr | None:
    """dout/dnet as the sheet writes it: out(1−out) for σ, 1−out² for tanh; None for linear (it is 1)."""
    return act.written_slope(net, out)


def error_term(loss: str, softmax_output: bool, t: Expr, out: Expr, outputs: int) -> Expr:
    """One output's error term E_k."""
    return loss_of(loss, softmax_output).written(t, out, outputs)


def error_gradient(loss: str, softmax_output: bool, t: Expr, out: Expr, outputs: int,
                   negated: bool = False) -> Expr:
    """dE/dout_k, or with `negated` −dE/dout_k (the error-sign convention's t − out)."""
    return loss_of(loss, softmax_output).written_gradient(t, out, outputs, negated)


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
