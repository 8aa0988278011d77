"""The one exception family bpcalc raises for a user's mistake, how it reads, and the exit statuses."""

from __future__ import annotations

# Exit statuses, the same for every command (README, "Exit status").
EXIT_OK = 0
EXIT_WRONG_ANSWERS = 1  # `check` only: the answers were read, and some are wrong
EXIT_BAD_INPUT = 2  # a file or the command line is wrong, or its numbers are beyond a double
EXIT_OUTPUT_FAILED = 74  # the output could not be written (sysexits' EX_IOERR): disk full, …
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as a shell reports it)
EXIT_BROKEN_PIPE = 141  # the reader of the output went away, e.g. `| head` (128 + SIGPIPE)


class BpcalcError(Exception):
    """A problem the user can fix; the CLI prints its message on one line and exits 2."""

    exit_code = EXIT_BAD_INPUT


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
