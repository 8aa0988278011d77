"""The commands as a user runs them: defaults, output, errors and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bpcalc.cli import default_network_path
from bpcalc.loader import load_network
from conftest import CASES, NETWORKS, bpcalc


def test_bundled_default_is_the_mazur_example():
    assert default_network_path().read_text() == (NETWORKS / "mazur.yaml").read_text()


@pytest.mark.parametrize("path", sorted(NETWORKS.glob("*.yaml")), ids=lambda p: p.stem)
def test_examples_match_the_shared_cases(path):
    """networks/ carries the shared cases (comments may differ, the networks may not)."""
    case = CASES / path.name
    if case.exists():
        a, b = load_network(path), load_network(case)
        options = a.options._replace(delta_sign=b.options.delta_sign)  # networks/ may say the course's sign
        assert (a.layers, a.samples, options, dict(a.labels)) == (b.layers, b.samples, b.options, dict(b.labels))


@pytest.mark.parametrize("command", [["forward"], ["step"], ["step", "--show-deltas"], ["train", "-n", "3"]])
def test_commands_run_on_the_bundled_network(command):
    result = bpcalc(*command)
    assert result.exit_code == 0, result.stderr
    assert "mazur-2-2-2" in result.stdout
    assert "\x1b[" not in result.stdout  # NO_COLOR / not a terminal: no escape codes


@pytest.mark.parametrize("path", sorted(NETWORKS.glob("*.yaml")), ids=lambda p: p.stem)
@pytest.mark.parametrize("command", [["forward"], ["step", "--show-deltas"], ["train", "-n", "5"]])
def test_every_example_runs_through_every_command(path, command):
    result = bpcalc(command[0], path, *command[1:])
    assert result.exit_code == 0, result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_step_shows_every_number_of_mazurs_update():
    out = bpcalc("step", "--show-deltas").stdout
    for number in ["0.74136507", "0.186815602", "0.138498562", "0.241300709", "0.149780716",
                   "0.35891648", "0.408666186", "0.51130127", "0.561370121", "0.298371109"]:
        assert number in out


@pytest.mark.parametrize("command", [["forward"], ["step"], ["train", "-n", "2"]])
def test_json_is_one_document_and_nothing_else(command):
    result = bpcalc(*command, "--json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert "error" in document


def test_bad_file_gets_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("layers: [\n  - {inputs: [a]\n")
    result = bpcalc("forward", bad)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"bpcalc: {bad}:")


def test_missing_file(tmp_path):
    result = bpcalc("step", tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"bpcalc: {tmp_path / 'nope.yaml'}: no such file"


def test_step_without_learning_rate(tmp_path):
    net = tmp_path / "net.yaml"
    text = (NETWORKS / "udacity.yaml").read_text().replace("learning_rate: 0.5\n", "")
    net.write_text(text)
    assert bpcalc("forward", net).exit_code == 0
    result = bpcalc("step", net)
    assert result.exit_code == 2
    assert "no learning_rate" in result.stderr


def test_train_diverging_names_the_epoch(tmp_path):
    net = tmp_path / "net.yaml"
    net.write_text("learning_rate: 1e150\nlayers:\n  - inputs: [x]\n  - activation: linear\n"
                   "    neurons: {y: {weights: {x: 1}}}\nsamples:\n  - {inputs: [1e100], targets: [0]}\n")
    result = bpcalc("train", net, "-n", "50")
    assert result.exit_code == 2
    assert "diverged in epoch 1" in result.stderr


def test_help_teaches():
    result = bpcalc("--help")
    assert result.exit_code == 0
    for word in ["forward", "step", "train", "Mazur"]:
        assert word in result.stdout


def _console_script(*args: str) -> subprocess.CompletedProcess:
    """bpcalc as the installed script runs it: through cli.main, which builds only the command named."""
    return subprocess.run([sys.executable, "-m", "bpcalc", *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(NETWORKS.parent), "NO_COLOR": "1"})


@pytest.mark.parametrize("args", [["step", "--json"], ["forward"], ["train", "-n", "3"], ["explain", "w5"]])
def test_the_console_script_runs_each_command_as_the_app_does(args):
    script = _console_script(*args)
    assert script.returncode == 0, script.stderr
    assert script.stdout == bpcalc(*args).stdout


def test_the_console_script_still_knows_every_command():
    listing = _console_script("--help").stdout
    assert all(name in listing for name in ["forward", "step", "explain", "train", "answers", "check"])
    misspelt = _console_script("stpe")
    assert misspelt.returncode == 2 and misspelt.stderr == "bpcalc: no such command 'stpe'; did you mean step?\n"
    assert "[NET]" in _console_script("step", "--help").stdout


def test_forward_without_targets_shows_the_outputs_and_no_error(tmp_path):
    """"What does the net output?": a sample may leave out its targets; step and train need them."""
    net = tmp_path / "net.yaml"
    net.write_text((NETWORKS / "mazur.yaml").read_text().replace("    targets: {o1: 0.01, o2: 0.99}\n", ""))
    document = bpcalc("forward", net, "--json").json()
    [sample] = document["samples"]
    assert "error" not in document and "error" not in sample and "targets" not in sample
    assert sample["neurons"]["o1"]["out"] == pytest.approx(0.75136507, abs=1e-8)
    text = bpcalc("forward", net)
    assert text.exit_code == 0 and "out_o2" in text.stdout and "E_total" not in text.stdout
    for command in ("step", "train"):
        result = bpcalc(command, net)
        assert result.exit_code == 2
        assert result.stderr == (f"bpcalc: {net}: sample 1 has no targets: step and train need a target for "
                                 "every output (forward shows the outputs without them)\n")
