"""The check's results for people and programs: a table per answer file, a summary of many, JSON, and CSV rows."""

from __future__ import annotations

import csv
import io
from typing import Any, Literal, Sequence

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..model import Network
from .grade import CORRECT, FOLLOW_THROUGH, WRONG, Judgement, SheetResult
from .precision import Rule, shown

MARKS = {CORRECT: "✓", FOLLOW_THROUGH: "follow-through", WRONG: "✗"}


def heading(network: Network) -> Text:
    """One bold line naming the network and its conventions, for the check's report to open with."""
    o = network.options
    parts = [network.name or network.path or "network", f"loss {o.loss}", f"reduction {o.reduction}"]
    if o.learning_rate is not None:
        parts.append(f"η = {o.learning_rate:g}")
    parts.append(f"batch {o.batch}")
    if not o.update_biases:
        parts.append("biases fixed")
    if o.hidden_deltas == "new_weights":
        parts.append("hidden δ through updated weights")
    if o.momentum:
        parts.append(f"momentum α = {o.momentum:g}")
    if o.l2:
        parts.append(f"l2 λ = {o.l2:g}")
    if o.rounding:
        parts.append(f"rounded to {o.rounding.describe()}")
    return Text(" · ".join(parts), style="bold")


def explanation(j: Judgement, rule: Rule) -> str:
    """The diagnosis column: why an answer is not the expected value, in plain sentences."""
    parts = []
    if j.uses:
        yours = ", ".join(j.uses)
        follows = shown(j.follows, j.answer.written, rule) if j.follows is not None else None
        if j.verdict == FOLLOW_THROUGH:
            parts.append(f"Right from your own {yours}.")
        elif j.verdict == CORRECT:
            verb = "gives" if len(j.uses) == 1 else "give"
            parts.append(f"Exactly what your own {yours} {verb}; one off in the last place from the expected value, "
                         "which is allowed.")
        elif follows is not None:
            parts.append(f"Even from your own {yours} it is {follows}.")
    if j.diagnosis is not None:
        parts.append(j.diagnosis.sentence)
    elif j.verdict == WRONG:
        parts.append("No alternative bpcalc knows gives this number.")
    elif j.slack and not j.uses:
        parts.append("The last digit is one off, which rounding allows.")
    return " ".join(parts)


def sheet_view(result: SheetResult, rule: Rule, with_heading: bool = True) -> RenderableType:
    """One answer file: a row per answer (name, given, expected, verdict, diagnosis code), then a
    sentence for each answer that is not plainly right, then the score."""
    table = Table(header_style="bold", show_edge=False, pad_edge=False)
    columns: tuple[tuple[str, Literal["left", "right"]], ...] = (
        ("name", "left"), ("given", "right"), ("expected", "right"), ("verdict", "left"), ("diagnosis", "left"))
    for column, justify in columns:
        table.add_column(column, justify=justify, no_wrap=column != "diagnosis")
    notes: list[RenderableType] = []
    for j in result.judgements:
        name = j.answer.name.canonical
        table.add_row(name, j.answer.written.text, shown(j.expected, j.answer.written, rule), MARKS[j.verdict],
                      _code(j) if j.diagnosis is not None or j.verdict == WRONG else "")
        sentence = explanation(j, rule)
        if sentence:
            notes.append(Padding(Text.assemble((f"{name}: ", "bold"), sentence), (0, 0, 0, 2)))
    parts: list[RenderableType] = []
    if with_heading:
        parts.append(Text(result.sheet.path, style="bold"))
    parts.append(table)
    if notes:
        parts += [Text("Why", style="bold"), *notes]
    parts += [Text(score_line(result), style="bold"), Text(f"(checked {rule.describe()})", style="dim")]
    return Group(*parts)


def score_line(result: SheetResult) -> str:
    line = f"Score: {result.right} of {result.asked} right"
    if result.count(FOLLOW_THROUGH):
        line += f" ({result.count(FOLLOW_THROUGH)} by follow-through)"
    if result.wrong:
        line += f"; wrong: {', '.join(j.answer.name.canonical for j in result.wrong)}"
    if result.sheet.blank:
        line += f"; left blank: {', '.join(result.sheet.blank)}"
    return line


def check_view(network: Network, results: Sequence[SheetResult], rule: Rule, details: bool) -> RenderableType:
    """One file: its table. Several: a summary line per file (and each table, with `details`)."""
    parts: list[RenderableType] = [heading(network)]
    if len(results) == 1:
        parts.append(sheet_view(results[0], rule))
        return Group(*parts)
    if details:
        for result in results:
            parts += [sheet_view(result, rule), Text("")]
    table = Table(header_style="bold", show_edge=False, pad_edge=False)
    table.add_column("file", overflow="fold")
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("follow-through", justify="right", no_wrap=True)
    table.add_column("wrong (diagnosis)", ratio=1)
    for result in results:
        table.add_row(result.sheet.path, f"{result.right}/{result.asked}", str(result.count(FOLLOW_THROUGH)),
                      reasons(result, ", "))
    parts += [Text(f"{len(results)} answer files, checked {rule.describe()}", style="bold"), table]
    return Group(*parts)


def reasons(result: SheetResult, separator: str) -> str:
    """Each wrong answer with its diagnosis code: "delta_h1 (new_weights), w1+ (?)"; blanks last."""
    items = [f"{j.answer.name.canonical} ({_code(j)})" for j in result.wrong]
    items += [f"{name} (blank)" for name in result.sheet.blank]
    return separator.join(items)


def _code(j: Judgement) -> str:
    if j.diagnosis is None:
        return "?"
    return j.diagnosis.code or " or ".join(j.diagnosis.also)


# ---------------------------------------------------------------- machine-readable

def judgement_document(j: Judgement, rule: Rule) -> dict[str, Any]:
    d = j.diagnosis
    return {
        "name": j.answer.name.canonical,
        "written_as": j.answer.key,
        "line": j.answer.line,
        "given": j.answer.value,
        "given_text": j.answer.written.text,
        "expected": j.expected,
        "verdict": j.verdict,
        "diagnosis": d.code if d else None,
        "explanation": explanation(j, rule) or None,
        "also": list(d.also) if d else [],
        "follow_through_value": j.follows,
        "uses": list(j.uses),
        "last_place_allowance": j.slack,
    }


def score_document(results: Sequence[SheetResult]) -> dict[str, int]:
    return {
        "right": sum(r.right for r in results),
        "asked": sum(r.asked for r in results),
        "correct": sum(r.count(CORRECT) for r in results),
        "follow_through": sum(r.count(FOLLOW_THROUGH) for r in results),
        "wrong": sum(r.count(WRONG) for r in results),
        "blank": sum(len(r.sheet.blank) for r in results),
    }


def check_document(network, results: Sequence[SheetResult], rule: Rule) -> dict[str, Any]:
    return {
        "network": network.name,
        "network_file": network.path,
        "rule": rule.describe(),
        "files": [{"file": r.sheet.path,
                   "answers": [judgement_document(j, rule) for j in r.judgements],
                   "blank": list(r.sheet.blank),
                   "score": score_document([r])} for r in results],
        "score": score_document(results),
    }


def csv_text(results: Sequence[SheetResult]) -> str:
    """One row per answer file, for a gradebook."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["file", "score", "right", "asked", "follow_through", "wrong", "blank", "wrong_names", "reasons"])
    for r in results:
        score = f"{100 * r.right / r.asked:.1f}" if r.asked else ""
        writer.writerow([r.sheet.path, score, r.right, r.asked, r.count(FOLLOW_THROUGH), len(r.wrong),
                         len(r.sheet.blank), "; ".join(j.answer.name.canonical for j in r.wrong), reasons(r, "; ")])
    return out.getvalue()
