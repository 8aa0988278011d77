"""The network-file loader: the example files load, the alternative forms agree, and every bad file
gets one line naming the file, the line, the column and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bpcalc import functions
from bpcalc.arith import Rounding
from bpcalc.errors import NetworkFileError
from bpcalc.loader import load_network, parse_network, read_text
from bpcalc.loader.yamltext import _compose, _FastLoader, _Invalid
from bpcalc.model import Options
from conftest import NETWORKS, TESTS

CASES = Path(__file__).parent / "cases"


def load_text(tmp_path, monkeypatch, text: str | bytes):
    """Load `text` as the file net.yaml in the working directory, as a user would name it."""
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "net.yaml"
    if isinstance(text, bytes):
        target.write_bytes(text)
    else:
        target.write_text(text, encoding="utf-8")
    return load_network("net.yaml")


def edit(base: str, old: str, new: str) -> str:
    assert base.count(old) == 1, f"{old!r} must occur once in the base text"
    return base.replace(old, new)


# ---------------------------------------------------------------- the worked examples

@pytest.mark.parametrize("path", sorted(CASES.glob("*.yaml")), ids=lambda path: path.stem)
def test_every_case_loads(path):
    network = load_network(path)
    assert network.path == str(path)
    assert network.name
    assert network.samples
    assert all(len(s.inputs) == len(network.inputs) for s in network.samples)
    assert all(len(s.targets) == len(network.outputs) for s in network.samples)


def test_the_seven_cases_are_there():
    assert {p.stem for p in CASES.glob("*.yaml")} >= {
        "brilliant", "csc4007-example2", "csc4007-example3", "mazur", "mazur-new-weights",
        "mitchell-4-7", "udacity"}


def test_mazur_reads_as_written():
    network = load_network(CASES / "mazur.yaml")
    assert network.name == "mazur-2-2-2"
    assert network.inputs == ("i1", "i2")
    hidden, output = network.layers
    assert hidden.activation is functions.SIGMOID
    assert hidden.names == ("h1", "h2")
    assert [n.weights for n in hidden.neurons] == [(("i1", 0.15), ("i2", 0.20)), (("i1", 0.25), ("i2", 0.30))]
    assert [n.bias for n in hidden.neurons] == [0.35, 0.35]
    assert [n.weights for n in output.neurons] == [(("h1", 0.40), ("h2", 0.45)), (("h1", 0.50), ("h2", 0.55))]
    assert network.options == Options(learning_rate=0.5, update_biases=False)
    assert list(network.labels.items())[:2] == [("w1", "i1->h1"), ("w2", "i2->h1")]
    assert network.labels["b1"] == "h1"
    assert network.samples[0].inputs == (0.05, 0.10)
    assert network.samples[0].targets == (0.01, 0.99)


def test_options_of_the_cases():
    mitchell = load_network(CASES / "mitchell-4-7.yaml").options
    assert (mitchell.batch, mitchell.momentum, mitchell.learning_rate) == ("online", 0.9, 0.3)
    csc = load_network(CASES / "csc4007-example2.yaml").options
    assert csc.rounding == Rounding("significant", 2)
    assert csc.hidden_deltas == "new_weights"
    udacity = load_network(CASES / "udacity.yaml")
    assert [n.bias for n in udacity.layers[0].neurons] == [None]
    assert load_network(CASES / "brilliant.yaml").layers[1].activation is functions.LINEAR  # identity


# ---------------------------------------------------------------- the forms agree

CANONICAL = """\
layers:
  - inputs: [i1, i2]
  - activation: tanh
    neurons:
      h1: {bias: 0.0, weights: {i1: 0.1, i2: 0.2}}
      h2: {bias: 0.1, weights: {i2: 0.4, i1: 0.3}}   # any order of sources
      h3: {weights: {i1: 0.5, i2: 0.6}}
  - activation: linear
    neurons:
      o: {bias: -0.5, weights: {h1: 1, h2: 2, h3: 3}}
samples:
  - inputs: {i2: 0.10, i1: 0.05}
    targets: {o: 0.01}
"""

MATRIX = """\
layers:
  - inputs: [i1, i2]
  - activation: tanh
    neurons: [h1, h2, h3]
    weights: [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]
    biases: [0.0, 0.1, null]
  - activation: identity
    neurons: [o]
    weights:
      - [1, 2, 3]
    biases: [-0.5]
samples:
  - {inputs: [0.05, 0.10], targets: [0.01]}
"""


def test_canonical_and_matrix_forms_give_the_same_network():
    canonical = parse_network(CANONICAL, "canonical.yaml")
    matrix = parse_network(MATRIX, "matrix.yaml")
    assert canonical.layers == matrix.layers
    assert canonical.samples == matrix.samples
    assert canonical.inputs == matrix.inputs
    assert [n.bias for n in canonical.layers[0].neurons] == [0.0, 0.1, None]
    assert canonical.samples[0].inputs == (0.05, 0.10)
    assert matrix.path == "matrix.yaml"


def test_matrix_biases_may_be_left_out():
    network = parse_network(edit(MATRIX, "    biases: [0.0, 0.1, null]\n", ""), "m.yaml")
    assert [n.bias for n in network.layers[0].neurons] == [None, None, None]


# ---------------------------------------------------------------- numbers, names, labels, options

TINY = """\
layers:
  - inputs: [x]
  - activation: sigmoid
    neurons:
      y: {bias: BIAS, weights: {x: WEIGHT}}
samples:
  - {inputs: [1], targets: [0]}
"""


@pytest.mark.parametrize("written, value", [
    (".5", 0.5), ("5e-1", 0.5), ("1e3", 1000.0), ("-0.2", -0.2), ("3", 3.0), ("+2.5E+1", 25.0), ("-.25", -0.25),
])
def test_plain_numbers_in_every_notation(written, value):
    network = parse_network(TINY.replace("WEIGHT", written).replace("BIAS", written), "t.yaml")
    [neuron] = network.layers[0].neurons
    weight, bias = neuron.weights[0][1], neuron.bias
    assert weight == bias == value
    assert type(weight) is float and type(bias) is float


def test_names_are_taken_as_written():
    text = """\
layers:
  - inputs: [α, 1]
  - activation: tanh
    neurons:
      Ω: {bias: 0.1, weights: {α: 0.5, 1: -0.5}}
labels:
  ω₁: α -> Ω
  β: Ω
samples:
  - inputs: {α: 1, 1: 2}
    targets: {Ω: 0}
"""
    network = parse_network(text, "greek.yaml")
    assert network.inputs == ("α", "1")
    assert network.outputs == ("Ω",)
    assert network.labels == {"ω₁": "α->Ω", "β": "Ω"}
    assert network.label_of("α->Ω") == "ω₁"
    assert network.samples[0].inputs == (1.0, 2.0)


def test_labels_keep_file_order_and_normalise_edges():
    text = edit(CANONICAL, "samples:", "labels:\n  z: 'h3 ->o'\n  a: i1->h1\n  b: h2\nsamples:")
    assert list(parse_network(text, "l.yaml").labels.items()) == [("z", "h3->o"), ("a", "i1->h1"), ("b", "h2")]


def test_leaky_relu_slope():
    plain = parse_network(edit(CANONICAL, "activation: tanh", "activation: leaky_relu"), "a.yaml")
    assert plain.layers[0].activation.name == "leaky_relu"
    assert plain.layers[0].activation.slope == 0.01
    sloped = parse_network(edit(CANONICAL, "activation: tanh", "activation: {leaky_relu: {slope: 0.2}}"),
                           "b.yaml")
    assert sloped.layers[0].activation.slope == 0.2
    assert sloped.layers[0].activation.f(-1.0) == -0.2


@pytest.mark.parametrize("written, rounding", [
    ("", None), ("rounding:\n", None), ("rounding: none\n", None), ("rounding: ~\n", None),
    ("rounding: {decimals: 3}\n", Rounding("decimals", 3)),
    ("rounding: {decimals: 0}\n", Rounding("decimals", 0)),
    ("rounding:\n  significant: 2\n", Rounding("significant", 2)),
])
def test_rounding_options(written, rounding):
    assert parse_network(written + CANONICAL, "r.yaml").options.rounding == rounding


def test_defaults_are_those_of_options():
    assert parse_network(CANONICAL, "d.yaml").options == Options()


def test_every_option():
    options = """\
name: all options
learning_rate: 1e-2
loss: mse
reduction: sum
batch: 4
l2: 0.001
momentum: 0.5
update_biases: false
hidden_deltas: new_weights
"""
    network = parse_network(options + CANONICAL, "o.yaml")
    assert network.name == "all options"
    assert network.options == Options(learning_rate=0.01, loss="mse", reduction="sum", batch=4, l2=0.001,
                                      momentum=0.5, update_biases=False, hidden_deltas="new_weights")


def test_cross_entropy_with_sigmoid_or_softmax_output():
    sigmoid = edit(CANONICAL, "activation: linear", "activation: sigmoid")
    softmax = edit(CANONICAL, "activation: linear", "activation: softmax")
    assert parse_network("loss: cross_entropy\n" + sigmoid, "s.yaml").options.loss == "cross_entropy"
    assert parse_network("loss: cross_entropy\n" + softmax, "s.yaml").layers[-1].activation.is_softmax


def test_a_byte_order_mark_and_crlf_line_ends_are_fine(tmp_path, monkeypatch):
    text = "\ufeff" + CANONICAL.replace("\n", "\r\n")
    network = load_text(tmp_path, monkeypatch, text.encode("utf-8"))
    assert network.inputs == ("i1", "i2")


def test_read_text(tmp_path):
    path = tmp_path / "a.json"
    path.write_text("{\"ω\": 1}\n", encoding="utf-8")
    assert read_text(path) == "{\"ω\": 1}\n"


# ---------------------------------------------------------------- bad files

NET = """\
name: tiny
learning_rate: 0.5
layers:
  - inputs: [i1, i2]
  - activation: sigmoid
    neurons:
      h1: {bias: 0.35, weights: {i1: 0.15, i2: 0.20}}
      h2: {bias: 0.35, weights: {i1: 0.25, i2: 0.30}}
  - activation: sigmoid
    neurons:
      o1: {bias: 0.60, weights: {h1: 0.40, h2: 0.45}}
labels:
  w1: i1->h1
samples:
  - inputs: {i1: 0.05, i2: 0.10}
    targets: {o1: 0.01}
"""

SHAPES = """\
layers:
  - inputs: [i1, i2]
  - activation: tanh
    neurons: [h1, h2, h3]
    weights: [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]
    biases: [0.0, 0.1, -0.1]
  - activation: linear
    neurons: [o]
    weights:
      - [1, 2, 3]
samples:
  - {inputs: [0.05, 0.10], targets: [0.01]}
"""

ETA = "learning_rate: 0.5"
H1 = "h1: {bias: 0.35, weights: {i1: 0.15, i2: 0.20}}"
HIDDEN = "  - activation: sigmoid\n    neurons:\n      h1"
OUTPUT = "  - activation: sigmoid\n    neurons:\n      o1"
ONE_SAMPLE = "samples:\n  - inputs: {i1: 0.05, i2: 0.10}\n    targets: {o1: 0.01}\n"
KEYS = ("name, learning_rate, loss, reduction, batch, l2, momentum, update_biases, hidden_deltas, rounding, "
        "delta_sign, init, layers, labels, samples, previous_steps")
UNIQUE = "(input and neuron names must be unique across the network)"
NOT_FINITE = "(non-finite numbers are not allowed)"
LABEL_RULE = "a label names a weight SRC->DST or a neuron with a bias or threshold"


def option(line: str) -> str:
    """NET with `line` added as line 3."""
    return edit(NET, ETA, f"{ETA}\n{line}")


BAD = [
    # ---- YAML itself
    ("yaml-syntax", option("loss: [mse"),
     "net.yaml:4:7: invalid YAML: expected ',' or ']', but got ':' (while parsing a flow sequence at line 3)"),
    ("tab", option("\tloss: mse"),
     "net.yaml:3:1: invalid YAML: found a tab where YAML allows only spaces (indent with spaces, not tabs)"),
    ("empty", "", "net.yaml: the file is empty; expected a network with 'layers' and 'samples'"),
    ("comments-only", "# nothing yet\n",
     "net.yaml: the file is empty; expected a network with 'layers' and 'samples'"),
    ("two-documents", NET + "---\nname: again\n",
     "net.yaml:17:1: invalid YAML: expected a single document in the stream, but found another document"),
    ("alias", edit(NET, ETA, "learning_rate: &eta 0.5\nl2: *eta"),
     "net.yaml:2:16: anchors and aliases are not supported in network files; write the value out in full"),
    ("python-tag", edit(NET, "name: tiny", "name: !!python/object/apply:os.system ['echo hi']"),
     "net.yaml:1:7: YAML tags (!…) are not supported in network files; write the plain value"),
    ("complex-key", option("? [a, b]\n: 1"), "net.yaml:3:3: a key must be a name, got a list"),
    ("duplicate-key", option("learning_rate: 0.4"),
     "net.yaml:3:1: duplicate key 'learning_rate' (first at line 2)"),
    ("duplicate-sample-key", edit(NET, "{i1: 0.05, i2: 0.10}", "{i1: 0.05, i1: 0.10}"),
     "net.yaml:15:24: duplicate key 'i1' (first at line 15)"),
    ("control-character", edit(NET, "name: tiny", "name: ti\x00ny"),
     "net.yaml:1:9: the file contains the character #x0000, which YAML does not allow (is this a binary file?)"),
    ("deep-nesting", "[" * 5000,
     "net.yaml:1:33: lists and maps nested more than 32 deep; a network file nests at most about 7 "
     "(is a bracket not closed?)"),
    ("non-utf8", NET.encode("utf-8") + b"# caf\xe9\n",
     "net.yaml:17: the file is not UTF-8 text (byte 0xe9 cannot be decoded); save it as UTF-8"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00",
     "net.yaml:1: the file is not UTF-8 text (byte 0x89 cannot be decoded); save it as UTF-8"),
    # ---- top level
    ("list-for-the-network", "- layers\n- samples\n",
     f"net.yaml:1:1: network file: expected a map with keys {KEYS}, got a list"),
    ("unknown-key-close", edit(NET, ETA, "learnig_rate: 0.5"),
     "net.yaml:2:1: network file: unknown key 'learnig_rate'; did you mean 'learning_rate'?"),
    ("unknown-key-far", option("colour: blue"),
     f"net.yaml:3:1: network file: unknown key 'colour' (allowed: {KEYS})"),
    ("missing-samples", NET.split("samples:")[0],
     "net.yaml:1:1: network file: missing 'samples' (required: layers, samples)"),
    ("negative-learning-rate", edit(NET, ETA, "learning_rate: -0.5"),
     "net.yaml:2:16: learning_rate: expected a number > 0, got -0.5"),
    ("zero-learning-rate", edit(NET, ETA, "learning_rate: 0"),
     "net.yaml:2:16: learning_rate: expected a number > 0, got 0"),
    ("momentum-one", option("momentum: 1"),
     "net.yaml:3:11: momentum: expected a number α with 0 ≤ α < 1, got 1"),
    ("negative-l2", option("l2: -0.01"), "net.yaml:3:5: l2: expected a number ≥ 0, got -0.01"),
    ("batch-zero", option("batch: 0"),
     "net.yaml:3:8: batch: expected full, online or a whole number of samples ≥ 1, got 0"),
    ("batch-word", option("batch: mini"),
     "net.yaml:3:8: batch: expected full, online or a whole number of samples ≥ 1, got 'mini'"),
    ("batch-fraction", option("batch: 2.5"),
     "net.yaml:3:8: batch: expected full, online or a whole number of samples ≥ 1, got 2.5"),
    ("loss-typo", option("loss: msee"),
     "net.yaml:3:7: unknown loss 'msee'; did you mean 'mse'? (valid: half_sse, sse, mse, cross_entropy)"),
    ("reduction-unknown", option("reduction: avg"),
     "net.yaml:3:12: unknown reduction 'avg' (valid: mean, sum)"),
    ("hidden-deltas-typo", option("hidden_deltas: new_weight"),
     "net.yaml:3:16: unknown hidden_deltas 'new_weight'; did you mean 'new_weights'? (valid: old_weights, new_weights)"),
    ("update-biases-quoted", option("update_biases: 'false'"),
     "net.yaml:3:16: update_biases: expected true or false, got the string 'false'"),
    ("update-biases-number", option("update_biases: 0"),
     "net.yaml:3:16: update_biases: expected true or false, got 0"),
    ("rounding-both", option("rounding: {decimals: 2, significant: 3}"),
     "net.yaml:3:11: rounding: expected exactly one of decimals or significant, e.g. {decimals: 4}"),
    ("rounding-empty", option("rounding: {}"),
     "net.yaml:3:11: rounding: expected exactly one of decimals or significant, e.g. {decimals: 4}"),
    ("rounding-significant-zero", option("rounding: {significant: 0}"),
     "net.yaml:3:25: rounding significant: expected a whole number from 1 to 100, got 0"),
    ("rounding-negative-decimals", option("rounding: {decimals: -1}"),
     "net.yaml:3:22: rounding decimals: expected a whole number from 0 to 100, got -1"),
    ("rounding-fraction", option("rounding: {decimals: 2.5}"),
     "net.yaml:3:22: rounding decimals: expected a whole number from 0 to 100, got 2.5"),
    ("rounding-typo", option("rounding: {decimal: 2}"),
     "net.yaml:3:12: rounding: unknown key 'decimal'; did you mean 'decimals'?"),
    ("rounding-number", option("rounding: 3"),
     "net.yaml:3:11: rounding: expected none, {decimals: n} or {significant: n}, got 3"),
    ("cross-entropy-linear", edit(option("loss: cross_entropy"), OUTPUT, OUTPUT.replace("sigmoid", "linear")),
     "net.yaml:3:7: loss cross_entropy needs a sigmoid or softmax output layer (the loss takes ln out and ln(1−out)), "
     "but the output layer is linear"),
    # ---- layers
    ("one-layer", "layers:\n  - inputs: [a]\nsamples:\n  - {inputs: [1], targets: []}\n",
     "net.yaml:2:3: layers: expected at least 2 entries (the inputs, then at least one layer of neurons), got 1"),
    ("inputs-not-first", edit(NET, "  - inputs: [i1, i2]\n", "  - activation: sigmoid\n"),
     "net.yaml:4:5: layer 1: the first entry of layers lists the inputs only, e.g. - inputs: [x1, x2]"),
    ("inputs-later", edit(NET, "    neurons:\n      o1", "    inputs: [x]\n    neurons:\n      o1"),
     "net.yaml:10:5: layer 3: only the first entry of layers lists inputs; this one needs activation and neurons"),
    ("no-inputs", edit(NET, "[i1, i2]", "[]"),
     "net.yaml:4:13: layer 1 inputs: expected at least one input name"),
    ("unknown-activation", edit(NET, HIDDEN, HIDDEN.replace("sigmoid", "sigmod")),
     "net.yaml:5:17: layer 2: unknown activation 'sigmod'; did you mean 'sigmoid'? "
     "(valid: sigmoid, tanh, relu, leaky_relu, linear, identity, softmax)"),
    ("softmax-hidden", edit(NET, HIDDEN, HIDDEN.replace("sigmoid", "softmax")),
     "net.yaml:5:17: layer 2: softmax is only allowed on the output layer (the last one)"),
    ("parameters-for-tanh", edit(NET, OUTPUT, OUTPUT.replace("sigmoid", "{tanh: {slope: 1}}")),
     "net.yaml:9:17: layer 3: an activation with a parameter is written {leaky_relu: {slope: s}}; "
     "the others are written by name, e.g. activation: sigmoid"),
    ("leaky-slope-typo", edit(NET, OUTPUT, OUTPUT.replace("sigmoid", "{leaky_relu: {slop: 0.1}}")),
     "net.yaml:9:31: layer 3 leaky_relu: unknown key 'slop'; did you mean 'slope'?"),
    ("weights-beside-a-neuron-map",
     edit(NET, "    neurons:\n      o1", "    weights: [[1, 2]]\n    neurons:\n      o1"),
     "net.yaml:10:14: layer 3: 'weights' at layer level goes with neurons: [list of names]; "
     "with neurons: {…} each neuron carries its own bias and weights"),
    # ---- neurons and weights
    ("weight-from-nowhere", edit(NET, "i1: 0.15", "i3: 0.15"),
     "net.yaml:7:34: weight from 'i3' into 'h1': there is no neuron 'i3' in the layer before or earlier "
     "(the layer before has i1, i2)"),
    ("missing-weight", edit(NET, "i1: 0.15, ", ""),
     "net.yaml:7:33: weights into 'h1': missing i1 (expected one weight from each neuron of the layer before: "
     "i1, i2; for a neuron that sees only some of them, mark the layer `connections: sparse`)"),
    ("list-where-a-map-belongs", edit(NET, "{i1: 0.15, i2: 0.20}", "[0.15, 0.20]"),
     "net.yaml:7:33: weights into 'h1': expected a map {source: weight} naming i1, i2, got a list"),
    ("neuron-as-list", edit(NET, H1, "h1: [0.15, 0.20]"),
     "net.yaml:7:11: neuron 'h1': expected a map with keys bias, threshold, weights, got a list"),
    ("neuron-without-weights", edit(NET, H1, "h1: {bias: 0.35}"),
     "net.yaml:7:11: neuron 'h1': missing 'weights' (required: weights)"),
    ("neuron-key-typo", edit(NET, H1, H1.replace("weights", "weight")),
     "net.yaml:7:24: neuron 'h1': unknown key 'weight'; did you mean 'weights'?"),
    ("duplicate-neuron", edit(NET, "      h2: {bias", "      h1: {bias"),
     "net.yaml:8:7: duplicate key 'h1' (first at line 7)"),
    ("neuron-named-like-an-input", edit(NET, "      o1: {bias", "      i1: {bias"),
     f"net.yaml:11:7: neuron 'i1': the name is already used at line 4 {UNIQUE}"),
    ("duplicate-matrix-neuron", edit(SHAPES, "[h1, h2, h3]", "[h1, h2, h1]"),
     f"net.yaml:4:23: neuron 'h1': the name is already used at line 4 {UNIQUE}"),
    ("name-with-arrow", edit(NET, "[i1, i2]", "[i1, 'a->b']"),
     "net.yaml:4:18: input 'a->b': a name must not contain '->', which joins the ends of a weight"),
    ("blank-name", edit(NET, "[i1, i2]", "[i1, ' ']"), "net.yaml:4:18: input: a name must not be empty"),
    # ---- numbers
    ("word-for-number", edit(NET, "i1: 0.15", "i1: abc"),
     "net.yaml:7:38: weight from 'i1' into 'h1': expected a number, got 'abc'"),
    ("quoted-number", edit(NET, "i1: 0.15", "i1: '0.15'"),
     "net.yaml:7:38: weight from 'i1' into 'h1': expected a number, got the string '0.15' (numbers are written without quotes)"),
    ("quoted-bias", edit(NET, "bias: 0.60", 'bias: "0.6"'),
     "net.yaml:11:18: bias of 'o1': expected a number, got the string '0.6' (numbers are written without quotes)"),
    ("boolean-for-number", edit(NET, "i1: 0.15", "i1: yes"),
     "net.yaml:7:38: weight from 'i1' into 'h1': expected a number, got the boolean yes"),
    ("null-for-number", edit(NET, "i1: 0.15", "i1: ~"),
     "net.yaml:7:38: weight from 'i1' into 'h1': expected a number, got nothing (null)"),
    ("nan", edit(NET, "i1: 0.15", "i1: .nan"),
     f"net.yaml:7:38: weight from 'i1' into 'h1': expected a finite number, got .nan {NOT_FINITE}"),
    ("minus-inf", edit(NET, "i2: 0.20", "i2: -.inf"),
     f"net.yaml:7:48: weight from 'i2' into 'h1': expected a finite number, got -.inf {NOT_FINITE}"),
    ("python-inf", edit(NET, "bias: 0.35, weights: {i1: 0.15", "bias: inf, weights: {i1: 0.15"),
     f"net.yaml:7:18: bias of 'h1': expected a finite number, got inf {NOT_FINITE}"),
    # ---- the matrix form
    ("too-few-rows", edit(SHAPES, "[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]", "[[0.1, 0.2], [0.3, 0.4]]"),
     "net.yaml:5:14: layer 2 weights: expected 3 rows (one per neuron: h1, h2, h3), got 2"),
    ("too-many-rows", edit(SHAPES, "[0.5, 0.6]]", "[0.5, 0.6], [1, 1]]"),
     "net.yaml:5:51: layer 2 weights: expected 3 rows (one per neuron: h1, h2, h3), got 4"),
    ("long-row", edit(SHAPES, "[0.3, 0.4]", "[0.3, 0.4, 9]"),
     "net.yaml:5:27: weights into 'h2': expected 2 numbers (one per neuron of the layer before: i1, i2), got 3"),
    ("short-block-row", edit(SHAPES, "- [1, 2, 3]", "- [1, 2]"),
     "net.yaml:10:9: weights into 'o': expected 3 numbers (one per neuron of the layer before: h1, h2, h3), got 2"),
    ("biases-length", edit(SHAPES, "[0.0, 0.1, -0.1]", "[0.0, 0.1]"),
     "net.yaml:6:13: layer 2 biases: expected 3 (one per neuron: h1, h2, h3), got 2"),
    ("biases-as-map", edit(SHAPES, "[0.0, 0.1, -0.1]", "{h1: 0.0}"),
     "net.yaml:6:13: layer 2 biases: expected a list (one per neuron), got a map"),
    ("matrix-without-weights", edit(SHAPES, "    weights: [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]\n", ""),
     "net.yaml:4:14: layer 2: neurons given as a list need weights: [[…], …] beside them, one row per neuron"),
    # ---- samples
    ("no-samples", edit(NET, ONE_SAMPLE, "samples: []\n"),
     "net.yaml:14:10: samples: expected at least one sample"),
    ("sample-missing-input", edit(NET, "{i1: 0.05, i2: 0.10}", "{i1: 0.05}"),
     "net.yaml:15:13: sample 1 inputs: missing i2 (expected one value for each input: i1, i2)"),
    ("sample-unknown-input", edit(NET, "{i1: 0.05, i2: 0.10}", "{i1: 0.05, i2: 0.10, i3: 1}"),
     "net.yaml:15:34: sample 1 inputs: there is no input 'i3' (the inputs are i1, i2)"),
    ("sample-list-wrong-length", edit(SHAPES, "[0.05, 0.10]", "[0.05]"),
     "net.yaml:12:14: sample 1 inputs: expected 2 numbers (for i1, i2), got 1"),
    ("sample-target-not-an-output", edit(NET, "{o1: 0.01}", "{h1: 0.01}"),
     "net.yaml:16:15: sample 1 targets: there is no output neuron 'h1' (the output neurons are o1)"),
    ("sample-scalar-targets", edit(SHAPES, "targets: [0.01]", "targets: 0.01"),
     "net.yaml:12:37: sample 1 targets: expected a map naming o or a list of 1 number, got 0.01"),
    ("sample-missing-inputs", edit(NET, "  - inputs: {i1: 0.05, i2: 0.10}\n    targets", "  - targets"),
     "net.yaml:15:5: sample 1: missing 'inputs' (required: inputs)"),
    ("sample-key-typo", edit(NET, "    targets:", "    target:"),
     "net.yaml:16:5: sample 1: unknown key 'target'; did you mean 'targets'?"),
    # ---- labels
    ("label-unknown-edge", edit(NET, "w1: i1->h1", "w1: i1->o1"),
     "net.yaml:13:7: label 'w1': there is no weight i1->o1 ('o1' is fed by h1, h2)"),
    ("label-unknown-neuron", edit(NET, "w1: i1->h1", "w1: x9"),
     f"net.yaml:13:7: label 'w1': there is no neuron 'x9'; {LABEL_RULE}"),
    ("label-an-input", edit(NET, "w1: i1->h1", "w1: i1"),
     f"net.yaml:13:7: label 'w1': 'i1' is an input, which has no bias; {LABEL_RULE}"),
    ("label-twice", edit(NET, "w1: i1->h1", "w1: i1->h1\n  w2: i1 -> h1"),
     "net.yaml:14:7: label 'w2': i1->h1 already has the label 'w1' (line 13); a parameter takes one label"),
    ("label-named-like-a-neuron", edit(NET, "w1: i1->h1", "h2: i1->h1"),
     "net.yaml:13:3: label 'h2': an input or neuron is already called 'h2' (the label would be ambiguous in answer files)"),
    ("label-bias-of-unbiased-neuron",
     edit(edit(NET, "w1: i1->h1", "b: h1"), "{bias: 0.35, weights: {i1: 0.15", "{weights: {i1: 0.15"),
     "net.yaml:13:6: label 'b': neuron 'h1' has no bias or threshold to label"),
]


@pytest.mark.parametrize("text, message", [pytest.param(text, message, id=name) for name, text, message in BAD])
def test_bad_file(tmp_path, monkeypatch, text, message):
    with pytest.raises(NetworkFileError) as caught:
        load_text(tmp_path, monkeypatch, text)
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)


def test_a_bad_file_reports_its_place_as_fields(tmp_path, monkeypatch):
    with pytest.raises(NetworkFileError) as caught:
        load_text(tmp_path, monkeypatch, edit(NET, "i1: 0.15", "i3: 0.15"))
    error = caught.value
    assert (error.path, error.line, error.column) == ("net.yaml", 7, 34)
    assert error.message.startswith("weight from 'i3' into 'h1'")


def test_a_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nets").mkdir()
    with pytest.raises(NetworkFileError, match=r"^nets: this is a directory; expected a file$"):
        load_network("nets")


def test_a_missing_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NetworkFileError, match=r"^nope\.yaml: no such file$"):
        load_network("nope.yaml")
    with pytest.raises(NetworkFileError, match=r"^nope\.json: no such file$"):
        read_text(Path("nope.json"))


def test_billion_laughs_is_refused_before_it_expands():
    lol = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
    with pytest.raises(NetworkFileError, match="anchors and aliases are not supported"):
        parse_network(lol, "lol.yaml")


# ---------------------------------------------------------------- libyaml and the pure-Python parser

def _tree(node):
    """A node as plain data: kind, tag, style, value and where it starts."""
    where = (node.start_mark.line, node.start_mark.column)
    if isinstance(node, yaml.ScalarNode):
        return ("scalar", node.tag, node.style, node.value, where)
    if isinstance(node, yaml.SequenceNode):
        return ("list", node.tag, node.flow_style, [_tree(n) for n in node.value], where)
    return ("map", node.tag, node.flow_style, [(_tree(k), _tree(v)) for k, v in node.value], where)


YAML_FILES = sorted([*NETWORKS.rglob("*.yaml"), *(TESTS / "cases").glob("*.yaml"), *(TESTS / "corpus").rglob("*.yaml")])


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(TESTS.parent)))
def test_libyaml_reads_every_file_as_the_python_parser_does(path):
    """Networks are read with libyaml's parser and re-read with PyYAML's own only to report a
    problem: whatever the fast one reads must be exactly what the other reads, mark for mark."""
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    try:
        fast = _compose(text, _FastLoader)
    except _Invalid:
        assert "bad" in path.parts  # a valid file never takes the slow way round
        return  # re-read by _Loader, which reports it
    assert _tree(fast) == _tree(_compose(text))


# ---------------------------------------------------------------- graphs: skips, sparse layers, thresholds

GRAPH = """\
layers:
  - inputs: [x1, x2, x3]
  - activation: sigmoid
    connections: sparse
    neurons:
      h1: {bias: 0.1, weights: {x2: -0.6, x1: 0.4}}
      h2: {threshold: 0.3, weights: {x2: 0.5, x3: 0.7}}
  - activation: sigmoid
    neurons:
      y: {bias: 0.2, weights: {x1: 0.9, h2: -0.8, h1: 0.3}}
labels: {theta2: h2, u1: x1->y}
samples:
  - inputs: [1, 0, 1]
    targets: [1]
"""


def test_a_graph_reads_as_written():
    network = parse_network(GRAPH, "g.yaml")
    h1, h2, y = network.neurons
    assert network.layers[0].sparse and not network.layers[1].sparse
    assert h1.weights == (("x1", 0.4), ("x2", -0.6))  # in file order of the sources
    assert (h2.bias, h2.threshold, h2.constant) == (0.3, True, -1.0)
    assert y.weights == (("x1", 0.9), ("h1", 0.3), ("h2", -0.8))
    assert network.feeds()["x1"] == ("h1", "y")
    assert network.biases() == {"h1": 0.1, "y": 0.2} and network.thresholds() == {"h2": 0.3}
    assert network.labels == {"theta2": "h2", "u1": "x1->y"}
    assert not network.layered


def test_thresholds_in_the_matrix_form():
    text = MATRIX.replace("biases: [0.0, 0.1, null]", "thresholds: [0.0, 0.1, null]")
    hidden = parse_network(text, "m.yaml").layers[0]
    assert [(n.bias, n.threshold) for n in hidden.neurons] == [(0.0, True), (0.1, True), (None, True)]


@pytest.mark.parametrize("change, line, fragment", [
    (("{x2: 0.5, x3: 0.7}", "{x2: 0.5, x3: 0.7, h1: 1}"), 7, "'h1' is in the same layer"),
    (("{x2: 0.5, x3: 0.7}", "{x2: 0.5, x3: 0.7, y: 1}"), 7, "is in a later layer (layer 3), which would make a cycle"),
    (("{x2: 0.5, x3: 0.7}", "{x2: 0.5, h2: 0.7}"), 7, "a neuron cannot feed itself"),
    (("{bias: 0.1, weights: {x2: -0.6, x1: 0.4}}", "{bias: 0.1, weights: {}}"), 6,
     "a neuron of a sparse layer needs at least one weight"),
    (("{threshold: 0.3, weights", "{bias: 0.1, threshold: 0.3, weights"), 7, "not both"),
    (("connections: sparse", "connections: partial"), 4, "unknown connections 'partial'"),
    (("layers:", "delta_sign: negative\nlayers:"), 1, "unknown delta_sign 'negative'"),
    (("connections: sparse", "connections: full"), 6, "missing x3"),
])
def test_bad_graphs(change, line, fragment):
    with pytest.raises(NetworkFileError) as problem:
        parse_network(GRAPH.replace(*change), "g.yaml")
    assert problem.value.line == line, str(problem.value)
    assert fragment in str(problem.value)


def test_a_thresholds_list_of_the_wrong_length():
    text = MATRIX.replace("biases: [0.0, 0.1, null]", "thresholds: [0.0, 0.1]")
    with pytest.raises(NetworkFileError, match=r"m.yaml:6:.*thresholds: expected 3 \(one per neuron: h1, h2, h3\), got 2"):
        parse_network(text, "m.yaml")


def test_a_sample_may_leave_out_its_targets():
    network = parse_network(GRAPH.replace("    targets: [1]\n", ""), "g.yaml")
    assert network.samples[0].targets is None and not network.has_targets
