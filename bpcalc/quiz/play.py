"""The quiz's input() loop: ask, judge, say why, show the worked line; the same on a terminal and from a pipe.

On a terminal the prompt has line editing (readline, where Python has it), ✓ and ✗ are coloured
and a wrong answer may be tried again. From a pipe there is one line per question, in the order
of `bpcalc answers` (a wrong answer stands and the next line answers the next question, so the
lines of an answer file can be piped in as they are), each line is echoed after its prompt,
and nothing but plain text is written.
"""

from __future__ import annotations

import sys
import textwrap
from typing import Callable, TextIO

from ..check.grade import FOLLOW_THROUGH, WRONG, Judgement
from ..render.document import Equation, Note, Section
from ..render.numbers import plain
from ..render.text import Writer, symbol_width
from .session import Question, Score, Session

INDENT = "  "
COMMANDS = "type the value, ? for a hint, Enter or skip to move on, q to stop"
GREEN, RED, DIM, RESET = "\033[32m", "\033[31m", "\033[2m", "\033[0m"


class Player:
    """Plays `session` reading lines with `read(prompt)` and writing to `out`; `save` is called after every
    change, so that an interruption loses nothing."""

    def __init__(self, session: Session, *, interactive: bool, colour: bool, out: TextIO | None = None,
                 read: Callable[[str], str] | None = None, save: Callable[[Session], None] | None = None,
                 width: int = 80, digits: int = 9):
        self.session = session
        self.interactive = interactive
        self.colour = colour
        self.out = out if out is not None else sys.stdout
        self.read = read or (input if interactive else self._read_piped)
        self.save = save or (lambda _session: None)
        self.width = width
        self.writer = Writer(digits)

    # ---- the loop

    def play(self) -> Score:
        """Ask every question not done; returns the score at the end, at `q` or at the end of input."""
        s = self.session
        self.introduce()
        while (question := s.current) is not None:
            try:
                line = self.read(f"[{s.number}/{len(s.questions)}] {question.name} = ").strip()
            except EOFError:
                self.say("end of input: stopping here")
                break
            if line.lower() in ("q", "quit", "exit"):
                break
            self.respond(question, line)
        score = s.score()
        self.report(score, finished=s.current is None)
        return score

    def respond(self, question: Question, line: str) -> None:
        """Do what one line of input asks for the current question."""
        s = self.session
        if line in ("?", "hint"):
            hint = s.hint()
            self.save(s)
            if hint is None:
                self.say(f"{INDENT}no more hints: Enter shows the worked line")
            else:
                self.say(*self.lines(hint, prefix="hint: "))
            return
        if line in ("", "skip"):
            standing = s.progress[question.name].written is not None
            s.move_on()
            self.save(s)
            self.say(f"{INDENT}{'your answer stands' if standing else 'skipped'}; the worked line:",
                     *self.working(question))
            return
        try:
            judgement = s.answer(line)
        except ValueError:
            self.say(f"{INDENT}that is not a number ({COMMANDS})")
            return
        if judgement.right:
            s.move_on()
            self.save(s)
            self.say(*self.wrap(self.praise(judgement), right=True), *self.working(question))
            return
        self.say(*self.wrap(self.reason(judgement), right=False))
        if self.interactive:
            self.save(s)
            self.say(f"{INDENT}try again: {COMMANDS}")
        else:
            s.move_on()
            self.save(s)
            self.say(*self.working(question))

    # ---- what is written

    def introduce(self) -> None:
        """The network as the student needs it: the conventions, the inputs and targets, every parameter."""
        s = self.session
        doc = s.document
        self.say(f"Quiz: {s.network.name or s.network.path or 'network'}, part {s.part}: "
                 f"{len(s.questions)} questions.")
        self.say(*_wrapped([self.writer.prose(c) for c in doc.conventions], self.width, INDENT, " · "))
        self.say(*(INDENT + line for line in _drawing(s, self.width - len(INDENT))))
        for note in _first_notes(doc):
            self.say(f"{INDENT}{note}")
        labels = {key: label for label, key in s.network.labels.items()}
        parameters = [f"{labels[p.key]} ({p.key})" if p.key in labels else s.network.label_of(p.key)
                      for p in s.network.parameters()]
        self.say(*_wrapped([f"{name} = {plain(p.value)}" for name, p in zip(parameters, s.network.parameters())],
                           self.width, INDENT))
        given = s.values_given()
        if given:
            self.say("Given, from the worked solution:",
                     *_wrapped([f"{name} = {plain(value)}" for name, value in given], self.width, INDENT))
        if s.number > 1:
            self.say(f"Resuming at question {s.number} of {len(s.questions)}.")
        self.say(*textwrap.wrap(f"For each value, {COMMANDS}.", max(self.width, 40)), "")

    def report(self, score: Score, finished: bool) -> None:
        s = self.session
        lines = [""]
        if not finished:
            lines.append(f"Stopped at question {s.number} of {score.total}.")
        lines.append(f"Score: {score.right} of {score.total} right · {score.hints} hint{'s' if score.hints != 1 else ''}"
                     f" used · {score.first_try} right at the first try")
        if score.missed:
            lines.append(f"Missed: {', '.join(score.missed)}")
        if score.unreached:
            first, last = score.unreached[0], score.unreached[-1]
            span = first if first == last else f"{first} … {last}"
            lines.append(f"Not reached: {len(score.unreached)} ({span})")
        if score.wrong:
            lines.append("Wrong:")
            for j in score.wrong:
                lines += self.wrap(f"{j.answer.key} = {j.answer.written.text}: {self.reason(j)}")
        self.say(*lines)

    def praise(self, j: Judgement) -> str:
        if j.verdict == FOLLOW_THROUGH:
            return f"right from your own {', '.join(j.uses)} (follow-through)"
        if j.slack:
            return "right, within one in the last place"
        return "right"

    def reason(self, j: Judgement) -> str:
        """Why an answer is wrong: check's own sentence, and the precision it was judged to."""
        from ..check.render import explanation

        assert j.verdict == WRONG
        rule = self.session.checker.rule
        judged = rule.describe().replace("the digits written", j.answer.written.describe())
        return f"not right (checked {judged}). {explanation(j, rule)}"

    def wrap(self, text: str, right: bool | None = None) -> list[str]:
        """A sentence or two, indented and broken to the width, after a ✓ or ✗ if `right` says which."""
        first = INDENT + ("" if right is None else "✓ " if right else "✗ ")
        lines = textwrap.wrap(text, max(self.width, 40), initial_indent=first, subsequent_indent=INDENT * 2,
                              break_on_hyphens=False) or [first]
        if right is not None:
            lines[0] = INDENT + self.mark(right) + lines[0][len(INDENT) + 1:]
        return lines

    def mark(self, right: bool) -> str:
        symbol = "✓" if right else "✗"
        if not self.colour:
            return symbol
        return f"{GREEN if right else RED}{symbol}{RESET}"

    def working(self, question: Question) -> list[str]:
        """The worked solution's lines that lead to the question's value, and its own."""
        equations = question.working
        align = symbol_width(equations, self.writer)
        return [line for eq in equations for line in self.writer.lines(eq, self.width, len(INDENT), align)]

    def lines(self, eq: Equation, prefix: str) -> list[str]:
        lines = self.writer.lines(eq, self.width - len(prefix), 0)
        return [INDENT + (prefix if k == 0 else " " * len(prefix)) + line for k, line in enumerate(lines)]

    def say(self, *lines: str) -> None:
        for line in lines:
            self.out.write(line + "\n")
        self.out.flush()

    def _read_piped(self, prompt: str) -> str:
        """A line from a pipe, echoed after its prompt so that the transcript reads as a session."""
        self.out.write(prompt)
        line = sys.stdin.readline() if sys.stdin is not None else ""  # started with standard input closed
        if not line:
            self.out.write("\n")
            raise EOFError
        self.out.write(line.rstrip("\r\n") + "\n")
        return line


def _drawing(session: Session, width: int) -> tuple[str, ...]:
    """The network drawn in text, fitted to `width` columns: the sheet's diagram."""
    from ..draw import terminal_lines

    return tuple(terminal_lines(session.network, None, width))


def _first_notes(document) -> list[str]:
    """The inputs and targets, as the forward pass's first note writes them (one per sample)."""
    writer = Writer()
    notes = []
    for section in document.sections:
        if isinstance(section, Section) and section.blocks and isinstance(section.blocks[0], Note):
            text = writer.prose(section.blocks[0].text)
            if text.startswith("inputs"):
                notes.append(text)
    return notes


def _wrapped(items: list[str], width: int, indent: str, separator: str = "   ") -> list[str]:
    """The items `separator` apart, as many to a line as fit."""
    lines, current = [], ""
    for item in items:
        if current and len(indent) + len(current) + len(separator) + len(item) > width:
            lines.append(indent + current)
            current = item
        else:
            current = f"{current}{separator}{item}" if current else item
    if current:
        lines.append(indent + current)
    return lines


def line_editing() -> None:
    """Arrow keys and history for input() on a terminal, where this Python has readline."""
    try:
        import readline  # noqa: F401  (importing it is what turns line editing on)
    except ImportError:
        pass

