"""Errors that mean "the user's input is invalid": the CLI prints them in one line and exits 2."""

from __future__ import annotations


class InputError(Exception):
    """Invalid user input (CLI, config, policy, waiver or inventory file).

    ``source`` names the file (or the option), ``location`` the field path and, where known, the
    line, so the message points at what to fix.
    """

    def __init__(self, source: str, message: str, *, location: str | None = None, line: int | None = None):
        self.source = source
        self.location = location
        self.line = line
        self.message = message
        where = source
        if line is not None:
            where += f":{line}"
        if location:
            where += f": {location}"
        super().__init__(f"{where}: {message}")
