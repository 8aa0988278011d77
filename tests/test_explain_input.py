"""`bpcalc explain NET x1` for an input: ∂E/∂x along every path, per sample, checked against the step's
deltas and a central finite difference of the total error."""

from __future__ import annotations

import math

import pytest

from bpcalc import engine
from bpcalc.chain import input_chains
from bpcalc.loader import load_network
from bpcalc.model import Network
from conftest import NETWORKS, bpcalc


def _finite_difference(network: Network, sample: int, name: str, h: float = 1e-5) -> float:
    """(E(x + h) − E(x − h)) / 2h, moving only input `name` of one sample."""
    index = network.inputs.index(name)

    def error(shift: float) -> float:
        s = network.samples[sample]
        moved = s._replace(inputs=tuple(v + shift if i == index else v for i, v in enumerate(s.inputs)))
        samples = network.samples[:sample] + (moved,) + network.samples[sample + 1:]
        value = engine.evaluate(network._replace(samples=samples)).error
        assert value is not None
        return value

    return (error(h) - error(-h)) / (2 * h)


def test_mazur_i1_is_the_sum_of_its_paths_and_of_delta_times_weight():
    network = load_network(NETWORKS / "mazur.yaml")
    record = engine.step(network)
    [chain] = input_chains(record, "i1")
    assert chain.path_count == len(chain.paths) == 4
    assert [p.neurons for p in chain.paths] == [("h1", "o1"), ("h1", "o2"), ("h2", "o1"), ("h2", "o2")]
    d = record.deltas[0]
    values = network.values()
    by_delta = d["h1"].delta * values["i1->h1"] + d["h2"].delta * values["i1->h2"]  # δ_h1·w1 + δ_h2·w3
    assert math.isclose(chain.total, by_delta, rel_tol=1e-12)
    assert chain.total == pytest.approx(_finite_difference(network, 0, "i1"), abs=1e-7)


def test_rumelhart_xor_has_the_direct_path_and_matches_the_finite_difference():
    network = load_network(NETWORKS / "rumelhart-xor.yaml")
    record = engine.step(network)
    chains = input_chains(record, "x1")
    assert len(chains) == len(network.samples)
    for chain in chains:
        assert ("y",) in [p.neurons for p in chain.paths]  # x1 → y, skipping the hidden layer
        assert ("h", "y") in [p.neurons for p in chain.paths]
        assert chain.total == pytest.approx(_finite_difference(network, chain.sample, "x1"), abs=1e-7)


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "latex"])
def test_the_cli_explains_an_input_in_every_format(fmt):
    run = bpcalc("explain", NETWORKS / "rumelhart-xor.yaml", "x1", "--format", fmt)
    assert run.exit_code == 0, run.stderr
    assert "x1" in run.stdout
    if fmt == "terminal":
        assert "x1[1] → y → E" in run.stdout
        assert "dE/dx1[4]" in run.stdout
        assert "nothing is updated" in run.stdout


def test_the_cli_names_mazurs_input_gradient():
    run = bpcalc("explain", NETWORKS / "mazur.yaml", "i1")
    assert run.exit_code == 0, run.stderr
    assert "= delta_h1·w1 + delta_h2·w3" in run.stdout
    assert "dE/di1" in run.stdout and "dE/di1[" not in run.stdout


def test_an_unknown_name_is_one_line_and_exit_2():
    run = bpcalc("explain", NETWORKS / "mazur.yaml", "zz")
    assert run.exit_code == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "w1" in lines[0] and "input" in lines[0] and "i1" in lines[0]


def test_an_input_is_explained_by_the_true_derivative_under_new_weights():
    """hidden_deltas: new_weights changes how a step updates, not what ∂E/∂x is."""
    plain = bpcalc("explain", NETWORKS / "mazur.yaml", "i1").stdout.splitlines()
    updated = bpcalc("explain", NETWORKS / "mazur-new-weights.yaml", "i1").stdout.splitlines()
    assert [line for line in plain if "=" in line] == [line for line in updated if "=" in line]
