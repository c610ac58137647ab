"""The ``auditor`` console script: signal handlers first, then the CLI.

Kept tiny on purpose (no import beyond ``sys`` and ``auditor.interrupts``). Importing the CLI
(click, boto3, jinja2, jsonschema) takes most of a second; the handlers are installed before that,
so a Ctrl-C or SIGTERM at any moment after the interpreter hands over ends with the same one-line
message and exit code as one that arrives later, never a traceback.
"""

from __future__ import annotations

import sys

from auditor import interrupts


def main(argv: list[str] | None = None) -> None:
    """Run the CLI with SIGINT and SIGTERM handled; exit with its code (130 / 143 when interrupted)."""
    interrupts.install()
    try:
        try:
            from auditor.cli import run
        except Exception as exc:  # only to look for an interrupt inside it
            # Python 3.11 wraps an exception raised in ``__set_name__`` (a dataclass field being
            # created when the signal lands) in a RuntimeError; the interrupt is its cause.
            interrupt = interrupts.behind(exc)
            if interrupt is None:
                raise
            raise interrupt from None
        code = run(argv)
    except KeyboardInterrupt as exc:  # arrived while importing, outside the CLI's own handling
        interrupts.ignore()
        message, code = interrupts.describe(exc)
        sys.stderr.write(f"auditor: error: {message}\n")
    interrupts.ignore()
    sys.exit(code)
