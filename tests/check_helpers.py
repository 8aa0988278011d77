"""Helpers for the check tests: judge a dict of answers, and write planted numbers to a given precision."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from bpcalc.check.dataflow import Dataflow, Slips
from bpcalc.check.grade import Checker, Judgement
from bpcalc.check.precision import rounded
from bpcalc.loader import load_network
from conftest import NETWORKS

_files = itertools.count()


def network(name: str, **options):
    """An example network, with options changed if asked."""
    net = load_network(NETWORKS / f"{name}.yaml")
    return net._replace(options=net.options._replace(**options)) if options else net


def judge(checker: Checker, answers: dict[str, str]) -> dict[str, Judgement]:
    """Each answer's judgement, by the name as written."""
    folder = Path(tempfile.mkdtemp(prefix="bpcalc-check-"))
    path = folder / f"answers{next(_files)}.yaml"
    path.write_text("".join(f"{name}: {text}\n" for name, text in answers.items()), encoding="utf-8")
    result = checker.check(checker.read(path))
    return {j.answer.key: j for j in result.judgements}


def values(net, slips: Slips = Slips()) -> dict[str, float]:
    """Every quantity of one step of `net`, under `slips`."""
    return Dataflow(net, slips).run()


def text(value: float, places: int = 6) -> str:
    """`value` written to `places` decimals, as a student would."""
    return format(rounded(value, -places), "f")


def verdicts(judged: dict[str, Judgement]) -> dict[str, tuple[str, str | None]]:
    return {name: (j.verdict, j.diagnosis.code if j.diagnosis else None) for name, j in judged.items()}
