"""Samples from a CSV file, layers given by size with a seeded initialisation, and the Python API."""

from __future__ import annotations

import json
import random
import tracemalloc

import pytest

import bpcalc
from bpcalc import engine, training
from bpcalc.errors import NetworkFileError
from bpcalc.loader import load_network
from conftest import CASES, NETWORKS, bpcalc as run_bpcalc

NET = """\
learning_rate: 0.5
init: {uniform: [-1, 1], seed: 3}
layers:
  - inputs: [x1, x2]
  - {activation: tanh, size: 3}
  - {activation: sigmoid, neurons: [y]}
samples: {csv: data.csv}
"""


def write(folder, net: str = NET, csv: str | None = "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"):
    (folder / "net.yaml").write_text(net)
    if csv is not None:
        (folder / "data.csv").write_text(csv)
    return folder / "net.yaml"


def test_csv_samples_by_column_name(tmp_path):
    path = write(tmp_path, csv="y,note,x2,x1\n0,a,0,0\n1,b,1,0\n1,c,0,1\n\n")
    network = load_network(path)
    assert [(s.inputs, s.targets) for s in network.samples] == [((0, 0), (0,)), ((0, 1), (1,)), ((1, 0), (1,))]


def test_csv_path_is_relative_to_the_network_file(tmp_path, monkeypatch):
    folder = tmp_path / "sub"
    folder.mkdir()
    write(folder)
    monkeypatch.chdir(tmp_path)
    assert len(load_network("sub/net.yaml").samples) == 4


@pytest.mark.parametrize("csv, message", [
    ("x1,y\n0,1\n", "data.csv:1: missing column 'x2' (input); the header has x1, y"),
    ("x1,x2\n0,1\n", "data.csv:1: missing column 'y' (output); the header has x1, x2"),
    ("x1,x2,y\n0,0,0\n0,abc,1\n", "data.csv:3: column 'x2': expected a number, got 'abc'"),
    ("x1,x2,y\n0,0,nan\n", "data.csv:2: column 'y': expected a finite number, got 'nan'"),
    ("x1,x2,y\n0,0\n", "data.csv:2: expected 3 values (one per column of the header), got 2"),
    ("x1,x2,y,x1\n", "data.csv:1: column 'x1' appears twice in the header"),
    ("x1,x2,y\n", "data.csv: no samples: the file has a header but no rows"),
    ("", "data.csv: the file is empty; expected a header line naming the columns x1, x2, y"),
])
def test_csv_problems_name_the_file_and_line(tmp_path, csv, message):
    with pytest.raises(NetworkFileError) as error:
        load_network(write(tmp_path, csv=csv))
    assert str(error.value) == f"{tmp_path / message}"


def test_missing_csv_file_is_reported_at_the_yaml_line(tmp_path):
    path = write(tmp_path, csv=None)
    with pytest.raises(NetworkFileError) as error:
        load_network(path)
    assert str(error.value) == f"{path}:7:16: samples csv '{tmp_path / 'data.csv'}': no such file"


def test_layers_by_size_get_generated_names_and_the_documented_initialisation(tmp_path):
    network = load_network(write(tmp_path))
    assert network.layers[0].names == ("h1_1", "h1_2", "h1_3")
    assert network.layers[1].names == ("y",)
    # The recipe of docs/format.md: one Random(seed); layer by layer, neuron by neuron, its
    # weights in source order, then its bias, each uniform(low, high).
    rng = random.Random(3)
    for layer, sources in zip(network.layers, (("x1", "x2"), ("h1_1", "h1_2", "h1_3"))):
        for neuron in layer.neurons:
            assert neuron.weights == tuple((source, rng.uniform(-1, 1)) for source in sources)
            assert neuron.bias == rng.uniform(-1, 1) and not neuron.threshold
    assert load_network(write(tmp_path)) == load_network(write(tmp_path))  # same file, same network


def test_an_output_layer_by_size_is_named_o1_to_ok(tmp_path):
    text = NET.replace("{activation: sigmoid, neurons: [y]}", "{activation: sigmoid, size: 2}")
    network = load_network(write(tmp_path, text, "x1,x2,o1,o2\n0,0,0,1\n"))
    assert network.outputs == ("o1", "o2")


@pytest.mark.parametrize("change, message", [
    (("init: {uniform: [-1, 1], seed: 3}\n", ""),
     "net.yaml:4:30: layer 2: a layer given by size needs its weights drawn: add "
     "`init: {uniform: [-1, 1], seed: 1}` at the top of the file"),
    (("[-1, 1], seed: 3", "[1, -1], seed: 3"), "net.yaml:2:17: init uniform: expected low < high, got [1, -1]"),
    (("seed: 3", "seed: -3"), "net.yaml:2:32: init seed: expected a whole number 0 or more, got -3"),
    (("size: 3", "size: 0"), "net.yaml:5:30: layer 2 size: expected a whole number from 1 to 100000, got 0"),
    (("inputs: [x1, x2]", "inputs: [x1, h1_2]"),
     "net.yaml:5:30: layer 2: the generated neuron name 'h1_2' is already used at line 4; rename that one"),
])
def test_init_and_size_problems(tmp_path, change, message):
    csv = "x1,x2,h1_2,y\n0,0,0,0\n"
    with pytest.raises(NetworkFileError) as error:
        load_network(write(tmp_path, NET.replace(*change), csv))
    assert str(error.value) == f"{tmp_path / message}"


def test_the_flowers_example_is_ten_lines():
    path = NETWORKS / "flowers.yaml"
    assert len(path.read_text().splitlines()) == 10
    network = load_network(path)
    assert [len(layer.neurons) for layer in network.layers] == [16, 16, 3]
    assert len(network.samples) == 24
    assert training.choose_path(network) == "vectorised"


# ---------------------------------------------------------------- the Python API

def test_api_returns_the_records_the_cli_renders():
    path = NETWORKS / "mazur.yaml"
    network = bpcalc.load_network(path)
    assert bpcalc.forward(network) == engine.evaluate(network)
    assert bpcalc.step(path).updated == engine.step(network).updated
    record = bpcalc.train(network, 10_000)
    assert [e for e, _ in record.checkpoints] == [0, 1, 10, 100, 1000, 10_000]
    want = json.loads((CASES / "mazur.train-10000.json").read_text())
    assert record.final.error == pytest.approx(want["error"], rel=1e-12)
    assert bpcalc.train(network, 5, path="reference") == engine.train(network, 5, engine.checkpoints_for(5))


def test_cli_train_json_is_unchanged_by_the_fast_path():
    """The shared case through the CLI, compared to 1e-12 (the case files ask for 1e-9)."""
    got = run_bpcalc("train", CASES / "mazur.yaml", "-n", "10000", "--json").json()
    want = json.loads((CASES / "mazur.train-10000.json").read_text())
    assert got["error"] == pytest.approx(want["error"], rel=1e-12)
    for name, value in want["weights"].items():
        assert got["weights"][name] == pytest.approx(value, rel=1e-12)
    assert got["biases"] == want["biases"]


def test_training_memory_is_flat():
    """A long run keeps its state and the checkpoints, nothing per epoch."""
    network = load_network(NETWORKS / "mazur.yaml")
    tracemalloc.start()
    training.train(network, 20_000, engine.checkpoints_for(20_000), path="compiled")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 300_000  # one record per epoch would be megabytes


def test_readme_documents_the_api():
    readme = (NETWORKS.parent / "README.md").read_text()
    for text in ("## Python API", "bpcalc.load_network", "bpcalc.train(", "## Performance"):
        assert text in readme


def test_absurd_layer_sizes_are_refused_before_any_weight_is_drawn(tmp_path):
    """Two layers of 100,000 would be 10¹⁰ weights: refused at once, naming the line."""
    huge = NET.replace("{activation: tanh, size: 3}", "{activation: tanh, size: 100000}\n"
                                                        "  - {activation: tanh, size: 100000}")
    with pytest.raises(NetworkFileError) as error:
        load_network(write(tmp_path, huge))
    assert str(error.value) == (f"{tmp_path / 'net.yaml'}:6:30: layer 3: 100,000 neurons fed by 100,000 "
                                "would be 10,000,000,000 weights; expected at most 1,000,000 "
                                "(bpcalc shows small networks step by step)")
