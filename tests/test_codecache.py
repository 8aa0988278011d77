"""The cache of compiled training programs: used only for the very source it holds, and never a reason for a run to fail."""

from __future__ import annotations

import marshal
import sys

import pytest

import bpcalc
from bpcalc.fast import codecache, compiled
from bpcalc.functions import ACTIVATIONS
from bpcalc.model import Layer, Network, Neuron, Options, Sample
from conftest import NETWORKS

SOURCE = "def train(x):\n    return 2.0 * x\n"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("BPCALC_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def compiles(monkeypatch) -> list[str]:
    """The sources code_for compiles from now on (rather than reads back)."""
    compiled_sources = []

    def counting(source, *args):
        compiled_sources.append(source)
        return compile(source, *args)

    monkeypatch.setattr(codecache, "compile", counting, raising=False)
    return compiled_sources


def run(code) -> float:
    namespace = {}
    exec(code, namespace)
    return namespace["train"](1.5)


def test_a_program_is_compiled_once_then_read_back(folder, monkeypatch):
    compiled_sources = compiles(monkeypatch)
    first = codecache.code_for(SOURCE)
    second = codecache.code_for(SOURCE)
    assert compiled_sources == [SOURCE]
    assert run(first) == run(second) == 3.0
    assert first.co_filename == second.co_filename  # the name tracebacks show its lines by
    [entry] = folder.iterdir()
    assert entry.name.startswith(sys.implementation.cache_tag)


def test_an_entry_for_another_source_is_not_used(folder, monkeypatch):
    """A CRC collision, or a template changed since: the entry holds its source, which must match."""
    codecache.code_for(SOURCE)
    [entry] = folder.iterdir()
    other = "def train(x):\n    return -x\n"
    magic, _, _ = marshal.loads(entry.read_bytes())
    entry.write_bytes(marshal.dumps((magic, other, compile(other, "x", "exec"))))
    compiled_sources = compiles(monkeypatch)
    assert run(codecache.code_for(SOURCE)) == 3.0
    assert compiled_sources == [SOURCE]


@pytest.mark.parametrize("damage", [b"", b"\x00garbage", marshal.dumps((b"old!", SOURCE, None)),
                                    marshal.dumps("not a tuple"), marshal.dumps((1, 2))])
def test_a_damaged_entry_is_compiled_again_and_replaced(folder, monkeypatch, damage):
    codecache.code_for(SOURCE)
    [entry] = folder.iterdir()
    entry.write_bytes(damage)
    assert run(codecache.code_for(SOURCE)) == 3.0
    compiled_sources = compiles(monkeypatch)
    codecache.code_for(SOURCE)
    assert compiled_sources == []  # the entry was written anew


def test_an_unwritable_cache_does_not_stop_a_run(tmp_path, monkeypatch):
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    monkeypatch.setenv("BPCALC_CACHE", str(blocked / "cache"))
    assert run(codecache.code_for(SOURCE)) == 3.0
    assert blocked.read_text() == ""


def test_an_empty_setting_keeps_no_files(monkeypatch, tmp_path):
    monkeypatch.setenv("BPCALC_CACHE", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert codecache.folder() is None
    assert run(codecache.code_for(SOURCE)) == 3.0
    assert list(tmp_path.iterdir()) == []


def test_the_folder_follows_the_xdg_convention(monkeypatch, tmp_path):
    monkeypatch.delenv("BPCALC_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert codecache.folder() == tmp_path / "bpcalc"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert codecache.folder() == tmp_path / ".cache" / "bpcalc"


def skipping() -> Network:
    """x1, x2 → h → o, with o fed by both inputs too (skip connections) and thresholds on both."""
    sigmoid = ACTIVATIONS["sigmoid"]
    h = Neuron("h", (("x1", 0.3), ("x2", -0.2)), 0.1, threshold=True)
    o = Neuron("o", (("x1", -0.4), ("x2", 0.25), ("h", 0.5)), -0.15, threshold=True)
    return Network(("x1", "x2"), (Layer(sigmoid, (h,)), Layer(sigmoid, (o,))),
                   tuple(Sample((a, b), (float(a != b),)) for a in (0.0, 1.0) for b in (0.0, 1.0)),
                   Options(learning_rate=0.5, batch="online"))


@pytest.mark.parametrize("network", [bpcalc.load_network(NETWORKS / "mazur.yaml"), skipping()],
                         ids=["mazur", "skip connections"])
def test_training_from_a_cached_program_gives_the_same_numbers(folder, monkeypatch, network):
    compiled._PROGRAMS.clear()
    first = bpcalc.train(network, 1000, path="compiled")
    compiled._PROGRAMS.clear()
    compiled_sources = compiles(monkeypatch)
    again = bpcalc.train(network, 1000, path="compiled")
    assert compiled_sources == []
    assert again == first
    compiled._PROGRAMS.clear()


def test_another_wiring_is_another_entry(folder):
    """The same widths and options wired otherwise are another program, so another entry."""
    network = skipping()
    [h], [o] = (layer.neurons for layer in network.layers)
    layered = network._replace(layers=(network.layers[0], network.layers[1]._replace(
        neurons=(o._replace(weights=o.weights[2:]),))))
    compiled._PROGRAMS.clear()
    for each in (network, layered):
        bpcalc.train(each, 100, path="compiled")
    assert len(list(folder.iterdir())) == 2
    compiled._PROGRAMS.clear()
