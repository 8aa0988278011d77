"""An independent reference implementation of backpropagation on graph nets, for the tests.

Written from the maths, over the plain dict that `yaml.safe_load` makes of a network file in
the per-neuron form; it imports nothing of bpcalc. A net is its neurons in file order, each
with an activation, incoming weights from any input or any neuron of an earlier layer, and a
bias (net = Σw·x + b), a threshold (net = Σw·x − θ) or neither. The outputs are the last layer.

    forward:  net_j = Σ_i w_ij·x_i + b_j (or − θ_j),  out_j = f(net_j)   (softmax: over its layer)
    backward: δ_k = ∂E_d/∂net_k for the outputs, then in reverse order
              δ_j = f′(net_j)·Σ_k w_jk·δ_k   over every neuron k that j feeds
    gradient: ∂E/∂w_ij = R_d δ_j·x_i (+ 2λw_ij),  ∂E/∂b_j = R_d δ_j,  ∂E/∂θ_j = R_d (−δ_j)
    update:   Δp(n) = −η·∂E/∂p + α·Δp(n−1),  p⁺ = p + Δp(n)

R_d is the mean or the sum over the batch's samples (`reduction`), E = R_d E_d + λΣw² (weights
only). `update_biases: false` holds every bias and threshold: gradient reported as 0, never moved.
δ is always ∂E/∂net here, as in bpcalc's `--json`; `delta_sign` changes only how sheets write it.
`connections` says only which weights must be written; the oracle uses those that are.
Not covered: hand rounding, `hidden_deltas: new_weights`, layers by size, the matrix form, CSV.
"""

from __future__ import annotations

import math

def _num(value) -> float:
    return float(value)  # safe_load leaves `1e-05` (no dot) as text; float() reads it


def _softplus(x: float) -> float:
    """ln(1 + e^x), computed without overflow."""
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def _activation(spec):
    """(name, f, f′(net, out)) for an `activation:` value."""
    if isinstance(spec, dict):  # {leaky_relu: {slope: s}}
        (name, args), = spec.items()
        slope = _num((args or {}).get("slope", 0.01))
    else:
        name, slope = spec, 0.01
    table = {
        "sigmoid": (_sigmoid, lambda n, o: o * (1.0 - o)),
        "tanh": (math.tanh, lambda n, o: 1.0 - o * o),
        "relu": (lambda n: n if n > 0 else 0.0, lambda n, o: 1.0 if n > 0 else 0.0),
        "leaky_relu": (lambda n: n if n > 0 else slope * n, lambda n, o: 1.0 if n > 0 else slope),
        "linear": (lambda n: n, lambda n, o: 1.0),
        "identity": (lambda n: n, lambda n, o: 1.0),
        "softmax": (None, None),
    }
    return (name,) + table[name]


class Net:
    """The network of one parsed file: its neurons in order, its parameters and its options."""

    def __init__(self, doc: dict):
        self.inputs = [str(x) for x in doc["layers"][0]["inputs"]]
        self.layers = []  # [(activation, [neuron names])]
        self.sources = {}  # neuron -> [source names], in file order
        self.weights, self.biases, self.thresholds = {}, {}, {}
        for layer in doc["layers"][1:]:
            names = []
            for name, spec in layer["neurons"].items():
                name = str(name)
                names.append(name)
                self.sources[name] = [str(s) for s in spec.get("weights", {})]
                for source, w in spec.get("weights", {}).items():
                    self.weights[f"{source}->{name}"] = _num(w)
                if spec.get("bias") is not None:
                    self.biases[name] = _num(spec["bias"])
                if spec.get("threshold") is not None:
                    self.thresholds[name] = _num(spec["threshold"])
            self.layers.append((_activation(layer["activation"]), names))
        self.outputs = self.layers[-1][1]
        self.feeds = {j: [k for k in self.sources if j in self.sources[k]] for j in self.sources}
        self.eta = _num(doc["learning_rate"]) if "learning_rate" in doc else None
        self.loss = doc.get("loss", "half_sse")
        self.reduction = doc.get("reduction", "mean")
        self.batch = doc.get("batch", "full")
        self.l2 = _num(doc.get("l2", 0))
        self.momentum = _num(doc.get("momentum", 0))
        self.update_biases = doc.get("update_biases", True)
        if doc.get("rounding") or doc.get("hidden_deltas", "old_weights") != "old_weights":
            raise NotImplementedError("the oracle does exact, old-weights backpropagation only")
        self.samples = []
        for s in doc["samples"]:
            x, t = s["inputs"], s["targets"]
            x = [_num(x[n]) for n in self.inputs] if isinstance(x, dict) else [_num(v) for v in x]
            t = [_num(t[n]) for n in self.outputs] if isinstance(t, dict) else [_num(v) for v in t]
            self.samples.append((x, t))

    # ---- one sample

    def forward(self, sample: int):
        """{neuron: (net, out)} and E_d for one sample."""
        x, t = self.samples[sample]
        value = dict(zip(self.inputs, x))
        passes = {}
        for (name, f, _), neurons in self.layers:
            nets = []
            for j in neurons:
                net = math.fsum(self.weights[f"{i}->{j}"] * value[i] for i in self.sources[j])
                nets.append(net + self.biases.get(j, 0.0) - self.thresholds.get(j, 0.0))
            if name == "softmax":
                top = max(nets)
                exps = [math.exp(n - top) for n in nets]
                total = math.fsum(exps)
                outs = [e / total for e in exps]
            else:
                outs = [f(n) for n in nets]
            for j, net, out in zip(neurons, nets, outs):
                passes[j] = (net, out)
                value[j] = out
        return passes, self._error(passes, t)

    def _error(self, passes, targets) -> float:
        nets = [passes[k][0] for k in self.outputs]
        outs = [passes[k][1] for k in self.outputs]
        K = len(outs)
        if self.loss == "half_sse":
            terms = [0.5 * (t - o) ** 2 for o, t in zip(outs, targets)]
        elif self.loss == "sse":
            terms = [(t - o) ** 2 for o, t in zip(outs, targets)]
        elif self.loss == "mse":
            terms = [(t - o) ** 2 / K for o, t in zip(outs, targets)]
        elif self.layers[-1][0][0] == "softmax":  # −Σ t ln out, ln out = net − ln Σ e^net
            top = max(nets)
            lse = top + math.log(math.fsum(math.exp(n - top) for n in nets))
            terms = [t * (lse - n) for n, t in zip(nets, targets)]
        else:  # −[t ln σ + (1−t) ln(1−σ)], ln σ(net) = −softplus(−net)
            terms = [t * _softplus(-n) + (1 - t) * _softplus(n) for n, t in zip(nets, targets)]
        return math.fsum(terms)

    def deltas(self, sample: int, passes) -> dict[str, float]:
        """δ_j = ∂E_d/∂net_j for every neuron."""
        targets = self.samples[sample][1]
        (out_act, _, out_df), _ = self.layers[-1]
        outs = [passes[k][1] for k in self.outputs]
        K = len(outs)
        if self.loss == "cross_entropy":
            total = math.fsum(targets)  # softmax: out·Σt − t; sigmoid: out − t
            d = [o * total - t if out_act == "softmax" else o - t for o, t in zip(outs, targets)]
        else:
            scale = {"half_sse": 1.0, "sse": 2.0, "mse": 2.0 / K}[self.loss]
            g = [scale * (o - t) for o, t in zip(outs, targets)]  # ∂E_d/∂out
            if out_act == "softmax":  # through the Jacobian out_k(δ_kj − out_j)
                mean = math.fsum(gk * ok for gk, ok in zip(g, outs))
                d = [o * (gk - mean) for gk, o in zip(g, outs)]
            else:
                d = [gk * out_df(*passes[k]) for gk, k in zip(g, self.outputs)]
        delta = dict(zip(self.outputs, d))
        hidden = [(df, j) for (_, _, df), neurons in self.layers[:-1] for j in neurons]
        for df, j in reversed(hidden):
            downstream = [self.weights[f"{j}->{k}"] * delta[k] for k in self.feeds[j]]
            delta[j] = df(*passes[j]) * math.fsum(downstream)
        return delta

    # ---- the batch

    def error(self) -> float:
        errors = [self.forward(d)[1] for d in range(len(self.samples))]
        return self._reduce(errors) + self.l2 * math.fsum(w * w for w in self.weights.values())

    def _reduce(self, values) -> float:
        total = math.fsum(values)
        return total / len(values) if self.reduction == "mean" else total

    def batches(self) -> list[list[int]]:
        n = len(self.samples)
        size = {"full": n, "online": 1}.get(self.batch, self.batch)
        return [list(range(s, min(s + size, n))) for s in range(0, n, size)]

    def gradients(self, batch) -> tuple[dict, list]:
        """∂E/∂p over `batch` for every parameter, and each sample's record."""
        terms = {"weights": {p: [] for p in self.weights}, "biases": {p: [] for p in self.biases},
                 "thresholds": {p: [] for p in self.thresholds}}
        records = []
        for d in batch:
            passes, e = self.forward(d)
            delta = self.deltas(d, passes)
            value = dict(zip(self.inputs, self.samples[d][0])) | {j: o for j, (_, o) in passes.items()}
            for edge in self.weights:
                source, dest = edge.split("->")
                terms["weights"][edge].append(delta[dest] * value[source])
            for j in self.biases:
                terms["biases"][j].append(delta[j])
            for j in self.thresholds:
                terms["thresholds"][j].append(-delta[j])  # ∂net/∂θ = −1
            records.append({"neurons": {j: {"net": n, "out": o, "delta": delta[j]}
                                        for j, (n, o) in passes.items()}, "error": e})
        grads = {kind: {p: self._reduce(ts) for p, ts in group.items()} for kind, group in terms.items()}
        for edge, w in self.weights.items():
            grads["weights"][edge] += 2 * self.l2 * w
        if not self.update_biases:  # fixed: reported as 0, never moved
            grads["biases"] = dict.fromkeys(self.biases, 0.0)
            grads["thresholds"] = dict.fromkeys(self.thresholds, 0.0)
        return grads, records

    def update(self, grads, velocity) -> None:
        """p⁺ = p − η·∂E/∂p + α·Δp(n−1), in place; `velocity` holds each Δp(n−1)."""
        for kind in ("weights", "biases", "thresholds"):
            params = getattr(self, kind)
            for p, g in grads[kind].items():
                if kind != "weights" and not self.update_biases:
                    continue
                step = -self.eta * g + self.momentum * velocity.get((kind, p), 0.0)
                velocity[(kind, p)] = step
                params[p] += step

    def parameters(self) -> dict:
        return {"weights": dict(self.weights), "biases": dict(self.biases),
                "thresholds": dict(self.thresholds)}


def step(doc: dict) -> dict:
    """What `bpcalc step --json` gives: one update on the first batch."""
    net = Net(doc)
    batch = net.batches()[0]
    error = net.error()
    grads, records = net.gradients(batch)
    net.update(grads, {})
    return {"samples": records, "error": error, "gradients": grads,
            "updated": net.parameters(), "error_after": net.error()}


def train(doc: dict, epochs: int, until: float | None = None) -> dict:
    """What `bpcalc train -n EPOCHS --json` gives. With `until`, stop after the first epoch whose
    error (measured after it) is below `until`; `epochs` is then the number run."""
    net = Net(doc)
    velocity: dict = {}
    done = 0
    for done in range(1, epochs + 1):
        for batch in net.batches():
            net.update(net.gradients(batch)[0], velocity)
        if until is not None and net.error() < until:
            break
    outputs = [{k: net.forward(d)[0][k][1] for k in net.outputs} for d in range(len(net.samples))]
    return {"epochs": done, "error": net.error(), "outputs": outputs} | net.parameters()
