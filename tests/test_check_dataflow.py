"""The check's dataflow listens to the engine's own walk: what it records must be what engine.step returns."""

from __future__ import annotations

import itertools
import math

import pytest

from bpcalc import engine, quantities
from bpcalc.check.dataflow import Dataflow
from bpcalc.loader import load_network, parse_network
from conftest import CASES, NETWORKS

EXAMPLES = sorted(NETWORKS.glob("*.yaml")) + sorted(CASES.glob("*.yaml"))


def engine_values(network) -> dict[str, float]:
    """Every named quantity of one step as the engine and quantities.py give them."""
    record = engine.step(network)
    values = {**quantities.step_quantities(record), **quantities.factor_quantities(record)}
    if engine.updates_per_epoch(network) == 1:
        after = quantities.after_quantities(record.updated, record.after, 1)
        # X@1 of a parameter is its P+, and E_total@1 is E_after: the dataflow names them so
        values.update({k: v for k, v in after.items() if k.split("@")[0] in
                       {f"{kind}_{n.name}" for kind in ("net", "out") for n in network.neurons}
                       or k.startswith("E_") and not k.startswith("E_total")})
    return values


def assert_same(flow_values: dict[str, float], want: dict[str, float]) -> None:
    missing = set(want) - set(flow_values)
    assert not missing, sorted(missing)
    for name, value in want.items():
        assert math.isclose(flow_values[name], value, rel_tol=1e-12, abs_tol=1e-15), (name, flow_values[name], value)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_dataflow_reproduces_the_engine_on_every_example(path):
    network = load_network(path)
    network = network._replace(options=network.options._replace(delta_sign="gradient"))  # the records' sign
    flow = Dataflow(network)
    assert_same(flow.run(), engine_values(network))


GRID = """
learning_rate: 0.3
loss: {loss}
l2: 0.01
momentum: 0.5
reduction: {reduction}
batch: {batch}
hidden_deltas: {hidden}
{rounding}
layers:
  - inputs: [x1, x2]
  - activation: tanh
    neurons:
      h1: {{bias: 0.1, weights: {{x1: 0.2, x2: -0.3}}}}
      h2: {{weights: {{x1: 0.5, x2: 0.4}}}}
  - activation: {activation}
    neurons:
      o1: {{bias: 0.2, weights: {{h1: 0.3, h2: -0.1}}}}
      o2: {{bias: -0.1, weights: {{h1: 0.6, h2: 0.2}}}}
      o3: {{weights: {{h1: -0.6, h2: 0.7}}}}
samples:
  - {{inputs: [0.5, -1], targets: [1, 0, 0]}}
  - {{inputs: [1, 2], targets: [0, 0, 1]}}
  - {{inputs: [0, 1], targets: [0, 1, 0]}}
"""


def grid():
    for loss, activation in itertools.product(("half_sse", "sse", "mse", "cross_entropy"),
                                              ("sigmoid", "softmax", "relu", "linear")):
        if loss == "cross_entropy" and activation not in ("sigmoid", "softmax"):
            continue
        for reduction, batch, hidden, rounding in [("mean", "full", "old_weights", ""),
                                                   ("sum", "online", "new_weights", ""),
                                                   ("mean", 2, "new_weights", "rounding: {decimals: 3}"),
                                                   ("sum", "full", "old_weights", "rounding: {significant: 2}")]:
            yield pytest.param(GRID.format(loss=loss, activation=activation, reduction=reduction, batch=batch,
                                           hidden=hidden, rounding=rounding),
                               id=f"{loss}-{activation}-{reduction}-{batch}-{hidden}-{bool(rounding)}")


@pytest.mark.parametrize("text", list(grid()))
def test_dataflow_reproduces_the_engine_under_every_convention(text):
    network = parse_network(text, "grid.yaml")
    assert_same(Dataflow(network).run(), engine_values(network))


def test_a_substituted_value_is_used_downstream_and_nowhere_else():
    network = load_network(NETWORKS / "mazur.yaml")
    flow = Dataflow(network)
    truth = flow.run()
    values = flow.run(lambda key, value: 0.6 if key == "out_h1" else value)
    assert values["out_h1"] == truth["out_h1"]  # computed values are reported before the substitution
    assert values["net_o1"] == pytest.approx(0.4 * 0.6 + 0.45 * truth["out_h2"] + 0.6)
    assert values["net_h2"] == truth["net_h2"]


def test_the_sign_slip_negates_what_delta_feeds_but_not_the_update():
    network = load_network(NETWORKS / "mazur.yaml")
    truth = Dataflow(network).run()
    flipped = Dataflow(network, sign_flipped=True).run()
    for name in ("delta_o1", "delta_h1", "dE/dw5", "dE/dw1", "dE/dout_o1", "dE_o2/dout_h1"):
        assert flipped[name] == -truth[name]
    for name in ("out_o1", "w5+", "w1+", "Δw1", "E_after"):
        assert flipped[name] == truth[name]


def test_the_course_sign_writes_each_delta_negated_and_nothing_else():
    """Under delta_sign: error δ is written (t − out)·f′ = −∂E/∂net; gradients and new values keep their meaning."""
    network = load_network(NETWORKS / "mazur.yaml")
    plain = Dataflow(network).run()
    course = Dataflow(network._replace(options=network.options._replace(delta_sign="error"))).run()
    assert plain.keys() == course.keys()
    for name, value in plain.items():
        assert course[name] == (-value if name.startswith("delta_") else value), name
