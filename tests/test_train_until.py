"""`bpcalc train --until E`: stop at the first epoch whose error is ≤ E, on every training path."""

from __future__ import annotations

import pytest

import bpcalc as api
from bpcalc import engine, training
from bpcalc.errors import BpcalcError
from bpcalc.loader import load_network
from conftest import NETWORKS, bpcalc

MAZUR = NETWORKS / "mazur.yaml"
FLOWERS = NETWORKS / "flowers.yaml"


def test_the_engine_crosses_0_001_between_epochs_1087_and_1088():
    record = engine.train(load_network(MAZUR), 1088, [1087, 1088])
    (_, before), (_, after) = record.checkpoints
    assert before > 0.001 >= after


@pytest.mark.parametrize("path", ["reference", "compiled", "vectorised"])
def test_mazur_reaches_0_001_after_1088_epochs_on_every_path(path):
    record = training.train(load_network(MAZUR), 1_000_000, engine.checkpoints_for(1_000_000), path=path,
                            until=0.001)
    assert (record.epochs, record.updates, record.stopped) == (1088, 1088, "target")
    assert [e for e, _ in record.checkpoints] == [0, 1, 10, 100, 1000, 1088]
    assert record.checkpoints[-1][1] == pytest.approx(record.final.error, rel=1e-12) and record.final.error <= 0.001


@pytest.mark.parametrize("path", ["compiled", "vectorised"])
def test_a_target_met_exactly_at_a_chunk_end_stops_there(path):
    network = load_network(MAZUR)
    at_1000 = dict(engine.train(network, 1000, [1000]).checkpoints)[1000]
    record = training.train(network, 5000, [], path=path, until=at_1000 * (1 + 1e-12))
    assert record.epochs == 1000 and record.stopped == "target"


def test_a_net_the_vectorised_path_takes_stops_where_the_engine_does():
    network = load_network(FLOWERS)
    assert training.choose_path(network, 100_000) == "vectorised"
    epochs = {path: training.train(network, 100_000, [0], path=path, until=0.9).epochs
              for path in ("reference", "compiled", "vectorised", "auto")}
    assert epochs == {path: 84 for path in epochs}  # the reference path's epoch (the engine's)


def test_the_json_document_is_for_the_epochs_run_and_says_why_it_stopped():
    document = bpcalc("train", MAZUR, "--until", "0.001", "--json").json()
    assert document["epochs"] == 1088 and document["updates"] == 1088
    assert document["stopped"] == "target" and document["error"] <= 0.001
    assert [c["epoch"] for c in document["checkpoints"]] == [0, 1, 10, 100, 1000, 1088]
    trained = bpcalc("train", MAZUR, "-n", "1088", "--json").json()
    for key in ("error", "weights", "biases"):
        assert document[key] == pytest.approx(trained[key], rel=1e-12), key
    for ours, theirs in zip(document["outputs"], trained["outputs"], strict=True):
        assert ours == pytest.approx(theirs, rel=1e-12)
    assert "stopped" not in trained


def test_too_few_epochs_stop_at_n_with_stopped_epochs():
    document = bpcalc("train", MAZUR, "-n", "500", "--until", "0.001", "--json").json()
    assert (document["epochs"], document["stopped"]) == (500, "epochs")
    assert document["error"] > 0.001 and document["checkpoints"][-1]["epoch"] == 500


def test_a_start_that_already_meets_the_target_runs_no_epoch():
    document = bpcalc("train", MAZUR, "-n", "100", "--until", "0.3", "--json").json()
    assert (document["epochs"], document["updates"], document["stopped"]) == (0, 0, "target")
    assert [c["epoch"] for c in document["checkpoints"]] == [0]
    assert "Reached E_total ≤ 0.3 at the start" in bpcalc("train", MAZUR, "--until", "0.3").stdout


@pytest.mark.parametrize("bad", ["-0.1", "abc", "nan", ""])
def test_a_bad_target_is_one_line_and_exit_2(bad):
    run = bpcalc("train", MAZUR, "--until", bad)
    assert run.exit_code == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and "--until takes a target error" in run.stderr


def test_the_text_says_when_the_target_was_reached_and_ends_the_table_there():
    out = bpcalc("train", MAZUR, "--until", "0.001").stdout
    assert "Reached E_total ≤ 0.001 after 1088 epochs." in out
    assert "Training: 1088 epochs, 1088 updates" in out and "1088        0.000999381" in out
    assert "1000000" not in out and "*" in out  # the curve, cut at epoch 1088
    missed = bpcalc("train", MAZUR, "-n", "500", "--until", "0.001", "--format", "markdown").stdout
    assert "Not reached in 500 epochs; E\\_total = 0.002674957 > 0.001." in missed
    assert r"E_{\mathrm{total}}" in bpcalc("train", MAZUR, "--until", "0.001", "--format", "latex").stdout


def test_without_n_the_cap_is_a_million_epochs():
    run = bpcalc("train", MAZUR, "--until", "0", "--json")  # an error of exactly 0 is never reached
    assert run.json()["epochs"] == 1_000_000 and run.json()["stopped"] == "epochs"


def test_without_until_n_still_defaults_to_1():
    document = bpcalc("train", MAZUR, "--json").json()
    assert document["epochs"] == 1 and "stopped" not in document


def test_the_python_api_takes_until():
    record = api.train(str(MAZUR), 1_000_000, until=0.001)
    assert (record.epochs, record.stopped, record.until) == (1088, "target", 0.001)
    with pytest.raises(BpcalcError, match="target error"):
        api.train(str(MAZUR), 10, until=-1)
