"""Property tests: thousands of mutated network files, each either works or gets one located line and exit 2."""

from __future__ import annotations

import json
import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcalc import engine
from bpcalc.errors import BpcalcError
from bpcalc.loader import load_network
from conftest import NETWORKS, bpcalc, json_numbers

MATRIX = """\
learning_rate: 0.1
loss: cross_entropy
rounding: {decimals: 3}
layers:
  - inputs: [x1, x2]
  - activation: tanh
    neurons: [h1, h2, h3]
    weights: [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]
    biases: [0.0, 0.1, -0.1]
  - activation: softmax
    neurons: [y1, y2]
    weights:
      - [1, 2, 3]
      - [-1, 0.5, 2]
labels: {a: x1->h1, b: h2}
samples:
  - {inputs: [0.05, 0.10], targets: [1, 0]}
  - {inputs: [1, -1], targets: [0, 1]}
"""
BASES = [path.read_text(encoding="utf-8") for path in sorted(NETWORKS.glob("*.yaml"))] + [MATRIX]

SPECIAL = ["", "~", "[]", "{}", "[1, 2]", "{a: 1}", "- x", "a: b", "true", "no", "'0.5'", '"x"', ".nan", "-.inf",
           "1e308", "-1e308", "1e-320", "1000", "-1000", "0", "-0", "1e200", "&a x", "*a", "!!str 1", "? x", "|",
           ">", "#", ",", ":", "{", "]", "->", "i1", "h1", "o1", "sigmoid", "softmax", "relu", "cross_entropy",
           "online", "new_weights", "{decimals: 1}", "\t", " ", "\u00a0", "ω", "\x85", "\ufeff"]
TOKEN = st.one_of(st.sampled_from(SPECIAL), st.text(max_size=6), st.integers(-10**6, 10**6).map(str),
                  st.floats().map(repr), st.booleans().map(str))
INDEX = st.integers(0, 10**6)

# One edit: (kind, where, where-else, new text).
EDIT = st.tuples(st.sampled_from(["delete", "duplicate", "swap", "token", "tab", "truncate", "indent"]),
                 INDEX, INDEX, TOKEN)


def mutate(text: str, edits) -> str:
    lines = text.split("\n")
    for kind, i, j, new in edits:
        i, j = i % len(lines), j % len(lines)
        if kind == "delete" and len(lines) > 1:
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[j])
        elif kind == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "token":
            tokens = list(re.finditer(r"[^\s:,\[\]{}]+", lines[i]))
            if tokens:
                token = tokens[j % len(tokens)]
                lines[i] = lines[i][:token.start()] + new + lines[i][token.end():]
        elif kind == "tab":
            column = j % (len(lines[i]) + 1)
            lines[i] = lines[i][:column] + "\t" + lines[i][column:]
        elif kind == "indent":
            lines[i] = " " * (j % 5) + lines[i].lstrip(" ")
        elif kind == "truncate":
            whole = "\n".join(lines)
            return whole[: j % (len(whole) + 1)]
    return "\n".join(lines)


@st.composite
def mutated_files(draw) -> bytes:
    text = mutate(draw(st.sampled_from(BASES)), draw(st.lists(EDIT, min_size=1, max_size=4)))
    data = text.encode("utf-8", errors="surrogatepass")
    for _ in range(draw(st.integers(0, 1))):  # now and then a few random bytes
        at = draw(INDEX) % (len(data) + 1)
        data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    return data


@pytest.fixture(scope="module")
def net_path(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz") / "net.yaml"


COMMANDS = [["forward", "--json"], ["step", "--json"], ["train", "-n", "2", "--json"], ["forward"],
            ["step", "--show-deltas"], ["train", "-n", "2"]]


@settings(max_examples=600)
@given(data=mutated_files(), command=st.sampled_from(COMMANDS))
def test_a_mutated_file_works_or_gets_one_located_line(net_path, data, command):
    net_path.write_bytes(data)
    result = bpcalc(command[0], net_path, *command[1:])
    assert result.exit_code in (0, 2), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    if result.exit_code == 2:
        assert result.stdout == ""
        [line] = result.stderr.splitlines()
        assert line.startswith(f"bpcalc: {net_path}:")  # one_line_error would run the command again
        return
    if "--json" in command:
        document = json.loads(result.stdout)
        found = list(json_numbers({k: v for k, v in document.items() if k != "notes"}))
        assert all(n is None or math.isfinite(n) for n in found)
        assert (None in found) == ("notes" in document)  # a null (∞) always comes with its reason


@settings(max_examples=1500)
@given(data=mutated_files())
def test_a_mutated_file_loads_and_computes_or_raises_one_line(net_path, data):
    net_path.write_bytes(data)
    try:
        network = load_network(net_path)
        evaluation = engine.evaluate(network)
        if network.options.learning_rate is not None:
            engine.train(network, 2, [0, 1, 2])
    except BpcalcError as error:
        message = str(error)
        assert message.startswith(f"{net_path}:") and "\n" not in message
        return
    for fp in evaluation.passes:
        assert all(math.isfinite(n.net) and math.isfinite(n.out) for layer in fp.layers for n in layer)
        assert fp.error is None or not math.isnan(fp.error)  # None: a sample without targets


@settings(max_examples=500)
@given(data=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_arbitrary_bytes_get_one_line(net_path, data):
    net_path.write_bytes(data)
    with pytest.raises(BpcalcError) as caught:
        load_network(net_path)
    assert str(caught.value).startswith(f"{net_path}:") and "\n" not in str(caught.value)
