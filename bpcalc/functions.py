"""Each activation and loss defined once: its value, its derivative, and how a solution sheet writes them.

Beside each callable is its formula as a sheet writes it, an expression tree (bpcalc.expr) that
every output format spells its own way: σ(net) or, with the number put in, 1/(1+e^−0.3775);
σ′ as out(1−out). And beside both, the same expression as source text for the fast training paths.
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

from .expr import (EULER, HALF, ONE, Call, Expr, Neg, Num, Paren, Pow, Ratio, Sum, beside, dot, minus,
                   one_minus, plus, times)
from .records import Record

TWO = Num(2.0)


def sigmoid(net: float) -> float:
    """σ(net) = 1/(1+e^−net), written so that neither branch overflows for |net| ≫ 1."""
    if net >= 0:
        return 1.0 / (1.0 + math.exp(-net))
    z = math.exp(net)
    return z / (1.0 + z)


Written = Callable[[Expr, "float | None"], "Expr | None"]  # (net, its value or None) → out = f(net)
WrittenSlope = Callable[[Expr, Expr], "Expr | None"]  # (net, out) → f′(net); None where it is 1


class Activation(Record):
    """f(net) → out for one neuron, with f'(net) computed from net and out (as students do: σ' = out(1−out)).

    `written(net, value)` is out = f(net) as a sheet writes it, with the symbol `net` or, given
    the value, with the number (1/(1+e^−0.3775); None where out is net itself); `written_slope(net,
    out)` is f′ so (out(1−out)). Beside each callable is the same expression as source text, for the fast training paths
    (bpcalc.fast), which compile it into straight-line code: `source`/`derivative_source` are
    Python over floats (`exp` and `tanh` from math), `array_source`/`array_derivative_source`
    the numpy form over whole arrays (`np`). `{net}` and `{out}` stand for the values; the
    templates are pinned to the callables by tests/test_fast.py. (They compare with 0.0 where
    the callables write 0: the same test on floats, but one CPython specialises.)
    """

    name: str
    f: Callable[[float], float]
    df: Callable[[float, float], float]
    written: Written
    written_slope: WrittenSlope
    slope: float = 0.0  # leaky_relu only
    source: str = ""  # f as a Python expression over `{net}`, exactly as f computes it
    derivative_source: str = ""  # f' as a Python expression over `{net}` and `{out}`, exactly as df
    array_source: str = ""  # f over a numpy array `{net}`
    array_derivative_source: str = ""  # f' over numpy arrays `{net}` and `{out}`
    # f without the branch that keeps `source` from overflowing: within a few ulps of it, and
    # raising OverflowError where `source` would not (the compiled path then reruns with `source`).
    quick_source: str = ""

    @property
    def is_softmax(self) -> bool:
        return self.name == "softmax"


def _relu_df(net: float, out: float) -> float:
    return 1.0 if net > 0 else 0.0  # relu'(0) = 0, as the format fixes


def _sigmoid_written(net: Expr, value: float | None) -> Expr:
    if value is None:
        return Call("σ", (net,))
    # e^−net, written with the number's sign folded in: e^−0.3775, e^0.02
    power = Neg(Num(value)) if value >= 0 else Num(-value)
    return Ratio(ONE, Paren(Sum((("+", ONE), ("+", Pow(EULER, power))), tight=True)))


def _called(name: str) -> Written:
    """f written as a function of net: tanh(net), tanh(0.5)."""
    return lambda net, value: Call(name, (net if value is None else Num(value),))


SIGMOID = Activation("sigmoid", sigmoid, lambda net, out: out * (1.0 - out),
                     _sigmoid_written, lambda net, out: beside(out, one_minus(out)),
                     source="(1.0 / (1.0 + exp(-{net})) if {net} >= 0.0 else (_z := exp({net})) / (1.0 + _z))",
                     derivative_source="{out} * (1.0 - {out})",
                     # Over arrays e^−net may overflow to inf for net < −709, giving out = 0 as it should.
                     array_source="1.0 / (1.0 + np.exp(-{net}))",
                     array_derivative_source="{out} * (1.0 - {out})",
                     quick_source="1.0 / (1.0 + exp(-{net}))")  # e^−net overflows for net < −709.78
TANH = Activation("tanh", math.tanh, lambda net, out: 1.0 - out * out,
                  _called("tanh"), lambda net, out: minus(ONE, Pow(out, TWO)),
                  source="tanh({net})", derivative_source="1.0 - {out} * {out}",
                  array_source="np.tanh({net})", array_derivative_source="1.0 - {out} * {out}")
RELU = Activation("relu", lambda net: net if net > 0 else 0.0, _relu_df,
                  lambda net, value: Call("max", (Num(0.0), net if value is None else Num(value))),
                  lambda net, out: Call("relu′", (net,)),
                  source="({net} if {net} > 0.0 else 0.0)", derivative_source="(1.0 if {net} > 0.0 else 0.0)",
                  array_source="np.maximum({net}, 0.0)", array_derivative_source="({net} > 0)")
LINEAR = Activation("linear", lambda net: net, lambda net, out: 1.0,
                    lambda net, value: net if value is None else None, lambda net, out: None,
                    source="{net}", derivative_source="1.0",
                    array_source="{net}", array_derivative_source="1.0")
# Softmax couples a layer's neurons: f is applied to the whole layer by `softmax` below and
# its derivative is a Jacobian, so the per-neuron callables here are only placeholders (and
# the fast paths write the layer out from `softmax` and `output_deltas`, not from templates).
SOFTMAX = Activation("softmax", lambda net: net, lambda net, out: out * (1.0 - out),
                     lambda net, value: None, lambda net, out: None)  # the layer's formula: render/formulas.softmax


def leaky_relu(slope: float = 0.01) -> Activation:
    """leaky_relu with the given slope for net ≤ 0 (0.01 unless the file says otherwise)."""
    s = repr(float(slope))  # exact in source: repr round-trips a double
    def written(net: Expr, value: float | None) -> Expr:
        if value is None:
            return Call("lrelu", (net,))
        return Num(value) if value > 0 else times(Num(slope), Num(value))

    return Activation("leaky_relu", lambda net: net if net > 0 else slope * net,
                      lambda net, out: 1.0 if net > 0 else slope,
                      written, lambda net, out: Call("lrelu′", (net,)), slope,
                      source=f"({{net}} if {{net}} > 0.0 else {s} * {{net}})",
                      derivative_source=f"(1.0 if {{net}} > 0.0 else {s})",
                      array_source=f"np.where({{net}} > 0, {{net}}, {s} * {{net}})",
                      array_derivative_source=f"np.where({{net}} > 0, 1.0, {s})")


ACTIVATIONS = {"sigmoid": SIGMOID, "tanh": TANH, "relu": RELU, "leaky_relu": leaky_relu(),
               "linear": LINEAR, "identity": LINEAR, "softmax": SOFTMAX}


def softmax(nets: Sequence[float]) -> list[float]:
    """Softmax of a whole layer, shifted by the largest net so that e^net never overflows."""
    top = max(nets)
    exps = [math.exp(n - top) for n in nets]
    total = sum(exps)
    return [e / total for e in exps]


def layer_outputs(activation: Activation, nets: Sequence[float]) -> list[float]:
    """out for every neuron of a layer."""
    if activation.is_softmax:
        return softmax(nets)
    return [activation.f(n) for n in nets]


# ---------------------------------------------------------------- losses

class Loss(Record):
    """Per-sample error E_d over the K outputs, and ∂E_d/∂out_k.

    As for activations, `term_source` and `gradient_source` are the expressions of
    `error_terms` (exact mode: cross-entropy from the nets) and `error_gradient` below as source
    text over `{out}`, `{net}`, `{target}`, `{K}` and, for softmax, `{lse}` = ln Σ e^net of the
    layer; valid over floats and numpy arrays alike, given `times` (_times) and `softplus`
    (_softplus) for the one or the other. `delta_sources` are the cancelled output deltas of
    `output_deltas` by output activation (`{total}`: the sum of the sample's targets). The fast
    training paths are written from these; tests/test_fast.py pins them to the functions.
    """

    name: str
    term: str  # one output's error term in a sentence, e.g. "½(t−out)²"
    written: Callable[[Expr, Expr, int], Expr]  # (t, out, K outputs) → E_k as a sheet writes it
    written_gradient: Callable[[Expr, Expr, int, bool], Expr]  # (t, out, K, negated) → ∂E_k/∂out, or its negative
    term_source: str = ""
    gradient_source: str = ""
    delta_sources: tuple[tuple[str, str], ...] = ()  # (output activation, δ_k as source)


def _squared(scale: Callable[[Expr, int], Expr]) -> Callable[[Expr, Expr, int], Expr]:
    """A multiple of (t − out)², written as `scale` says."""
    return lambda t, out, K: scale(Pow(Paren(minus(t, out)), TWO), K)


def _gap_gradient(factor: Callable[[int], Expr | None]) -> Callable[[Expr, Expr, int, bool], Expr]:
    """−factor·(t − out), or negated factor·(t − out): the gradient of a squared error."""
    def written(t: Expr, out: Expr, K: int, negated: bool) -> Expr:
        scale = factor(K)
        gap = minus(t, out)
        if scale is None:
            return gap if negated else Neg(Paren(gap))
        scaled = beside(scale, Paren(gap))
        return scaled if negated else Neg(scaled)
    return written


def _cross_entropy(t: Expr, out: Expr, K: int) -> Expr:
    return Neg(Paren(plus(dot(t, Call("ln", (out,))),
                          dot(Paren(minus(ONE, t, tight=True)), Call("ln", (minus(ONE, out, tight=True),))))))


LOSSES = {
    "half_sse": Loss("half_sse", "½(t−out)²", _squared(lambda square, K: beside(HALF, square)),
                     _gap_gradient(lambda K: None),
                     "0.5 * ({target} - {out}) * ({target} - {out})", "{out} - {target}"),
    "sse": Loss("sse", "(t−out)²", _squared(lambda square, K: square), _gap_gradient(lambda K: TWO),
                "({target} - {out}) * ({target} - {out})", "2.0 * ({out} - {target})"),
    "mse": Loss("mse", "(t−out)²/K", _squared(lambda square, K: Ratio(square, Num(float(K)))),
                _gap_gradient(lambda K: Paren(Ratio(TWO, Num(float(K))))),
                "({target} - {out}) * ({target} - {out}) / {K}", "2.0 * ({out} - {target}) / {K}"),
    "cross_entropy": Loss("cross_entropy", "−[t·ln out + (1−t)·ln(1−out)]", _cross_entropy,
                          lambda t, out, K, negated: Ratio(Paren(minus(t, out) if negated else minus(out, t)),
                                                           Paren(beside(out, one_minus(out)))),
                          "times({target}, softplus(-{net})) + times(1.0 - {target}, softplus({net}))", "",
                          (("sigmoid", "{out} - {target}"), ("softmax", "{out} * {total} - {target}"))),
}
SOFTMAX_CROSS_ENTROPY = Loss("cross_entropy", "−t·ln out", lambda t, out, K: Neg(dot(t, Call("ln", (out,)))),
                             lambda t, out, K, negated: Ratio(t, out) if negated else Neg(Ratio(t, out)),
                             "times({target}, {lse} - {net})")


def loss_of(name: str, softmax_output: bool) -> Loss:
    """The loss by its name in the file; cross-entropy over softmax outputs is −Σ t ln out."""
    return SOFTMAX_CROSS_ENTROPY if name == "cross_entropy" and softmax_output else LOSSES[name]


# ---- arithmetic that stays defined at the extremes

def _times(x: float, y: float) -> float:
    """x·y where a zero weight x wins over an infinite y: the term is absent, not undefined."""
    return 0.0 if x == 0.0 else x * y


def _xlogy(x: float, y: float) -> float:
    """x·ln y with 0·ln 0 = 0; x·ln 0 is −∞ for x > 0 (+∞ for x < 0), and the error is truly infinite."""
    if x == 0.0:
        return 0.0
    if y <= 0.0:
        return math.copysign(math.inf, -x)
    return x * math.log(y)


def _exp(x: float) -> float:
    """e^x, infinite where it is beyond a double rather than an OverflowError."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _reciprocal(y: float) -> float:
    """1/y for y ≥ 0, infinite at 0."""
    return 1.0 / y if y else math.inf


def _softplus(x: float) -> float:
    """ln(1 + e^x) without overflow: −ln σ(−x), so that ln σ(net) = −softplus(−net)."""
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _log_sum_exp(nets: Sequence[float]) -> float:
    """ln Σ e^net, shifted by the largest net so that nothing overflows."""
    top = max(nets)
    return top + math.log(math.fsum(math.exp(n - top) for n in nets))


def error_terms(loss: str, softmax_output: bool, outs: Sequence[float], targets: Sequence[float],
                nets: Sequence[float] | None = None) -> list[float]:
    """E_k for each output k; E_d is their sum.

    Given the `nets`, cross-entropy takes ln out from them (ln σ(net) = −softplus(−net), and
    log-softmax), which stays finite and exact where out has rounded to exactly 0 or 1 (|net| ≳ 37
    for a sigmoid). Without them (hand rounding: the ln of the out the sheet wrote down), an out of
    exactly 0, or 1 for a sigmoid, against another target makes E_k = ln 0 = ∞; see `ln_zero`.
    """
    K = len(outs)
    if loss == "half_sse":
        return [0.5 * (t - o) * (t - o) for o, t in zip(outs, targets)]  # (…)**2 raises on overflow
    if loss == "sse":
        return [(t - o) * (t - o) for o, t in zip(outs, targets)]
    if loss == "mse":
        return [(t - o) * (t - o) / K for o, t in zip(outs, targets)]
    if nets is not None and softmax_output:
        lse = _log_sum_exp(nets)
        return [_times(t, lse - n) for n, t in zip(nets, targets)]
    if nets is not None:
        return [_times(t, _softplus(-n)) + _times(1.0 - t, _softplus(n)) for n, t in zip(nets, targets)]
    if softmax_output:
        return [-_xlogy(t, o) for o, t in zip(outs, targets)]
    return [-(_xlogy(t, o) + _xlogy(1.0 - t, 1.0 - o)) for o, t in zip(outs, targets)]


def ln_zero(loss: str, softmax_output: bool, out: float, target: float) -> str | None:
    """Why an output's error is infinite, or None if it is not: cross-entropy takes ln 0 when out is
    exactly 0 (or exactly 1 for a sigmoid) and the target says it should not be."""
    if loss != "cross_entropy":
        return None
    if out == 0.0 and target != 0.0:
        return f"out is exactly 0 while its target is {target:g}, and ln out = ln 0"
    if not softmax_output and out == 1.0 and target != 1.0:
        return f"out is exactly 1 while its target is {target:g}, and ln(1−out) = ln 0"
    return None


def error_gradient(loss: str, softmax_output: bool, outs: Sequence[float], targets: Sequence[float],
                   nets: Sequence[float] | None = None) -> list[float]:
    """∂E_d/∂out_k for each output k.

    For cross-entropy it is −t/out + (1−t)/(1−out) (softmax: −t/out), taking 1/out from the
    `nets` where given; it is ±∞ only where out is exactly 0 or 1, or within ~1e-308 of it.
    """
    K = len(outs)
    if loss == "half_sse":
        return [o - t for o, t in zip(outs, targets)]
    if loss == "sse":
        return [2.0 * (o - t) for o, t in zip(outs, targets)]
    if loss == "mse":
        return [2.0 * (o - t) / K for o, t in zip(outs, targets)]
    if softmax_output:
        if nets is not None:
            lse = _log_sum_exp(nets)
            inverses = [_exp(lse - n) for n in nets]  # 1/out = e^(ln Σ e^net − net)
        else:
            inverses = [_reciprocal(o) for o in outs]
        return [_times(-t, i) for t, i in zip(targets, inverses)]
    if nets is not None:
        pairs = [(1.0 + _exp(-n), 1.0 + _exp(n)) for n in nets]  # 1/σ(net) and 1/(1−σ(net))
    else:
        pairs = [(_reciprocal(o), _reciprocal(1.0 - o)) for o in outs]
    return [_times(-t, a) + _times(1.0 - t, b) for t, (a, b) in zip(targets, pairs)]


def output_deltas(loss: str, activation: Activation, nets: Sequence[float], outs: Sequence[float],
                  targets: Sequence[float]) -> list[float]:
    """δ_k = ∂E_d/∂net_k for the output layer.

    Cross-entropy with its matching output (sigmoid or softmax) cancels to out − t; using the
    cancelled form keeps δ finite and exact when out is exactly 0 or 1, where the factors are
    0 and ∞. (With softmax, out·Σt − t, which is out − t when the targets sum to 1.)
    """
    if loss == "cross_entropy" and activation.name == "sigmoid":
        return [o - t for o, t in zip(outs, targets)]
    if loss == "cross_entropy" and activation.is_softmax:
        total = sum(targets)
        return [o * total - t for o, t in zip(outs, targets)]
    grads = error_gradient(loss, activation.is_softmax, outs, targets)
    if activation.is_softmax:
        # Jacobian of softmax: ∂out_j/∂net_k = out_j(δ_jk − out_k), so δ_k = out_k(g_k − Σ_j g_j out_j).
        mean = sum(g * o for g, o in zip(grads, outs))
        return [o * (g - mean) for g, o in zip(grads, outs)]
    return [g * activation.df(n, o) for g, n, o in zip(grads, nets, outs)]
