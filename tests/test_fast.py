"""The fast training paths equal the reference engine to 1e-12 relative, on random graph networks under every option."""

from __future__ import annotations

import dis
import functools
import importlib.util
import itertools
import math
import random
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from bpcalc import engine, training
from bpcalc.errors import BpcalcError
from bpcalc.fast import compiled, vectorised
from bpcalc.functions import (ACTIVATIONS, LOSSES, SOFTMAX_CROSS_ENTROPY, error_gradient,
                              error_terms, leaky_relu, output_deltas)
from bpcalc.loader import load_network
from bpcalc.model import Layer, Network, Neuron, Options, Sample, dense_layer
from conftest import NETWORKS

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
FAST = ["compiled", "vectorised"]
TOLERANCE = 1e-12


def _close(a: float, b: float, scale: float = 0.0, tolerance: float = TOLERANCE) -> bool:
    """Equal to 1e-12 relative to the size of the quantities compared.

    `scale` is the largest magnitude among the values of the same kind (all parameters, all
    nets, …): a parameter that ends near 0 by cancelling larger terms is compared with those
    terms' size, since rounding in the order of a sum moves it by ~1e-16 of them, not of it.
    Measured over 400 random networks the worst is ~1e-15 of the scale.
    """
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= tolerance * max(abs(a), abs(b), scale)


def largest(values) -> float:
    return max((abs(v) for v in values if math.isfinite(v)), default=0.0)


def activation(kind: str):
    return leaky_relu(0.05) if kind == "leaky_relu" else ACTIVATIONS[kind]


def graph_layers(rng: random.Random, inputs, widths, kinds, wiring: str, bias_odds: float,
                 threshold_odds: float) -> tuple[Layer, ...]:
    """Layers of neurons named n{layer}_{j}. `wiring` "dense": each layer fed by all of the one
    before (layered); "graph": each neuron by a random choice of the inputs and earlier neurons —
    skip connections, and sparse layers where a neuron misses some of the layer before. Some
    neurons have a bias, some a threshold (net = Σw·x − θ), some neither."""
    earlier = list(inputs)  # every input and neuron so far, in file order: a neuron's edge order
    before = list(inputs)
    layers = []
    for l, (width, kind) in enumerate(zip(widths, kinds), 1):
        neurons = []
        for j in range(width):
            if wiring == "dense":
                sources = before
            else:
                sources = [s for s in earlier if rng.random() < (0.7 if s in before else 0.35)] or [rng.choice(earlier)]
            bias = rng.uniform(-1, 1) if rng.random() < bias_odds else None
            neurons.append(Neuron(f"n{l}_{j}", tuple((s, rng.uniform(-1, 1)) for s in sources), bias,
                                  bias is not None and rng.random() < threshold_odds))
        sparse = any(not set(before) <= set(n.sources) for n in neurons)
        layers.append(Layer(activation(kind), tuple(neurons), sparse))
        before = [n.name for n in neurons]
        earlier += before
    return tuple(layers)


def graph_samples(rng: random.Random, inputs: int, outputs: int, count: int, softmax: bool) -> tuple[Sample, ...]:
    samples = []
    for _ in range(count):
        targets = [rng.uniform(0, 1) for _ in range(outputs)]
        if softmax and rng.random() < 0.5:  # one-hot, as classification has
            targets = [1.0 if k == 0 else 0.0 for k in range(outputs)]
        samples.append(Sample(tuple(rng.uniform(-2, 2) for _ in range(inputs)), tuple(targets)))
    return tuple(samples)


@st.composite
def networks(draw):
    """A random graph network and options. Hypothesis picks the structure and the conventions;
    the values come from a seeded generator, so no net lands exactly on relu's kink by design."""
    loss = draw(st.sampled_from(sorted(LOSSES)))
    output = draw(st.sampled_from(["sigmoid", "softmax"] if loss == "cross_entropy" else HIDDEN + ["softmax"]))
    widths = [draw(st.integers(1, 4)) for _ in range(draw(st.integers(1, 3)))]
    kinds = [draw(st.sampled_from(HIDDEN)) for _ in widths[:-1]] + [output]
    rng = random.Random(draw(st.integers(0, 2**32)))
    inputs = tuple(f"n0_{i}" for i in range(draw(st.integers(1, 3))))
    layers = graph_layers(rng, inputs, widths, kinds, draw(st.sampled_from(["dense", "graph"])),
                          draw(st.sampled_from([0.0, 0.5, 1.0])), draw(st.sampled_from([0.0, 0.5, 1.0])))
    samples = graph_samples(rng, len(inputs), widths[-1], draw(st.integers(1, 5)), output == "softmax")
    options = Options(
        learning_rate=draw(st.sampled_from([0.05, 0.3])), loss=loss,
        reduction=draw(st.sampled_from(["mean", "sum"])),
        batch=draw(st.sampled_from(["full", "online", 2, 3])),
        l2=draw(st.sampled_from([0.0, 0.01])), momentum=draw(st.sampled_from([0.0, 0.9])),
        update_biases=draw(st.booleans()), hidden_deltas=draw(st.sampled_from(["old_weights", "new_weights"])))
    return Network(inputs, layers, samples, options)


def paths_for(network: Network) -> list[str]:
    """The fast paths that serve the network: compiled always, vectorised when it is layered."""
    return FAST if network.layered else ["compiled"]


def assert_same_record(fast, reference, tolerance: float = TOLERANCE):
    close = functools.partial(_close, tolerance=tolerance)
    assert (fast.epochs, fast.updates) == (reference.epochs, reference.updates)
    want = reference.network.values()  # every weight, bias and threshold
    got = fast.network.values()
    assert list(got) == list(want)
    assert wiring(fast.network) == wiring(reference.network)
    scale = largest(want.values())
    for name, value in want.items():
        assert close(got[name], value, scale), (name, got[name], value)
    # An error is a function of the outputs, of size out²: an output fitted to its target to
    # 1e-9 leaves E_d ~ 1e-18, whose last digits are rounding in out − t, so errors are
    # compared at the outputs' scale (and their own, when larger).
    outs = largest(n.out for p in reference.final.passes for layer in p.layers for n in layer)
    errors = [reference.final.error] + [e for _, e in reference.checkpoints]
    errors += [p.error for p in reference.final.passes]
    scale = max(largest(errors), outs * outs)
    assert close(fast.final.error, reference.final.error, scale)
    assert close(fast.final.l2_term, reference.final.l2_term, scale)
    assert [e for e, _ in fast.checkpoints] == [e for e, _ in reference.checkpoints]
    assert all(close(g, w, scale) for (_, g), (_, w) in zip(fast.checkpoints, reference.checkpoints))
    assert len(fast.final.passes) == len(reference.final.passes)
    nets = largest(n.net for p in reference.final.passes for layer in p.layers for n in layer)
    for got_pass, want_pass in zip(fast.final.passes, reference.final.passes):
        assert got_pass.sample == want_pass.sample
        assert close(got_pass.error, want_pass.error, scale)
        assert all(close(g, w, scale) for g, w in zip(got_pass.error_terms, want_pass.error_terms))
        for g_layer, w_layer in zip(got_pass.layers, want_pass.layers):
            for g, w in zip(g_layer, w_layer):
                assert g.name == w.name and close(g.net, w.net, nets) and close(g.out, w.out, outs)


def wiring(network: Network):
    """The graph without its values: each layer's activation and neurons, their sources and bias kind."""
    return [(layer.activation.name, layer.sparse, [(n.name, n.sources, n.bias is None, n.threshold)
                                                   for n in layer.neurons]) for layer in network.layers]


def sensitivity(network: Network, epochs: int, reference) -> float:
    """How far the engine's own result moves when each weight moves by one rounding (~1e-16):
    a run more sensitive than that cannot agree to 1e-12 between any two float programs."""
    nudged = {name: value * (1 + 2.0 ** -52) for name, value in network.weights().items()}
    try:
        moved = engine.train(network.with_parameters(nudged), epochs)
    except (ArithmeticError, ValueError, BpcalcError):  # it blows up: as ill-conditioned as it gets
        return math.inf
    before = reference.network.values()
    after = moved.network.values()
    return max(abs(after[k] - before[k]) for k in before) / max(largest(before.values()), 1e-300)


def assert_paths_agree(network: Network, epochs: int) -> None:
    """Every fast path that serves the network trains it as the engine does (or diverges in the same epoch)."""
    points = [0, 1, 2, epochs]
    try:
        reference = engine.train(network, epochs, points)
    except BpcalcError:
        for path in paths_for(network):
            with pytest.raises(BpcalcError, match="training diverged in epoch"):
                training.train(network, epochs, points, path=path)
        return
    except (ArithmeticError, ValueError):
        reject()  # the engine's own float errors on a runaway net: nothing to compare with

    # Well-conditioned runs (nearly all) must agree to 1e-12; an ill-conditioned one (the engine
    # itself moves by more than 1e-14 under a one-ulp nudge) still to 1e-6, which any mistake
    # in the maths would break.
    tolerance = TOLERANCE if sensitivity(network, epochs, reference) < 1e-14 else 1e-6
    for path in paths_for(network):
        assert_same_record(training.train(network, epochs, points, path=path), reference, tolerance)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network=networks(), epochs=st.integers(0, 4))
def test_fast_paths_equal_the_reference_engine(network, epochs):
    assert_paths_agree(network, epochs)


def fixed_graph(kinds=("tanh", "sigmoid", "sigmoid"), wiring: str = "graph", loss: str = "half_sse",
                **options) -> Network:
    """2 inputs, layers of 3, 2 and 2 neurons: with wiring "graph" skip connections into every
    layer from each one below, sparse layers, a neuron that feeds nothing, biases, thresholds
    and neurons with neither; "dense" the same widths layered, with thresholds on a layer."""
    rng = random.Random(11)
    inputs = ("p", "q")
    if wiring == "graph":
        def n(name, sources, bias=None, threshold=False):
            return Neuron(name, tuple((s, rng.uniform(-1, 1)) for s in sources), bias, threshold)
        layers = (Layer(activation(kinds[0]), (n("h1", ["p", "q"], 0.2, True), n("h2", ["q"], -0.1),
                                               n("h3", ["p", "q"]))),
                  Layer(activation(kinds[1]), (n("g1", ["p", "h1", "h3"], 0.3), n("g2", ["h2"], 0.1, True)), True),
                  Layer(activation(kinds[2]), (n("o1", ["q", "h1", "g1", "g2"], -0.2, True),
                                               n("o2", ["h1", "h2", "g1"], 0.4)), True))
    else:
        def dense(kind, names, sources, threshold=False):
            rows = [[rng.uniform(-1, 1) for _ in sources] for _ in names]
            biases = [rng.uniform(-1, 1) if k else None for k in range(len(names))]
            layer = dense_layer(activation(kind), names, sources, rows, biases)
            return layer._replace(neurons=tuple(n._replace(threshold=threshold) for n in layer.neurons))
        layers = (dense(kinds[0], ["h1", "h2", "h3"], inputs, True), dense(kinds[1], ["g1", "g2"], ["h1", "h2", "h3"]),
                  dense(kinds[2], ["o1", "o2"], ["g1", "g2"], True))
    samples = graph_samples(rng, 2, 2, 5, kinds[2] == "softmax")
    return Network(inputs, layers, samples, Options(learning_rate=0.3, loss=loss, **options))


CONVENTIONS = list(itertools.product(["full", "online", 2, 3], ["mean", "sum"], [0.0, 0.9], [0.0, 0.01],
                                     [True, False], ["old_weights", "new_weights"]))


@pytest.mark.parametrize("wiring", ["graph", "dense"])
@pytest.mark.parametrize("batch, reduction, momentum, l2, update_biases, hidden_deltas", CONVENTIONS)
def test_every_convention_on_a_graph(wiring, batch, reduction, momentum, l2, update_biases, hidden_deltas):
    """Each batch mode × reduction × momentum × l2 × update_biases × hidden_deltas, on skip
    connections, sparse layers and thresholds (and on thresholds in a layered net, vectorised too)."""
    network = fixed_graph(wiring=wiring, batch=batch, reduction=reduction, momentum=momentum, l2=l2,
                          update_biases=update_biases, hidden_deltas=hidden_deltas)
    assert network.layered == (wiring == "dense")
    assert_paths_agree(network, 4)


ACTIVATION_LOSS = [(hidden, output, loss) for hidden in HIDDEN for loss in sorted(LOSSES)
                   for output in (["sigmoid", "softmax"] if loss == "cross_entropy" else HIDDEN + ["softmax"])]


@pytest.mark.parametrize("wiring", ["graph", "dense"])
@pytest.mark.parametrize("hidden, output, loss", ACTIVATION_LOSS)
def test_every_activation_and_loss_on_a_graph(wiring, hidden, output, loss):
    network = fixed_graph((hidden, hidden, output), wiring, loss, batch=2, momentum=0.5,
                          hidden_deltas="new_weights")
    assert_paths_agree(network, 4)


def test_the_strategy_draws_every_kind_of_graph():
    """The random networks above reach skip connections, sparse layers, thresholds and layered nets."""
    rng = random.Random(3)
    seen = set()
    for _ in range(50):
        layers = graph_layers(rng, ("a", "b"), [3, 2, 2], ["tanh", "tanh", "sigmoid"], rng.choice(["dense", "graph"]),
                              0.5, 0.5)
        network = Network(("a", "b"), layers)
        seen.add("layered" if network.layered else "graph")
        seen.update("sparse" for layer in layers if layer.sparse)
        seen.update("threshold" for n in network.neurons if n.threshold)
        where = network.layer_of()
        seen.update("skip" for n in network.neurons for s in n.sources if where[s] < where[n.name] - 1)
    assert seen == {"layered", "graph", "sparse", "threshold", "skip"}


@pytest.mark.parametrize("path", FAST)
@pytest.mark.parametrize("name", ["mazur", "mazur-new-weights", "brilliant", "mitchell-4-7"])
def test_the_examples_train_the_same_for_many_epochs(name, path):
    network = load_network(NETWORKS / f"{name}.yaml")
    reference = engine.train(network, 300, engine.checkpoints_for(300))
    assert_same_record(training.train(network, 300, engine.checkpoints_for(300), path=path), reference)


@pytest.mark.parametrize("path", FAST)
def test_chunks_and_checkpoints(path, monkeypatch):
    """Epochs run in chunks; checkpoints inside and across chunk ends are all measured."""
    monkeypatch.setattr(training, "CHUNK", 7)
    network = load_network(NETWORKS / "mitchell-4-7.yaml")
    points = [0, 3, 7, 10, 14, 30]
    assert_same_record(training.train(network, 30, points, path=path), engine.train(network, 30, points))


@pytest.mark.parametrize("momentum", [0.0, 0.5])
def test_a_wide_net_compiles(momentum):
    """Hundreds of parameters, each a local variable of the generated function."""
    rng = random.Random(5)
    hidden_names = [f"h{j}" for j in range(70)]
    hidden = dense_layer(ACTIVATIONS["tanh"], hidden_names, "abcd",
                         [[rng.uniform(-1, 1) for _ in range(4)] for _ in range(70)], [0.1] * 70)
    output = dense_layer(ACTIVATIONS["sigmoid"], ("o1", "o2"), hidden_names,
                         [[rng.uniform(-0.3, 0.3) for _ in range(70)] for _ in range(2)], [0.0, 0.0])
    samples = (Sample((0.1, 0.2, 0.3, 0.4), (0.0, 1.0)), Sample((0.4, 0.3, 0.2, 0.1), (1.0, 0.0)))
    network = Network(("a", "b", "c", "d"), (hidden, output), samples,
                      Options(learning_rate=0.2, momentum=momentum, l2=0.001))
    reference = engine.train(network, 3, [0, 3])
    assert_same_record(training.train(network, 3, [0, 3], path="compiled"), reference)


def diverging(batch="full") -> Network:
    """x → linear h → sigmoid o under cross-entropy, η far too large: both weights grow about
    ×50 an update, until after some 180 updates they are infinite (the error stays finite or
    +inf all the way, so the engine itself gets that far)."""
    return Network(("x",), (dense_layer(ACTIVATIONS["linear"], ("h",), ("x",), ((1.0,),), (None,)),
                            dense_layer(ACTIVATIONS["sigmoid"], ("o",), ("h",), ((1.0,),), (None,))),
                   (Sample((1.0,), (0.5,)), Sample((1.0,), (0.5,))),
                   Options(learning_rate=100.0, loss="cross_entropy", batch=batch))


@pytest.mark.parametrize("batch", ["full", "online"])
@pytest.mark.parametrize("path", FAST)
def test_divergence_names_the_epoch_as_the_engine_does(path, batch, monkeypatch):
    monkeypatch.setattr(training, "CHUNK", 16)
    network = diverging(batch)
    with pytest.raises(BpcalcError) as want:
        engine.train(network, 1000)
    with pytest.raises(BpcalcError) as got:
        training.train(network, 1000, path=path)
    assert str(got.value) == str(want.value)
    assert "diverged in epoch" in str(got.value) and "epoch 1:" not in str(got.value)


@pytest.mark.parametrize("path", FAST)
def test_a_net_beyond_a_double_is_refused_even_with_finite_outputs(path):
    """σ(∞) = 1 keeps the output and the error finite, but the engine refuses a net of ∞."""
    sigmoid = ACTIVATIONS["sigmoid"]
    network = Network(("x",), (dense_layer(sigmoid, ("o",), ("x",), ((1e300,),), (None,)),),
                      (Sample((1.0,), (0.5,)), Sample((1e10,), (0.5,))), Options(learning_rate=0.1))
    with pytest.raises(BpcalcError) as want:
        engine.train(network, 50)
    with pytest.raises(BpcalcError) as got:
        training.train(network, 50, path=path)
    assert str(got.value) == str(want.value)


def test_paths_are_chosen_by_size():
    mazur = load_network(NETWORKS / "mazur.yaml")
    assert training.choose_path(mazur) == "compiled"
    assert training.choose_path(mazur, 10_000) == "compiled"
    assert training.choose_path(mazur, 1) == "reference"  # compiling would cost more than it saves
    rounding = load_network(NETWORKS / "csc4007-example2.yaml")
    assert training.choose_path(rounding) == "reference"
    rng = random.Random(1)
    hidden = [f"h{j}" for j in range(16)]
    layers = (dense_layer(ACTIVATIONS["sigmoid"], hidden, "pqrs",
                          [[rng.uniform(-1, 1) for _ in range(4)] for _ in range(16)], [0.0] * 16),
              dense_layer(ACTIVATIONS["softmax"], ("a", "b", "c"), hidden,
                          [[rng.uniform(-1, 1) for _ in range(16)] for _ in range(3)], [0.0] * 3))
    samples = tuple(Sample((1.0, 2.0, 3.0, 4.0), (1.0, 0.0, 0.0)) for _ in range(256))
    big = Network(("p", "q", "r", "s"), layers, samples, Options(learning_rate=0.1, loss="cross_entropy"))
    assert training.choose_path(big) == "vectorised"
    online = Network(big.inputs, big.layers, samples, Options(learning_rate=0.1, batch="online"))
    assert training.choose_path(online) == "compiled"
    # The same work through a skip connection (the outputs fed by an input too): not a product of
    # matrices, so compiled however large.
    output = layers[1]._replace(neurons=tuple(n._replace(weights=(("p", 0.1),) + n.weights) for n in layers[1].neurons))
    skipping = big._replace(layers=(layers[0], output))
    assert not skipping.layered and not vectorised.supported(skipping)
    assert training.choose_path(skipping) == "compiled"
    with pytest.raises(BpcalcError, match="only layered networks.*use path='compiled'"):
        training.train(skipping, 1, path="vectorised")
    # A layer fed by only some of the layer before (sparse) is not one either.
    sparse = big._replace(layers=(layers[0], layers[1]._replace(
        neurons=tuple(n._replace(weights=n.weights[1:]) for n in layers[1].neurons), sparse=True)))
    assert training.choose_path(sparse) == "compiled"
    # Thresholds keep a network layered.
    thresholds = big._replace(layers=tuple(layer._replace(neurons=tuple(n._replace(threshold=True)
                                                                        for n in layer.neurons)) for layer in layers))
    assert thresholds.layered and training.choose_path(thresholds) == "vectorised"


def test_hand_rounding_trains_on_the_reference_engine():
    network = load_network(NETWORKS / "csc4007-example2.yaml")
    assert training.train(network, 3) == engine.train(network, 3)
    with pytest.raises(BpcalcError, match="use path='reference'"):
        training.train(network, 3, path="compiled")


def test_generated_source_reads_like_the_maths():
    source = compiled.source_for(load_network(NETWORKS / "mazur.yaml"))
    assert "a1_0 = 1.0 / (1.0 + exp(-(w1_0_0 * x0 + w1_0_1 * x1 + b1_0)))" in source  # σ(net), net inside
    assert "d2_0 = (a2_0 - t0) * (a2_0 * (1.0 - a2_0))" in source
    assert "w1_0_0 += neta * (d1_0 * x0)" in source
    assert "import" not in source and "numpy" not in source


def test_generated_source_follows_the_graph():
    """Skip connections are terms of the net they enter and of the δ of what they leave; a
    threshold is subtracted, and moves by −η·(−δ)."""
    source = compiled.source_for(bench().xor_net())
    assert "a1_0 = 1.0 / (1.0 + exp(-(w1_0_0 * x0 + w1_0_1 * x1 - th1_0)))" in source
    assert "a2_0 = 1.0 / (1.0 + exp(-(w2_0_0_0 * x0 + w2_0_0_1 * x1 + w2_0_0 * a1_0 - th2_0)))" in source
    assert "d1_0 = w2_0_0 * d2_0 * (a1_0 * (1.0 - a1_0))" in source  # h feeds o alone
    assert "w2_0_0_1 += neta * (d2_0 * x1)" in source and "th2_0 -= neta * d2_0" in source
    batched = compiled.source_for(fixed_graph(batch="full", momentum=0.5))
    assert "d1_0 = (w2_0_0 * d2_0 + w3_0_1_0 * d3_0 + w3_1_1_0 * d3_1) * (1.0 - a1_0 * a1_0)" in batched
    assert "d1_2 = w2_0_2 * d2_0 * (1.0 - a1_2 * a1_2)" in batched  # h3 feeds only g1
    assert "d2_1 = w3_0_1 * d3_0 * (a2_1 * (1.0 - a2_1))" in batched  # g2 feeds o1, not o2
    assert "gth3_0 -= d3_0" in batched and "vth3_0 = neta * (gth3_0 / n) + alpha * vth3_0" in batched


def test_a_shape_is_its_wiring():
    """Two networks of the same widths and options but other edges or bias kinds are other programs."""
    network = fixed_graph()
    rewired = network._replace(layers=network.layers[:2] + (network.layers[2]._replace(neurons=(
        network.layers[2].neurons[0]._replace(weights=network.layers[2].neurons[0].weights[1:]),
        network.layers[2].neurons[1])),))
    thresholds = network._replace(layers=tuple(layer._replace(neurons=tuple(n._replace(threshold=n.bias is not None)
                                                                            for n in layer.neurons))
                                               for layer in network.layers))
    shapes = {compiled.shape_of(n) for n in (network, rewired, thresholds)}
    assert len(shapes) == 3
    assert compiled.shape_of(network) == compiled.shape_of(network.with_parameters({"p->h1": 5.0}))
    for other in (rewired, thresholds):
        assert_same_record(training.train(other, 3, [0, 3], path="compiled"), engine.train(other, 3, [0, 3]))


# ---------------------------------------------------------------- one definition of the maths

values = st.floats(-800, 800, allow_nan=False) | st.sampled_from([0.0, -0.0, 1e-300, -1e-300, 709.0, -745.0])


@given(net=values)
def test_activation_templates_are_the_activations(net):
    """The compiled path's source templates compute exactly what the reference callables compute."""
    from math import exp, tanh  # noqa: F401  (the templates' names)

    for act in list(ACTIVATIONS.values()) + [leaky_relu(0.2)]:
        if act.is_softmax:
            continue
        out = act.f(net)
        assert _same(eval(act.source.format(net="net")), out), act.name
        assert _same(eval(act.derivative_source.format(net="net", out="out")), act.df(net, out)), act.name


@given(net=values)
def test_array_templates_agree_with_the_activations(net):
    import numpy as np

    from bpcalc.fast.vectorised import _activation, _derivative

    for act in list(ACTIVATIONS.values()) + [leaky_relu(0.2)]:
        if act.is_softmax:
            continue
        z = np.array([[net]])
        with np.errstate(over="ignore"):  # e^800: inf, so out = 0, as the trainer allows
            out = float(_activation(act)(z)[0, 0])
        assert math.isclose(out, act.f(net), rel_tol=1e-15, abs_tol=1e-307), act.name
        df = _derivative(act)
        slope = 1.0 if df is None else float(np.asarray(df(z, np.array([[out]])) * 1.0)[0, 0])
        assert math.isclose(slope, act.df(net, out), rel_tol=1e-15, abs_tol=1e-307), act.name


@given(nets=st.lists(st.floats(-40, 40), min_size=3, max_size=3),
       targets=st.lists(st.floats(0, 1), min_size=3, max_size=3))
def test_loss_templates_are_the_losses(nets, targets):
    """Error terms (exact mode: cross-entropy from the nets), gradients and cancelled deltas."""
    from bpcalc.functions import SIGMOID, SOFTMAX, _log_sum_exp, _softplus, _times, softmax

    names = {"times": _times, "softplus": _softplus}
    for softmax_output in (False, True):
        outs = softmax(nets) if softmax_output else [SIGMOID.f(n) for n in nets]
        lse = _log_sum_exp(nets)
        for name, loss in LOSSES.items():
            written = SOFTMAX_CROSS_ENTROPY if name == "cross_entropy" and softmax_output else loss
            want = error_terms(name, softmax_output, outs, targets, nets)
            got = [eval(written.term_source.format(out=repr(o), net=repr(n), target=repr(t), K="3.0", lse=repr(lse)),
                        names) for o, n, t in zip(outs, nets, targets)]
            assert got == want, (name, softmax_output)
            if loss.gradient_source:
                got = [eval(loss.gradient_source.format(out=repr(o), target=repr(t), K="3.0"))
                       for o, t in zip(outs, targets)]
                assert got == error_gradient(name, softmax_output, outs, targets), name
            for act_name, template in loss.delta_sources:
                act = {"sigmoid": SIGMOID, "softmax": SOFTMAX}[act_name]
                got = [eval(template.format(out=repr(o), target=repr(t), total=repr(sum(targets))))
                       for o, t in zip(outs, targets)]
                assert got == output_deltas(name, act, nets, outs, targets), (name, act_name)


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


@given(net=st.floats(-709, 709, allow_nan=False))
def test_quick_forms_are_within_a_few_ulps(net):
    from math import exp  # noqa: F401  (the templates' names)

    for act in ACTIVATIONS.values():
        if act.quick_source:
            assert math.isclose(eval(act.quick_source.format(net="net")), act.f(net), rel_tol=1e-15, abs_tol=0)


def test_a_quick_form_that_overflows_reruns_with_the_guarded_one():
    """σ(net) for net < −709.78 overflows e^−net in the quick form; the run still completes."""
    sigmoid = ACTIVATIONS["sigmoid"]
    network = Network(("x",), (dense_layer(sigmoid, ("h",), ("x",), ((-900.0,),), (0.0,)),
                               dense_layer(sigmoid, ("o",), ("h",), ((1.0,),), (0.0,))),
                      (Sample((1.0,), (1.0,)),), Options(learning_rate=0.5))
    assert_same_record(training.train(network, 20, [0, 10, 20], path="compiled"), engine.train(network, 20, [0, 10, 20]))


def test_every_activation_and_loss_has_its_templates():
    for act in ACTIVATIONS.values():
        if not act.is_softmax:
            assert act.source and act.derivative_source and act.array_source and act.array_derivative_source
    for loss in LOSSES.values():
        assert loss.term_source and (loss.gradient_source or loss.delta_sources)


# ---------------------------------------------------------------- start-up stays light

def _modules_after(code: str) -> set[str]:
    result = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
                            capture_output=True, text=True, check=True)
    return set(result.stdout.split())


@pytest.mark.parametrize("command", [["--help"], ["forward"], ["step"], ["train", "-n", "100"],
                                     ["train", "-n", "100", "--json"]])
def test_small_commands_import_neither_numpy_nor_torch(command):
    code = ("import sys, io, contextlib\nfrom bpcalc.cli import app\n"
            f"sys.argv = ['bpcalc'] + {command!r}\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n        app()\n    except SystemExit:\n        pass")
    modules = _modules_after(code)
    assert "numpy" not in modules and "torch" not in modules
    assert "bpcalc.cli" in modules


def test_import_bpcalc_is_light():
    modules = _modules_after("import bpcalc")
    assert not {"numpy", "torch", "yaml", "rich", "typer"} & modules


def bench():
    """bench/bench.py as a module, for its networks and the loops it writes by hand."""
    spec = importlib.util.spec_from_file_location("bench", NETWORKS.parent / "bench" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def epoch_loop(function) -> list[str]:
    """The instructions of a function's epoch loop: from its first FOR_ITER to where that loop ends."""
    instructions = list(dis.get_instructions(function))
    start = next(i for i in instructions if i.opname == "FOR_ITER")
    return [i.opname for i in instructions if start.offset <= i.offset < start.argval]


@pytest.mark.parametrize("mode", [{}, {"batch": "online"}, {"batch": "full", "hidden_deltas": "new_weights"},
                                  {"batch": 2, "momentum": 0.5, "l2": 0.1, "update_biases": False}])
def test_an_epoch_reads_only_local_variables(mode):
    """The loop of a compiled program is what one writes by hand for speed: every name it reads
    is a local (no global lookups, no attribute access), as in bench/bench.py's baselines."""
    networks = [load_network(NETWORKS / "mazur.yaml"), fixed_graph(), fixed_graph(wiring="dense")]
    for network in networks:
        loop = epoch_loop(compiled.program_for(network._replace(options=network.options._replace(**mode))).train)
        assert not {"LOAD_GLOBAL", "LOAD_ATTR", "LOAD_METHOD", "LOAD_NAME", "LOAD_DEREF"} & set(loop)


@pytest.mark.parametrize("network, by_hand", [("mazur", "mazur_by_hand"), ("xor_net", "xor_by_hand")])
def test_an_epoch_is_as_long_as_the_hand_written_one(network, by_hand):
    """The same number of instructions an epoch as bench/bench.py's hand-unrolled loops, (a) on
    Mazur's 2-2-2 and (a') on the XOR net with skip connections and thresholds."""
    module = bench()
    net = load_network(NETWORKS / "mazur.yaml") if network == "mazur" else getattr(module, network)()
    assert len(epoch_loop(compiled.program_for(net).train)) == len(epoch_loop(getattr(module, by_hand)))
