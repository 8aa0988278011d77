"""Each activation and loss defined once: its value, its derivative, and how a solution sheet writes it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence


def sigmoid(net: float) -> float:
    """σ(net) = 1/(1+e^−net), written so that neither branch overflows for |net| ≫ 1."""
    if net >= 0:
        return 1.0 / (1.0 + math.exp(-net))
    z = math.exp(net)
    return z / (1.0 + z)


@dataclass(frozen=True)
class Activation:
    """f(net) → out for one neuron, with f'(net) computed from net and out (as students do: σ' = out(1−out)).

    Beside each callable is the same expression as source text, for the fast training paths
    (bpcalc.fast), which compile it into straight-line code: `source`/`derivative_source` are
    Python over floats (`exp` and `tanh` from math), `array_source`/`array_derivative_source`
    the numpy form over whole arrays (`np`). `{net}` and `{out}` stand for the values; the
    templates are pinned to the callables by tests/test_fast.py. (They compare with 0.0 where
    the callables write 0: the same test on floats, but one CPython specialises.)
    """

    name: str
    f: Callable[[float], float]
    df: Callable[[float, float], float]
    formula: str  # f written with `net`, e.g. "1/(1+e^−net)"
    symbol: str  # short name in tables, e.g. "σ"
    derivative: str  # f' written with `out`/`net`, e.g. "out(1−out)"
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


SIGMOID = Activation("sigmoid", sigmoid, lambda net, out: out * (1.0 - out),
                     "1/(1+e^−net)", "σ", "out(1−out)",
                     source="(1.0 / (1.0 + exp(-{net})) if {net} >= 0.0 else (_z := exp({net})) / (1.0 + _z))",
                     derivative_source="{out} * (1.0 - {out})",
                     # Over arrays e^−net may overflow to inf for net < −709, giving out = 0 as it should.
                     array_source="1.0 / (1.0 + np.exp(-{net}))",
                     array_derivative_source="{out} * (1.0 - {out})",
                     quick_source="1.0 / (1.0 + exp(-{net}))")  # e^−net overflows for net < −709.78
TANH = Activation("tanh", math.tanh, lambda net, out: 1.0 - out * out,
                  "tanh(net)", "tanh", "1−out²",
                  source="tanh({net})", derivative_source="1.0 - {out} * {out}",
                  array_source="np.tanh({net})", array_derivative_source="1.0 - {out} * {out}")
RELU = Activation("relu", lambda net: net if net > 0 else 0.0, _relu_df,
                  "max(0, net)", "relu", "[net>0]",
                  source="({net} if {net} > 0.0 else 0.0)", derivative_source="(1.0 if {net} > 0.0 else 0.0)",
                  array_source="np.maximum({net}, 0.0)", array_derivative_source="({net} > 0)")
LINEAR = Activation("linear", lambda net: net, lambda net, out: 1.0, "net", "id", "1",
                    source="{net}", derivative_source="1.0",
                    array_source="{net}", array_derivative_source="1.0")
# Softmax couples a layer's neurons: f is applied to the whole layer by `softmax` below and
# its derivative is a Jacobian, so the per-neuron callables here are only placeholders (and
# the fast paths write the layer out from `softmax` and `output_deltas`, not from templates).
SOFTMAX = Activation("softmax", lambda net: net, lambda net, out: out * (1.0 - out),
                     "e^net/Σe^net", "softmax", "out(1−out)")


def leaky_relu(slope: float = 0.01) -> Activation:
    """leaky_relu with the given slope for net ≤ 0 (0.01 unless the file says otherwise)."""
    s = repr(float(slope))  # exact in source: repr round-trips a double
    return Activation("leaky_relu", lambda net: net if net > 0 else slope * net,
                      lambda net, out: 1.0 if net > 0 else slope,
                      f"max({slope:g}·net, net)", "lrelu", f"[net>0] or {slope:g}", slope,
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

@dataclass(frozen=True)
class Loss:
    """Per-sample error E_d over the K outputs, and ∂E_d/∂out_k.

    As for activations, `term_source` and `gradient_source` are the expressions of
    `error_terms` and `error_gradient` below as source text over `{out}`, `{target}` and `{K}`
    (valid over floats and numpy arrays alike, `xlogy` being x·ln y with 0·ln 0 = 0), and
    `delta_sources` the cancelled output deltas of `output_deltas` by output activation
    (`{total}`: the sum of the sample's targets), for the fast training paths.
    """

    name: str
    term: str  # one output's error term, e.g. "½(t−out)²"
    dE_dout: str  # its derivative, e.g. "−(t−out)"
    term_source: str = ""
    gradient_source: str = ""
    delta_sources: tuple[tuple[str, str], ...] = ()  # (output activation, δ_k as source)


LOSSES = {
    "half_sse": Loss("half_sse", "½(t−out)²", "−(t−out)",
                     "0.5 * ({target} - {out}) ** 2", "{out} - {target}"),
    "sse": Loss("sse", "(t−out)²", "−2(t−out)", "({target} - {out}) ** 2", "2.0 * ({out} - {target})"),
    "mse": Loss("mse", "(t−out)²/K", "−2(t−out)/K", "({target} - {out}) ** 2 / {K}",
                "2.0 * ({out} - {target}) / {K}"),
    "cross_entropy": Loss("cross_entropy", "−[t·ln out + (1−t)·ln(1−out)]", "(out−t)/(out(1−out))",
                          "-(xlogy({target}, {out}) + xlogy(1.0 - {target}, 1.0 - {out}))", "",
                          (("sigmoid", "{out} - {target}"), ("softmax", "{out} * {total} - {target}"))),
}
SOFTMAX_CROSS_ENTROPY = Loss("cross_entropy", "−t·ln out", "−t/out", "-xlogy({target}, {out})")


def _xlogy(x: float, y: float) -> float:
    """x·ln y with 0·ln 0 = 0; ln 0 is −inf where x > 0, and the error is truly infinite."""
    if x == 0.0:
        return 0.0
    if y <= 0.0:
        return -math.inf
    return x * math.log(y)


def error_terms(loss: str, softmax_output: bool, outs: Sequence[float], targets: Sequence[float]) -> list[float]:
    """E_k for each output k; E_d is their sum."""
    K = len(outs)
    if loss == "half_sse":
        return [0.5 * (t - o) ** 2 for o, t in zip(outs, targets)]
    if loss == "sse":
        return [(t - o) ** 2 for o, t in zip(outs, targets)]
    if loss == "mse":
        return [(t - o) ** 2 / K for o, t in zip(outs, targets)]
    if softmax_output:
        return [-_xlogy(t, o) for o, t in zip(outs, targets)]
    return [-(_xlogy(t, o) + _xlogy(1.0 - t, 1.0 - o)) for o, t in zip(outs, targets)]


def error_gradient(loss: str, softmax_output: bool, outs: Sequence[float], targets: Sequence[float]) -> list[float]:
    """∂E_d/∂out_k for each output k."""
    K = len(outs)
    if loss == "half_sse":
        return [o - t for o, t in zip(outs, targets)]
    if loss == "sse":
        return [2.0 * (o - t) for o, t in zip(outs, targets)]
    if loss == "mse":
        return [2.0 * (o - t) / K for o, t in zip(outs, targets)]
    if softmax_output:
        return [-t / o if t else 0.0 for o, t in zip(outs, targets)]
    return [(o - t) / (o * (1.0 - o)) if o * (1.0 - o) else math.copysign(math.inf, o - t)
            for o, t in zip(outs, targets)]


def output_deltas(loss: str, activation: Activation, nets: Sequence[float], outs: Sequence[float],
                  targets: Sequence[float]) -> list[float]:
    """δ_k = ∂E_d/∂net_k for the output layer.

    Cross-entropy with its matching output (sigmoid or softmax) cancels to out − t; using the
    cancelled form keeps δ finite when out is exactly 0 or 1, where the factors are 0 and ∞.
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
