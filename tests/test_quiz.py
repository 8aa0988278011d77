"""bpcalc quiz: piped (one answer a line) and in a pseudo-terminal, judged as check judges, hints, saving."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time

import pytest

from bpcalc import engine
from bpcalc import quantities as q
from bpcalc.check.grade import Checker
from bpcalc.loader import load_network
from bpcalc.quiz import progress
from bpcalc.quiz.session import Session
from bpcalc.render.numbers import plain

from conftest import NETWORKS

MAZUR = NETWORKS / "mazur.yaml"


def key(path=MAZUR, part_kinds=None) -> list[tuple[str, str]]:
    """Every asked name with its true value to 9 significant digits, from the engine's step and the template."""
    network = load_network(path)
    values = q.step_quantities(engine.step(network))
    if network.options.delta_sign == "error":  # the course writes δ = −∂E/∂net
        values = {n: -v if n.startswith("delta_") else v for n, v in values.items()}
    names = Checker(network).vocabulary.template()
    return [(n, plain(values[n])) for n in names]


def lines(pairs) -> str:
    return "".join(f"{value}\n" for _, value in pairs)


def test_all_right_piped_exits_0(run):
    answers = key()
    result = run("quiz", MAZUR, input=lines(answers))
    assert result.exit_code == 0, result.stdout
    assert f"Score: {len(answers)} of {len(answers)} right" in result.stdout
    assert "\033[" not in result.stdout  # plain text when piped
    # each name is asked in the order of bpcalc answers, and its worked line shown once earned
    asked = [line.split("] ", 1)[1].split(" = ")[0] for line in result.stdout.splitlines() if line.startswith("[")]
    assert asked == [n for n, _ in answers]
    assert "  out_h1 = σ(net_h1) = 1/(1+e^−0.3775) = 0.593269992" in result.stdout


def test_sign_slip_is_named_and_followed_through(run):
    answers = dict(key())
    delta = -float(answers["delta_o1"])  # δ written as (t − out)·f′: the sign slip
    answers["delta_o1"] = "-0.1385"
    answers["dE/dw5"] = f"{delta * 0.593269992:.4f}"  # carried on from the student's own δ
    answers["w5+"] = f"{0.4 - 0.5 * float(answers['dE/dw5']):.4f}"
    result = run("quiz", MAZUR, input=lines(answers.items()))
    assert result.exit_code == 1
    out = result.stdout
    assert "[12/32] delta_o1 = -0.1385\n  ✗ not right (checked to 4 decimal places" in out
    assert "The sign is flipped" in out
    assert "right from your own delta_o1 (follow-through)" in out.split("dE/dw5 = ")[1]
    assert "right from your own" in out.split("[18/32] w5+ = ")[1].splitlines()[1]
    assert "Score: 31 of 32 right" in out
    assert "Wrong:\n  delta_o1 = -0.1385: " in out


def test_hints_are_the_worked_lines_formula_then_numbers(run):
    result = run("quiz", MAZUR, "--part", "forward", input="?\n?\n?\n0.3775\n")
    out = result.stdout
    assert "  hint: net_h1 = w1·i1 + w2·i2 + b1·1\n" in out
    assert "  hint: net_h1 = w1·i1 + w2·i2 + b1·1 = 0.15×0.05 + 0.2×0.1 + 0.35×1\n" in out
    assert "no more hints" in out
    assert "✓ right" in out
    assert "3 hints used" not in out and "2 hints used" in out
    assert "0 right at the first try" in out  # a hint was needed


def test_not_a_number_asks_again(run):
    result = run("quiz", MAZUR, "--part", "forward", input="zero point four\n0.3775\n")
    out = result.stdout
    assert "  that is not a number" in out
    assert out.count("[1/11] net_h1 = ") == 2
    assert "✓ right" in out


@pytest.mark.parametrize("text", ["1_000", "Infinity", "nan", "0,5", "½", "٠٫٥"])
def test_only_plain_numbers_are_numbers(run, text):
    result = run("quiz", MAZUR, "--part", "forward", input=f"{text}\n")
    assert "that is not a number" in result.stdout


def test_colour_only_with_a_person_at_the_keyboard(run):
    result = run("quiz", MAZUR, "--part", "forward", input="0.3775\n", env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert "✓ right" in result.stdout and "\033[" not in result.stdout


def test_forward_only_network(run, tmp_path):
    text = MAZUR.read_text().replace("learning_rate: 0.5\n", "")
    net = tmp_path / "no-eta.yaml"
    net.write_text(text)
    answers = key()[:11]
    result = run("quiz", net, input=lines(answers))
    assert result.exit_code == 0 and "Score: 11 of 11 right" in result.stdout
    backward = run("quiz", net, "--part", "backward", input="")
    assert backward.exit_code == 2 and "only the forward pass" in backward.stderr


def test_closed_standard_input():
    done = subprocess.run([sys.executable, "-m", "bpcalc", "quiz", "--part", "forward"], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "Score: 0 of 11 right" in done.stdout and "Traceback" not in done.stderr


def test_end_of_input_is_a_partial_score(run):
    result = run("quiz", MAZUR, input="0.3775\n\n")
    assert result.exit_code == 1
    assert "Traceback" not in result.stdout + result.stderr
    out = result.stdout
    assert "end of input" in out
    assert "Stopped at question 3 of 32." in out
    assert "Score: 1 of 32 right" in out
    assert "Missed: out_h1" in out
    assert "Not reached: 30 (net_h2 … E_after)" in out


def test_skip_shows_and_uses_the_value(run):
    # out_h1 skipped: the worked value is shown, and net_o1 from it is right
    answers = key()
    text = "0.3775\nskip\n" + lines(answers[2:6])
    result = run("quiz", MAZUR, input=text)
    assert "skipped; the worked line:\n  out_h1 = σ(net_h1) = 1/(1+e^−0.3775) = 0.593269992" in result.stdout
    assert result.stdout.split("net_o1 = ")[1].splitlines()[1] == "  ✓ right"


def test_quit_ends_with_the_score(run):
    result = run("quiz", MAZUR, input="0.3775\nq\n0.5\n")
    assert result.exit_code == 1
    assert "Score: 1 of 32 right" in result.stdout
    assert "[3/32]" not in result.stdout


@pytest.mark.parametrize("name", ["udacity.yaml", "csc4007-example2.yaml", "rumelhart-xor.yaml", "brilliant.yaml"])
def test_other_networks_all_right(run, name):
    """δ in the course's sign (udacity's δ = (t − out)·f′), hand rounding, skip connections, several samples."""
    answers = key(NETWORKS / name)
    result = run("quiz", NETWORKS / name, input=lines(answers))
    assert result.exit_code == 0, result.stdout
    assert f"Score: {len(answers)} of {len(answers)} right" in result.stdout


def test_parts(run):
    forward = run("quiz", MAZUR, "--part", "forward", input=lines(key()[:11]))
    assert forward.exit_code == 0 and "Score: 11 of 11 right" in forward.stdout
    update = run("quiz", MAZUR, "--part", "update", input="")
    assert "[1/9] w5+ = " in update.stdout
    assert "Given, from the worked solution:" in update.stdout and "dE/dw5 = 0.082167041" in update.stdout


def test_session_judges_as_check_does():
    """The verdict the session gives is the verdict of check on the same sheet."""
    network = load_network(MAZUR)
    session = Session(network)
    given = {"net_h1": "0.3775", "out_h1": "0.59", "net_h2": "0.39"}
    for name, value in given.items():
        j = session.answer(value)
        assert j.answer.name.canonical == name
        session.move_on()
    checker = Checker(network)
    text = "".join(f"{n}: {v}\n" for n, v in given.items())
    result = checker.check(checker.read("<sheet>", text))
    assert [j.verdict for j in result.judgements] == [session.judgement(n).verdict for n in given]


# ---------------------------------------------------------------- saving and resuming

def test_save_and_resume(run, tmp_path):
    saved = tmp_path / "week3.yaml"
    answers = key()
    first = run("quiz", MAZUR, "--save", saved, input=lines(answers[:3]))
    assert first.exit_code == 1 and saved.exists()
    assert f"continue with bpcalc quiz --resume {saved}" in first.stdout
    assert progress.read(saved).source.network == str(MAZUR.resolve())
    second = run("quiz", "--resume", saved, input=lines(answers[3:]))
    assert second.exit_code == 0, second.stdout
    assert "Resuming at question 4 of 32." in second.stdout
    assert "[4/32] out_h2 = " in second.stdout and "[3/32]" not in second.stdout
    assert "Score: 32 of 32 right" in second.stdout


def test_save_refuses_another_quiz(run, tmp_path):
    saved = tmp_path / "p.yaml"
    run("quiz", MAZUR, "--save", saved, input="0.3775\n")
    other = run("quiz", NETWORKS / "udacity.yaml", "--save", saved, input="")
    assert other.exit_code == 2
    assert "holds another quiz" in other.stderr and "--force" in other.stderr
    forced = run("quiz", NETWORKS / "udacity.yaml", "--save", saved, "--force", input="")
    assert forced.exit_code == 1
    assert progress.read(saved).source.network.endswith("udacity.yaml")


def test_resume_of_a_file_that_is_not_progress(run, tmp_path):
    result = run("quiz", "--resume", MAZUR)
    assert result.exit_code == 2 and "not a quiz progress file" in result.stderr


def test_random_variant_of_a_real_template(run, tmp_path):
    """With bpcalc generate present: a variant drawn, its seed printed, the same numbers again from the seed."""
    template = NETWORKS / "templates" / "hw4.yaml"
    if not template.exists():
        pytest.skip("no template with a vary: block here")
    first = run("quiz", "--random", template, "--seed", "7", "--part", "forward", input="")
    assert first.exit_code == 1 and f"seed 7 (replay it with --random {template} --seed 7)" in first.stdout
    again = run("quiz", "--random", template, "--seed", "7", "--part", "forward", input="")
    assert again.stdout == first.stdout


@pytest.fixture
def fake_generate(monkeypatch):
    """A stand-in for bpcalc.generate until it lands: the template with w1 set from the seed."""
    import types

    drawn = []

    def fresh_variant(template, seed):
        drawn.append((template, seed))
        network = load_network(template)
        return network.with_parameters({"i1->h1": seed / 100})

    monkeypatch.setitem(sys.modules, "bpcalc.generate", types.SimpleNamespace(fresh_variant=fresh_variant))
    return drawn


def test_random_draws_a_seed_and_replays_it(run, fake_generate, tmp_path):
    first = run("quiz", "--random", MAZUR, "--part", "forward", input="")
    (template, seed), = fake_generate
    assert template == MAZUR.resolve() and 0 <= seed < 1_000_000
    assert f"seed {seed} (replay it with --random {MAZUR.resolve()} --seed {seed})" in first.stdout
    saved = tmp_path / "r.yaml"
    net_h1 = f"{seed / 100 * 0.05 + 0.2 * 0.1 + 0.35:.6f}"
    again = run("quiz", "--random", MAZUR, "--seed", str(seed), "--part", "forward", "--save", saved,
                input=net_h1 + "\n")
    assert fake_generate[-1][1] == seed
    assert "[1/11] net_h1 = " in again.stdout and "✓ right" in again.stdout
    assert progress.read(saved).source == progress.Source(template=str(MAZUR.resolve()), seed=seed)
    resumed = run("quiz", "--resume", saved, input="")
    assert fake_generate[-1][1] == seed and "Resuming at question 2 of 11." in resumed.stdout


def test_random_and_a_network_together(run):
    result = run("quiz", MAZUR, "--random", MAZUR, input="")
    assert result.exit_code == 2 and "not both" in result.stderr


def test_seed_without_random(run):
    result = run("quiz", "--seed", "3", input="")
    assert result.exit_code == 2 and "--random" in result.stderr


# ---------------------------------------------------------------- in a pseudo-terminal

class Terminal:
    """bpcalc quiz run in a pseudo-terminal, as a student at a keyboard runs it."""

    def __init__(self, *args: str):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: bpcalc, with the pty as its terminal
            env = dict(os.environ, TERM="xterm", COLUMNS="80")
            env.pop("NO_COLOR", None)
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # as a shell starts a program, whatever the test runner did
            os.execve(sys.executable, [sys.executable, "-m", "bpcalc", "quiz", *args], env)
        self.seen = ""

    def expect(self, text: str, timeout: float = 60) -> str:
        end = time.monotonic() + timeout
        while text not in self.seen:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{text!r} not seen in:\n{self.seen}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"{text!r} not seen before the end:\n{self.seen}")
                self.seen += chunk.decode("utf-8", "replace")
        return self.seen

    def send(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def status(self, timeout: float = 60) -> int:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:  # keep reading, so that the child never blocks on a full terminal
                ready, _, _ = select.select([self.fd], [], [], 0.1)
                if ready:
                    self.seen += os.read(self.fd, 4096).decode("utf-8", "replace")
            except OSError:
                pass
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
        os.kill(self.pid, signal.SIGKILL)
        raise AssertionError(f"bpcalc quiz did not end:\n{self.seen}")


def test_terminal_session_hint_right_quit():
    t = Terminal(str(MAZUR))
    t.expect("[1/32] net_h1 = ")
    t.send("?\r")
    t.expect("hint: net_h1 = w1·i1 + w2·i2 + b1·1")
    t.send("0.3775\r")
    seen = t.expect("[2/32] out_h1 = ")
    assert "\033[32m✓\033[0m right" in seen  # green on a terminal
    t.send("q\r")
    assert t.status() == 1
    assert "Score: 1 of 32 right" in t.seen
    assert "Traceback" not in t.seen


def test_terminal_wrong_answer_may_be_tried_again():
    t = Terminal(str(MAZUR))
    t.expect("[1/32] net_h1 = ")
    t.send("0.9\r")
    t.expect("try again")
    t.send("0.3775\r")
    t.expect("[2/32] out_h1 = ")
    t.send("q\r")
    assert t.status() == 1
    assert "0 right at the first try" in t.seen


def test_terminal_ctrl_c_exits_130_without_a_traceback():
    t = Terminal(str(MAZUR))
    t.expect("[1/32] net_h1 = ")
    t.send("\x03")
    assert t.status() == 130
    assert "Traceback" not in t.seen
    assert "interrupted" in t.seen


def test_terminal_end_of_input():
    t = Terminal(str(MAZUR))
    t.expect("[1/32] net_h1 = ")
    t.send("\x04")
    assert t.status() == 1
    assert "Score: 0 of 32 right" in t.seen and "Traceback" not in t.seen


def test_module_runs():
    """python -m bpcalc quiz, piped, as a script would run it."""
    done = subprocess.run([sys.executable, "-m", "bpcalc", "quiz", "--part", "forward"], input="0.3775\n",
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "Score: 1 of 11 right" in done.stdout


@pytest.mark.parametrize("name", sorted(p.name for p in NETWORKS.glob("*.yaml") if p.name != "flowers.yaml"))
def test_every_question_has_its_worked_line(name):
    """Hints and the lines shown come from the worked solution for every question, the samples an online
    step leaves out included; the line's value is the checker's true value."""
    network = load_network(NETWORKS / name)
    session = Session(network)
    truth = session.checker.truth
    for question in session.questions:
        assert question.equation is not None, question.name
        assert question.working[-1] is question.equation
        if question.equation.value is not None and network.options.rounding is None:
            assert question.equation.value == pytest.approx(truth[question.name], rel=1e-12, abs=1e-15)
