"""A quiz kept across days: which network (a file, or a template and the seed of its variant), the part, and
every question's standing answer, tries and hints, in a small YAML file written whole or not at all.

    quiz: 1
    network: /home/ana/hw3.yaml      # or: random: {template: /home/ana/t.yaml, seed: 4821}
    part: all
    questions:
      - {name: "net_h1", answer: "0.3775", tries: 1, hints: 0, first_try: true, done: true}

The verdicts are not stored: judging is deterministic, so they are judged again on resuming.
`network: null` is the bundled example.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import NetworkFileError
from ..files import write_atomically
from ..records import Record
from .session import PARTS, Progress


class Source(Record):
    """Which network a quiz is on: a file (None: the bundled example), or a template's variant by its seed."""

    network: str | None = None
    template: str | None = None
    seed: int | None = None

    @property
    def random(self) -> bool:
        return self.template is not None


class Saved(Record):
    """One quiz's progress file, as read or about to be written."""

    source: Source
    part: str
    questions: tuple[Progress, ...] = ()

    def same_quiz(self, other: Saved) -> bool:
        return self.source == other.source and self.part == other.part

    def describe(self) -> str:
        s = self.source
        what = (f"a variant of {s.template} (seed {s.seed})" if s.random
                else s.network or "the bundled example")
        done = sum(1 for q in self.questions if q.done)
        return f"{what}, part {self.part}, {done} question{'s' if done != 1 else ''} done"


def source_for(network: str | os.PathLike | None, template: str | os.PathLike | None, seed: int | None) -> Source:
    """The source, its paths made absolute so that the file resumes from any folder."""
    if template is not None:
        return Source(template=os.path.abspath(template), seed=seed)
    return Source(network=None if network is None else os.path.abspath(network))


def text_of(saved: Saved) -> str:
    """The progress file's text; strings are written as JSON strings, which YAML reads as they are."""
    s = saved.source
    q = json.dumps
    lines = ["# bpcalc quiz progress: continue with  bpcalc quiz --resume THIS_FILE", "quiz: 1"]
    if s.random:
        lines.append(f"random: {{template: {q(s.template)}, seed: {s.seed}}}")
    else:
        lines.append(f"network: {'null' if s.network is None else q(s.network)}")
    lines += [f"part: {saved.part}", "questions:" if saved.questions else "questions: []"]
    for p in saved.questions:
        answer = "null" if p.written is None else q(p.written)
        lines.append(f"  - {{name: {q(p.name)}, answer: {answer}, tries: {p.tries}, hints: {p.hints}, "
                     f"first_try: {str(p.first_try).lower()}, done: {str(p.done).lower()}}}")
    return "\n".join(lines) + "\n"


def write(path: str | os.PathLike, saved: Saved, *, force: bool, inputs: tuple[str | os.PathLike, ...] = ()) -> None:
    """Write the progress file at once whole (a temporary file, then a rename): a reader never sees half of it."""
    write_atomically(path, text_of(saved), force=force, inputs=inputs)


def read(path: str | os.PathLike) -> Saved:
    """The progress in the file at `path`; a file bpcalc did not write is one clear error."""
    from ..loader.progress import load_progress

    data = load_progress(path)
    shown = os.fsdecode(path)

    def bad(what: str) -> NetworkFileError:
        return NetworkFileError(shown, None, f"not a quiz progress file: {what}")

    random = data.get("random")
    if random is not None:
        if not isinstance(random, dict) or not isinstance(random.get("template"), str) \
                or not isinstance(random.get("seed"), int):
            raise bad("'random' needs a template and a whole-number seed")
        source = Source(template=random["template"], seed=random["seed"])
    else:
        network = data.get("network")
        if network is not None and not isinstance(network, str):
            raise bad("'network' is the network file's path")
        source = Source(network=network)
    part = data.get("part", "all")
    if part not in PARTS:
        raise bad(f"'part' is one of {', '.join(PARTS)}")
    questions = []
    for entry in data.get("questions") or ():
        try:
            questions.append(_progress(entry))
        except (KeyError, TypeError, ValueError):
            raise bad(f"a question is written as name, answer, tries, hints, first_try, done; got {entry!r}") from None
    return Saved(source, part, tuple(questions))


def _progress(entry: Any) -> Progress:
    answer = entry["answer"]
    if answer is not None and not isinstance(answer, str):
        answer = str(answer)
    whole = [entry[k] for k in ("tries", "hints")]
    if not isinstance(entry["name"], str) or any(not isinstance(n, int) or n < 0 for n in whole):
        raise ValueError(entry)
    return Progress(entry["name"], answer, whole[0], whole[1], bool(entry["first_try"]), bool(entry["done"]))


def exists(path: str | os.PathLike) -> bool:
    return Path(path).exists()
