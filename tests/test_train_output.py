"""`bpcalc train`: checkpoints, the error curve, outputs against targets, the progress bar and --save."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from bpcalc import engine
from bpcalc.loader import load_network, parse_network
from bpcalc.netfile import dumps
from bpcalc.render.training import curve_epochs, error_curve
from conftest import NETWORKS, bpcalc


def test_train_shows_checkpoints_curve_and_outputs_against_targets():
    out = bpcalc("train", "-n", "1000").stdout
    for row in ["0 (start)   0.298371109", "1           0.291027774", "10 ", "100 ", "1000 "]:
        assert row in out, row
    assert "E_total (log scale) against the epoch (log scale)" in out and "*" in out
    assert "E_total against the epoch\n" in bpcalc("train", "-n", "30").stdout  # short, shallow: linear
    assert "output   target" in out and "o1         0.01" in out
    assert "w5 (h1->o1)" in out


def test_the_error_curve_is_small_and_ascii():
    points = [(e, 0.3 / (1 + e)) for e in curve_epochs(10000)]
    lines = error_curve(points)
    assert len(lines) == 11 and all(line.isascii() and len(line) <= 72 for line in lines)
    assert lines[0] == "E_total (log scale) against the epoch (log scale)"
    assert curve_epochs(5) == [0, 1, 2, 3, 4, 5]
    assert len(curve_epochs(10 ** 6)) <= 57


def test_engine_reports_progress_every_epoch():
    seen = []
    engine.train(load_network(NETWORKS / "mitchell-4-7.yaml"), 5, progress=seen.append)
    assert seen == [1, 2, 3, 4, 5]


def test_no_progress_bar_when_piped_or_plain_but_one_on_a_terminal():
    assert "epochs" not in bpcalc("train", "-n", "2000").stdout.split("Training")[0]
    terminal = bpcalc("train", "-n", "2000", env={"FORCE_COLOR": "1", "NO_COLOR": None, "TERM": "xterm"})
    assert "/2000 epochs" in terminal.stdout  # the bar (transient: erased once training ends)
    plain = bpcalc("train", "-n", "2000", env={"FORCE_COLOR": "1", "TERM": "xterm"}).stdout
    assert "\x1b[" not in plain and "epochs" not in plain.split("Training")[0]  # NO_COLOR: no bar


def test_save_writes_a_network_that_reproduces_the_outputs(tmp_path):
    out = tmp_path / "trained.yaml"
    result = bpcalc("train", NETWORKS / "mitchell-4-7.yaml", "-n", "7", "--save", out, "--json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"bpcalc: saved the trained network to {out}\n"
    document = result.json()
    saved = load_network(out)
    evaluation = engine.evaluate(saved)
    assert [dict(zip(saved.outputs, fp.outputs)) for fp in evaluation.passes] == document["outputs"]
    assert evaluation.error == document["error"]
    original = load_network(NETWORKS / "mitchell-4-7.yaml")
    assert (saved.options, dict(saved.labels), saved.samples, saved.name) == (
        original.options, dict(original.labels), original.samples, original.name)
    text = out.read_text()
    assert text.startswith("# Trained by bpcalc: 7 epochs of ")
    assert "momentum: 0.9" in text and "wca: a->c" in text


def test_save_refuses_to_overwrite_unless_forced(tmp_path):
    out = tmp_path / "trained.yaml"
    out.write_text("keep me\n")
    refused = bpcalc("train", "-n", "2", "--save", out)
    assert refused.exit_code == 2 and refused.stdout == ""
    assert refused.stderr == f"bpcalc: {out}: already exists; use --force to replace it\n"
    assert out.read_text() == "keep me\n"
    forced = bpcalc("train", "-n", "2", "--save", out, "--force")
    assert forced.exit_code == 0 and load_network(out).name == "mazur-2-2-2"


def test_save_never_overwrites_its_input(tmp_path):
    net = tmp_path / "net.yaml"
    net.write_text((NETWORKS / "udacity.yaml").read_text())
    result = bpcalc("train", net, "-n", "2", "--save", net, "--force")
    assert result.exit_code == 2 and "refusing to overwrite an input file" in result.stderr
    assert net.read_text() == (NETWORKS / "udacity.yaml").read_text()


NAMES = st.text(st.sampled_from("abcxyzαβΩλ_01 :#-'\""), min_size=1, max_size=6).filter(
    lambda s: s == s.strip() and "->" not in s)


@settings(max_examples=40, deadline=None)
@given(names=st.lists(NAMES, min_size=4, max_size=4, unique=True),
       values=st.lists(st.floats(-1e6, 1e6, allow_nan=False).filter(lambda x: x == 0 or abs(x) > 1e-300),
                       min_size=6, max_size=6),
       rounding=st.sampled_from(["none", "{decimals: 3}", "{significant: 2}"]))
def test_saved_text_loads_back_to_the_same_network(names, values, rounding):
    a, b, h, o = names
    text = (f"name: {_q(a)}\nlearning_rate: 0.5\nrounding: {rounding}\nlayers:\n"
            f"  - inputs: [{_q(a)}, {_q(b)}]\n  - activation: {{leaky_relu: {{slope: 0.2}}}}\n"
            f"    neurons:\n      {_q(h)}: {{bias: {values[0]!r}, weights: {{{_q(a)}: {values[1]!r}, {_q(b)}: {values[2]!r}}}}}\n"
            f"  - activation: linear\n    neurons:\n      {_q(o)}: {{weights: {{{_q(h)}: {values[3]!r}}}}}\n"
            f"labels: {{w: {_q(a + '->' + h)}}}\n"
            f"samples:\n  - inputs: {{{_q(a)}: {values[4]!r}, {_q(b)}: 1}}\n    targets: {{{_q(o)}: {values[5]!r}}}\n")
    network = parse_network(text, "in.yaml")
    again = parse_network(dumps(network, "a comment\nover two lines"), "out.yaml")
    assert (again.inputs, _layers(again), again.samples, again.options, dict(again.labels), again.name) == (
        network.inputs, _layers(network), network.samples, network.options, dict(network.labels), network.name)


def _layers(network):
    """The layers by value (an activation with a parameter is a new closure each time it is read)."""
    return [(l.activation.name, l.activation.slope, l.neurons, l.sparse) for l in network.layers]


def _q(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_saved_numbers_are_exact():
    network = engine.train(load_network(NETWORKS / "brilliant.yaml"), 3).network
    again = parse_network(dumps(network), "x.yaml")
    assert again.layers == network.layers
    assert all(math.isfinite(w) for w in again.weights().values())


def test_one_epoch_is_singular():
    assert "Training: 1 epoch, 1 update\n" in bpcalc("train").stdout


def _epoch_labels(text: str) -> list[str]:
    """The tick labels under the error curve's axis."""
    lines = text.splitlines()
    axis = next(k for k, line in enumerate(lines) if line.strip().startswith("+--"))
    return lines[axis + 1].split()


def test_a_log_epoch_axis_starts_where_its_data_start_and_labels_the_last_epoch():
    """Epoch 0 has no place on a log axis: the curve starts at epoch 1 (the table gives the start)."""
    until = bpcalc("train", "--until", "0.001").stdout
    assert _epoch_labels(until) == ["1", "10", "100", "1088"]
    assert _epoch_labels(bpcalc("train", "-n", "10000").stdout) == ["1", "10", "100", "1000", "10000"]
    assert _epoch_labels(bpcalc("train", "-n", "150").stdout)[-1] == "150"
    assert _epoch_labels(bpcalc("train", "-n", "57").stdout) == ["0", "57"]  # a linear axis starts at 0


@settings(max_examples=40)
@given(st.integers(min_value=2, max_value=10 ** 7), st.integers(min_value=1, max_value=10 ** 3))
def test_the_last_epoch_is_always_labelled(last, first):
    first = min(first, last - 1)
    points = [(e, 1.0 / e) for e in sorted({first, *curve_epochs(last)}) if e >= first]
    lines = error_curve(points)
    labels = lines[-1].split()
    assert labels[-1] == str(last) and len(lines[-1]) <= 72
    assert all(int(a) < int(b) for a, b in zip(labels, labels[1:]))  # left to right, none overlapping


def test_one_epoch_is_never_one_epochs(tmp_path):
    saved = tmp_path / "one.yaml"
    outputs = [bpcalc("train", "-n", "1", "--save", saved).stdout, saved.read_text(),
               bpcalc("train", "-n", "1", "--format", "markdown").stdout,
               bpcalc("train", "-n", "1", "--format", "latex").stdout,
               bpcalc("train", "--until", "0.2915").stdout]
    answers = tmp_path / "a.yaml"
    answers.write_text("out_o1@2: 0.742088111\n")  # the value after 1 epoch, not 2
    outputs.append(bpcalc("check", answers).stdout)
    for text in outputs:
        assert "1 epochs" not in " ".join(text.split())
    joined = " ".join(" ".join(outputs).split())
    assert "Training: 1 epoch, 1 update" in joined and "Trained by bpcalc: 1 epoch of" in joined
    assert "Reached E_total ≤ 0.2915 after 1 epoch." in joined
    assert "This is the value after 1 epoch, one too few" in joined
