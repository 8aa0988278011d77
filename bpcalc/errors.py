"""The one exception family bpcalc raises for a user's mistake, and how it reads."""

from __future__ import annotations


class BpcalcError(Exception):
    """A problem the user can fix; the CLI prints its message on one line and exits 2."""

    exit_code = 2


class NetworkFileError(BpcalcError):
    """A problem located in an input file: prints as `path:line:column: message`."""

    def __init__(self, path: str | None, line: int | None, message: str, column: int | None = None):
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        super().__init__(self._format())

    def _format(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"
