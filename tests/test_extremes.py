"""Numbers at the extremes: activations and losses stay finite and correct, a true ∞ is explained, and no nan is ever shown."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcalc import engine
from bpcalc.errors import NetworkFileError
from bpcalc.functions import (ACTIVATIONS, error_gradient, error_terms, layer_outputs, ln_zero, output_deltas,
                              sigmoid, softmax)
from bpcalc.loader import parse_network
from conftest import bpcalc, json_numbers

SIGMOID, SOFTMAX = ACTIVATIONS["sigmoid"], ACTIVATIONS["softmax"]


# ---------------------------------------------------------------- activations

@pytest.mark.parametrize("net, out", [(1000.0, 1.0), (-1000.0, 0.0), (709.8, 1.0), (-745.2, 0.0), (0.0, 0.5)])
def test_sigmoid_at_the_extremes(net, out):
    assert sigmoid(net) == out


def test_sigmoid_is_exact_far_out():
    assert sigmoid(-40.0) == pytest.approx(math.exp(-40.0), rel=1e-15)
    assert sigmoid(-700.0) == pytest.approx(math.exp(-700.0), rel=1e-12)


def test_tanh_at_the_extremes():
    tanh = ACTIVATIONS["tanh"]
    assert (tanh.f(1000.0), tanh.f(-1000.0)) == (1.0, -1.0)
    assert tanh.df(1000.0, 1.0) == 0.0


def test_softmax_of_far_apart_nets():
    assert softmax([1000.0, -1000.0, 0.0]) == [1.0, 0.0, 0.0]
    assert softmax([1000.0, 1000.0]) == [0.5, 0.5]
    assert softmax([-1000.0, -1000.0, -1000.0]) == pytest.approx([1 / 3] * 3)
    assert math.fsum(softmax([700.0, 699.0, -5.0])) == pytest.approx(1.0)


# ---------------------------------------------------------------- cross-entropy

def test_sigmoid_cross_entropy_from_the_nets_is_finite_and_exact():
    # out has rounded to exactly 1 or 0, but E = t·ln(1+e^−net) + (1−t)·ln(1+e^net) is finite.
    assert error_terms("cross_entropy", False, [1.0], [0.0], nets=[1000.0]) == [1000.0]
    assert error_terms("cross_entropy", False, [0.0], [1.0], nets=[-1000.0]) == [1000.0]
    assert error_terms("cross_entropy", False, [1.0], [0.5], nets=[1000.0]) == [500.0]
    assert error_terms("cross_entropy", False, [1.0], [1.0], nets=[1000.0]) == [0.0]
    assert error_terms("cross_entropy", False, [1.0], [0.0], nets=[40.0]) == [pytest.approx(40.0)]


def test_sigmoid_cross_entropy_from_nets_agrees_with_the_formula():
    net, t = 0.7, 0.3
    out = sigmoid(net)
    [from_nets] = error_terms("cross_entropy", False, [out], [t], nets=[net])
    [from_outs] = error_terms("cross_entropy", False, [out], [t])
    assert from_nets == pytest.approx(-(t * math.log(out) + (1 - t) * math.log(1 - out)), rel=1e-14)
    assert from_nets == pytest.approx(from_outs, rel=1e-14)


def test_softmax_cross_entropy_from_the_nets():
    nets = [1000.0, -1000.0, 0.0]
    outs = softmax(nets)
    assert error_terms("cross_entropy", True, outs, [0.0, 1.0, 0.0], nets=nets) == [0.0, 2000.0, 0.0]
    assert error_terms("cross_entropy", True, outs, [1.0, 0.0, 0.0], nets=nets) == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("softmax_output, out, target, infinite", [
    (False, 0.0, 1.0, True), (False, 1.0, 0.0, True), (False, 1.0, 0.5, True), (False, 0.0, 0.5, True),
    (False, 0.0, 0.0, False), (False, 1.0, 1.0, False), (True, 0.0, 1.0, True), (True, 0.0, 0.0, False),
    (True, 1.0, 0.0, False),
])
def test_cross_entropy_of_an_out_of_exactly_0_or_1(softmax_output, out, target, infinite):
    """From the out alone (hand rounding), ln 0 is a true ∞ and is explained; 0·ln 0 is 0."""
    [term] = error_terms("cross_entropy", softmax_output, [out], [target])
    reason = ln_zero("cross_entropy", softmax_output, out, target)
    assert term == (math.inf if infinite else 0.0)
    assert (reason is not None) == infinite
    if infinite:
        assert "ln" in reason and f"{target:g}" in reason


def test_no_ln_zero_outside_cross_entropy():
    assert ln_zero("half_sse", False, 0.0, 1.0) is None


@pytest.mark.parametrize("out, target, gradient", [
    (1.0, 1.0, -1.0), (0.0, 0.0, 1.0), (1.0, 0.5, math.inf), (0.0, 0.5, -math.inf), (0.5, 0.5, 0.0),
])
def test_sigmoid_cross_entropy_gradient_at_0_and_1(out, target, gradient):
    """∂E/∂out = −t/out + (1−t)/(1−out), where a term with weight 0 is absent, not 0·∞."""
    assert error_gradient("cross_entropy", False, [out], [target]) == [gradient]


def test_cross_entropy_gradient_from_the_nets_is_finite_where_it_can_be():
    [g] = error_gradient("cross_entropy", False, [1.0], [0.0], nets=[40.0])
    assert g == pytest.approx(1 + math.exp(40.0))  # out is 1.0 as a double, 1/(1−out) is not ∞
    assert error_gradient("cross_entropy", False, [1.0], [0.0], nets=[1000.0]) == [math.inf]  # e^1000
    assert error_gradient("cross_entropy", True, [1.0, 0.0], [0.0, 1.0], nets=[1000.0, -1000.0]) == [0.0, -math.inf]


def test_softmax_cross_entropy_gradient_at_an_out_of_0_does_not_divide_by_zero():
    assert error_gradient("cross_entropy", True, [1.0, 0.0], [0.0, 1.0]) == [0.0, -math.inf]


@pytest.mark.parametrize("out, target", [(0.0, 1.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0), (1.0, 0.3)])
def test_cross_entropy_delta_is_out_minus_target(out, target):
    assert output_deltas("cross_entropy", SIGMOID, [0.0], [out], [target]) == [out - target]
    assert output_deltas("cross_entropy", SOFTMAX, [0.0, 0.0], [out, 1 - out], [target, 1 - target]) == \
        [out - target, (1 - out) - (1 - target)]


@pytest.mark.parametrize("loss", ["half_sse", "sse", "mse"])
def test_squared_errors_of_huge_values_overflow_to_inf_not_an_exception(loss):
    assert error_terms(loss, False, [1e200, 0.0], [0.0, 0.0]) == [math.inf, 0.0]


def test_layer_outputs_at_the_extremes():
    assert layer_outputs(SOFTMAX, [1000.0, -1000.0, 0.0]) == [1.0, 0.0, 0.0]
    assert layer_outputs(SIGMOID, [1000.0, -1000.0]) == [1.0, 0.0]


# ---------------------------------------------------------------- the engine and the CLI

def network_text(act="sigmoid", loss="cross_entropy", w="1000", target="0", extra=""):
    return (f"learning_rate: 0.5\nloss: {loss}\n{extra}layers:\n  - inputs: [x]\n  - activation: {act}\n"
            f"    neurons: {{y: {{bias: 0, weights: {{x: {w}}}}}}}\nsamples:\n  - {{inputs: [1], targets: [{target}]}}\n")


def write(tmp_path, text, name="net.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def no_nan_anywhere(run):
    assert "nan" not in run.stdout.lower() and "nan" not in run.stderr.lower()


def test_saturated_sigmoid_with_cross_entropy_is_finite_and_exact(tmp_path):
    path = write(tmp_path, network_text())
    run = bpcalc("step", path, "--json")
    assert run.exit_code == 0 and run.stderr == ""
    document = run.json()
    assert document["error"] == 1000.0
    assert document["samples"][0]["neurons"]["y"] == {"net": 1000.0, "out": 1.0, "delta": 1.0}
    assert document["error_after"] == 999.0  # w and b each move by −η·δ = −0.5
    assert "notes" not in document


def test_softmax_of_far_apart_nets_through_the_engine(tmp_path):
    text = """\
learning_rate: 0.1
loss: cross_entropy
layers:
  - inputs: [x]
  - activation: softmax
    neurons: [a, b, c]
    weights: [[1000], [-1000], [0]]
samples:
  - {inputs: [1], targets: [0, 1, 0]}
"""
    document = bpcalc("step", write(tmp_path, text), "--json").json()
    neurons = document["samples"][0]["neurons"]
    assert [neurons[n]["out"] for n in "abc"] == [1.0, 0.0, 0.0]
    assert [neurons[n]["delta"] for n in "abc"] == [1.0, -1.0, 0.0]
    assert document["error"] == 2000.0
    for command in (["forward"], ["step", "--show-deltas"], ["train", "-n", "3"]):
        run = bpcalc(command[0], tmp_path / "net.yaml", *command[1:])
        assert run.exit_code == 0
        no_nan_anywhere(run)


ROUNDED_TO_ONE = network_text(w="10", target="0.5", extra="rounding: {decimals: 2}\n")
REASON = "sample 1: the error of 'y' is ∞: out is exactly 1 while its target is 0.5, and ln(1−out) = ln 0"


def test_a_true_infinity_in_tables_is_shown_and_explained(tmp_path):
    path = write(tmp_path, ROUNDED_TO_ONE)
    run = bpcalc("forward", path)
    assert run.exit_code == 0
    assert run.stdout.rstrip().endswith("E_total = E_y = ∞")
    assert run.stderr == f"bpcalc: note: {path}: {REASON}\n"
    no_nan_anywhere(run)


def test_a_true_infinity_in_json_is_null_with_its_reason(tmp_path):
    path = write(tmp_path, ROUNDED_TO_ONE)
    run = bpcalc("forward", path, "--json")
    document = run.json()
    assert document["error"] is None and document["samples"][0]["error"] is None
    assert document["notes"] == [REASON]
    assert run.stderr == f"bpcalc: note: {path}: {REASON}\n"


def test_step_and_train_with_a_true_infinity(tmp_path):
    path = write(tmp_path, ROUNDED_TO_ONE)
    step = bpcalc("step", path, "--json")
    assert step.exit_code == 0
    assert step.json()["samples"][0]["neurons"]["y"]["delta"] == 0.5  # out − t, finite
    assert step.json()["notes"] == [REASON, f"after the update, {REASON}"]
    train = bpcalc("train", path, "-n", "2")
    assert train.exit_code == 0
    assert "E_total is ∞ at epoch 0, 1" in train.stderr
    no_nan_anywhere(train)


def test_overflow_in_the_forward_pass_is_named(tmp_path):
    path = write(tmp_path, network_text(act="linear", loss="half_sse", w="1e300").replace("[1]", "[1e300]"))
    for command in ("forward", "step", "train"):
        run = bpcalc(command, path)
        assert run.exit_code == 2
        assert run.stderr == (f"bpcalc: {path}: sample 1: net of 'y' is beyond the range of a double (±1.8e308); "
                              "scale the inputs or the weights down\n")


def test_a_step_whose_gradient_overflows_is_refused(tmp_path):
    # net = 1e-50·1e200 = 1e150 and E = ½·1e300 are finite; ∂E/∂w = δ·x = 1e150·1e200 is not.
    path = write(tmp_path, network_text(act="linear", loss="half_sse", w="1e-50").replace("[1]", "[1e200]"))
    assert bpcalc("forward", path).exit_code == 0
    run = bpcalc("step", path)
    assert run.exit_code == 2
    assert run.stderr == (f"bpcalc: {path}: the gradient ∂E/∂w(x->y) is beyond the range of a double (±1.8e308); "
                          "scale the inputs or the weights down\n")


def test_a_step_whose_new_value_overflows_is_refused(tmp_path):
    # E = ½·10² and ∂E/∂w = 10·10 are finite; the step η·∂E/∂w = 1e307·100 is not.
    path = write(tmp_path, network_text(act="linear", loss="half_sse", w="1").replace("[1]", "[10]")
                 .replace("learning_rate: 0.5", "learning_rate: 1e307"))
    run = bpcalc("step", path)
    assert run.exit_code == 2
    assert run.stderr == (f"bpcalc: {path}: the new value of w(x->y) is beyond the range of a double (±1.8e308); "
                          "try a smaller learning_rate\n")


def test_diverging_training_names_the_epoch(tmp_path):
    # o − t starts at 1 and is multiplied by 1 − 2η = −19 in every epoch.
    path = write(tmp_path, network_text(act="linear", loss="half_sse", w="1", target="0")
                 .replace("learning_rate: 0.5", "learning_rate: 10"))
    run = bpcalc("train", path, "-n", "1000")
    assert run.exit_code == 2
    assert run.stderr.startswith(f"bpcalc: {path}: training diverged in epoch ")
    assert run.stderr.endswith("is beyond the range of a double; try a smaller learning_rate\n")
    epoch = int(run.stderr.split("epoch ")[1].split(":")[0])
    assert 100 < epoch < 300  # 19^120 ≈ 1e154, whose square is beyond a double
    assert bpcalc("train", path, "-n", str(epoch - 1)).exit_code == 0


def test_an_error_sum_beyond_a_double_is_named(tmp_path):
    text = network_text(act="linear", loss="sse", w="1e154").replace("[x]", "[x, z]").replace(
        "{x: 1e154}", "{x: 1e154, z: 1e154}").replace("inputs: [1]", "inputs: [1, 1]")
    run = bpcalc("forward", write(tmp_path, text))
    assert run.exit_code == 2 and "beyond the range of a double" in run.stderr


# ---------------------------------------------------------------- any network: never nan

ACTIVATION_NAMES = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
EXTREME = st.sampled_from([0.0, 1.0, -1.0, 40.0, -40.0, 1000.0, -1000.0, 1e150, -1e150, 1e300, 5e-324])
VALUE = st.one_of(st.floats(-1e3, 1e3), EXTREME)


@st.composite
def networks(draw):
    """A 2-2-1 or 2-2-2 network with values anywhere from tiny to near the largest double."""
    softmax_out = draw(st.booleans())
    outputs = 2 if softmax_out else draw(st.integers(1, 2))
    hidden_act = draw(st.sampled_from(ACTIVATION_NAMES))
    out_act = "softmax" if softmax_out else draw(st.sampled_from(ACTIVATION_NAMES))
    losses = ["half_sse", "sse", "mse"] + (["cross_entropy"] if out_act in ("sigmoid", "softmax") else [])
    loss = draw(st.sampled_from(losses))
    unit = st.floats(0, 1) if loss == "cross_entropy" else VALUE
    rounding = draw(st.sampled_from(["", "rounding: {decimals: 2}\n", "rounding: {significant: 3}\n"]))

    def row(n):
        return "[" + ", ".join(repr(draw(VALUE)) for _ in range(n)) + "]"

    return f"""\
learning_rate: {draw(st.sampled_from(['0.5', '1e-3', '10', '1e100']))}
loss: {loss}
momentum: {draw(st.sampled_from(['0', '0.9']))}
{rounding}layers:
  - inputs: [a, b]
  - activation: {hidden_act}
    neurons: [h1, h2]
    weights: [{row(2)}, {row(2)}]
    biases: {row(2)}
  - activation: {out_act}
    neurons: {[f"o{k + 1}" for k in range(outputs)]}
    weights: [{", ".join(row(2) for _ in range(outputs))}]
samples:
  - {{inputs: {row(2)}, targets: [{", ".join(repr(draw(unit)) for _ in range(outputs))}]}}
"""


@settings(max_examples=400)
@given(networks())
def test_any_network_gives_finite_results_or_names_the_overflow(text):
    network = parse_network(text, "net.yaml")
    try:
        record = engine.step(network)
        history = engine.train(network, 3, [0, 1, 2, 3])
    except NetworkFileError as error:
        assert "beyond the range of a double" in str(error) and "\n" not in str(error)
        return
    values = [n.net for fp in record.before.passes for layer in fp.layers for n in layer]
    values += [n.out for fp in record.before.passes for layer in fp.layers for n in layer]
    values += [d.delta for deltas in record.deltas for d in deltas.values()]
    values += [u.new for u in record.updates] + [u.gradient for u in record.updates]
    values += list(history.network.weights().values())
    assert all(math.isfinite(v) for v in values)
    errors = [record.before.error, record.after.error, history.final.error] + [e for _, e in history.checkpoints]
    assert not any(math.isnan(e) for e in errors)
    for evaluation, net in ((record.before, network), (record.after, record.updated)):
        infinite = any(math.isinf(fp.error) for fp in evaluation.passes)
        assert infinite == bool(engine.infinite_errors(net, evaluation))
        if infinite:
            assert network.options.loss == "cross_entropy" and network.options.rounding is not None


@settings(max_examples=150)
@given(networks())
def test_any_network_through_the_cli_never_shows_nan(tmp_path_factory, text):
    path = tmp_path_factory.getbasetemp() / "extreme.yaml"
    path.write_text(text)
    run = bpcalc("step", path, "--json")
    assert run.exit_code in (0, 2), run.stderr
    if run.exit_code == 2:
        assert run.stdout == "" and len(run.stderr.splitlines()) == 1
        return
    document = json.loads(run.stdout)
    numbers = list(json_numbers({k: v for k, v in document.items() if k != "notes"}))
    assert all(n is None or math.isfinite(n) for n in numbers)
    assert (None in numbers) == ("notes" in document)
