"""Saved training resumes exactly: `train --save` writes momentum's previous steps, and every
path starts from them, so `train -n A --save a.yaml` then `train a.yaml -n B` is `train -n A+B`."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcalc import engine, training
from bpcalc.errors import BpcalcError, NetworkFileError
from bpcalc.loader import load_network
from bpcalc.loader.network import parse_network
from bpcalc.netfile import dumps
from conftest import NETWORKS, bpcalc
from test_fast import networks, paths_for

MITCHELL = NETWORKS / "mitchell-4-7.yaml"
MAZUR = NETWORKS / "mazur.yaml"


def variant(tmp_path, path, name: str, old: str, new: str):
    """A copy of the example at `path` with one line changed."""
    text = path.read_text()
    assert text.count(old) == 1
    target = tmp_path / name
    target.write_text(text.replace(old, new))
    return target


def mazur_with_momentum(tmp_path):
    return variant(tmp_path, MAZUR, "mazur-momentum.yaml", "learning_rate: 0.5", "learning_rate: 0.5\nmomentum: 0.9")


def trained(*args) -> dict:
    result = bpcalc("train", *args, "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    return {key: doc[key] for key in ("error", "outputs", "weights", "biases", "thresholds")}


def resumed(tmp_path, path, first: int, second: int) -> dict:
    saved = tmp_path / f"saved-{path.stem}-{first}.yaml"
    result = bpcalc("train", path, "-n", str(first), "--save", saved)
    assert result.exit_code == 0, result.stderr
    return trained(saved, "-n", str(second))


# ---------------------------------------------------------------- save, then train on

@pytest.mark.parametrize("batch", ["online", "full"])
def test_mitchell_resumes_to_the_last_bit(tmp_path, batch):
    path = variant(tmp_path, MITCHELL, f"mitchell-{batch}.yaml", "batch: online", f"batch: {batch}")
    assert resumed(tmp_path, path, 1, 1) == trained(path, "-n", "2")  # ==: every bit of every number
    assert resumed(tmp_path, path, 2, 3) == trained(path, "-n", "5")


@pytest.mark.parametrize("batch", ["online", "full"])
def test_mazur_with_momentum_resumes_to_the_last_bit(tmp_path, batch):
    path = variant(tmp_path, mazur_with_momentum(tmp_path), "mazur.yaml", "update_biases: false",
                   f"update_biases: false\nbatch: {batch}")
    assert resumed(tmp_path, path, 1, 1) == trained(path, "-n", "2")
    assert resumed(tmp_path, path, 1000, 1000) == trained(path, "-n", "2000")  # compiled, in chunks


def test_without_the_state_it_would_not(tmp_path):
    """The test above has teeth: dropping the saved steps changes the numbers."""
    saved = tmp_path / "a.yaml"
    bpcalc("train", MITCHELL, "-n", "1", "--save", saved)
    text = saved.read_text()
    bare = tmp_path / "bare.yaml"
    bare.write_text(text[:text.index("\n# Momentum's state")] + text[text.index("\nsamples:"):])
    assert "previous_steps" not in bare.read_text()
    assert trained(bare, "-n", "1") != trained(MITCHELL, "-n", "2")


@settings(max_examples=30)
@given(networks(), st.integers(0, 4), st.integers(1, 4), st.sampled_from(["reference", "fast"]))
def test_train_save_train_is_one_run(network, first, second, kind):
    """On random graph nets with momentum, under each batch mode, on the engine and on each fast
    path: the state written by netfile and read back by the loader carries training on exactly."""
    network = network._replace(options=network.options._replace(momentum=0.9))
    for path in (["reference"] if kind == "reference" else paths_for(network)):
        try:
            whole = training.train(network, first + second, path=path)
            part = training.train(network, first, path=path)
        except BpcalcError:  # diverged: nothing to resume
            return
        reread = parse_network(dumps(part.network), "saved.yaml")
        assert reread.previous_steps == part.velocity
        rest = training.train(reread, second, path=path)
        assert rest.network.values() == whole.network.values(), path
        assert rest.final.error == whole.final.error, path
        assert dict(rest.velocity or {}) == dict(whole.velocity or {}), path


def test_step_and_update_k_start_from_the_saved_state(tmp_path):
    saved = tmp_path / "a.yaml"
    bpcalc("train", MITCHELL, "-n", "1", "--save", saved)
    step = bpcalc("step", saved, "--json").json()
    third = bpcalc("step", MITCHELL, "--update", "3", "--json").json()
    for key in ("gradients", "updated", "error", "error_after"):
        assert step[key] == third[key], key
    fourth = bpcalc("step", MITCHELL, "--update", "4", "--json").json()
    assert bpcalc("step", saved, "--update", "2", "--json").json()["updated"] == fourth["updated"]


def test_the_table_starts_from_the_saved_state(tmp_path):
    saved = tmp_path / "a.yaml"
    bpcalc("train", MITCHELL, "-n", "1", "--save", saved)
    later = bpcalc("train", saved, "-n", "1", "--updates", "--json").json()["each_update"]
    whole = bpcalc("train", MITCHELL, "-n", "2", "--updates", "--json").json()["each_update"]
    assert [row["parameters"] for row in later] == [row["parameters"] for row in whole[2:]]


# ---------------------------------------------------------------- what the text says

def test_working_shows_the_saved_momentum_term(tmp_path):
    saved = tmp_path / "a.yaml"
    bpcalc("train", MITCHELL, "-n", "1", "--save", saved)
    network = load_network(saved)
    previous = network.previous_steps["a->c"]
    out = bpcalc("step", saved, "--show-deltas").stdout
    assert f"0.9×{previous:.9f}" in out.replace(" ", "")


def test_a_file_without_the_state_says_momentum_starts_from_rest(tmp_path):
    rest = "momentum α = 0.9, from rest (the file has no previous_steps Δθ(n−1))"
    for command in (["step"], ["step", "--show-deltas"], ["step", "--update", "3"], ["train", "-n", "2"]):
        out = bpcalc(*command[:1], MITCHELL, *command[1:]).stdout
        assert " ".join(out.split()).count(rest) == 1, command
    saved = tmp_path / "a.yaml"
    bpcalc("train", MITCHELL, "-n", "1", "--save", saved)
    for command in (["step"], ["train", "-n", "1"]):
        out = " ".join(bpcalc(command[0], saved, *command[1:]).stdout.split())
        assert "from rest" not in out
        assert "momentum α = 0.9, carried on from the file's previous_steps Δθ(n−1)" in out
    assert "from rest" not in bpcalc("train", MAZUR).stdout  # no momentum, nothing to say


def test_the_saved_file_says_what_the_state_is(tmp_path):
    saved = tmp_path / "a.yaml"
    bpcalc("train", MITCHELL, "-n", "1", "--save", saved)
    text = saved.read_text()
    assert "# Momentum's state: each parameter's last step Δθ(n−1)" in text
    assert "previous_steps:\n  wca: " in text
    network = load_network(saved)
    assert network.previous_steps == training.train(load_network(MITCHELL), 1).velocity
    plain = tmp_path / "plain.yaml"
    bpcalc("train", MAZUR, "-n", "1", "--save", plain)
    assert "previous_steps" not in plain.read_text() and "Momentum" not in plain.read_text()


def test_unlabelled_parameters_are_saved_by_their_one_name(tmp_path):
    path = mazur_with_momentum(tmp_path)
    saved = tmp_path / "a.yaml"
    bpcalc("train", path, "-n", "1", "--save", saved)
    text = saved.read_text()
    assert "  w1: " in text and "b(h2)" not in text  # Mazur's biases are fixed: no step
    free = variant(tmp_path, path, "free.yaml", "update_biases: false", "update_biases: true")
    bpcalc("train", free, "-n", "1", "--save", tmp_path / "b.yaml")
    assert '  "b(h2)": ' in (tmp_path / "b.yaml").read_text()
    assert load_network(tmp_path / "b.yaml").previous_steps.keys() == {p.key for p in load_network(free).parameters()}


# ---------------------------------------------------------------- bad state in a file

BASE = MITCHELL.read_text()


@pytest.mark.parametrize("addition, message", [
    ("previous_steps: {wca: 0.01, wzz: 1}",
     "previous_steps: no parameter 'wzz'; the parameters are: wca, wcb, wdc, wc0, wd0"),
    ("previous_steps: {wca: fast}", "previous_steps 'wca': expected a number, got 'fast'"),
    ("previous_steps: {wca: .inf}", "previous_steps 'wca'"),
    ("previous_steps: [0.1, 0.2]", "previous_steps: expected a map {parameter: its last step Δθ}, got a list"),
    ("previous_steps: {wca: 0.1, a->c: 0.2}", "previous_steps: wca is already given, as 'wca' (line 34)"),
])
def test_bad_state_is_one_located_line(tmp_path, addition, message):
    target = tmp_path / "net.yaml"
    target.write_text(BASE + addition + "\n")
    with pytest.raises(NetworkFileError) as caught:
        load_network(target)
    assert str(caught.value).startswith(f"{target}:34:")
    assert message in str(caught.value)


def test_state_without_momentum_is_refused(tmp_path):
    target = tmp_path / "net.yaml"
    target.write_text(BASE.replace("momentum: 0.9\n", "") + "previous_steps: {wca: 0.01}\n")
    result = bpcalc("step", target)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"bpcalc: {target}:33:")
    assert "the file has no momentum" in result.stderr and result.stderr.count("\n") == 1


def test_state_for_a_fixed_bias_is_refused(tmp_path):
    target = tmp_path / "net.yaml"
    target.write_text(BASE.replace("batch: online", "batch: online\nupdate_biases: false") +
                      "previous_steps: {wca: 0.01, wd0: 0.02}\n")
    with pytest.raises(NetworkFileError, match="wd0 is held fixed .update_biases: false., so it has no step"):
        load_network(target)


def test_any_name_of_a_parameter_is_accepted(tmp_path):
    target = tmp_path / "net.yaml"
    target.write_text(BASE + "previous_steps: {wca: 0.01, b-c: 0.02, 'c->d': 0.03, d: 0.04}\n")
    assert load_network(target).previous_steps == {"a->c": 0.01, "b->c": 0.02, "c->d": 0.03, "d": 0.04}
    # the engine adds α times them to the first step
    record = engine.step(load_network(target))
    first = engine.step(load_network(MITCHELL))
    for mine, theirs in zip(record.updates, first.updates):
        assert mine.previous_step == load_network(target).previous_steps.get(mine.name, 0.0)
        assert mine.step == theirs.step + 0.9 * mine.previous_step
