"""`bpcalc new SHAPE`: a blank network file that loads as it is, numbered as the textbooks number it."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from bpcalc import skeleton
from bpcalc.errors import BpcalcError
from bpcalc.functions import ACTIVATIONS, LOSSES
from bpcalc.loader import load_network, parse_network
from conftest import TESTS, bpcalc

MAZUR_LABELS = {"w1": "i1->h1", "w2": "i2->h1", "w3": "i1->h2", "w4": "i2->h2",
                "w5": "h1->o1", "w6": "h2->o1", "w7": "h1->o2", "w8": "h2->o2"}
SHAPES = ["1-1", "2-2-2", "2-3-1", "3-4-4-1", "2-3-3-3-2", "4-2-3",
          "50-1", "1-50", "10-10-10", "1-1-1-1-1-1-1-1-1-1"]  # the last three at the limits
CONSTANTS = [skeleton.BIAS, None]  # thresholds: below, until the loader reads them


def sizes_of(shape: str) -> list[int]:
    return [int(n) for n in shape.split("-")]


def expected_names(sizes: list[int]) -> list[list[str]]:
    hidden = [f"h{j}" for j in range(1, sum(sizes[1:-1]) + 1)]
    layers, start = [], 0
    for size in sizes[1:-1]:
        layers.append(hidden[start:start + size])
        start += size
    return [[f"x{j}" for j in range(1, sizes[0] + 1)], *layers, [f"o{j}" for j in range(1, sizes[-1] + 1)]]


def expected_labels(sizes: list[int], prefix: str | None) -> dict[str, str]:
    """Mazur's numbering, worked out afresh: neuron by neuron from the input side, each one's
    incoming weights in source order; then a bias label per neuron in the same order."""
    names = expected_names(sizes)
    weights = [f"{s}->{d}" for sources, layer in zip(names, names[1:]) for d in layer for s in sources]
    labels = {f"w{k}": e for k, e in enumerate(weights, start=1)}
    if prefix is not None:
        neurons = [d for layer in names[1:] for d in layer]
        labels |= {f"{prefix}{k}": n for k, n in enumerate(neurons, start=1)}
    return labels


def check_blank(network, sizes: list[int], constant: str | None) -> None:
    names = expected_names(sizes)
    assert list(network.inputs) == names[0]
    assert [list(layer.names) for layer in network.layers] == names[1:]
    for layer, sources in zip(network.layers, [sizes[0], *sizes[1:-1]]):
        assert all(tuple(w for _, w in n.weights) == (0.0,) * sources for n in layer.neurons)
        assert {n.bias for n in layer.neurons} == ({0.0} if constant else {None})
    assert dict(network.labels) == expected_labels(sizes, "b" if constant else None)
    [sample] = network.samples
    assert sample.inputs == (0.0,) * sizes[0] and sample.targets == (0.0,) * sizes[-1]


# ---------------------------------------------------------------- the file loads, as it is

def test_mazur_shape_is_numbered_as_mazur_numbers_it():
    network = parse_network(skeleton.skeleton((2, 2, 2)), "hw3.yaml")
    weights = {label: edge for label, edge in network.labels.items() if label.startswith("w")}
    assert weights == {label: edge.replace("i", "x") for label, edge in MAZUR_LABELS.items()}
    assert {label: n for label, n in network.labels.items() if label.startswith("b")} == (
        {"b1": "h1", "b2": "h2", "b3": "o1", "b4": "o2"})
    assert network.name == "2-2-2"
    assert network.options.learning_rate == 0.5 and network.options.loss == "half_sse"
    assert [layer.activation.name for layer in network.layers] == ["sigmoid", "sigmoid"]


@pytest.mark.parametrize("constant", CONSTANTS, ids=["biases", "no-biases"])
@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_loads_blank(shape, constant):
    text = skeleton.skeleton(skeleton.parse_shape(shape), constant=constant)
    check_blank(parse_network(text, "new.yaml"), sizes_of(shape), constant)


@pytest.mark.parametrize("constant", [skeleton.BIAS, skeleton.THRESHOLD, None])
@pytest.mark.parametrize("shape", SHAPES)
def test_every_line_fits_80_columns(shape, constant):
    text = skeleton.skeleton(skeleton.parse_shape(shape), constant=constant, loss="cross_entropy",
                             output="softmax", name="a name for this homework, question 3 (b)")
    assert max(len(line) for line in text.splitlines()) <= 80
    assert text.endswith("\n") and not any(line != line.rstrip() for line in text.splitlines())


@pytest.mark.parametrize("hidden", [name for name in ACTIVATIONS if name != "softmax"])
@pytest.mark.parametrize("output", [None, *ACTIVATIONS])
@pytest.mark.parametrize("loss", list(LOSSES))
def test_every_activation_and_loss_loads(hidden, output, loss):
    final = hidden if output is None else output
    if loss == "cross_entropy" and final not in ("sigmoid", "softmax"):  # as the loader refuses it
        with pytest.raises(BpcalcError, match="needs a sigmoid or softmax output layer"):
            skeleton.skeleton((2, 3, 2), activation=hidden, output=output, loss=loss)
        return
    text = skeleton.skeleton((2, 3, 2), activation=hidden, output=output, loss=loss)
    network = parse_network(text, "new.yaml")
    assert [layer.activation.name for layer in network.layers] == [
        ACTIVATIONS[hidden].name, ACTIVATIONS[final].name]
    assert network.options.loss == loss
    check_blank(network, [2, 3, 2], skeleton.BIAS)


@pytest.mark.parametrize("name", ["hw3", "HW 3: question #2", 'say "hi"', "Übung 4 – Netz", "- a", "[x]", "yes"])
def test_a_name_reads_back_as_written(name):
    assert parse_network(skeleton.skeleton((2, 2), name=name), "new.yaml").name == name


def test_learning_rate_is_written_exactly():
    for rate in (0.1, 1.0, 1e-05, 0.35):
        assert parse_network(skeleton.skeleton((1, 1), learning_rate=rate), None).options.learning_rate == rate


# ---------------------------------------------------------------- thresholds

def test_thresholds_text():
    text = skeleton.skeleton((3, 4, 4, 1), constant=skeleton.THRESHOLD)
    document = yaml.safe_load(text)
    neurons = [n for layer in document["layers"][1:] for n in layer["neurons"].values()]
    assert len(neurons) == 9
    assert all(set(n) == {"threshold", "weights"} and n["threshold"] == 0.0 for n in neurons)
    assert "bias:" not in text and "net = Σ w·x − θ" in text
    assert document["labels"] == expected_labels([3, 4, 4, 1], "theta")


def test_thresholds_load(tmp_path):
    path = tmp_path / "negnevitsky.yaml"
    assert bpcalc("new", "3-4-4-1", "--thresholds", "--out", path).exit_code == 0
    network = load_network(path)
    assert [len(layer.neurons) for layer in network.layers] == [4, 4, 1]
    assert network.labels["theta1"] == "h1" and network.labels["theta9"] == "o1"
    assert bpcalc("step", path).exit_code == 0


# ---------------------------------------------------------------- the command

def test_new_prints_a_file_that_forward_and_step_run_on(tmp_path):
    result = bpcalc("new", "2-2-2")
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout == skeleton.skeleton((2, 2, 2))
    path = tmp_path / "hw3.yaml"
    path.write_text(result.stdout)
    check_blank(load_network(path), [2, 2, 2], skeleton.BIAS)
    for command in (["forward"], ["step", "--show-deltas"], ["train", "-n", "3"]):
        run = bpcalc(command[0], path, *command[1:])
        assert run.exit_code == 0, run.stderr
        assert "2-2-2" in run.stdout


def test_options_reach_the_file():
    result = bpcalc("new", "3-4-4-1", "--activation", "tanh", "--output-activation", "linear",
                    "--loss", "mse", "--learning-rate", "0.1", "--name", "hw4", "--no-biases")
    assert result.exit_code == 0, result.stderr
    network = parse_network(result.stdout, None)
    assert [layer.activation.name for layer in network.layers] == ["tanh", "tanh", "linear"]
    assert (network.options.loss, network.options.learning_rate, network.name) == ("mse", 0.1, "hw4")
    check_blank(network, [3, 4, 4, 1], None)


def test_output_activation_defaults_to_the_hidden_one():
    network = parse_network(bpcalc("new", "2-2-1", "--activation", "relu").stdout, None)
    assert [layer.activation.name for layer in network.layers] == ["relu", "relu"]


def test_thresholds_option_writes_thresholds():
    result = bpcalc("new", "3-4-4-1", "--thresholds")
    assert result.exit_code == 0
    assert result.stdout == skeleton.skeleton((3, 4, 4, 1), constant=skeleton.THRESHOLD)


def one_line(*args: str) -> str:
    result = bpcalc(*args)
    assert result.exit_code == 2, (args, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("bpcalc: ")
    return line


@pytest.mark.parametrize("shape, says", [
    ("2-x", "expected layer sizes joined by '-'"),
    ("2", "at least two layer sizes"),
    ("0-1", "layer 1 has 0 neurons"),
    ("2-0-1", "layer 2 has 0 neurons"),
    ("", "expected layer sizes"),
    ("2--2", "expected layer sizes"),
    ("2-2-", "expected layer sizes"),
    ("2.5-1", "expected layer sizes"),
    ("2,2,2", "expected layer sizes"),
    (" 2-2", "expected layer sizes"),
    ("2_0-1", "expected layer sizes"),
    ("\u0662-2", "expected layer sizes"),  # an Arabic-Indic 2, which int() would take
    ("2-51-1", "layer 2 has 51 neurons; bpcalc new writes at most 50"),
    ("2-99999999999999999999999-1", "at most 50"),
    ("10-10-10-10", "300 weights; bpcalc new writes at most 200"),
    ("1-1-1-1-1-1-1-1-1-1-1", "11 layers"),
    ("2-" * 5000 + "2", "…"),  # shown clipped
])
def test_bad_shapes(shape, says):
    line = one_line("new", shape)
    assert says in line
    assert len(line) < 300


@pytest.mark.parametrize("args, says", [
    (["--activation", "softmax"], "softmax is only allowed on the output layer; use --output-activation softmax"),
    (["--activation", "sigmod"], "--activation: there is no activation 'sigmod'; expected one of sigmoid,"),
    (["--output-activation", "soft"], "--output-activation: there is no activation 'soft'"),
    (["--loss", "l2"], "--loss: there is no loss 'l2'; expected one of half_sse, sse, mse, cross_entropy"),
    (["--loss", "cross_entropy", "--activation", "tanh"], "needs a sigmoid or softmax output layer"),
    (["--learning-rate", "0"], "--learning-rate: expected a number > 0"),
    (["--learning-rate", "-1"], "--learning-rate: expected a number > 0"),
    (["--learning-rate", "nan"], "--learning-rate: expected a number > 0"),
    (["--learning-rate", "inf"], "--learning-rate: expected a number > 0"),
    (["--thresholds", "--no-biases"], "choose one"),
    (["--name", "two\nlines"], "--name: expected a line of printable text"),
    (["--output", "softmax"], "use --output-activation softmax"),
])
def test_bad_options(args, says):
    assert says in one_line("new", "2-2-2", *args)


def test_out_writes_the_file_and_never_over_another(tmp_path):
    path = tmp_path / "hw3.yaml"
    result = bpcalc("new", "2-2-2", "--out", path)
    assert result.exit_code == 0 and result.stdout == ""
    assert f"wrote {path}" in result.stderr
    assert path.read_text() == skeleton.skeleton((2, 2, 2))
    path.write_text("my numbers")
    assert "already exists; use --force to replace it" in one_line("new", "2-3-1", "-o", path)
    assert path.read_text() == "my numbers"
    assert bpcalc("new", "2-3-1", "--output", path, "--force").exit_code == 0
    assert path.read_text() == skeleton.skeleton((2, 3, 1))
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_out_into_a_missing_folder(tmp_path):
    assert "does not exist" in one_line("new", "2-2-2", "--out", tmp_path / "no" / "hw3.yaml")


def test_help_teaches():
    text = bpcalc("new", "--help").stdout
    assert "bpcalc new 2-2-2 > hw3.yaml" in text and "--thresholds" in text
    for name in [*ACTIVATIONS, *LOSSES]:
        assert name in text, name
    assert max(len(line) for line in text.splitlines()) <= 80


def test_the_skeleton_needs_no_yaml():
    """The text is written by hand: neither the module nor the command loads a YAML library."""
    code = ("import io, sys, contextlib\nfrom bpcalc.cli import app\nsys.argv = ['bpcalc', 'new', '2-2-2']\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    try:\n        app()\n"
            "    except SystemExit:\n        pass\nprint(' '.join(sys.modules))")
    modules = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert "bpcalc.skeleton" in modules
    assert "yaml" not in modules and "numpy" not in modules


def test_the_format_guide_shows_the_real_output():
    guide = (TESTS.parent / "docs" / "format.md").read_text(encoding="utf-8")
    shown = guide.split("`bpcalc new 2-2-2 > hw3.yaml` writes:\n\n```yaml\n", 1)[1].split("```", 1)[0]
    assert shown == bpcalc("new", "2-2-2").stdout
