"""What a notebook shows: a worked solution, the network's figure and checked answers, each with the rich
displays Jupyter, VS Code and Colab look for (_repr_markdown_, _repr_latex_, _repr_html_, _repr_svg_)
and a short repr for a plain console. The documents are the CLI's own; nothing is computed here.
"""

from __future__ import annotations

import html
import os
import re
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from .errors import BpcalcError

if TYPE_CHECKING:
    from .check.grade import Judgement, SheetResult
    from .model import Network
    from .render.document import Document, Figure

WHATS = ("step", "forward", "explain", "train")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


class Solution:
    """A worked solution (a render.document.Document), displayed as the CLI's Markdown, LaTeX or HTML."""

    def __init__(self, document: Document, digits: int = 9):
        self.document = document
        self.digits = digits

    def _repr_markdown_(self) -> str:
        from .render import markdown

        return markdown.render(self.document, self.digits, math=True)

    def _repr_latex_(self) -> str:
        from .render import latex

        return latex.render(self.document, self.digits)

    def _repr_html_(self) -> str:
        from .render.html import render

        return render(self.document, self.digits)

    def __str__(self) -> str:
        from .render import terminal

        return terminal.plain(terminal.render(self.document, 100, self.digits))

    def __repr__(self) -> str:
        from .render.document import as_prose
        from .render.text import Writer

        title = Writer(self.digits).prose(as_prose(self.document.title))
        return f"<Solution {title}: {len(self.document.sections)} sections>"

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(repr(self))


def solution(network: Network, what: str = "step", *, param: str | None = None, epochs: int | None = None,
             digits: int = 9, delta_sign: str | None = None, symbolic: bool = False) -> Solution:
    """The worked solution of `bpcalc step --show-deltas` ("step"), `forward`, `explain PARAM` or
    `train -n EPOCHS`, for a notebook to display."""
    from . import engine, training
    from .render.symbols import View

    if what not in WHATS:
        raise BpcalcError(f"what must be one of {', '.join(WHATS)}, not {what!r}")
    view = View(delta_sign=delta_sign or network.options.delta_sign, symbolic=symbolic, show_deltas=True,
                digits=digits)
    if what == "forward":
        from .render.solution import forward_document

        return Solution(forward_document(network, engine.evaluate(network), view), digits)
    if what == "step":
        from .render.solution import step_document

        return Solution(step_document(engine.step(network), view), digits)
    if what == "explain":
        from . import quantities
        from .render.explain import explain_document, explain_input_document

        if param is None:
            raise BpcalcError("what='explain' needs param=, a parameter (w5) or an input (i1)")
        is_input, name = quantities.explained_named(network, param)
        record = engine.step(network)
        document = explain_input_document(record, name, view) if is_input else explain_document(record, name, view)
        return Solution(document, digits)
    from .render.training import train_document

    if epochs is None:
        raise BpcalcError("what='train' needs epochs=, the number of epochs")
    table = engine.checkpoints_for(epochs)
    trained = training.train(network, epochs, table)
    return Solution(train_document(network, trained, view, table), digits)


class Diagram:
    """The network drawn (render.document.Figure): SVG in a notebook, its text lines elsewhere."""

    def __init__(self, figure: Figure):
        self.figure = figure

    def _repr_svg_(self) -> str:
        return self.figure.svg

    def __repr__(self) -> str:
        return "\n".join(self.figure.text()) or f"<Diagram {self.figure.caption}>"


def diagram(network: Network, record: Any = None, caption: str = "") -> Diagram:
    """The network's figure, with the values of `record` (a step or an evaluation) if given."""
    from .draw import figure

    return Diagram(figure(network, record, caption))


# ---------------------------------------------------------------- checked answers

class Checked:
    """The verdicts on one set of answers, as `bpcalc check` gives them: iterate for the Judgement records;
    a notebook shows the table."""

    def __init__(self, result: SheetResult, network: Network):
        self.result = result
        self.network = network

    def __iter__(self) -> Iterator[Judgement]:
        return iter(self.result.judgements)

    def __len__(self) -> int:
        return len(self.result.judgements)

    def __getitem__(self, name: str) -> Judgement:
        for j in self.result.judgements:
            if name in (j.answer.key, j.answer.name.canonical):
                return j
        raise KeyError(name)

    @property
    def right(self) -> int:
        return self.result.right

    @property
    def asked(self) -> int:
        return self.result.asked

    @property
    def all_right(self) -> bool:
        return self.result.all_right and not self.result.sheet.blank

    def rows(self) -> list[tuple[str, str, str, str, str]]:
        """name, answer, expected, verdict, why: the table's rows, as text."""
        from .check.precision import Rule, shown
        from .check.render import explanation

        rule = Rule()
        rows = []
        for j in self.result.judgements:
            mark = {"correct": "✓", "follow_through": "✓ follow-through", "wrong": "✗"}[j.verdict]
            why = explanation(j, rule) if (j.verdict != "correct" or j.diagnosis or j.uses) else ""
            rows.append((j.answer.key, j.answer.written.text, shown(j.expected, j.answer.written, rule), mark, why))
        return rows

    def _repr_markdown_(self) -> str:
        from .render.markdown import code, escape

        lines = [f"**{self.right} of {self.asked} right**", "", "| name | answer | expected | verdict | why |",
                 "| --- | ---: | ---: | --- | --- |"]
        for name, answer, expected, mark, why in self.rows():
            lines.append(f"| {code(name)} | {answer} | {expected} | {mark} | {escape(why)} |")
        return "\n".join(lines) + "\n"

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{h}</th>" for h in ("name", "answer", "expected", "verdict", "why"))
        body = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
                       for row in self.rows())
        return (f"<p><b>{self.right} of {self.asked} right</b></p>"
                f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")

    def __repr__(self) -> str:
        wrong = [j.answer.key for j in self.result.wrong]
        return f"<Checked: {self.right} of {self.asked} right" + (f"; wrong: {', '.join(wrong)}>" if wrong else ">")

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(repr(self))


def check(network: Network, answers: Mapping[str, Any] | str | os.PathLike, *,
          delta_sign: str | None = None) -> Checked:
    """`answers` (a dict of name → number, or an answer file's path) checked as `bpcalc check` does.
    A number given as a str keeps its digits as written ("0.50"); a float is read as Python prints it."""
    from .check.grade import Checker

    if delta_sign is not None:
        network = network._replace(options=network.options._replace(delta_sign=delta_sign))
    checker = Checker(network)
    if isinstance(answers, Mapping):
        sheet = checker.read("<dict>", _answer_text(answers))
    else:
        sheet = checker.read(answers)
    return Checked(checker.check(sheet), network)


def _answer_text(answers: Mapping[str, Any]) -> str:
    """The dict as an answer file: each name quoted, each number as written (None: left blank)."""
    import json

    lines = []
    for name, value in answers.items():
        if value is None:
            text = ""
        elif isinstance(value, str):
            text = value.strip()
        else:
            text = str(value) if isinstance(value, int) else repr(float(value))
        lines.append(f"{json.dumps(str(name))}: {text if _NUMBER.match(text) or not text else json.dumps(text)}")
    return "\n".join(lines) + "\n"
