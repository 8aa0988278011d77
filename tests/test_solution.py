"""The worked solution as a document: its names are the answer-file vocabulary, its values the engine's, its layout the sheets'."""

from __future__ import annotations

import re

import pytest

from bpcalc import engine
from bpcalc.loader import load_network, parse_network
from bpcalc.quantities import STEP, factor_quantities, forward_quantities, step_quantities
from bpcalc.render.numbers import plain
from bpcalc.render.solution import forward_document, step_document
from bpcalc.render.symbols import View
from bpcalc.render.text import Writer
from conftest import CASES, NETWORKS, bpcalc
from test_graph_render import GRAPH

EXAMPLES = sorted(NETWORKS.glob("*.yaml"))

# Conventions none of the course examples uses: L2 with one sample, momentum with a full batch,
# a softmax output under cross-entropy and under mse, relu and tanh, two hidden layers, a graph.
OTHERS = {
    "l2-one-sample": """learning_rate: 0.5
loss: mse
l2: 0.01
momentum: 0.5
layers:
  - inputs: [x1, x2]
  - activation: relu
    neurons:
      h1: {bias: 0.1, weights: {x1: 0.2, x2: -0.3}}
      h2: {weights: {x1: 0.4, x2: 0.1}}
  - activation: softmax
    neurons:
      y1: {bias: 0.2, weights: {h1: 0.7, h2: -0.4}}
      y2: {weights: {h1: 0.3, h2: 0.5}}
samples:
  - inputs: {x1: 1, x2: 0.5}
    targets: {y1: 1, y2: 0}
""",
    "deep-softmax-ce": """learning_rate: 0.1
loss: cross_entropy
reduction: sum
batch: 2
layers:
  - inputs: [λ, Ω]
  - activation: tanh
    neurons:
      A: {bias: 0.1, weights: {λ: 0.1, Ω: 0.2}}
      B: {weights: {λ: 0.3, Ω: -0.2}}
  - activation: sigmoid
    neurons:
      C: {weights: {A: -0.1, B: 0.4}}
      D: {bias: 0, weights: {A: 0.2, B: 0.1}}
  - activation: softmax
    neurons:
      α: {bias: 0.1, weights: {C: 0.5, D: 0.1}}
      β: {weights: {C: -0.2, D: 0.3}}
samples:
  - {inputs: [0.5, 1], targets: [1, 0]}
  - {inputs: [1, 0], targets: [0, 1]}
  - {inputs: [0, 0], targets: [0.5, 0.5]}
""",
    # Not layered: a sparse layer, a threshold, skips from an input and from the first hidden layer.
    "graph": GRAPH,
}


def networks():
    for path in EXAMPLES:
        yield pytest.param(load_network(path), id=path.stem)
    for name, text in OTHERS.items():
        yield pytest.param(parse_network(text, f"{name}.yaml"), id=name)


def named(document) -> dict[str, float]:
    return {eq.name: eq.value for eq in document.equations() if eq.name}


@pytest.mark.parametrize("network", list(networks()))
def test_every_quantity_of_a_step_is_a_line_with_its_answer_file_name(network):
    """Each name a user may type in an answer file is printed on exactly one line, with the engine's value."""
    record = engine.step(network)
    document = step_document(record, View())
    lines = named(document)
    fixed = {f"dE/d{record.network.label_of(u.name)}" for u in record.updates if u.fixed}
    for name, value in step_quantities(record).items():
        if name in fixed:  # a fixed bias has no gradient line, only "b1+ = b1 (held fixed)"
            continue
        assert name in lines, name
        assert lines[name] == value, name
    writer = Writer()
    for eq in document.equations():
        if eq.name:
            assert writer(eq.symbol) == eq.name


@pytest.mark.parametrize("network", list(networks()))
def test_chain_rule_factors_and_steps_carry_their_answer_file_names(network):
    """dE/dout_X, dout/dnet_X, dE_K/dout_X (when X feeds several K) and, under the error sign, ΔP."""
    record = engine.step(network)
    lines = named(step_document(record, View()))
    single = {f"dE_{d.downstream[0].neuron}/dout_{name}" for deltas in record.deltas
              for name, d in deltas.items() if len(d.downstream) == 1}
    factors = factor_quantities(record)
    for name, value in factors.items():
        if name.startswith(STEP) or name.split("[")[0] in single:
            continue  # ΔP is written under the error sign; a lone dE_K/dout_X is dE/dout_X itself
        assert lines[name] == value, name
    steps = named(step_document(record, View(delta_sign="error")))
    for name, value in factors.items():
        if name.startswith(STEP) and not any(u.fixed and name == STEP + record.network.label_of(u.name)
                                             for u in record.updates):
            assert steps[name] == value, name


@pytest.mark.parametrize("network", list(networks()))
def test_every_quantity_of_a_forward_pass_is_a_line(network):
    evaluation = engine.evaluate(network)
    lines = named(forward_document(network, evaluation, View()))
    for name, value in forward_quantities(network, evaluation).items():
        assert lines[name] == value, name


def flat(text: str) -> str:
    """The output with each equation on one line and single spaces: continuation lines joined."""
    return re.sub(r" +", " ", re.sub(r"\n\s+(?=[=+×−] )", " ", text))


def line_with(text: str, number: str) -> str:
    """The one output line on which `number` stands as the result (after the last =)."""
    found = [line for line in text.splitlines() if re.search(rf"= {re.escape(number)}(\s|$)", line)]
    assert found, number
    return found[0]


def test_mazur_backward_pass_every_printed_number_with_its_formula():
    out = flat(bpcalc("step", "--show-deltas").stdout)
    for number, formula in [("0.741365070", "dE/dout_o1 = −(t_o1 − out_o1)"),
                            ("0.186815602", "out_o1(1−out_o1)"),
                            ("0.593269992", "1/(1+e^−0.3775)"),
                            ("0.082167041", "0.741365070 × 0.186815602 × 0.593269992"),
                            ("0.138498562", "0.741365070 × 0.186815602"),
                            ("0.055399425", "dE_o1/dout_h1 = delta_o1·w5 = 0.138498562 × 0.4"),
                            ("0.036350306", "delta_o1·w5 + delta_o2·w7"),
                            ("0.241300709", "dout/dnet_h1 = out_h1(1−out_h1)"),
                            ("0.000438568", "0.036350306 × 0.241300709 × 0.05"),
                            ("0.358916480", "0.4 − 0.5×0.082167041"),
                            ("0.149780716", "0.15 − 0.5×0.000438568")]:
        assert formula in line_with(out, number), number
    for new in ["w5+", "w6+", "w7+", "w8+", "w1+", "w2+", "w3+", "w4+"]:
        assert re.search(rf"^ {re.escape(new)} = {new[:-1]} − η·dE/d{new[:-1]} = ", out, re.M), new
    assert "E_after = 0.291027774" in out and "(lower" in out


def test_the_issues_example_lines():
    out = bpcalc("forward").stdout
    assert "net_h1 = w1·i1 + w2·i2 + b1·1 = 0.15×0.05 + 0.2×0.1 + 0.35×1 = 0.3775" in out
    assert "out_h1 = σ(net_h1) = 1/(1+e^−0.3775) = 0.593269992" in out
    assert "E_total = E_o1 + E_o2 = 0.274811083 + 0.023560026 = 0.298371109" in out
    step = flat(bpcalc("step", "--show-deltas").stdout)
    assert "w5+ = w5 − η·dE/dw5 = 0.4 − 0.5×0.082167041 = 0.358916480" in step


def test_csc4007_in_its_own_vocabulary_through_the_updated_weights():
    out = flat(bpcalc("step", NETWORKS / "csc4007-example2.yaml", "--show-deltas").stdout)
    assert "net_Top = AT·A + BT·B = 0.1×0.35 + 0.8×0.9 = 0.76" in out
    assert "delta_Final = dE/dout_Final × dout/dnet_Final = 0.19 × 0.2139 = 0.041" in out
    assert "TF+ = TF − η·dE/dTF = 0.3 − 1×0.028 = 0.27" in out
    # the hidden error uses the updated TF = 0.27, as the slide does
    assert "dE/dout_Top = delta_Final·TF+ = 0.041 × 0.27 = 0.01107" in out
    assert "(hidden_deltas:" in out
    # the further forward pass and its comment
    assert "out_Final: 0.69 → 0.68, target 0.5: closer to the target" in out
    assert "E_after = 0.016" in out
    example3 = bpcalc("step", NETWORKS / "csc4007-example3.yaml", "--show-deltas").stdout
    assert "out_Final: 0.54 → 0.58, target 1: closer to the target" in example3


def test_hand_rounding_prints_the_rounded_values_it_carried():
    out = bpcalc("step", NETWORKS / "csc4007-example2.yaml", "--show-deltas").stdout
    assert "rounded to 2 significant figures" in out
    assert "= 0.041\n" in out and "= 0.27\n" in out and "0.0024" in out


def test_error_sign_shows_udacitys_numbers_and_leaves_json_alone():
    out = flat(bpcalc("step", NETWORKS / "udacity.yaml", "--show-deltas", "--delta-sign", "error").stdout)
    assert "delta_X = −dE/dnet_X (error sign)" in out
    # δ_o = (y − ŷ)f′ = +0.122 and ΔW = ηδa = 0.0302, as Udacity prints them
    assert "delta_o = (t_o − out_o) × dout/dnet_o = (1 − 0.512372478) × 0.249846922 = 0.121832235" in out
    assert "ΔW = η·delta_o·out_h = 0.5×0.121832235×0.495000167 = 0.030153488" in out
    assert "W+ = W + ΔW = 0.1 + 0.030153488 = 0.130153488" in out
    assert "Δw1 = η·delta_h·x1 = 0.5×0.003045501×0.1 = 0.000152275" in out
    document = bpcalc("step", NETWORKS / "udacity.yaml", "--json").json()
    assert document["samples"][0]["neurons"]["o"]["delta"] < 0  # JSON keeps ∂E/∂net


def test_gradient_sign_is_the_default():
    out = bpcalc("step", CASES / "udacity.yaml", "--show-deltas").stdout
    assert "delta_X = dE/dnet_X" in out
    assert "-0.121832235" in out


def test_the_files_delta_sign_is_the_default_and_the_flag_overrides_it():
    """networks/udacity.yaml says delta_sign: error, as Udacity writes δ."""
    course = bpcalc("step", NETWORKS / "udacity.yaml", "--show-deltas").stdout
    assert "delta_X = −dE/dnet_X" in course and "0.121832235" in course and "-0.121832235" not in course
    flag = bpcalc("step", NETWORKS / "udacity.yaml", "--show-deltas", "--delta-sign", "gradient").stdout
    assert "delta_X = dE/dnet_X" in flag and "-0.121832235" in flag


def test_momentum_shows_its_term():
    out = flat(bpcalc("step", NETWORKS / "mitchell-4-7.yaml", "--show-deltas").stdout)
    assert "wdc+ = wdc − η·dE/dwdc + α·Δwdc(n−1) = 0.1 − 0.3×(-0.063034659) + 0.9×0 = 0.118910398" in out
    assert "this step used sample 1" in out
    mitchell = flat(bpcalc("step", NETWORKS / "mitchell-4-7.yaml", "--show-deltas", "--delta-sign", "error").stdout)
    assert "Δwdc = η·delta_d[1]·out_c[1] + α·Δwdc(n−1) = 0.3×0.114643073×0.549833997 + 0.9×0" in mitchell


def test_several_samples_a_block_each_then_how_they_combine():
    out = bpcalc("step", NETWORKS / "brilliant.yaml", "--show-deltas").stdout
    assert out.count("  Sample 6") == 3  # one block per layer, and its further forward pass
    assert "Combining the 6 samples (mean)" in out
    assert "dE/dw(h1->o) = (dE/dw(h1->o)[1] + dE/dw(h1->o)[2]" in out
    assert re.search(r"= -0\.382286420\n", out)


def test_symbolic_is_the_same_solution_without_numbers():
    out = bpcalc("step", "--symbolic").stdout
    body = out.split("\n\n", 1)[1]
    assert not re.search(r"\d\.\d", body)  # no number anywhere in the working
    for line in ["delta_o1 = −(t_o1 − out_o1)·out_o1(1−out_o1)",
                 "w5+      = w5 − η·delta_o1·out_h1",
                 "delta_h1 = (delta_o1·w5 + delta_o2·w7)·out_h1(1−out_h1)",
                 "w1+      = w1 − η·delta_h1·i1",
                 "net_h1 = w1·i1 + w2·i2 + b1·1",
                 "out_h1 = σ(net_h1)"]:
        assert line in out, line
    new = bpcalc("step", NETWORKS / "csc4007-example2.yaml", "--symbolic").stdout
    assert "delta_Top = (delta_Final·TF+)·out_Top(1−out_Top)" in new


def test_compact_step_without_show_deltas():
    out = bpcalc("step").stdout
    assert "w5 (h1->o1)" in out and "0.082167041" in out and "0.35891648" in out
    assert "delta_o1" not in out and "Forward pass" not in out
    assert "E_after = 0.291027774" in out


def test_header_states_the_conventions():
    out = bpcalc("step", NETWORKS / "csc4007-example2.yaml").stdout
    head = " ".join(out.split("\n\n")[0].split())
    for words in ["loss half_sse", "η = 1", "delta_X = dE/dnet_X", "w+ = w − η·dE/dw", "no biases",
                  "hidden δ through the updated weights", "rounded to 2 significant figures"]:
        assert words in head, words
    mazur = " ".join(bpcalc("step").stdout.split("\n\n")[0].split())
    assert "biases held fixed" in mazur and "old weights" in mazur and "9 significant digits" in mazur


def test_greek_names_and_edge_names(tmp_path):
    net = tmp_path / "greek.yaml"
    net.write_text("learning_rate: 0.1\nlayers:\n  - inputs: [λ, Ω]\n  - activation: sigmoid\n"
                   "    neurons:\n      A: {weights: {λ: 0.1, Ω: 0.2}}\n  - activation: sigmoid\n"
                   "    neurons:\n      α: {bias: 0.1, weights: {A: 0.5}}\n"
                   "samples:\n  - inputs: {λ: 0.5, Ω: 1}\n    targets: {α: 1}\n")
    out = bpcalc("step", net, "--show-deltas").stdout
    assert "net_A = w(λ->A)·λ + w(Ω->A)·Ω = 0.1×0.5 + 0.2×1 = 0.25" in out
    assert re.search(r"dE/dw\(A->α\)\s+= ", out) and re.search(r"b\(α\)\+\s+= b\(α\) − η·dE/db\(α\)", out)


@pytest.mark.parametrize("digits, text", [(9, "0.082167041"), (4, "0.0822"), (2, "0.082")])
def test_precision(digits, text):
    out = bpcalc("step", "--show-deltas", "--precision", str(digits)).stdout
    assert f"= {text}\n" in out


def test_precision_keeps_significant_trailing_zeros():
    """As a key to N significant figures writes them: E_after 0.291027774 to 4 is 0.2910, w1+ 0.149780716
    to 3 is 0.150; the numbers given exactly (0.05, 0.5, 0.15) stay as they are."""
    four = flat(bpcalc("step", "--show-deltas", "--precision", "4").stdout)
    assert "E_after = 0.2910 (lower" in four
    assert "dE_o2/dout_h1 = delta_o2·w7 = -0.0381 × 0.5 = -0.0190" in four
    three = flat(bpcalc("step", "--show-deltas", "--precision", "3").stdout)
    assert "w1+ = w1 − η·dE/dw1 = 0.15 − 0.5×0.00044 = 0.150" in three
    assert "inputs i1 = 0.05, i2 = 0.1" in three


@pytest.mark.parametrize("x, digits, text", [
    (0.08216704060, 9, "0.082167041"), (0.000438567734, 9, "0.000438568"), (0.593269992, 9, "0.593269992"),
    (3.51018778e-05, 9, "0.0000351019"), (1.105905967, 9, "1.10590597"), (-0.0380982365, 9, "-0.038098237"),
    (0.0999999999999, 9, "0.100000000"), (9.9999999996, 9, "10.0000000"), (1e-12, 9, "1e-12"), (0.0, 9, "0"), (-0.0, 9, "0"),
    (0.041, 9, "0.041"), (0.27 * 0.041, 9, "0.01107"), (123456.789, 4, "123500"), (float("inf"), 9, "∞"),
    # a rounded number keeps its significant trailing zeros; an exact one (up to binary rounding) does not
    (0.52500003, 4, "0.5250"), (0.7513650695523157, 9, "0.751365070"), (-0.0226025402, 9, "-0.022602540"),
    (0.25, 4, "0.25"), (0.5, 4, "0.5"), (0.05, 9, "0.05"), (2.0, 4, "2"), (1.5e-12, 9, "1.5e-12"),
    (1.50000001e-12, 4, "1.500e-12"), (0.25 * 0.05 + 0.3 * 0.1 + 0.35, 9, "0.3925"), (0.1 + 0.2, 4, "0.3"),
    (0.5 - 0.69, 9, "-0.19"), (3.51018778e-05, 4, "0.0000351"), (-0.00000000004, 3, "-4e-11")])
def test_number_format(x, digits, text):
    assert plain(x, digits) == text
