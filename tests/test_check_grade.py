"""Verdicts: right to the digits written, right by follow-through from the student's own numbers, or wrong."""

from __future__ import annotations

import math

import pytest

from bpcalc.check.grade import Checker
from bpcalc.check.precision import Rule
from check_helpers import judge, network, text, values, verdicts


@pytest.fixture(scope="module")
def mazur():
    return Checker(network("mazur"))


def test_the_issues_example_is_all_right(mazur):
    judged = judge(mazur, {"net_h1": "0.3775", "out_h1": "0.5933", "E_total": "0.2984", "delta_o1": "0.1385",
                           "dE/dw5": "0.0822", "w5+": "0.3589", "E_after": "0.2910"})
    assert {j.verdict for j in judged.values()} == {"correct"}


def test_trailing_zeros_make_an_answer_more_precise(mazur):
    # w5+ = 0.35891648: right to one place, but not to two
    assert judge(mazur, {"w5+": "0.4"})["w5+"].verdict == "correct"
    assert judge(mazur, {"w5+": "0.40"})["w5+"].verdict == "wrong"
    # 0.50 vs 0.5 on a value whose second place matters: out_o1 = 0.7514
    assert judge(mazur, {"out_o1": "0.8"})["out_o1"].verdict == "correct"
    assert judge(mazur, {"out_o1": "0.80"})["out_o1"].verdict == "wrong"


def test_one_off_in_the_last_place_is_right_but_noted(mazur):
    judged = judge(mazur, {"out_h1": "0.5934"})
    assert judged["out_h1"].verdict == "correct" and judged["out_h1"].slack
    assert judge(Checker(network("mazur"), Rule(slack=0)), {"out_h1": "0.5934"})["out_h1"].verdict == "wrong"


def test_follow_through_across_two_layers(mazur):
    """A wrong out_h1 carried correctly through the output layer and back into the hidden layer."""
    truth = values(network("mazur"))
    own = network("mazur")
    out_h1 = 0.6123
    # the student's own working from their out_h1, by the same formulas
    net_o1 = 0.4 * out_h1 + 0.45 * truth["out_h2"] + 0.6
    out_o1 = 1 / (1 + math.exp(-net_o1))
    delta_o1 = (out_o1 - 0.01) * out_o1 * (1 - out_o1)
    dE_dw5 = delta_o1 * out_h1
    out_o2 = 1 / (1 + math.exp(-(0.5 * out_h1 + 0.55 * truth["out_h2"] + 0.6)))  # not written down, but used
    delta_o2 = (out_o2 - 0.99) * out_o2 * (1 - out_o2)
    dE_dout_h1 = 0.4 * delta_o1 + 0.5 * delta_o2
    delta_h1 = dE_dout_h1 * out_h1 * (1 - out_h1)
    dE_dw1 = delta_h1 * 0.05
    judged = judge(Checker(own), {
        "out_h1": text(out_h1, 4), "net_o1": text(net_o1, 4), "out_o1": text(out_o1, 4),
        "delta_o1": text(delta_o1, 4), "dE/dw5": text(dE_dw5, 4), "delta_h1": text(delta_h1, 5),
        "dE/dw1": text(dE_dw1, 6), "w1+": text(0.15 - 0.5 * dE_dw1, 6),
    })
    assert judged["out_h1"].verdict == "wrong"
    for name in ("net_o1", "out_o1", "delta_o1", "dE/dw5", "delta_h1", "dE/dw1", "w1+"):
        assert judged[name].verdict == "follow_through", name
    assert judged["net_o1"].uses == ("out_h1",)
    assert judged["delta_h1"].uses == ("out_h1", "delta_o1")
    assert judged["w1+"].uses == ("dE/dw1",)


def test_a_right_answer_after_a_wrong_one_is_simply_right(mazur):
    judged = judge(mazur, {"out_h1": "0.6500", "net_o1": "1.1059", "out_o1": "0.7514"})
    assert verdicts(judged)["net_o1"] == ("correct", None)
    assert verdicts(judged)["out_o1"] == ("correct", None)


def test_a_wrong_answer_that_does_not_follow_either(mazur):
    judged = judge(mazur, {"out_h1": "0.6500", "net_o1": "1.3000"})
    j = judged["net_o1"]
    assert j.verdict == "wrong" and j.diagnosis is None
    assert j.uses == ("out_h1",) and j.follows == pytest.approx(0.4 * 0.65 + 0.45 * 0.596884378 + 0.6)


def test_score_counts_follow_through_as_right_and_blanks_as_not(mazur, tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("out_h1: 0.6500\nnet_o1: 1.1286\nout_o1: 0.1\nE_after:\n")
    result = mazur.check(mazur.read(path))
    assert (result.right, result.asked, result.count("follow_through")) == (1, 4, 1)
    assert [j.answer.name.canonical for j in result.wrong] == ["out_h1", "out_o1"]
    assert result.sheet.blank == ("E_after",)


def test_values_after_training_are_judged_against_training():
    checker = Checker(network("udacity"))
    from bpcalc import engine
    trained = engine.train(network("udacity"), 3).final
    judged = judge(checker, {"out_o@3": text(trained.passes[0].outputs[0], 6), "E_total@3": "0.5"})
    assert verdicts(judged) == {"out_o@3": ("correct", None), "E_total@3": ("wrong", None)}


def test_a_network_without_learning_rate_checks_the_forward_pass(tmp_path):
    net = tmp_path / "net.yaml"
    from conftest import NETWORKS
    net.write_text((NETWORKS / "udacity.yaml").read_text().replace("learning_rate: 0.5\n", ""))
    from bpcalc.loader import load_network
    checker = Checker(load_network(net))
    assert judge(checker, {"out_o": "0.512"})["out_o"].verdict == "correct"
    from bpcalc.errors import NetworkFileError
    with pytest.raises(NetworkFileError, match="no learning_rate"):
        judge(checker, {"W+": "0.13"})
