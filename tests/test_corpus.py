"""The corpus of malformed and hostile files: each gets exit 2 and one line naming the file, its line and the problem."""

from __future__ import annotations

import importlib.util

import pytest

from conftest import NETWORKS, TESTS, bpcalc, one_line_error

CORPUS = TESTS / "corpus"


def manifest() -> list[tuple[str, str, str]]:
    rows = (CORPUS / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    return [tuple(row.split("\t")) for row in rows]


def test_the_corpus_is_big_and_listed_exactly():
    names = [name for name, _, _ in manifest()]
    assert len(names) >= 150
    assert sorted(p.name for p in (CORPUS / "bad").iterdir()) == sorted(names)


def test_the_committed_corpus_is_what_the_generator_writes(tmp_path):
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    generator.write(tmp_path)
    assert (tmp_path / "MANIFEST.tsv").read_text() == (CORPUS / "MANIFEST.tsv").read_text()
    for fresh in (tmp_path / "bad").iterdir():
        assert fresh.read_bytes() == (CORPUS / "bad" / fresh.name).read_bytes(), fresh.name


@pytest.mark.parametrize("name, line, fragment", manifest(), ids=[row[0] for row in manifest()])
def test_bad_file(name, line, fragment):
    for command in ("forward", "step"):
        message = one_line_error(CORPUS / "bad" / name, command)
        if line == "-":
            assert message.startswith(": "), message  # a whole-file or computed problem: no line to give
        else:
            assert message.startswith(f":{line}:"), message
        assert fragment in message


# check parses an answer file up to three times; the 50,000-value file would take seconds there,
# and its bound is the loader's own, which test_bad_file covers.
@pytest.mark.parametrize("name", [row[0] for row in manifest() if "too-many-values" not in row[0]])
def test_bad_file_as_an_answer_file(name):
    """A class's answer files are as varied: each bad file given to `check` also gets one line naming it."""
    path = CORPUS / "bad" / name
    result = bpcalc("check", NETWORKS / "mazur.yaml", path)
    assert result.exit_code == 2 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"bpcalc: {path}:")
