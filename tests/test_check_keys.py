"""The published answer keys in networks/keys/: which printed numbers hold, and why the others do not."""

from __future__ import annotations

from bpcalc.check.grade import Checker
from bpcalc.loader import load_network
from conftest import NETWORKS

KEYS = NETWORKS / "keys"
RIGHT = ("correct", None)


def check_key(network: str, key: str, tmp_path=None, path=None):
    """The key's judgements; with `tmp_path`, only its one-step numbers (no X@N, each a training run);
    `path` is the network file when not the bundled one."""
    checker = Checker(load_network(path or NETWORKS / f"{network}.yaml"))
    path = KEYS / f"{key}.answers.yaml"
    if tmp_path is not None:
        lines = path.read_text().splitlines(keepends=True)
        path = tmp_path / path.name
        path.write_text("".join(line for line in lines if "@" not in line.split(":")[0]))
    result = checker.check(checker.read(path))
    return {j.answer.key: j for j in result.judgements}


def verdicts(judged):
    return {name: (j.verdict, j.diagnosis.code if j.diagnosis else None) for name, j in judged.items()}


def test_every_key_is_checked_here():
    assert {p.name for p in KEYS.glob("*.yaml")} == {
        "mazur.answers.yaml", "udacity.answers.yaml", "csc4007-example2.answers.yaml", "csc4007-example3.answers.yaml",
        "negnevitsky-xor.answers.yaml"}
    for path in KEYS.glob("*.yaml"):
        assert path.read_text().startswith("# "), f"{path.name} should say where its numbers come from"


def test_mazur():
    """Every number holds under his printed convention (old weights) except the error after the
    first round and the final outputs, which back-propagate through the updated weights, and the
    error "after 10,000 rounds", which is measured before the 10,000th update."""
    judged = check_key("mazur", "mazur")
    expected = {name: RIGHT for name in judged}
    expected.update({
        "E_after": ("wrong", "new_weights"),  # 0.291027924
        "E_total@10000": ("wrong", "update_count"),  # 0.0000351085: after 9,999 updates
        "out_o1@10000": ("wrong", "new_weights"),
        "out_o2@10000": ("wrong", "new_weights"),
    })
    assert verdicts(judged) == expected
    assert len(judged) == 30
    # −0.019049119: δ_o2 rounded to 9 places, × w7; right by the allowance, so a remark, not a diagnosis
    assert judged["dE_o2/dout_h1"].slack and judged["dE_o2/dout_h1"].diagnosis is None
    assert judged["dE_o2/dout_h1"].remark == "This is what rounding every intermediate value to 9 decimal places gives."
    assert "updated weights" in judged["E_after"].diagnosis.sentence
    assert judged["E_total@10000"].diagnosis.sentence == \
        "This is the value after 9999 epochs, one too few: the value before the last update."


def test_mazur_against_the_updated_weights_convention(tmp_path):
    """Checked against hidden_deltas: new_weights his hidden layer is the one that no longer holds."""
    judged = check_key("mazur-new-weights", "mazur", tmp_path)
    hidden = {name: j for name, j in judged.items()
              if name in ("dE_o1/dout_h1", "dE_o2/dout_h1", "dE/dout_h1", "dE/dw1", "w1+", "w2+", "w3+", "w4+")}
    assert all(j.verdict != "correct" and j.diagnosis.code == "old_weights" for j in hidden.values())
    assert verdicts(judged)["E_after"] == RIGHT
    assert verdicts(judged)["w5+"] == RIGHT


def test_udacity():
    """Their δ is −∂E/∂net, which the file says (delta_sign: error), so every δ holds; their Δw2
    0.00045 uses δ_h already rounded to 0.003."""
    judged = check_key("udacity", "udacity")
    assert verdicts(judged) == {
        "net_h": RIGHT, "out_h": RIGHT, "out_o": RIGHT, "delta_o": RIGHT, "delta_h": RIGHT,
        "ΔW": RIGHT, "Δw1": RIGHT, "Δw2": RIGHT,
    }
    assert judged["Δw2"].slack
    assert judged["Δw2"].diagnosis is None and judged["Δw2"].remark.endswith("e.g. delta_h = 0.003.")


def test_udacity_under_the_other_sign(tmp_path):
    """Checked as if the course's δ were ∂E/∂net, the same key's δs are the sign slip."""
    net = tmp_path / "udacity.yaml"
    net.write_text((NETWORKS / "udacity.yaml").read_text().replace("delta_sign: error\n", ""))
    judged = check_key("udacity", "udacity", path=net)
    assert verdicts(judged) == {
        "net_h": RIGHT, "out_h": RIGHT, "out_o": RIGHT,
        "delta_o": ("wrong", "sign_flipped"),
        "delta_h": ("follow_through", "sign_flipped"),
        "ΔW": RIGHT, "Δw1": RIGHT, "Δw2": RIGHT,
    }
    assert judged["Δw2"].slack
    assert judged["Δw2"].diagnosis is None and judged["Δw2"].remark.endswith("e.g. delta_h = 0.003.")


def test_csc4007_example2():
    """18 of 21 hold under 2 significant figures and updated output weights; the three new hidden
    weights printed to three decimals are what its rounded deltas give unrounded."""
    judged = check_key("csc4007-example2", "csc4007-example2")
    expected = {name: RIGHT for name in judged}
    expected.update({name: ("wrong", "hand_rounding") for name in ("BT+", "AB+", "BB+")})
    assert verdicts(judged) == expected
    assert len(judged) == 21


def test_csc4007_example3():
    """δ_T −0.009 holds to the three places printed; the new hidden weights are its rounded deltas
    computed unrounded (0.301 is one off in the last place, which is allowed); the further pass's
    net_Bottom 0.17 is one off from 0.18, allowed, and explained by no rounding."""
    judged = check_key("csc4007-example3", "csc4007-example3")
    expected = {name: RIGHT for name in judged}
    expected.update({name: ("wrong", "hand_rounding") for name in ("AT+", "BT+", "BB+")})
    assert verdicts(judged) == expected
    assert judged["net_Bottom@1"].slack and judged["net_Bottom@1"].expected == 0.18
