"""Exit statuses and the last line of defence: every command reports errors, Ctrl-C, a closed pipe and a full disk the same way."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bpcalc import cli, engine, errors
from conftest import NETWORKS, TESTS, bpcalc

MAZUR = NETWORKS / "mazur.yaml"


def python_bpcalc(*args: str, **kwargs) -> subprocess.Popen:
    """`python -m bpcalc ARGS` in a real process, as a user runs it."""
    environment = {**os.environ, "PYTHONPATH": str(TESTS.parent), "COLUMNS": "80", "NO_COLOR": "1"}
    return subprocess.Popen([sys.executable, "-m", "bpcalc", *args], env=environment, cwd=TESTS.parent,
                            stdout=kwargs.pop("stdout", subprocess.PIPE), stderr=subprocess.PIPE, **kwargs)


def test_the_readme_lists_every_exit_status():
    readme = (TESTS.parent / "README.md").read_text()
    section = readme.split("## Exit status", 1)[1].split("\n## ", 1)[0]
    documented = {int(n) for n in re.findall(r"^\| (\d+) \|", section, re.M)}
    defined = {value for name, value in vars(errors).items() if name.startswith("EXIT_")}
    assert documented == defined


def test_every_command_reports_user_errors():
    for command in cli.app.registered_commands:
        assert getattr(command.callback, "reports_user_errors", False), command.callback.__name__


@pytest.mark.parametrize("command, where", [
    (["forward"], "evaluate"), (["step"], "step"), (["train", "-n", "5"], "train"), (["forward", "--json"], "evaluate"),
])
def test_ctrl_c_in_any_command(monkeypatch, command, where):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, where, interrupted)
    result = bpcalc(command[0], MAZUR, *command[1:])
    assert result.exit_code == errors.EXIT_INTERRUPTED == 130
    assert result.stderr == "bpcalc: interrupted\n"
    assert result.stdout == ""


@pytest.mark.parametrize("command", ["forward", "step", "train"])
def test_ctrl_c_while_loading(monkeypatch, command):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "load_network", interrupted)
    result = bpcalc(command, MAZUR)
    assert (result.exit_code, result.stderr) == (130, "bpcalc: interrupted\n")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to see that training has started")
def test_a_real_ctrl_c_during_training():
    process = python_bpcalc("train", str(MAZUR), "-n", "100000000")
    deadline = time.monotonic() + 20
    while cpu_seconds(process.pid) < 1.0 and time.monotonic() < deadline:  # imports take ~0.3 s
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 130
    assert (out, err) == (b"", b"bpcalc: interrupted\n")


def test_a_closed_pipe_ends_quietly():
    process = python_bpcalc("train", str(MAZUR), "-n", "3", "--json")
    process.stdout.close()  # like `| head` that has read enough
    err = process.stderr.read()
    assert process.wait(timeout=20) == errors.EXIT_BROKEN_PIPE == 141
    assert err == b""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_is_one_line():
    with open("/dev/full", "w") as full:
        process = python_bpcalc("forward", str(MAZUR), "--json", stdout=full)
        _, err = process.communicate(timeout=20)
    assert process.returncode == errors.EXIT_OUTPUT_FAILED == 74
    assert err == b"bpcalc: cannot write the output: No space left on device\n"


def test_a_file_name_with_a_line_break_still_gives_one_line(tmp_path):
    path = tmp_path / "net\nwork.yaml"
    result = bpcalc("forward", path)
    assert result.exit_code == 2
    assert result.stderr == f"bpcalc: {tmp_path}/net\\nwork.yaml: no such file\n"


def test_bad_input_on_the_command_line_is_status_2():
    assert bpcalc("train", MAZUR, "-n", "-1").exit_code == errors.EXIT_BAD_INPUT
    assert bpcalc("forward", MAZUR, "--precision", "99").exit_code == errors.EXIT_BAD_INPUT
    assert bpcalc("frobnicate").exit_code == errors.EXIT_BAD_INPUT


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_after_check_has_graded(tmp_path):
    """check exits 1 after its output; that output is still flushed, and its failure reported."""
    answers = tmp_path / "mine.yaml"
    answers.write_text("out_h1: 0.1\n")  # wrong: check exits 1
    with open("/dev/full", "w") as full:
        process = python_bpcalc("check", str(MAZUR), str(answers), stdout=full)
        _, err = process.communicate(timeout=20)
    assert process.returncode == 74
    assert err == b"bpcalc: cannot write the output: No space left on device\n"


def test_standard_output_closed():
    process = subprocess.run(["bash", "-c", f'"{sys.executable}" -m bpcalc forward "{MAZUR}" >&-'],
                             env={**os.environ, "PYTHONPATH": str(TESTS.parent)}, capture_output=True, timeout=20)
    assert process.returncode == 74
    assert process.stderr == b"bpcalc: cannot write the output: standard output is closed\n"
