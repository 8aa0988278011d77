"""Shared test helpers: run the CLI as a user would, and find the bundled example files."""

from __future__ import annotations

import json
import shutil
import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from bpcalc.cli import app

# Property tests are deterministic: the same examples on every run and every machine, and no
# example database left behind; each test sets its own max_examples.
settings.register_profile("bpcalc", derandomize=True, database=None, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("bpcalc")

TESTS = Path(__file__).parent
CASES = TESTS / "cases"
NETWORKS = TESTS.parent / "networks"


class Run:
    """The outcome of one `bpcalc …` invocation."""

    def __init__(self, result):
        self.exit_code = result.exit_code
        self.stdout = result.stdout
        self.stderr = result.stderr
        self.exception = result.exception

    def json(self):
        return json.loads(self.stdout)


def bpcalc(*args: str, env: dict | None = None, input: str | None = None) -> Run:
    """Run bpcalc in-process with a plain 80-column console (no colour), `input` piped to it."""
    runner = CliRunner()
    environment = {"COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"} | (env or {})
    result = runner.invoke(app, [str(a) for a in args], env=environment, catch_exceptions=True, input=input)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result)


@pytest.fixture(autouse=True, scope="session")
def program_cache(tmp_path_factory):
    """Compiled training programs are kept in a folder of the test run's, not the user's ~/.cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BPCALC_CACHE", str(tmp_path_factory.mktemp("programs")))
        yield


@pytest.fixture
def run():
    return bpcalc


def one_line_error(path, *command: str) -> str:
    """Run `bpcalc COMMAND PATH …`: it must fail with exit 2 and one line on stderr naming the
    file; returns that line after 'bpcalc: PATH'."""
    result = bpcalc(command[0], path, *command[1:])
    assert result.exit_code == 2, (command, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    prefix = f"bpcalc: {path}"
    assert lines[0].startswith(prefix + ":"), lines[0]
    return lines[0][len(prefix):]


def json_numbers(value):
    """Every number (and null) in a JSON document, at any depth."""
    if isinstance(value, dict):
        for v in value.values():
            yield from json_numbers(v)
    elif isinstance(value, list):
        for v in value:
            yield from json_numbers(v)
    elif value is None or (isinstance(value, float) and not isinstance(value, bool)):
        yield value


needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no TeX installation (pdflatex) here")


def compile_latex(fragment: str, folder: Path) -> subprocess.CompletedProcess:
    """pdflatex run on `fragment` inside a document with amsmath and the packages that the
    fragment's header lines say it needs (tikz for a figure), as an answer key would be."""
    headers = "\n".join(line for line in fragment.splitlines() if line.startswith("% bpcalc worked solution"))
    packages = list(dict.fromkeys(["amsmath", *re.findall(r"\\usepackage\{(\w+)\}", headers)]))
    document = ("\\documentclass{article}\n" + "".join(f"\\usepackage{{{p}}}\n" for p in packages)
                + "\\allowdisplaybreaks\n\\begin{document}\n" + fragment + "\\end{document}\n")
    (folder / "solution.tex").write_text(document, encoding="utf-8")
    return subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "solution.tex"],
                          cwd=folder, capture_output=True, text=True, timeout=120)
