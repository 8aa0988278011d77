"""Why a number is wrong: which of the alternatives (alternatives.py) reproduces it, said in one plain sentence.

An alternative is tried twice: from the student's own earlier numbers ("local": given your
numbers, this slip gives exactly your answer) and from scratch ("pure": the whole solution done
under that convention). Local explanations are preferred; a diagnosis is given only when one
code fits, since with few digits several slips can give the same number.
"""

from __future__ import annotations

from typing import Iterator, Mapping

from .. import engine
from ..engine import Slips
from ..records import Record
from ..words import counted
from .alternatives import Alternative, Alternatives, substitute
from .answers import Answer
from .dataflow import Dataflow, nearest
from .precision import Rule, agrees, shown

# The codes, each with the sentence docs/check.md gives it. A diagnosis sentence is more specific.
CODES = {
    "sign_flipped": "The sign is flipped: δ written as (t − out)·f′ = −∂E/∂net, or the update added "
                    "instead of subtracted.",
    "new_weights": "The hidden deltas were back-propagated through the updated weights; this network uses "
                   "the weights before the update.",
    "old_weights": "The hidden deltas were back-propagated through the weights before the update; this "
                   "network uses the updated ones.",
    "biases_updated": "The biases were updated; this network holds them fixed.",
    "biases_fixed": "The biases were held fixed; this network updates them.",
    "missing_derivative": "The activation's derivative f′(net) was left out of δ.",
    "net_for_out": "net was used where out belongs (fed forward, in a gradient, in f′ or in the error).",
    "loss_factor": "The loss is scaled differently: the ½ missing or added, or the mean and the sum over "
                   "samples confused.",
    "hand_rounding": "Intermediate values were rounded before being used further.",
    "swapped_weights": "Two weights were swapped (e.g. w2 and w3, reading the diagram the other way round).",
    "learning_rate": "η was left out, applied twice, or already multiplied into ∂E/∂θ.",
    "update_count": "One update (or epoch) too few or too many.",
    "momentum_left_out": "The momentum term α·Δw(n−1) was left out of an update after the first.",
}

# At this many significant digits a coincidence is practically impossible, so for values after
# training the first alternative that matches is taken without trying the rest (each would
# cost a training run of its own).
CERTAIN_DIGITS = 6
# Below this many significant digits an alternative must reproduce the answer exactly.
EXACT_BELOW_DIGITS = 3


class Diagnosis(Record):
    """The code of the alternative that reproduces an answer, the sentence that says it, and any other fitting codes."""

    code: str | None  # None when several alternatives fit equally well
    sentence: str
    also: tuple[str, ...] = ()


class Match(Record):
    """An alternative that reproduces an answer: its code, what to say, and the value it gives."""

    code: str
    sentence: str
    value: float


# ---------------------------------------------------------------- diagnosing one sheet

class Diagnoser:
    """Diagnoses the answers of one sheet; values computed from the sheet's own numbers are shared by its answers."""

    def __init__(self, alternatives: Alternatives, flow: Dataflow, answers: Mapping[str, Answer], rule: Rule):
        self.alternatives = alternatives
        self.flow = flow
        self.answers = answers  # canonical name → answer
        self.rule = rule
        self.given = {name: a.value for name, a in answers.items() if not a.name.trained}
        self._local: dict[int, dict[str, float]] = {}
        self._base_local: dict[str, float] | None = None

    def local(self, k: int) -> dict[str, float]:
        if k not in self._local:
            self._local[k] = self.alternatives.local(k, self.given)
        return self._local[k]

    def base_local(self) -> dict[str, float]:
        if self._base_local is None:
            self._base_local = self.flow.run(substitute(self.given))
        return self._base_local

    # ---- what the grader asks

    def wrong(self, answer: Answer, follow_through: bool) -> Diagnosis | None:
        """Why `answer` is not the expected value. For a follow-through answer only whole-solution
        conventions are looked for (its own numbers already explain it)."""
        if answer.name.trained:
            return self._trained(answer)
        if len(answer.written.value.as_tuple().digits) == 1:
            # One significant digit is too little to tell slips apart: only a flipped sign (or the
            # like) of the right value, or of what the student's own numbers give, is told.
            passes = [self._relations(answer, self.alternatives.truth), self._relations(answer, self.base_local(), True)]
        else:
            passes = [] if follow_through else [self._local_matches(answer)]
            passes += [self._relations(answer, self.alternatives.truth), self._pure_matches(answer, follow_through)]
        for matches in passes:
            diagnosis = _decide(answer, matches, certain=False)
            if diagnosis is not None:
                return diagnosis
        return None

    def rounding_only(self, answer: Answer) -> str | None:
        """For an answer right only by the last-place allowance, the rounding that gives it exactly
        if one does: a remark on a right answer, not a diagnosis."""
        if answer.name.trained:
            return None
        for k, alternative in enumerate(self.alternatives.catalogue):
            if alternative.code != "hand_rounding" or not self._plausible(alternative, answer):
                continue
            for values in (self.local(k), self.alternatives.pure(k, self.answers)):
                if agrees(answer.written, values.get(answer.name.canonical, float("nan")), self.rule, exactly=True):
                    return self._sentence(alternative, answer)
        return None

    # ---- matching

    def _local_matches(self, answer: Answer) -> Iterator[Match]:
        name = answer.name.canonical
        base = self.base_local()[name]
        if self._fits(answer, base):
            # Not follow-through (which uses only the wrong answers), so what changes it is the
            # student's right but rounded earlier numbers: rounding too early.
            yield Match("hand_rounding", self._sentence(self._digits(), answer), base)
        for k, alternative in enumerate(self.alternatives.catalogue):
            if not self._plausible(alternative, answer):
                continue
            value = self.local(k).get(name)
            if value is not None and value != base and self._fits(answer, value):
                yield Match(alternative.code, self._sentence(alternative, answer), value)
        yield from self._relations(answer, self.base_local(), True)

    def _digits(self) -> Alternative:
        return next(a for a in self.alternatives.catalogue if a.digits)

    def _relations(self, answer: Answer, values: Mapping[str, float], own: bool = False) -> Iterator[Match]:
        """Answers related to a value of `values` by a one-step slip: its negative, η times a
        gradient, or net written for out. `own`: `values` are what the student's own numbers give."""
        name = answer.name.canonical
        value = values[name]
        if value and self._fits(answer, -value):
            of = (f"what your own earlier numbers give ({shown(value, answer.written, self.rule)})" if own
                  else "the expected value")
            yield Match("sign_flipped", f"This is minus {of}: the sign is flipped.", -value)
        eta = self.alternatives.network.options.learning_rate
        if name.startswith("dE/d") and eta not in (None, 1) and value and self._fits(answer, eta * value):
            yield Match("learning_rate", f"This is η·∂E/∂θ (η = {eta:g}): the learning rate is already "
                                         "multiplied in.", eta * value)
        net = "net_" + name[len("out_"):]
        if name.startswith("out_") and net in values and self._fits(answer, values[net]):
            yield Match("net_for_out", f"This is {net.split('[')[0].split('@')[0]}: the activation was not "
                                       "applied (out = f(net)).", values[net])

    def _pure_matches(self, answer: Answer, follow_through: bool = False) -> Iterator[Match]:
        """Alternatives done from scratch. For a follow-through answer only conventions of the whole
        solution are looked for: rounding, or a slip made at this step, is no explanation of a number
        the student's own earlier numbers already give."""
        name = answer.name.canonical
        for k, alternative in enumerate(self.alternatives.catalogue):
            if follow_through and (alternative.code == "hand_rounding" or alternative.slips != Slips()):
                continue  # the student's own numbers explain it; a slip of this step would not be true of it
            if not self._plausible(alternative, answer):
                continue
            value = self.alternatives.pure(k, self.answers).get(name)
            if value is not None and self._fits(answer, value):
                yield Match(alternative.code, self._sentence(alternative, answer), value)
        updates = self.alternatives.updates()
        if name in updates["none"] and self._fits(answer, updates["none"][name]):
            yield Match("update_count", "This is the value before the update: one update too few.",
                        updates["none"][name])
        if name in updates["two"] and self._fits(answer, updates["two"][name]):
            yield Match("update_count", "This is the value after two updates: one update too many.",
                        updates["two"][name])

    def _trained(self, answer: Answer) -> Diagnosis | None:
        name, epochs = answer.name.canonical, answer.name.epochs

        per_epoch = engine.updates_per_epoch(self.alternatives.network)

        def matches():
            runs = self.alternatives.trained(None, epochs)
            if per_epoch == 1:
                offsets = ((-1, f"This is the value after {counted(epochs - 1, 'epoch')}, one too few: the value "
                                "before the last update."), (1, f"This is the value after {counted(epochs + 1, 'epoch')}, one too many."))
            else:
                updates = epochs * per_epoch
                whole = f"{counted(epochs, 'epoch')} of {per_epoch} updates make {updates}"
                offsets = ((-per_epoch, f"This is the value after {counted(epochs - 1, 'epoch')}, one too few."),
                           (per_epoch, f"This is the value after {counted(epochs + 1, 'epoch')}, one too many."),
                           (-1, f"This is the value after {counted(updates - 1, 'update')}, one too few ({whole})."),
                           (1, f"This is the value after {counted(updates + 1, 'update')}, one too many ({whole})."))
            for offset, sentence in offsets:
                value = runs.get(offset, {}).get(name, float("nan"))
                if self._fits(answer, value):
                    yield Match("update_count", sentence, value)
            for k, alternative in enumerate(self.alternatives.catalogue):
                if alternative.trainable:
                    value = self.alternatives.trained(k, epochs).get(0, {}).get(name, float("nan"))
                    if self._fits(answer, value):
                        yield Match(alternative.code, alternative.sentence, value)
        # Each alternative here is a training run of its own, so at enough digits the first
        # match is taken without running the rest.
        certain = len(answer.written.value.as_tuple().digits) >= CERTAIN_DIGITS
        return _decide(answer, matches(), certain)

    def _plausible(self, alternative: Alternative, answer: Answer) -> bool:
        """Rounding every value to fewer digits than the answer itself has explains nothing: a student
        who rounds everything to one decimal place does not write 0.100000."""
        rounding = alternative.network.options.rounding
        if alternative.code != "hand_rounding" or rounding is None or alternative.digits:
            return True
        if rounding.kind == "decimals":
            return rounding.digits >= -answer.written.exponent
        return rounding.digits >= len(answer.written.value.as_tuple().digits)

    def _fits(self, answer: Answer, value: float) -> bool:
        # With few digits written the allowance in the last place would let too many alternatives
        # fit by coincidence, so such an answer must be reproduced exactly.
        exactly = len(answer.written.value.as_tuple().digits) < EXACT_BELOW_DIGITS
        return agrees(answer.written, value, self.rule, exactly=exactly)

    def _sentence(self, alternative: Alternative, answer: Answer) -> str:
        if not alternative.digits:
            return alternative.sentence
        used = nearest(self.flow, answer.name.canonical, self.given)
        # Cite an earlier number that is not exactly the expected one, where there is one.
        inexact = [name for name in used
                   if not agrees(self.answers[name].written, self.alternatives.truth[name], self.rule, exactly=True)]
        cited = (inexact or used)[-1:]
        example = f", e.g. {cited[0]} = {self.answers[cited[0]].written.text}" if cited else ""
        return f"{alternative.sentence}{example}."


def _decide(answer: Answer, matches: Iterator[Match], certain: bool) -> Diagnosis | None:
    """The diagnosis if exactly one code fits; several codes fitting make it undecided.
    `certain`: stop at the first match (the answer has too many digits for a coincidence)."""
    found: dict[str, Match] = {}
    for match in matches:
        found.setdefault(match.code, match)
        if certain:
            break
    if not found:
        return None
    if len(found) == 1:
        match = next(iter(found.values()))
        return Diagnosis(match.code, match.sentence)
    codes = tuple(found)
    values = [m.value for m in found.values()]
    if max(values) - min(values) <= 1e-12 * max(abs(v) for v in values):
        why = "they give the same number here; the numbers before it would tell them apart"
    else:
        why = "more digits would tell them apart"
    return Diagnosis(None, f"Several slips give this ({', '.join(codes)}); {why}.", codes)
