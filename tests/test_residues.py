"""A value that is 0 in the numbers written but a rounding residue in binary prints as 0, where it is computed and wherever it is used."""

from __future__ import annotations

import re

import pytest

from bpcalc import engine
from bpcalc.loader import parse_network
from bpcalc.render.residues import is_residue
from conftest import bpcalc

# A XOR net in which h2's net for the fourth sample, −0.7×1 + 0.5×1 + 0.2×1, is 0 as written
# and 5.55111512e-17 in doubles.
XOR = """name: xor-residue
learning_rate: 0.5
layers:
  - inputs: [x1, x2]
  - activation: {hidden}
    neurons:
      h1: {{bias: -0.3, weights: {{x1: 0.6, x2: 0.6}}}}
      h2: {{bias: 0.2, weights: {{x1: -0.7, x2: 0.5}}}}
  - activation: sigmoid
    neurons:
      o1: {{bias: 0.1, weights: {{h1: 0.4, h2: -0.4}}}}
samples:
  - {{inputs: {{x1: 0, x2: 0}}, targets: {{o1: 0}}}}
  - {{inputs: {{x1: 0, x2: 1}}, targets: {{o1: 1}}}}
  - {{inputs: {{x1: 1, x2: 0}}, targets: {{o1: 1}}}}
  - {{inputs: {{x1: 1, x2: 1}}, targets: {{o1: 0}}}}
"""


@pytest.fixture
def xor(tmp_path):
    def write(hidden: str = "sigmoid"):
        path = tmp_path / f"xor-{hidden}.yaml"
        path.write_text(XOR.format(hidden=hidden))
        return path
    return write


def flat(text: str) -> str:
    return re.sub(r" +", " ", re.sub(r"\n\s+(?=[=+×−] )", " ", text))


def test_the_engine_keeps_the_residue(xor):
    """The premise: in doubles the net is not 0, and --json says so."""
    net = parse_network(xor().read_text(), None)
    residue = engine.evaluate(net).passes[3].neuron("h2").net
    assert residue == -0.7 + 0.5 + 0.2 == pytest.approx(5.55111512e-17, rel=1e-8)
    document = bpcalc("forward", xor(), "--json").json()
    assert document["samples"][3]["neurons"]["h2"]["net"] == residue


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "latex"])
def test_the_residue_prints_as_0_where_computed_and_where_used(xor, fmt):
    out = bpcalc("step", xor(), "--show-deltas", "--format", fmt).stdout
    assert "e-17" not in out and "10^{-17}" not in out
    if fmt == "terminal":
        text = flat(out)
        assert "net_h2[4] = w(x1->h2)·x1[4] + w(x2->h2)·x2[4] + b(h2)·1 = -0.7×1 + 0.5×1 + 0.2×1 = 0\n" in text
        assert "out_h2[4] = σ(net_h2[4]) = 1/(1+e^−0) = 0.5\n" in text
        assert re.search(r"^ h2 0 0\.001323399 0\.5 0\.50033085", text, re.M)  # the further forward pass


def test_a_residue_through_relu_is_0_in_every_product(xor):
    text = flat(bpcalc("step", xor("relu"), "--show-deltas").stdout)
    assert "out_h2[4] = max(0, net_h2[4]) = max(0, 0) = 0\n" in text
    assert "dnet_o1[4]/dw(h2->o1) = out_h2[4] = 0\n" in text
    assert re.search(r"dE/dw\(h2->o1\)\[4\] = dE/dout_o1\[4\] × dout/dnet_o1\[4\] × dnet_o1\[4\]/dw\(h2->o1\) "
                     r"= \S+ × \S+ × 0 = 0\n", text)
    assert "+ 0 + 0)/4 = " in text  # the mean of the samples' terms
    # …but not where it decides a derivative: the engine's relu′ saw a net above 0
    assert "relu′(net_h2[4]) = relu′(5.55111512e-17) = 1" in text


def test_the_rule():
    assert is_residue(5.551115123125783e-17, [0.7, 0.5, 0.2])
    assert is_residue(-2.7755575615628914e-17, [0.1, 0.2, 0.3])  # 0.1 + 0.2 − 0.3
    assert not is_residue(1e-20, [1e-20])  # small, but exactly what its one term gives
    assert not is_residue(1e-15, [0.7, 0.5, 0.2])  # above the rounding error of three terms
    assert not is_residue(0.0, [0.5, 0.5])


def test_a_small_genuine_value_is_not_a_residue(tmp_path):
    net = tmp_path / "tiny.yaml"
    net.write_text("learning_rate: 0.5\nlayers:\n  - inputs: [x]\n  - activation: linear\n"
                   "    neurons: {o: {bias: 1.0e-20, weights: {x: 3.0e-20}}}\n"
                   "samples:\n  - {inputs: {x: 1}, targets: {o: 0}}\n")
    text = flat(bpcalc("forward", net).stdout)
    assert "net_o = w(x->o)·x + b(o)·1 = 3e-20×1 + 1e-20×1 = 4e-20" in text
