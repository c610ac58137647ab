"""InputError renders one printable line, whatever hostile text it carries."""

from __future__ import annotations

from auditor.errors import InputError


def test_control_characters_and_line_breaks_are_escaped() -> None:
    exc = InputError("in\nput.json", "bad \x1b[31mvalue\x1b[0m", location="/tags/\x1f", line=3)
    text = str(exc)
    assert text.isprintable()
    assert text == "in\\nput.json:3: /tags/\\x1f: bad \\x1b[31mvalue\\x1b[0m"
    assert exc.location == "/tags/\x1f" and exc.source == "in\nput.json"  # raw values kept
