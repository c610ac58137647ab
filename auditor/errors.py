"""Errors that mean "the user's input is invalid": the CLI prints them in one line and exits 2."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def printable(text: str) -> str:
    """``text`` with line breaks and control characters escaped (``\\n``, ``\\x1b``), so a key or value
    from a hostile file cannot break an error message over lines or drive the terminal."""
    return text if text.isprintable() else repr(text)[1:-1]


class InputError(Exception):
    """Invalid user input (CLI, config, policy, waiver or inventory file).

    ``source`` names the file (or the option), ``location`` the field path and, where known, the
    line, so the message points at what to fix. The rendered message is always one printable line,
    whatever the file contained (the attributes keep the raw values).
    """

    def __init__(self, source: str, message: str, *, location: str | None = None, line: int | None = None):
        self.source = source
        self.location = location
        self.line = line
        self.message = message
        where = printable(source)
        if line is not None:
            where += f":{line}"
        if location:
            where += f": {printable(location)}"
        super().__init__(f"{where}: {printable(message)}")


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices`` to a mistyped ``word``, or ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class IncompleteError(Exception):
    """Collection could not go ahead for a reason that is not the user's input: AWS failing, throttling
    or unreachable beyond the retries. The CLI prints it in one line and exits 3 (incomplete), like a
    scan whose data could not all be collected; retrying later may succeed."""
