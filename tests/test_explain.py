"""`bpcalc explain`: every path from a parameter to the error, whose products add up to the step's gradient."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcalc import engine
from bpcalc.chain import parameter_chains
from bpcalc.quantities import parameter_named, parameter_names
from bpcalc.errors import BpcalcError
from bpcalc.loader import load_network, parse_network
from conftest import NETWORKS, bpcalc

EXACT = [p for p in sorted(NETWORKS.glob("*.yaml")) if load_network(p).options.rounding is None]


@pytest.mark.parametrize("path", EXACT, ids=lambda p: p.stem)
def test_the_paths_add_up_to_each_samples_gradient(path):
    network = load_network(path)
    record = engine.step(network)
    for u in record.updates:
        for position, chain in enumerate(parameter_chains(record, u.name)):
            assert math.isclose(chain.total, u.per_sample[position], rel_tol=1e-12, abs_tol=1e-15), u.name


def _network(widths: list[int], activations: list[str], weights: list[float], new_weights: bool) -> str:
    lines = ["learning_rate: 0.5", f"hidden_deltas: {'new_weights' if new_weights else 'old_weights'}",
             "layers:", f"  - inputs: [{', '.join(f'x{i}' for i in range(widths[0]))}]"]
    values = iter(weights)
    previous = [f"x{i}" for i in range(widths[0])]
    for depth, (width, activation) in enumerate(zip(widths[1:], activations)):
        names = [f"n{depth}_{j}" for j in range(width)]
        lines += [f"  - activation: {activation}", "    neurons:"]
        for name in names:
            incoming = ", ".join(f"{p}: {next(values)!r}" for p in previous)
            lines.append(f"      {name}: {{bias: {next(values)!r}, weights: {{{incoming}}}}}")
        previous = names
    inputs = ", ".join(f"x{i}: {0.1 * (i + 1)!r}" for i in range(widths[0]))
    targets = ", ".join(f"{n}: 0.5" for n in previous)
    lines += ["samples:", f"  - inputs: {{{inputs}}}", f"    targets: {{{targets}}}"]
    return "\n".join(lines) + "\n"


@settings(max_examples=25, deadline=None)
@given(widths=st.lists(st.integers(1, 3), min_size=3, max_size=5),
       activation=st.sampled_from(["sigmoid", "tanh", "linear", "leaky_relu"]),
       weights=st.lists(st.floats(-2, 2, allow_nan=False), min_size=60, max_size=60),
       new_weights=st.booleans(), pick=st.integers(0, 1000))
def test_paths_match_the_layer_by_layer_gradient_in_deep_nets(widths, activation, weights, new_weights, pick):
    activations = [activation] * (len(widths) - 2) + ["sigmoid"]
    network = parse_network(_network(widths, activations, weights, new_weights), "random.yaml")
    record = engine.step(network)
    update = record.updates[pick % len(record.updates)]
    [chain] = parameter_chains(record, update.name)
    assert chain.path_count == math.prod(widths[_layer(network, update.name) + 2:])  # widths[0]: the inputs
    assert math.isclose(chain.total, update.per_sample[0], rel_tol=1e-9, abs_tol=1e-12)


def _layer(network, name):
    dest = name.split("->")[-1]
    return next(k for k, layer in enumerate(network.layers) if dest in layer.names)


def test_names_a_parameter_by_label_edge_or_bias():
    network = load_network(NETWORKS / "mazur.yaml")
    assert parameter_named(network, "w1") == "i1->h1"
    assert parameter_named(network, "i1->h1") == "i1->h1"
    assert parameter_named(network, " i1 -> h1 ") == "i1->h1"
    assert parameter_named(network, "b1") == "h1"
    assert parameter_named(network, "h2") == "h2"  # an unlabelled bias by its neuron
    assert parameter_named(network, "b(h2)") == "h2"  # or by its one name
    assert parameter_named(load_network(NETWORKS / "brilliant.yaml"), "w(x1->h1)") == "x1->h1"
    assert parameter_names(network) == ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b(h2)", "b2", "b(o2)"]
    with pytest.raises(BpcalcError):
        parameter_named(load_network(NETWORKS / "udacity.yaml"), "h")  # an omitted bias is no parameter


def test_unknown_parameter_is_one_line_listing_the_names():
    result = bpcalc("explain", "w9")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == ("bpcalc: no parameter 'w9'; the parameters are: "
                             "w1, w2, w3, w4, w5, w6, w7, w8, b1, b(h2), b2, b(o2); "
                             "an input is accepted too: i1, i2\n")


def test_a_big_net_lists_only_the_first_parameters():
    result = bpcalc("explain", NETWORKS / "flowers.yaml", "w9")
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1
    assert ", … (403 in all); an input is accepted too: " in result.stderr
    assert result.stderr.count("w(") == 24


def test_a_file_without_a_parameter_says_what_is_missing():
    result = bpcalc("explain", NETWORKS / "udacity.yaml")
    assert result.exit_code == 2
    assert "say which parameter to explain after the file" in result.stderr


def test_explain_shows_every_path_and_the_update():
    out = " ".join(bpcalc("explain", "w1").stdout.split())
    assert "w1 → h1 → o1 → E" in out and "w1 → h1 → o2 → E" in out
    assert "= 0.741365070 × 0.186815602 × 0.4 × 0.241300709 × 0.05" in out
    assert "0.000668396 + (-0.000229828) = 0.000438568" in out
    assert "w1+ = w1 − η·dE/dw1 = 0.15 − 0.5×0.000438568 = 0.149780716" in out


def test_explain_a_fixed_bias_and_an_edge_in_another_network():
    out = bpcalc("explain", "b1").stdout
    assert "held fixed" in out and "b1+" in out
    csc = bpcalc("explain", NETWORKS / "csc4007-example2.yaml", "A->Top").stdout
    assert "how AT (A->Top) is learned" in csc
    assert "delta_Final·TF+" in csc  # the updated weight the sheet's hidden error uses
    assert "Hand rounding: the step itself carried dE/dAT = 0.00084" in " ".join(csc.split())


def test_explain_symbolic_has_no_numbers():
    out = bpcalc("explain", "w1", "--symbolic").stdout
    body = out.split("\n\n", 1)[1]
    assert not re.search(r"\d\.\d", body)
    assert "= −(t_o1 − out_o1) × out_o1(1−out_o1) × w5 × out_h1(1−out_h1) × i1" in " ".join(out.split())


def test_an_edge_typed_without_quotes():
    """`bpcalc explain net.yaml i1->h1` would be a shell redirect; i1-h1 needs no quotes."""
    network = load_network(NETWORKS / "mazur.yaml")
    assert parameter_named(network, "i1-h1") == "i1->h1"
    result = bpcalc("explain", "i1-h9")
    assert result.exit_code == 2 and "an edge is written i1-h1, or 'i1->h1' in quotes" in result.stderr
