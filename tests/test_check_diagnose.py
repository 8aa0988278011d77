"""Every diagnosis code, from mistakes planted on at least two different networks.

Each planted answer is what a student makes with one particular slip: computed here through
the check's dataflow under that slip (or by hand), written to a student's number of places.
"""

from __future__ import annotations

import functools

import pytest

from bpcalc import engine
from bpcalc.quantities import after_quantities
from bpcalc.check.dataflow import Slips
from bpcalc.check.diagnose import CODES
from bpcalc.check.grade import Checker
from check_helpers import judge, network, text, values, verdicts


@functools.cache
def checker(name: str, **options) -> Checker:
    return Checker(network(name, **options))


def truth(name: str, **options) -> dict[str, float]:
    return checker(name, **options).truth


def under(name: str, slips: Slips = Slips(), **options) -> dict[str, float]:
    """The step of an example network with a slip or changed options."""
    return values(network(name, **options), slips)


def two_updates(name: str) -> dict[str, float]:
    net = network(name)
    plan = engine.batches(net)
    first = engine.step(net, plan[0])
    second = engine.step(first.updated, plan[1 % len(plan)], first.velocity)
    return {**second.updated.weights(), **second.updated.biases()}


def first_update(name: str) -> dict[str, float]:
    net = network(name)
    return engine.step(net, engine.batches(net)[0]).updated.values()


def trained(name: str, epochs: int, **options) -> dict[str, float]:
    """Every X@epochs value after training on the engine."""
    record = engine.train(network(name, **options), epochs)
    return after_quantities(record.network, record.final, epochs)


def mazur_hand_rounded():
    net_o1 = 0.4 * 0.6 + 0.45 * 0.6 + 0.6  # from out_h1 and out_h2 written as 0.6
    return {"out_h1": "0.6", "out_h2": "0.6", "net_o1": text(net_o1, 4)}


def mitchell_hand_rounded():
    return {"out_c[1]": "0.55", "net_d[1]": text(0.1 * 0.55 + 0.1, 6)}


# (network, its options changed, the answers, what each is judged)
CASES = {
    "sign_flipped": [
        ("mazur", {}, lambda: {"delta_o1": text(-truth("mazur")["delta_o1"])},
         {"delta_o1": ("wrong", "sign_flipped")}),
        ("mitchell-4-7", {}, lambda: {"delta_d[1]": text(-truth("mitchell-4-7")["delta_d[1]"])},
         {"delta_d[1]": ("wrong", "sign_flipped")}),
        ("mitchell-4-7", {}, lambda: {"wdc+": text(under("mitchell-4-7", Slips(flip_update=True))["wdc+"])},
         {"wdc+": ("wrong", "sign_flipped")}),
    ],
    "new_weights": [
        ("mazur", {}, lambda: {"delta_h1": text(under("mazur", hidden_deltas="new_weights")["delta_h1"], 8)},
         {"delta_h1": ("wrong", "new_weights")}),
        ("mitchell-4-7", {}, lambda: {"delta_c[1]": text(under("mitchell-4-7", hidden_deltas="new_weights")
                                                         ["delta_c[1]"], 8)},
         {"delta_c[1]": ("wrong", "new_weights")}),
    ],
    "old_weights": [
        ("mazur-new-weights", {},
         lambda: {"delta_h1": text(under("mazur-new-weights", hidden_deltas="old_weights")["delta_h1"], 8)},
         {"delta_h1": ("wrong", "old_weights")}),
        ("mitchell-4-7", {"hidden_deltas": "new_weights"},
         lambda: {"delta_c[1]": text(under("mitchell-4-7")["delta_c[1]"], 8)},
         {"delta_c[1]": ("wrong", "old_weights")}),
    ],
    "biases_updated": [
        ("mazur", {}, lambda: {"b1+": text(under("mazur", update_biases=True)["b1+"])},
         {"b1+": ("wrong", "biases_updated")}),
        ("mitchell-4-7", {"update_biases": False},
         lambda: {"wc0+": text(under("mitchell-4-7")["wc0+"])}, {"wc0+": ("wrong", "biases_updated")}),
    ],
    "biases_fixed": [
        ("mitchell-4-7", {}, lambda: {"wc0+": "0.100000"}, {"wc0+": ("wrong", "biases_fixed")}),
        ("mazur", {"update_biases": True}, lambda: {"b2+": "0.600000"}, {"b2+": ("wrong", "biases_fixed")}),
    ],
    "missing_derivative": [
        ("mazur", {}, lambda: {"delta_o1": text(truth("mazur")["dE/dout_o1"])},
         {"delta_o1": ("wrong", "missing_derivative")}),
        ("mitchell-4-7", {}, lambda: {"delta_d[1]": text(truth("mitchell-4-7")["dE/dout_d[1]"])},
         {"delta_d[1]": ("wrong", "missing_derivative")}),
    ],
    "net_for_out": [
        ("mazur", {}, lambda: {"dE/dw5": text(truth("mazur")["delta_o1"] * truth("mazur")["net_h1"])},
         {"dE/dw5": ("wrong", "net_for_out")}),
        ("mitchell-4-7", {}, lambda: {"out_c[1]": text(truth("mitchell-4-7")["net_c[1]"])},
         {"out_c[1]": ("wrong", "net_for_out")}),
    ],
    "loss_factor": [
        ("mazur", {}, lambda: {"E_o1": text(under("mazur", loss="sse")["E_o1"])}, {"E_o1": ("wrong", "loss_factor")}),
        ("mitchell-4-7", {}, lambda: {"E_total": text(under("mitchell-4-7", reduction="sum")["E_total"])},
         {"E_total": ("wrong", "loss_factor")}),
    ],
    # Worked on from the student's own right but rounded numbers: follow-through, not a slip (the
    # code hand_rounding is left for roundings the student did not write down: the published
    # CSC4007 keys in test_check_keys).
    "hand_rounding": [
        ("mazur", {}, mazur_hand_rounded, {"out_h1": ("correct", None), "out_h2": ("correct", None),
                                           "net_o1": ("follow_through", None)}),
        ("mitchell-4-7", {}, mitchell_hand_rounded, {"out_c[1]": ("correct", None),
                                                     "net_d[1]": ("follow_through", None)}),
    ],
    "swapped_weights": [
        ("mazur", {}, lambda: {"net_h1": text(0.15 * 0.05 + 0.25 * 0.10 + 0.35)},
         {"net_h1": ("wrong", "swapped_weights")}),
        ("udacity", {}, lambda: {"net_h": text(-0.2 * 0.1 + 0.4 * 0.3)}, {"net_h": ("wrong", "swapped_weights")}),
    ],
    "learning_rate": [
        ("mazur", {}, lambda: {"dE/dw5": text(truth("mazur")["dE/dw5"]),
                               "w5+": text(under("mazur", learning_rate=1.0)["w5+"]),
                               "dE/dw6": text(0.5 * truth("mazur")["dE/dw6"])},
         {"dE/dw5": ("correct", None), "w5+": ("wrong", "learning_rate"), "dE/dw6": ("wrong", "learning_rate")}),
        ("mitchell-4-7", {}, lambda: {"dE/dwdc": text(truth("mitchell-4-7")["dE/dwdc"], 8),
                                      "wdc+": text(under("mitchell-4-7", learning_rate=0.09)["wdc+"], 8)},
         {"dE/dwdc": ("correct", None), "wdc+": ("wrong", "learning_rate")}),
    ],
    "update_count": [
        ("mazur", {}, lambda: {"w5+": text(two_updates("mazur")["h1->o1"]), "E_after": text(truth("mazur")["E_total"])},
         {"w5+": ("wrong", "update_count"), "E_after": ("wrong", "update_count")}),
        ("mitchell-4-7", {}, lambda: {"wca+": text(two_updates("mitchell-4-7")["a->c"], 8)},
         {"wca+": ("wrong", "update_count")}),
        # an epoch of Mitchell's is two updates (online): wca after the first update given for
        # wca after the epoch is one update too few, not an epoch
        ("mitchell-4-7", {}, lambda: {"wca@1": text(first_update("mitchell-4-7")["a->c"], 8)},
         {"wca@1": ("wrong", "update_count")}),
    ],
    "momentum_left_out": [
        ("mitchell-4-7", {}, lambda: {"out_d[1]@3": text(trained("mitchell-4-7", 3, momentum=0.0)["out_d[1]@3"], 8)},
         {"out_d[1]@3": ("wrong", "momentum_left_out")}),
        ("mazur", {"momentum": 0.9}, lambda: {"out_o1@3": text(trained("mazur", 3, momentum=0.0)["out_o1@3"], 9)},
         {"out_o1@3": ("wrong", "momentum_left_out")}),
    ],
}


def cases():
    for code, planted in CASES.items():
        for name, options, answers, expected in planted:
            yield pytest.param(name, options, answers, expected, id=f"{code}-{name}")


@pytest.mark.parametrize("name, options, answers, expected", list(cases()))
def test_a_planted_mistake_is_diagnosed(name, options, answers, expected):
    judged = judge(checker(name, **options), answers())
    assert verdicts(judged) == expected
    for j in judged.values():
        if j.diagnosis is not None:
            assert j.diagnosis.sentence.endswith(".") and "\n" not in j.diagnosis.sentence
        if j.verdict == "correct":
            assert j.diagnosis is None


def test_every_required_code_is_planted_on_two_networks():
    required = {"sign_flipped", "new_weights", "old_weights", "biases_updated", "biases_fixed", "missing_derivative",
                "loss_factor", "hand_rounding", "swapped_weights", "learning_rate", "update_count",
                "momentum_left_out"}
    assert required <= set(CODES)
    for code in CODES:
        assert len({name for name, *_ in CASES[code]}) >= 2, code


def test_a_diagnosis_carries_through_follow_through():
    """Udacity's convention: δ of the opposite sign, then the hidden δ correctly from it."""
    judged = judge(checker("udacity", delta_sign="gradient"), {"delta_o": "0.122", "delta_h": "0.003"})
    assert verdicts(judged) == {"delta_o": ("wrong", "sign_flipped"), "delta_h": ("follow_through", "sign_flipped")}


def test_two_slips_giving_the_same_number_are_not_told_apart():
    """w5 − 1·∂E/∂w5 is both η left out and a loss without its ½; without ∂E/∂w5 nothing tells which."""
    j = judge(checker("mazur"), {"w5+": text(under("mazur", learning_rate=1.0)["w5+"])})["w5+"]
    assert j.verdict == "wrong" and j.diagnosis.code is None
    assert set(j.diagnosis.also) == {"loss_factor", "learning_rate"}
    assert "the numbers before it would tell them apart" in j.diagnosis.sentence


def test_too_few_digits_to_tell_slips_apart():
    """CSC4007's δ_Top at two significant figures: 0.0027 is what the old weights give, and also
    what one swap of the hidden weights gives; two digits cannot tell them apart."""
    j = judge(checker("csc4007-example2"), {"delta_Top": "0.0027"})["delta_Top"]
    assert j.diagnosis.code is None and "old_weights" in j.diagnosis.also
    assert "more digits would tell them apart" in j.diagnosis.sentence or "same number" in j.diagnosis.sentence


def test_an_arbitrary_wrong_number_gets_no_diagnosis():
    judged = judge(checker("mazur"), {"net_o1": "1.234567", "delta_h1": "0.0123456", "w1+": "0.1432101"})
    assert {name: j.diagnosis for name, j in judged.items()} == {"net_o1": None, "delta_h1": None, "w1+": None}
