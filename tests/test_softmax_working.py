"""δ of a softmax output is worked through the Jacobian, with numbers: δ_j = Σ_k dE/dout_k·dout_k/dnet_j,
and with cross-entropy the terms whose t_k = 0 are left out, the reason said once."""

from __future__ import annotations

import re

import pytest

from bpcalc import engine
from bpcalc.loader import parse_network
from bpcalc.render.numbers import plain
from conftest import NETWORKS, bpcalc

NET = """learning_rate: 0.5
loss: {loss}
layers:
  - inputs: [x1, x2]
  - activation: sigmoid
    neurons:
      h1: {{bias: 0.1, weights: {{x1: 0.3, x2: 0.2}}}}
      h2: {{bias: -0.2, weights: {{x1: 0.4, x2: 0.1}}}}
  - activation: softmax
    neurons:
      o1: {{bias: 0.5, weights: {{h1: -0.3, h2: 0.1}}}}
      o2: {{bias: 0.2, weights: {{h1: 0.6, h2: -0.1}}}}
      o3: {{bias: -0.4, weights: {{h1: 0.3, h2: 0.25}}}}
samples:
  - inputs: {{x1: 0.5, x2: 1.0}}
    targets: {targets}
"""
ONE_HOT = "{o1: 0, o2: 1, o3: 0}"


def flat(text: str) -> str:
    return re.sub(r" +", " ", re.sub(r"\n\s+(?=[=+×−] |\()", " ", text))


def solve(tmp_path, loss="cross_entropy", targets=ONE_HOT, *options):
    path = tmp_path / "softmax.yaml"
    text = NET.format(loss=loss, targets=targets)
    path.write_text(text)
    record = engine.step(parse_network(text, None))
    return flat(bpcalc("step", path, "--show-deltas", *options).stdout), record


def test_cross_entropy_delta_through_the_jacobian_with_numbers(tmp_path):
    out, record = solve(tmp_path)
    outs = {n.name: plain(n.out) for n in record.passes[0].layers[-1]}
    deltas = {name: plain(d.delta) for name, d in record.deltas[0].items()}
    o1, o2, o3 = outs["o1"], outs["o2"], outs["o3"]
    # t_o1 = t_o3 = 0: only o2's term is left, and its out_o2 cancels
    assert (f"delta_o1 = dE/dout_o2·dout_o2/dnet_o1 = −(1/{o2})×{o2}(0−{o1}) = {deltas['o1']} "
            "(through softmax's Jacobian)") in out
    assert f"delta_o2 = dE/dout_o2·dout/dnet_o2 = −(1/{o2})×{o2}(1−{o2}) = {deltas['o2']}" in out
    assert f"delta_o3 = dE/dout_o2·dout_o2/dnet_o3 = −(1/{o2})×{o2}(0−{o3}) = {deltas['o3']}" in out
    assert f"delta_o1 = out_o1 − t_o1 = {o1} − 0 = {deltas['o1']} (the out_k cancel: Σ_k t_k = 1)" in out
    assert f"delta_o2 = out_o2 − t_o2 = {o2} − 1 = {deltas['o2']}" in out
    assert "cancels against the loss" not in out
    assert out.count("where t_k = 0 the term is 0, and it is left out") == 1


def test_the_reason_an_error_term_of_0_still_sends_a_delta_back_is_said_once(tmp_path):
    out, record = solve(tmp_path)
    assert out.count("flows back through net_K") == 1
    hidden = out.split("Backward pass: hidden layer", 1)[1]
    assert hidden.index("flows back through net_K") < hidden.index("dE_o1/dout_h1 = delta_o1·w(h1->o1)")
    # without a zero target there is nothing to explain
    soft, _ = solve(tmp_path, targets="{o1: 0.2, o2: 0.7, o3: 0.1}")
    assert "flows back through net_K" not in soft and "left out" not in soft


def test_soft_targets_keep_every_term(tmp_path):
    out, record = solve(tmp_path, targets="{o1: 0.2, o2: 0.7, o3: 0.1}")
    expected = ("delta_o1 = dE/dout_o1·dout/dnet_o1 + dE/dout_o2·dout_o2/dnet_o1 + dE/dout_o3·dout_o3/dnet_o1 "
                f"= −(0.2/{plain(record.passes[0].neuron('o1').out)})×")
    assert expected in out


def test_another_loss_through_softmax_has_the_same_jacobian(tmp_path):
    out, record = solve(tmp_path, "half_sse")
    d = plain(record.deltas[0]["o3"].delta)
    assert re.search(r"delta_o3 = dE/dout_o1·dout_o1/dnet_o3 \+ dE/dout_o2·dout_o2/dnet_o3 "
                     rf"\+ dE/dout_o3·dout/dnet_o3 = .* = {re.escape(d)} \(through softmax's Jacobian\)", out)
    assert "left out" not in out and "out_k cancel" not in out


def test_under_the_error_sign(tmp_path):
    out, record = solve(tmp_path, "cross_entropy", ONE_HOT, "--delta-sign", "error")
    o1 = plain(record.passes[0].neuron("o1").out)
    assert f"delta_o1 = t_o1 − out_o1 = 0 − {o1} = {plain(-record.deltas[0]['o1'].delta)}" in out


def test_flowers_every_softmax_delta_through_the_jacobian():
    out = bpcalc("step", NETWORKS / "flowers.yaml", "--show-deltas").stdout
    assert "cancels against the loss" not in out
    assert out.count("Softmax joins the outputs") == 1 and out.count("flows back through net_K") == 1
    assert out.count("(through softmax's Jacobian)") == 24 * 3


@pytest.mark.parametrize("fmt", ["markdown", "latex"])
def test_every_format(tmp_path, fmt):
    path = tmp_path / "softmax.yaml"
    path.write_text(NET.format(loss="cross_entropy", targets=ONE_HOT))
    out = bpcalc("step", path, "--show-deltas", "--format", fmt).stdout
    assert "Jacobian" in out and "left out" in out
