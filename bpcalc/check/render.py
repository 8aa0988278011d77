"""The check's results for people and programs: a Document (a table per answer file, a summary
of many) written by every format's writer, and the JSON document."""

from __future__ import annotations

from typing import Any, Sequence

from ..model import Network
from ..render.document import Cell, Document, Figures, Note, Section, Table
from .gradebook import code, reasons
from .grade import CORRECT, FOLLOW_THROUGH, WRONG, Judgement, SheetResult
from .precision import Rule, shown
from .run import Grading, Rejected

MARKS = {CORRECT: "✓", FOLLOW_THROUGH: "follow-through", WRONG: "✗"}


def conventions(network: Network) -> tuple[str, ...]:
    """The network's conventions that the check follows, for the report's heading."""
    o = network.options
    parts = [f"loss {o.loss}", f"reduction {o.reduction}"]
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
    return tuple(parts)


def explanation(j: Judgement, rule: Rule) -> str:
    """Why an answer is not plainly right, in plain sentences, each true of the number given."""
    parts = []
    if j.uses:
        yours = ", ".join(j.uses)
        follows = shown(j.follows, j.answer.written, rule) if j.follows is not None else None
        if j.verdict == FOLLOW_THROUGH and j.rounded_early:
            one = len(j.uses) == 1
            parts.append(f"Right from your own {yours} as you wrote {'it' if one else 'them'}, which "
                         f"{'gives' if one else 'give'} {follows}.")
        elif j.verdict == FOLLOW_THROUGH:
            parts.append(f"Right from your own {yours}.")
        elif j.verdict == CORRECT:
            verb = "gives" if len(j.uses) == 1 else "give"
            parts.append(f"Exactly what your own {yours} {verb}; one off in the last place from the expected value, "
                         "which is allowed.")
        elif follows is not None:
            verb = "gives" if len(j.uses) == 1 else "give"
            parts.append(f"Your own {yours} {verb} {follows} here, not {j.answer.written.text}.")
    if j.diagnosis is not None:
        parts.append(j.diagnosis.sentence)
    elif j.verdict == WRONG:
        parts.append("No alternative bpcalc knows gives this number.")
    elif j.remark is not None:
        parts.append(f"One off in the last place, which rounding allows: {_lower_first(j.remark)}")
    elif j.slack and not j.uses:
        parts.append("The last digit is one off, which rounding allows.")
    return " ".join(parts)


def _lower_first(sentence: str) -> str:
    return sentence[:1].lower() + sentence[1:]


def score_line(result: SheetResult) -> str:
    line = f"Score: {result.right} of {result.asked} right"
    if result.count(FOLLOW_THROUGH):
        line += f" ({result.count(FOLLOW_THROUGH)} by follow-through)"
    if result.wrong:
        line += f"; wrong: {', '.join(j.answer.name.canonical for j in result.wrong)}"
    left = [name for name in result.sheet.blank if result.asks(name)]
    if left:
        line += f"; left blank: {', '.join(left)}"
    if result.missing:
        line += f"; not answered: {', '.join(result.missing)}"
    return line


def judged_note(grading: Grading, rule: Rule) -> str:
    """How the answers were judged, and which names: the questions, or only those each file gives."""
    how = f"Checked {rule.describe()}"
    if grading.questions is not None:
        return f"{how}; the questions are the names in {grading.questions}, each missing one not answered."
    return (f"{how}; only the names each file gives were judged (--questions BLANK.answers.yaml "
            "scores every question asked).")


def sheet_section(result: SheetResult, rule: Rule) -> Section:
    """One answer file: a row per answer (name, given, expected, verdict, diagnosis code), then a
    sentence for each answer that is not plainly right, then the score."""
    rows: list[tuple[Cell, ...]] = []
    why: list[tuple[Cell, ...]] = []
    for j in result.judgements:
        name = j.answer.name.canonical
        mark = MARKS[j.verdict] if result.asks(name) else f"{MARKS[j.verdict]} (not asked)"
        rows.append((name, Figures(j.answer.written.text), Figures(shown(j.expected, j.answer.written, rule)), mark,
                     code(j.diagnosis) if j.diagnosis is not None or j.verdict == WRONG else ""))
        sentence = explanation(j, rule)
        if sentence:
            why.append((name, sentence))
    blocks: list = [Table(("name", "given", "expected", "verdict", "diagnosis"), tuple(rows))]
    if why:
        blocks.append(Section(("Why",), (Table(("name", "why"), tuple(why)),), level=2))
    blocks.append(Note((score_line(result),)))
    title = result.sheet.path + (f" (variant {result.sheet.variant})" if result.sheet.variant else "")
    return Section((title,), tuple(blocks))


def document(grading: Grading, rule: Rule, details: bool = False) -> Document:
    """One file: its table. Several: a summary row per file (and each table, with `details`)."""
    network = grading.network
    if network is not None:
        title, heading = network.name or network.path or "network", conventions(network)
    else:
        title, heading = f"the variants in {grading.directory}", ()
    note = Note((judged_note(grading, rule),))
    results = grading.results
    if len(results) == 1 and isinstance(results[0], SheetResult):
        section = sheet_section(results[0], rule)
        return Document(title, tuple((c,) for c in heading), (section._replace(blocks=section.blocks + (note,)),))
    sections = [sheet_section(r, rule) for r in results if isinstance(r, SheetResult)] if details else []
    by_variant = grading.network is None
    header: tuple[Cell, ...] = ("file", *(("variant",) if by_variant else ()), "score", "follow-through",
                                "wrong (diagnosis)")
    rows = []
    for r in results:
        if isinstance(r, Rejected):
            rows.append((r.path, *((r.variant or "",) if by_variant else ()), "not graded", "", r.reason))
        else:
            rows.append((r.sheet.path, *((r.sheet.variant or "",) if by_variant else ()), f"{r.right}/{r.asked}",
                         str(r.count(FOLLOW_THROUGH)), reasons(r, ", ")))
    summary = f"{len(results)} answer files"
    if grading.rejected:
        summary += f", {len(grading.rejected)} not graded"
    sections.append(Section((summary,), (Table(header, tuple(rows)), note)))
    return Document(title, tuple((c,) for c in heading), tuple(sections))


# ---------------------------------------------------------------- machine-readable

def judgement_document(j: Judgement, rule: Rule, asked: bool = True) -> dict[str, Any]:
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
        "remark": j.remark,
        "asked": asked,
    }


def score_document(results: Sequence[SheetResult]) -> dict[str, int]:
    return {
        "right": sum(r.right for r in results),
        "asked": sum(r.asked for r in results),
        "correct": sum(r.count(CORRECT) for r in results),
        "follow_through": sum(r.count(FOLLOW_THROUGH) for r in results),
        "wrong": sum(len(r.wrong) for r in results),
        "blank": sum(len(r.unanswered) for r in results),
    }


def json_document(grading: Grading, rule: Rule) -> dict[str, Any]:
    network = grading.network
    files: list[dict[str, Any]] = []
    for r in grading.results:
        if isinstance(r, Rejected):
            files.append({"file": r.path, "variant": r.variant, "error": r.reason})
            continue
        files.append({"file": r.sheet.path, "variant": r.sheet.variant, "network_file": r.network_file,
                      "answers": [judgement_document(j, rule, r.asks(j.answer.name.canonical)) for j in r.judgements],
                      "blank": list(r.sheet.blank), "missing": list(r.missing), "score": score_document([r])})
    graded = grading.graded
    return {
        "network": network.name if network is not None else None,
        "network_file": network.path if network is not None else None,
        "directory": grading.directory,
        "rule": rule.describe(),
        "questions": list(graded[0].questions) if graded and graded[0].questions is not None else None,
        "files": files,
        "score": score_document(graded),
        "not_graded": len(grading.rejected),
    }
