"""Reading the command line: one sentence and exit 2 for anything the user typed wrong (no usage dump,
no traceback), and a range for every number, so a bad value is refused before anything is sent."""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable
from typing import NoReturn, TypeAlias

from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.stream.addresses import origin_of

EXIT_BAD_INPUT = 2

Commands: TypeAlias = "argparse._SubParsersAction[Parser]"   # what each command module adds its commands to
_ARGUMENT = re.compile(r"^argument (\S+): (.*)$", re.DOTALL)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser (its subparsers too: argparse makes them of the same class) whose errors are
    one line, `gatecancel: <sentence>`, and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"gatecancel: {sentence(message)}\n")


def sentence(message: str) -> str:
    """argparse's "argument --timeout: must be …" as "--timeout must be …." (our type functions speak
    after the option's name; argparse's own messages keep a colon)."""
    match = _ARGUMENT.match(message.strip())
    if match:
        name, text = match.groups()
        name = name.split("/")[-1]
        if name == "COMMAND" and text.startswith("invalid choice: "):
            value, paren, choices = text.removeprefix("invalid choice: ").partition(" (")
            return f"{value} is not a command{f' ({choices}' if paren else ''}."
        message = f"{name} {text}" if text.startswith(("must ", "needs ")) else f"{name}: {text}"
    message = message.strip()
    message = message[:1].upper() + message[1:] if not message.startswith("-") else message
    return message if message.endswith((".", "?", "!")) else message + "."


def number(low: float, high: float, unit: str = "", why: str = "") -> Callable[[str], float]:
    """A `type=` for a decimal number within [low, high] (finite: "nan" and "inf" are refused too)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be a number{_of(unit)} from {low:g} to {high:g}{why}, "
                                             f"not '{text}'")
        return value

    return parse


def whole(low: int, high: int, unit: str = "", why: str = "") -> Callable[[str], int]:
    """A `type=` for a whole number within [low, high]."""

    def parse(text: str) -> int:
        value: int | None
        try:
            value = int(text.strip())
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be a whole number{_of(unit)} from {low} to {high}{why}, "
                                             f"not '{text}'")
        return value

    return parse


def any_whole(text: str) -> int:
    """A `type=` for any whole number (a seed)."""
    try:
        return int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not '{text}'") from None


def ws_url(text: str) -> str:
    """A `type=` for --ws-url: the stream's own check of an origin (ws:// only to this computer, no path),
    said as argparse says a bad value: one sentence, exit 2."""
    try:
        return origin_of(text)
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _of(unit: str) -> str:
    return f" of {unit}" if unit else ""

