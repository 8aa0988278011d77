"""`bpcalc step --update K`: the K-th update of training, counted across batches and epochs."""

from __future__ import annotations

import json

import pytest

from bpcalc import engine, training
from bpcalc.loader import load_network
from conftest import CASES, NETWORKS, bpcalc

MITCHELL = NETWORKS / "mitchell-4-7.yaml"
MAZUR = NETWORKS / "mazur.yaml"
TOL = 1e-12


def close(a, b, tol=TOL):
    """Every number of two JSON values within tol, the keys the same."""
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            close(a[k], b[k], tol)
    elif isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            close(x, y, tol)
    elif isinstance(a, float) or isinstance(b, float):
        assert a == pytest.approx(b, abs=tol)
    else:
        assert a == b


def update(path, k: int, *extra: str) -> dict:
    result = bpcalc("step", path, "--update", str(k), "--json", *extra)
    assert result.exit_code == 0, result.stderr
    return result.json()


def test_mitchell_update_2_is_the_end_of_epoch_1():
    doc = update(MITCHELL, 2)
    assert doc["update"] == 2 and doc["batch"] == [2]
    assert [s["inputs"] for s in doc["samples"]] == [{"a": 0, "b": 1}]
    u = doc["updated"]
    assert u["weights"]["a->c"] == pytest.approx(0.101617435, abs=5e-10)
    assert u["weights"]["b->c"] == pytest.approx(0.098798528, abs=5e-10)
    assert u["biases"]["c"] == pytest.approx(0.100415963, abs=5e-10)
    assert u["weights"]["c->d"] == pytest.approx(0.113474164, abs=5e-10)
    assert u["biases"]["d"] == pytest.approx(0.124521521, abs=5e-10)
    trained = json.loads((CASES / "mitchell-4-7.train-1.json").read_text())
    close(u["weights"], trained["weights"])
    close(u["biases"], trained["biases"])


def test_mitchell_steps_are_the_change_of_update_k():
    first, second = update(MITCHELL, 1), update(MITCHELL, 2)
    assert second["steps"]["weights"]["a->c"] == pytest.approx(0.101617435 - 0.100851282, abs=1e-9)
    for group in ("weights", "biases", "thresholds"):
        assert second["steps"][group].keys() == second["updated"][group].keys()
        for name, new in second["updated"][group].items():
            old = first["updated"][group][name]
            assert second["steps"][group][name] == pytest.approx(new - old, abs=TOL)
    # D(K) = −η·∂E/∂θ + α·D(K−1)
    eta, alpha = 0.3, 0.9
    for name, d in second["steps"]["weights"].items():
        g = second["gradients"]["weights"][name]
        assert d == pytest.approx(-eta * g + alpha * first["steps"]["weights"][name], abs=TOL)


def test_mitchell_samples_are_under_the_values_just_before_update_k():
    doc = update(MITCHELL, 3)
    assert doc["batch"] == [1]
    after_two = update(MITCHELL, 2)
    assert doc["error"] == pytest.approx(after_two["error_after"], abs=TOL)
    network = load_network(MITCHELL)
    trained = training.train(network, 1).network
    fp = engine.forward(trained, 0)
    for n in fp.neurons.values():
        assert doc["samples"][0]["neurons"][n.name]["net"] == pytest.approx(n.net, abs=TOL)
        assert doc["samples"][0]["neurons"][n.name]["out"] == pytest.approx(n.out, abs=TOL)


def test_update_1_is_plain_step():
    for path in (MAZUR, MITCHELL):
        plain = bpcalc("step", path, "--json").json()
        doc = update(path, 1)
        assert doc.pop("update") == 1
        doc.pop("steps", None)
        close(doc, plain, 0)


def test_plain_step_has_no_update_field():
    doc = bpcalc("step", MITCHELL, "--json").json()
    assert "update" not in doc and "steps" not in doc


@pytest.mark.parametrize("k", [1, 2, 10])
def test_mazur_update_k_is_train_k_epochs(k):
    doc = update(MAZUR, k)
    trained = bpcalc("train", MAZUR, "-n", str(k), "--json").json()
    close(doc["updated"]["weights"], trained["weights"])
    close(doc["updated"]["biases"], trained["biases"])
    assert doc["error_after"] == pytest.approx(trained["error"], abs=TOL)
    assert "steps" not in doc  # no momentum


def test_mazur_long_run_matches_the_engine():
    """Whole epochs by the fast path, then the update on the engine: the engine's own numbers."""
    network = load_network(MAZUR)
    found = training.update_number(network, 300)
    reference = engine.train(network, 299).network
    expected = engine.step(reference)
    for u, e in zip(found.step.updates, expected.updates):
        assert u.new == pytest.approx(e.new, abs=TOL)
        assert u.gradient == pytest.approx(e.gradient, abs=TOL)


def test_online_update_3_is_sample_1_of_epoch_2():
    network = load_network(MITCHELL)
    found = training.update_number(network, 3)
    assert (found.number, found.epoch, found.position, found.step.batch) == (3, 2, 0, (0,))
    found = training.update_number(network, 4)
    assert (found.epoch, found.position, found.step.batch) == (2, 1, (1,))
    # the reference: every update on the engine, momentum carried
    velocity: dict[str, float] = {}
    net = network
    for batch in [(0,), (1,), (0,)]:
        record = engine.step(net, batch, velocity)
        net, velocity = record.updated, record.velocity
    found = training.update_number(network, 3)
    for u, e in zip(found.step.updates, record.updates):
        assert u.new == pytest.approx(e.new, abs=TOL)
        assert u.previous_step == pytest.approx(e.previous_step, abs=TOL)
        assert u.step == pytest.approx(e.step, abs=TOL)


def test_hand_rounding_runs_on_the_engine():
    path = NETWORKS / "csc4007-example2.yaml"
    network = load_network(path)
    velocity: dict[str, float] = {}
    net = network
    plan = engine.batches(network)
    for k in range(3):
        record = engine.step(net, plan[k % len(plan)], velocity)
        net, velocity = record.updated, record.velocity
    found = training.update_number(network, 3)
    assert [u.new for u in found.step.updates] == [u.new for u in record.updates]


def test_text_heading_names_update_epoch_and_sample():
    result = bpcalc("step", MITCHELL, "--update", "3")
    assert result.exit_code == 0
    assert "Update 3 of training: epoch 2, sample 1" in result.stdout
    assert "update 3 of training" in result.stdout.splitlines()[0]
    shown = bpcalc("step", MITCHELL, "--update", "3", "--show-deltas").stdout
    previous = update(MITCHELL, 2)["steps"]["weights"]["c->d"]
    assert f"0.9×({previous:.9f})" in shown  # α·Δθ(n−1) is update 2's step
    for fmt in ("markdown", "latex"):
        out = bpcalc("step", MITCHELL, "--update", "3", "--format", fmt).stdout
        assert "Update 3 of training: epoch 2, sample 1" in out


def test_full_batch_heading_names_every_sample():
    out = bpcalc("step", NETWORKS / "brilliant.yaml", "--update", "2").stdout
    assert "Update 2 of training: epoch 2, samples 1–6" in out


@pytest.mark.parametrize("k", ["0", "-1", "x", "1.5"])
def test_bad_update_number(k):
    result = bpcalc("step", MITCHELL, "--update", k)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "--update" in result.stderr


def test_update_number_refuses_k_below_1():
    from bpcalc.errors import BpcalcError

    with pytest.raises(BpcalcError):
        training.update_number(load_network(MITCHELL), 0)
