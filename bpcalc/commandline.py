"""The conventions every command shares: a usage mistake is one line with the nearest valid word, counts may be written 1e4, and --version.

A mistyped command or option, a missing argument or a bad option value is reported the way
`cli.user_errors` reports a bad file: one line on stderr, `bpcalc: …`, exit status 2 — not
click's usage block. `Group` is the class of the whole app, so every command, and any added
later, gets this without doing anything.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from typing import Any, Sequence

from typer._click import exceptions, types  # the click typer is built on (typer vendors it)
from typer._click.core import Context, Parameter
from typer.core import TyperGroup
from typer.exceptions import Abort

from .errors import EXIT_BAD_INPUT, EXIT_INTERRUPTED

HELP_OPTIONS = ["-h", "--help"]


def say(message: str) -> None:
    """One line on stderr, `bpcalc: message`; control characters (from a file name) are shown escaped."""
    line = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in message)
    if sys.stderr is not None:  # with standard error closed, print would fall back to stdout
        print(f"bpcalc: {line}", file=sys.stderr)


class Group(TyperGroup):
    """The `bpcalc` app: click's usage errors become one line on stderr (exit 2)."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,  # type: ignore[override]
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        given = list(sys.argv[1:] if args is None else args)
        try:
            code = super().main(given, prog_name, complete_var, standalone_mode=False, **extra)
        except exceptions.NoArgsIsHelpError as error:  # `bpcalc` alone: the help, as before
            error.show()
            code = error.exit_code
        except exceptions.UsageError as error:
            # click leaves some errors without their command's context: name the command given
            named = given[0] if given and given[0] in self.commands else None
            say(usage_message(error, given, named))
            code = EXIT_BAD_INPUT
        except exceptions.ClickException as error:
            say(_sentence(error.format_message()))
            code = error.exit_code
        except Abort:
            say("interrupted")
            code = EXIT_INTERRUPTED
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code

    def resolve_command(self, ctx: Context, args: list[str]):
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            commands = self.list_commands(ctx)
            nearest = difflib.get_close_matches(name, commands, n=1)
            hint = (f"did you mean {nearest[0]}?" if nearest
                    else f"the commands are {', '.join(commands)}")
            raise NoSuchCommand(f"no such command {name!r}; {hint}", ctx)
        return super().resolve_command(ctx, args)


class NoSuchCommand(exceptions.UsageError):
    """A command name that is none of bpcalc's; its message names the nearest."""


def usage_message(error: exceptions.UsageError, args: Sequence[str], named: str | None = None) -> str:
    """The one line for a usage mistake: what is wrong, and the nearest valid word or where to look;
    `named` is the command given on the command line, if it is one."""
    if isinstance(error, NoSuchCommand):
        return error.message
    if error.ctx is not None:
        command, path = error.ctx.info_name or "bpcalc", error.ctx.command_path
    else:
        command, path = named or "bpcalc", f"bpcalc {named}" if named else "bpcalc"
    see = f"see {path} --help"
    if isinstance(error, exceptions.NoSuchOption):
        if error.possibilities:
            return f"no such option {error.option_name}; did you mean {' or '.join(sorted(error.possibilities))}?"
        return f"{path} has no option {error.option_name}; {see}"
    if isinstance(error, exceptions.MissingParameter):
        param = error.param
        what = param.make_metavar(error.ctx) if param is not None and error.ctx is not None else "an argument"
        if param is not None and param.param_type_name == "option":
            return f"{command} needs {'/'.join(param.opts)}; {see}"
        return f"{command} needs {what}; {see}"
    if isinstance(error, exceptions.BadParameter):
        param = error.param
        if param is not None and isinstance(param.type, Count):
            return error.message  # Count words its own sentence
        name = "/".join(param.opts) if param is not None and param.opts else (
            param.human_readable_name if param is not None else "a value")
        message = f"{name}: {_sentence(error.message)}"
        choices = getattr(param.type, "choices", None) if param is not None else None
        value = _given_value(args, param.opts) if param is not None else None
        if choices and value is not None:
            nearest = difflib.get_close_matches(value, [str(c) for c in choices], n=1)
            if nearest:
                message += f"; did you mean {nearest[0]}?"
        return message
    if isinstance(error, exceptions.BadOptionUsage) and "requires an argument" in error.message:
        return f"{error.option_name} needs a value; {see}"
    extra = re.fullmatch(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", error.message)
    if extra:
        return f"{command} got more arguments than it takes: {extra[1]}; {see}"
    return f"{_sentence(error.message)}; {see}"


def _sentence(message: str) -> str:
    """click's message in bpcalc's style: no capital to start, no full stop."""
    message = message.strip().rstrip(".")
    return message[:1].lower() + message[1:] if message[:2] != message[:2].upper() else message


def _given_value(args: Sequence[str], opts: Sequence[str]) -> str | None:
    """The value written after one of the option's names (`--format x` or `--format=x`)."""
    for k, arg in enumerate(args):
        for opt in opts:
            if arg == opt and k + 1 < len(args):
                return args[k + 1]
            if arg.startswith(opt + "="):
                return arg[len(opt) + 1:]
    return None


# ---------------------------------------------------------------- counts

class Count(types.ParamType):
    """A whole number from `least` (to `most`), which may be written as an integer-valued float:
    `-n 1e4` is 10000, `-n 1.5` is refused. `what` says what is counted, for the message."""

    name = "integer"

    def __init__(self, least: int, most: int | None = None, what: str = ""):
        self.least = least
        self.most = most
        self.what = what

    def convert(self, value: Any, param: Parameter | None, ctx: Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            number = self._whole(str(value).strip(), param, ctx)
        if number < self.least or (self.most is not None and number > self.most):
            self.fail(self._wanted(param, value), param, ctx)
        return number

    def _whole(self, text: str, param: Parameter | None, ctx: Context | None) -> int:
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            number = float("nan")
        if not number.is_integer():  # 1.5, inf, nan, or not a number at all
            self.fail(self._wanted(param, text), param, ctx)
        return int(number)

    def _wanted(self, param: Parameter | None, value: Any) -> str:
        name = "/".join(param.opts) if param is not None and param.opts else "the value"
        span = f"from {self.least} to {self.most}" if self.most is not None else f"{self.least} or more"
        what = f" ({self.what})" if self.what else ""
        shown = value if isinstance(value, int) or _numeric(str(value)) else repr(value)
        return f"{name} takes a whole number {span}{what}, not {shown}"


def _numeric(text: str) -> bool:
    return re.fullmatch(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*", text) is not None


# ---------------------------------------------------------------- --version

def version() -> str:
    """bpcalc's version, from its installed metadata: the METADATA file of the bpcalc-*.dist-info
    directory on sys.path, read directly (importlib.metadata would first import the email
    package, ~20 ms, as much as the rest of `bpcalc --help`)."""
    pattern = re.compile(r"bpcalc-[^-]+\.dist-info")
    for folder in sys.path:
        try:
            names = [entry.name for entry in os.scandir(folder or ".") if pattern.fullmatch(entry.name)]
        except OSError:
            continue
        for name in names:
            try:
                with open(os.path.join(folder or ".", name, "METADATA"), encoding="utf-8") as headers:
                    for line in headers:
                        if line.startswith("Version:"):
                            return line.split(":", 1)[1].strip()
                        if not line.strip():  # the headers end at the first blank line
                            break
            except OSError:
                continue
    from importlib import metadata

    try:
        return metadata.version("bpcalc")
    except metadata.PackageNotFoundError:
        return "(not installed: no version)"
