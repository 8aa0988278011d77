"""Command-line conventions every command shares: -h, --version, a usage mistake as one line with the
nearest valid word (exit 2), counts written 1e4, and a network read from standard input as -."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bpcalc import cli
from bpcalc.commandline import version
from conftest import NETWORKS, TESTS, bpcalc

MAZUR = NETWORKS / "mazur.yaml"
COMMANDS = ["forward", "step", "explain", "train", "new", "draw", "answers", "check", "generate", "quiz"]


def script(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """`python -m bpcalc ARGS` in a process of its own, through cli.main as the installed script runs."""
    environment = {**os.environ, "PYTHONPATH": str(TESTS.parent), "NO_COLOR": "1", "COLUMNS": "80"}
    return subprocess.run([sys.executable, "-m", "bpcalc", *args], input=stdin, capture_output=True, text=True,
                          timeout=60, env=environment, cwd=TESTS.parent)


# ---------------------------------------------------------------- usage mistakes: one line, exit 2

@pytest.mark.parametrize("args, line", [
    (["stpe"], "no such command 'stpe'; did you mean step?"),
    (["step", "--show-delta"], "no such option --show-delta; did you mean --show-deltas?"),
    (["step", "--update", "0"], "--update takes a whole number 1 or more (the K-th update), not 0"),
    (["train", "-n", "-1"], "-n/--epochs takes a whole number 0 or more (epochs), not -1"),
    (["forward", "--precision", "40"], "--precision takes a whole number from 1 to 17 (significant digits), not 40"),
    (["step", "--update", "-3"], "--update takes a whole number 1 or more (the K-th update), not -3"),
    (["train", "--until", "inf"], "--until takes a target error, a number 0 or more (such as 0.001), not 'inf'"),
    (["train", "--until", "-0.5"], "--until takes a target error, a number 0 or more (such as 0.001), not '-0.5'"),
])
def test_a_usage_mistake_is_one_line_on_stderr_and_exit_2_in_a_real_process(args, line):
    run = script(*args)
    assert (run.returncode, run.stdout, run.stderr) == (2, "", f"bpcalc: {line}\n")


@pytest.mark.parametrize("args, line", [
    (["frward"], "no such command 'frward'; did you mean forward?"),
    (["zzz"], "no such command 'zzz'; the commands are " + ", ".join(COMMANDS)),
    (["step", "--update", "-3"], "--update takes a whole number 1 or more (the K-th update), not -3"),
    (["step", "--update", "x"], "--update takes a whole number 1 or more (the K-th update), not 'x'"),
    (["step", "--update", "1.5"], "--update takes a whole number 1 or more (the K-th update), not 1.5"),
    (["step", "--update", "inf"], "--update takes a whole number 1 or more (the K-th update), not 'inf'"),
    (["step", "--update"], "--update needs a value; see bpcalc step --help"),
    (["train", "-n", "1.5"], "-n/--epochs takes a whole number 0 or more (epochs), not 1.5"),
    (["train", "--epochs", "ten"], "-n/--epochs takes a whole number 0 or more (epochs), not 'ten'"),
    (["forward", "--precision", "0"], "--precision takes a whole number from 1 to 17 (significant digits), not 0"),
    (["check", "--decimals", "21", "a.yaml"],
     "--decimals takes a whole number from 0 to 20 (decimal places), not 21"),
    (["forward", "--jsn"], "no such option --jsn; did you mean --json?"),
    (["forward", "--zzzz"], "bpcalc forward has no option --zzzz; see bpcalc forward --help"),
    (["-x"], "bpcalc has no option -x; see bpcalc --help"),
    (["step", "--format", "latx"],
     "--format: 'latx' is not one of 'terminal', 'markdown', 'latex', 'html'; did you mean latex?"),
    (["step", "--delta-sign", "up"], "--delta-sign: 'up' is not one of 'gradient', 'error'"),
    (["explain"], "explain needs [NET] PARAM; see bpcalc explain --help"),
    (["new"], "new needs SHAPE; see bpcalc new --help"),
    (["step", "a.yaml", "b.yaml"], "step got more arguments than it takes: b.yaml; see bpcalc step --help"),
])
def test_every_usage_mistake_is_one_line(args, line):
    run = bpcalc(*args)
    assert (run.exit_code, run.stdout, run.stderr) == (2, "", f"bpcalc: {line}\n")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_reports_a_mistyped_option_in_one_line(command):
    run = bpcalc(command, "--no-such-option")
    assert run.exit_code == 2 and run.stdout == ""
    assert run.stderr.startswith("bpcalc: ") and run.stderr.count("\n") == 1, run.stderr


def test_a_command_added_later_gets_the_same_line():
    """The conventions live in the app's group class, not in each command."""
    import typer

    @cli.app.command("later")
    def later(count: int = typer.Option(1, "--count")) -> None:
        print(count)

    try:
        run = bpcalc("later", "--cuont", "2")
        assert (run.exit_code, run.stderr) == (2, "bpcalc: no such option --cuont; did you mean --count?\n")
        assert bpcalc("later", "-h").exit_code == 0
    finally:
        cli.app.registered_commands.pop()


@pytest.mark.parametrize("bad", ["-0.1", "-1", "inf", "-inf", "nan", "abc", ""])
def test_a_bad_until_is_one_line(bad):
    run = bpcalc("train", MAZUR, "--until", bad)
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == (f"bpcalc: --until takes a target error, a number 0 or more (such as 0.001), "
                          f"not {bad!r}\n")


def test_bpcalc_alone_still_shows_the_help():
    run = script()
    assert run.returncode == 2 and "Commands:" in run.stdout + run.stderr


# ---------------------------------------------------------------- -h, --help, --version

@pytest.mark.parametrize("command", [[]] + [[c] for c in COMMANDS])
def test_dash_h_is_help_everywhere(command):
    short, long = bpcalc(*command, "-h"), bpcalc(*command, "--help")
    assert short.exit_code == long.exit_code == 0
    assert short.stdout == long.stdout and "Usage: bpcalc" in short.stdout
    assert "-h, --help" in short.stdout


def test_version_in_a_real_process():
    run = script("--version")
    assert (run.returncode, run.stderr) == (0, "")
    from importlib import metadata

    assert run.stdout == f"bpcalc {metadata.version('bpcalc')}\n"


def test_version_reads_the_package_metadata():
    from importlib import metadata

    assert version() == metadata.version("bpcalc")
    assert bpcalc("--version").stdout == f"bpcalc {version()}\n"


def test_version_loads_neither_the_engine_nor_rich():
    code = ("import sys; sys.argv = ['bpcalc', '--version']\n"
            "from bpcalc import cli\n"
            "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
            "loaded = [m for m in ('bpcalc.engine', 'bpcalc.loader', 'rich', 'yaml', 'numpy', 'importlib.metadata')"
            " if m in sys.modules]\n"
            "print(loaded, file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(TESTS.parent)})
    assert run.stdout.startswith("bpcalc ") and run.stderr.strip() == "[]"


# ---------------------------------------------------------------- counts written as 1e4

def test_epochs_written_as_a_float_with_a_whole_value():
    assert bpcalc("train", MAZUR, "-n", "1e4", "--json").json() == bpcalc("train", MAZUR, "-n", "10000", "--json").json()
    assert bpcalc("train", MAZUR, "-n", "2.0", "--json").json()["epochs"] == 2


def test_update_written_as_a_float_with_a_whole_value():
    mitchell = NETWORKS / "mitchell-4-7.yaml"
    assert bpcalc("step", mitchell, "--update", "2e0", "--json").json() == bpcalc(
        "step", mitchell, "--update", "2", "--json").json()


# ---------------------------------------------------------------- a network on standard input

@pytest.mark.parametrize("args", [["forward"], ["step", "--show-deltas"], ["explain", "-", "w5"], ["train", "-n", "3"],
                                  ["answers"], ["forward", "--json"]])
def test_every_command_reads_a_network_from_standard_input(args):
    command, rest = args[0], args[1:]
    piped = script(command, *(rest if command == "explain" else ["-", *rest]), stdin=MAZUR.read_text())
    from_file = script(command, *([str(MAZUR), rest[1]] if command == "explain" else [str(MAZUR), *rest]))
    assert piped.returncode == 0, piped.stderr
    expected = from_file.stdout.replace(str(MAZUR), "-")
    assert piped.stdout == expected


def test_check_reads_its_network_from_standard_input(tmp_path):
    answers = tmp_path / "mine.yaml"
    answers.write_text("out_h1: 0.593269992\nout_h2: 0.9123\n")
    piped = script("check", "-", str(answers), "--json", stdin=MAZUR.read_text())
    from_file = script("check", str(MAZUR), str(answers), "--json")
    assert piped.returncode == from_file.returncode == 1
    assert piped.stdout.replace('"<stdin>"', "NET") == from_file.stdout.replace(f'"{MAZUR}"', "NET")


def test_train_save_from_standard_input(tmp_path):
    out = tmp_path / "trained.yaml"
    piped = script("train", "-", "-n", "5", "--save", str(out), stdin=MAZUR.read_text())
    assert piped.returncode == 0, piped.stderr
    assert "5 epochs of <stdin>" in out.read_text()
    again = script("forward", str(out), "--json")
    trained = script("train", str(MAZUR), "-n", "5", "--json")
    import json

    assert json.loads(again.stdout)["error"] == json.loads(trained.stdout)["error"]


def test_errors_in_a_network_on_standard_input_name_stdin_and_the_line():
    text = MAZUR.read_text().replace("activation: sigmoid", "activation: sigmod", 1)
    run = script("step", "-", stdin=text)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.startswith("bpcalc: <stdin>:10:17: layer 2: unknown activation") and "did you mean 'sigmoid'?" in run.stderr
    assert run.stderr.count("\n") == 1
    empty = script("forward", "-", stdin="")
    assert (empty.returncode, empty.stderr) == (2, "bpcalc: <stdin>: the file is empty; expected a network "
                                                   "with 'layers' and 'samples'\n")
