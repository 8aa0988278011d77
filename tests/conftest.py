"""Shared test helpers: run the CLI as a user would, and find the bundled example files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpcalc.cli import app

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


def bpcalc(*args: str, env: dict | None = None) -> Run:
    """Run bpcalc in-process with a plain 80-column console (no colour)."""
    runner = CliRunner()
    environment = {"COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"} | (env or {})
    result = runner.invoke(app, [str(a) for a in args], env=environment, catch_exceptions=True)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result)


@pytest.fixture
def run():
    return bpcalc
