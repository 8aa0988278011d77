"""The gradebook (check --csv): one row per answer file and one column per question, for a spreadsheet.

Each question's cell is one of CELLS' words (plain ASCII, so that any spreadsheet and any
script reads them alike); a file that could not be graded has its reason in `problem` and its
question cells empty. The text starts with a byte order mark unless asked not to, so that
Excel reads it as UTF-8 and keeps names such as Müller.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Sequence

from .grade import CORRECT, FOLLOW_THROUGH, WRONG, SheetResult
from .run import Grading, Rejected

CELLS = {CORRECT: "right", FOLLOW_THROUGH: "follow-through", WRONG: "wrong"}
BLANK = "blank"  # asked and not answered: left blank, or (with --questions) missing
BOM = "\ufeff"


def student(path: str, variant: str | None) -> str:
    """Who a row is: the variant the file names, else the file's name without .answers.yaml."""
    if variant:
        return variant
    name = Path(path).name
    for suffix in (".answers.yaml", ".answers.yml", ".yaml", ".yml"):
        if name.endswith(suffix):
            return name[:-len(suffix)]
    return Path(path).stem


def columns(grading: Grading) -> tuple[str, ...]:
    """The question columns: the --questions names, else every name any file gives, in the order
    the files' solutions list them."""
    seen: dict[str, None] = {}
    for result in grading.graded:
        if result.questions is not None:
            return result.questions
        for j in result.judgements:
            seen.setdefault(j.answer.name.canonical)
        for name in result.sheet.blank:
            seen.setdefault(name)
    order = {name: k for k, name in enumerate(grading.vocabulary.names)} if grading.vocabulary else {}
    return tuple(sorted(seen, key=lambda name: order.get(name, len(order))))  # X@N after the step, as found


def csv_text(grading: Grading, bom: bool = True) -> str:
    """The gradebook; the grading's points (check --points) add the points earned and possible."""
    questions = columns(grading)
    points, kinds = grading.points, grading.kinds
    worth = {name: points.of(name, kinds.get(name, "trained")) for name in questions} if points else {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header = ["student", "file", "score", "right", "asked"]
    header += ["points", "max_points"] if points else []
    header += [*questions, "follow_through", "wrong", "blank", "wrong_names", "reasons", "problem"]
    writer.writerow(header)
    for result in grading.results:
        if isinstance(result, Rejected):
            row: list[object] = [student(result.path, result.variant), result.path, "", "", ""]
            row += ["", ""] if points else []
            row += [""] * len(questions) + ["", "", "", "", "", result.reason]
            writer.writerow(row)
            continue
        cells = _cells(result, questions)
        score = f"{100 * result.right / result.asked:.1f}" if result.asked else ""
        row = [student(result.sheet.path, result.sheet.variant), result.sheet.path, score,
                result.right, result.asked]
        if points:
            asked = [name for name in questions if cells[name] != ""]
            earned = sum(worth[name] for name in asked if cells[name] in (CELLS[CORRECT], CELLS[FOLLOW_THROUGH]))
            row += [_number(earned), _number(sum(worth[name] for name in asked))]
        row += [cells[name] for name in questions]
        row += [result.count(FOLLOW_THROUGH), len(result.wrong), len(result.unanswered),
                "; ".join(j.answer.name.canonical for j in result.wrong), reasons(result, "; "), ""]
        writer.writerow(row)
    return (BOM if bom else "") + out.getvalue()


def _cells(result: SheetResult, questions: Sequence[str]) -> dict[str, str]:
    cells = {name: "" for name in questions}
    for name in result.unanswered:
        cells[name] = BLANK
    for j in result.scored:
        cells[j.answer.name.canonical] = CELLS[j.verdict]
    return {name: cells[name] for name in questions}


def _number(x: float) -> str:
    return f"{x:g}"


def reasons(result: SheetResult, separator: str) -> str:
    """Each wrong answer with its diagnosis code: "delta_h1 (new_weights), w1+ (?)"; blanks last."""
    items = [f"{j.answer.name.canonical} ({code(j.diagnosis)})" for j in result.wrong]
    items += [f"{name} (blank)" for name in result.unanswered]
    return separator.join(items)


def code(diagnosis) -> str:
    """A diagnosis as the tables show it: its code, "a or b" when several fit, "?" for none."""
    if diagnosis is None:
        return "?"
    return diagnosis.code or " or ".join(diagnosis.also)
