"""`bpcalc train --updates`: one row per update, each bit for bit what `step --update K` computes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcalc import engine, training
from bpcalc.errors import BpcalcError
from bpcalc.loader import load_network
from bpcalc.loader.network import parse_network
from bpcalc.model import Layer, Network, Neuron, Options, Sample
from bpcalc.functions import ACTIVATIONS
from conftest import NETWORKS, bpcalc, compile_latex, needs_pdflatex
from test_fast import networks

MITCHELL = NETWORKS / "mitchell-4-7.yaml"
MAZUR = NETWORKS / "mazur.yaml"
# Mitchell's Exercise 4.7: the weights after the second training example, with momentum.
MITCHELL_SECOND = {"wca": 0.101617435, "wcb": 0.098798528, "wc0": 0.100415963, "wdc": 0.113474164,
                   "wd0": 0.124521521}


def assert_rows_are_update_number(network: Network, count: int) -> None:
    """Row K's parameters and error are update_number(K)'s, exactly (==, not approximately)."""
    rows = list(training.update_rows(network, count))
    assert [row.number for row in rows] == list(range(count + 1))
    assert rows[0].values == network.values()
    assert rows[0].error == engine.evaluate(network).error
    for k in range(1, count + 1):
        which = training.update_number(network, k)
        assert which.step.after is not None
        assert (rows[k].epoch, rows[k].batch) == (which.epoch, which.step.batch), k
        assert rows[k].values == which.step.updated.values(), k
        assert rows[k].error == which.step.after.error, k


# ---------------------------------------------------------------- the numbers

def test_mitchell_row_2_is_the_exercise_answer():
    doc = bpcalc("train", MITCHELL, "-n", "1", "--updates", "--json").json()
    row = doc["each_update"][2]
    assert (row["update"], row["epoch"], row["samples"]) == (2, 1, [2])
    for name, value in MITCHELL_SECOND.items():
        assert row["parameters"][name] == pytest.approx(value, abs=5e-10), name
    which = training.update_number(load_network(MITCHELL), 2)
    assert row["error"] == which.step.after.error
    labels = {"a->c": "wca", "b->c": "wcb", "c": "wc0", "c->d": "wdc", "d": "wd0"}
    assert row["parameters"] == {labels[k]: v for k, v in which.step.updated.values().items()}


def test_mitchell_row_2_in_the_text_table():
    out = bpcalc("train", MITCHELL, "-n", "1", "--updates").stdout
    lines = [line.split() for line in out.splitlines()]
    headers = [words[3:] for words in lines if words[:3] == ["update", "epoch", "samples"]]
    rows = [words[3:] for words in lines if words[:3] == ["2", "1", "2"]]  # update 2, epoch 1, sample 2
    printed = {name: text for header, row in zip(headers, rows) for name, text in zip(header, row)}
    assert printed.keys() == MITCHELL_SECOND.keys() | {"E_total"}
    for name, value in MITCHELL_SECOND.items():
        assert printed[name] == f"{value:.9f}", name


def test_json_rows_start_with_the_file_values():
    doc = bpcalc("train", MAZUR, "-n", "2", "--updates", "--json").json()
    assert doc["updates"] == 2  # the count stays what it was; the table has a key of its own
    start = doc["each_update"][0]
    assert (start["update"], start["epoch"], start["samples"]) == (0, 0, [])
    assert start["parameters"]["w1"] == 0.15 and start["parameters"]["b(h2)"] == 0.35
    assert start["error"] == engine.evaluate(load_network(MAZUR)).error
    assert [r["update"] for r in doc["each_update"]] == [0, 1, 2]


@pytest.mark.parametrize("path, count", [(MITCHELL, 60), (MAZUR, 50), (NETWORKS / "brilliant.yaml", 40),
                                         (NETWORKS / "flowers.yaml", 30)])
def test_rows_equal_update_number_across_paths(path, count):
    # Mazur's first 20 epochs run on the engine and the later ones compiled; flowers' vectorised.
    assert_rows_are_update_number(load_network(path), count)


def test_rows_equal_update_number_where_the_quick_sigmoid_falls_back():
    # net = −800 overflows σ's quick form in the first epoch: the compiled path reruns its chunk
    # with the guarded form, and the table must follow it.
    sigmoid = ACTIVATIONS["sigmoid"]
    layers = (Layer(sigmoid, (Neuron("h", (("x", -1.0),), 0.0),)), Layer(sigmoid, (Neuron("o", (("h", 0.5),), 0.1),)))
    network = Network(("x",), layers, (Sample((800.0,), (0.9,)),), Options(learning_rate=0.5, momentum=0.5))
    assert training.choose_path(network, 100) == "compiled"
    assert_rows_are_update_number(network, 100)


@settings(max_examples=40)
@given(networks(), st.integers(1, 14))
def test_rows_equal_update_number(network, count):
    """Every batch mode (online, k samples, full), with and without momentum, on random graphs."""
    try:
        training.update_number(network, count)
    except BpcalcError:  # diverged (a value beyond a double): both refuse it the same way
        with pytest.raises(BpcalcError):
            list(training.update_rows(network, count))
        return
    assert_rows_are_update_number(network, count)


# ---------------------------------------------------------------- the limit

def test_more_than_a_page_is_refused_with_a_hint():
    result = bpcalc("train", MAZUR, "-n", "51", "--updates")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "51 updates" in result.stderr and "-n 50" in result.stderr and "--all-updates" in result.stderr


def test_online_hint_counts_updates_not_epochs():
    result = bpcalc("train", MITCHELL, "-n", "26", "--updates")
    assert result.exit_code == 2 and "52 updates" in result.stderr and "-n 25 is 50 updates" in result.stderr
    assert bpcalc("train", MITCHELL, "-n", "25", "--updates").exit_code == 0


def test_all_updates_lifts_the_limit():
    doc = bpcalc("train", MAZUR, "-n", "60", "--all-updates", "--json").json()
    assert len(doc["each_update"]) == 61
    assert doc["each_update"][60]["parameters"]["w1"] == training.update_number(
        load_network(MAZUR), 60).step.updated.values()["i1->h1"]


def test_until_tabulates_the_epochs_run():
    doc = bpcalc("train", MAZUR, "--until", "0.29", "-n", "40", "--updates", "--json").json()
    assert doc["stopped"] == "target"
    assert len(doc["each_update"]) == doc["epochs"] + 1
    assert doc["each_update"][-1]["error"] <= 0.29 < doc["each_update"][-2]["error"]


# ---------------------------------------------------------------- how it reads

def test_terminal_table_fits_the_window_in_panels():
    out = bpcalc("train", NETWORKS / "brilliant.yaml", "-n", "3", "--updates").stdout
    assert max(len(line) for line in out.splitlines()) <= 80
    headers = [line.split() for line in out.splitlines() if line.split()[:3] == ["update", "epoch", "samples"]]
    assert len(headers) > 1  # 16 parameters do not fit 80 columns
    named = [name for header in headers for name in header[3:]]
    network = load_network(NETWORKS / "brilliant.yaml")
    assert named == [network.label_of(key) for key in network.values()] + ["E_total"]


def test_fixed_biases_are_named_once_not_tabulated():
    out = bpcalc("train", MAZUR, "-n", "1", "--updates").stdout
    assert "Held fixed (update_biases: false): b1 = 0.35, b(h2) = 0.35, b2 = 0.6, b(o2)" in out
    header = next(line.split() for line in out.splitlines() if line.split()[:1] == ["update"])
    assert "b1" not in header


def test_heading_says_which_error():
    out = bpcalc("train", MITCHELL, "-n", "1", "--updates").stdout
    assert "Each update: the parameters and E_total after it" in out
    assert "E_total is the error over both samples with those parameters" in " ".join(out.split())


def test_full_batch_rows_name_every_sample():
    text = MITCHELL.read_text().replace("batch: online", "batch: full")
    network = parse_network(text, "full.yaml")
    rows = list(training.update_rows(network, 2))
    assert [row.batch for row in rows] == [(), (0, 1), (0, 1)]
    out = bpcalc("train", MITCHELL, "-n", "1", "--updates", "--format", "markdown").stdout
    assert "| 1 | 1 | 1 |" in out and "| 2 | 1 | 2 |" in out


@needs_pdflatex
def test_latex_table_compiles(tmp_path):
    fragment = bpcalc("train", NETWORKS / "brilliant.yaml", "-n", "2", "--updates", "--format", "latex").stdout
    assert fragment.count("\\begin{tabular}") >= 3  # the parameters in panels, under the checkpoints'
    result = compile_latex(fragment, tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "Overfull \\hbox" not in (tmp_path / "solution.log").read_text(errors="replace")


def test_the_documented_table_is_real_output():
    doc = (NETWORKS.parent / "docs" / "updates.md").read_text(encoding="utf-8")
    excerpt = doc.split("```\nEach update", 1)[1].split("```", 1)[0]
    out = bpcalc("train", MITCHELL, "-n", "2", "--updates").stdout.splitlines()
    lines = [line for line in ("Each update" + excerpt).splitlines() if line.strip() and line.strip() != "…"]
    assert all(line in out for line in lines), [line for line in lines if line not in out]
