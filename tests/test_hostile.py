"""Hostile and unusual files: refused quickly, with one line, before memory or time is spent on them."""

from __future__ import annotations

import builtins
import errno
import os
import re
import time
from pathlib import Path

import pytest
import yaml

from bpcalc import loader
from bpcalc.errors import NetworkFileError
from bpcalc.loader import MAX_FILE_BYTES, check_layer_size, load_network, parse_network, read_text
from conftest import NETWORKS, one_line_error

NET = (NETWORKS / "mazur.yaml").read_text()


def refused(path, fragment: str, seconds: float = 2.0) -> str:
    """`bpcalc forward PATH` fails at once, with one line naming the file and containing `fragment`."""
    start = time.monotonic()
    message = one_line_error(path, "forward")
    assert time.monotonic() - start < seconds
    assert fragment in message, message
    return f"bpcalc: {path}{message}"


def test_a_10_mb_file_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text(NET + "# padding\n" * 1_000_000)
    refused(big, "larger than 1,048,576 bytes", seconds=0.5)


def test_a_3_mb_single_line(tmp_path):
    line = tmp_path / "line.yaml"
    line.write_text("name: " + "x" * 3_000_000 + "\n")
    refused(line, "larger than 1,048,576 bytes", seconds=0.5)


def test_a_long_line_under_the_size_limit_is_refused_by_its_length(tmp_path):
    line = tmp_path / "line.yaml"
    line.write_text(NET + "weights: [" + "0.5, " * 150_000 + "]\n")
    assert line.stat().st_size < MAX_FILE_BYTES
    assert refused(line, "characters long", seconds=0.5).startswith(f"bpcalc: {line}:{NET.count(chr(10)) + 1}:20001:")


def test_an_endless_file_is_not_read_to_its_end():
    if not Path("/dev/zero").exists():
        pytest.skip("needs /dev/zero")
    refused(Path("/dev/zero"), "larger than", seconds=0.5)


def test_read_text_takes_a_larger_limit_for_data_files(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("1,2\n" * 500_000)
    with pytest.raises(NetworkFileError, match="larger than"):
        read_text(data)
    assert len(read_text(data, limit=4 * MAX_FILE_BYTES)) == 2_000_000


def test_10000_deep_nesting(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("layers:\n" + "  [\n" * 10_000)
    refused(deep, "nested more than 32 deep")


def test_billion_laughs(tmp_path):
    lol = tmp_path / "lol.yaml"
    lol.write_text("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(20)))
    refused(lol, "anchors and aliases", seconds=0.5)


def test_the_loader_never_constructs_objects(tmp_path, monkeypatch):
    """Only nodes are composed; no constructor runs, so no tag can build a Python object."""
    def forbidden(*args, **kwargs):
        raise AssertionError("a YAML constructor ran")

    monkeypatch.setattr(yaml.constructor.BaseConstructor, "construct_object", forbidden)
    assert load_network(NETWORKS / "mazur.yaml").inputs == ("i1", "i2")
    with pytest.raises(NetworkFileError, match="YAML tags"):
        parse_network("name: !!python/object/apply:os.system ['true']\n", "x.yaml")


def test_a_directory(tmp_path):
    refused(tmp_path, "this is a directory; expected a file")


def test_a_missing_file(tmp_path):
    refused(tmp_path / "missing.yaml", "no such file")


def test_an_unreadable_file(tmp_path, monkeypatch):
    locked = tmp_path / "locked.yaml"
    locked.write_text(NET)
    real_open = builtins.open

    def denied(file, *args, **kwargs):
        if Path(file) == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", denied)
    refused(locked, "cannot read the file: permission denied")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a file whatever its mode")
def test_an_unreadable_file_for_real(tmp_path):
    locked = tmp_path / "locked.yaml"
    locked.write_text(NET)
    locked.chmod(0)
    refused(locked, "cannot read the file: permission denied")


def test_another_read_failure(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(builtins, "open", broken)
    with pytest.raises(NetworkFileError, match=r"net\.yaml: cannot read the file: Input/output error$"):
        read_text("net.yaml")


@pytest.mark.parametrize("content, fragment", [
    (b"", "the file is empty"), (b"  \n\t\n", "the file is empty"), (b"\n\n\n", "the file is empty"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "not UTF-8"), (NET.encode("utf-16"), "UTF-16"),
    (NET.encode("latin-1", errors="replace") + "é".encode("latin-1"), "not UTF-8"),
])
def test_empty_binary_and_foreign_text(tmp_path, content, fragment):
    path = tmp_path / "net.yaml"
    path.write_bytes(content)
    refused(path, fragment)


def test_a_layer_too_big_to_build_is_refused_before_it_is_built():
    node = yaml.compose("size: 1000000000")
    check_layer_size(node, "layer 2", 1000, 1000)  # a million weights: the most allowed
    with pytest.raises(loader._Invalid, match=r"1,000,000,000 neurons fed by 2 would be 2,000,000,000 weights"):
        check_layer_size(node, "layer 2", 1_000_000_000, 2)


def test_many_inputs_are_read_in_linear_time():
    """Names are looked up in sets, not lists: 6,000 inputs and their weights load at once."""
    names = [f"x{i}" for i in range(6000)]
    text = ("layers:\n  - inputs:\n" + "".join(f"    - {n}\n" for n in names)
            + "  - activation: linear\n    neurons:\n      y:\n        weights:\n"
            + "".join(f"          {n}: 1\n" for n in reversed(names))
            + "samples:\n  - targets: [0]\n    inputs:\n" + "".join(f"      {n}: 0\n" for n in names))
    start = time.monotonic()
    network = parse_network(text, "wide.yaml")
    assert time.monotonic() - start < 3.0
    assert len(network.inputs) == 6000


@pytest.mark.parametrize("name, fragment", [
    ("x" * 101, "a name is at most 100 characters, this one has 101"),
    ("a\u00a0b", "(found U+00A0 NO-BREAK SPACE)"), ("a\u200bb", "(found U+200B ZERO WIDTH SPACE)"),
    ("a\\tb", "(found U+0009)"), ("a\\u2028b", "(found U+2028 LINE SEPARATOR)"),
])
def test_names_a_table_cannot_show(name, fragment):
    with pytest.raises(NetworkFileError, match=re.escape(fragment)):
        parse_network(f'layers:\n  - inputs: ["{name}"]\n  - activation: linear\n    neurons: [y]\n'
                      '    weights: [[1]]\nsamples:\n  - {inputs: [1], targets: [0]}\n', "n.yaml")


def test_names_from_any_script_are_fine():
    network = parse_network("layers:\n  - inputs: [α₁, Ω, 入力, x_1]\n  - activation: linear\n"
                            "    neurons: [y]\n    weights: [[1, 1, 1, 1]]\n"
                            "samples:\n  - {inputs: [1, 2, 3, 4], targets: [0]}\n", "n.yaml")
    assert network.inputs == ("α₁", "Ω", "入力", "x_1")
