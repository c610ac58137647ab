"""Mappings in messages read as text, not as Python dicts."""

from auditor.policy.messages import render_value


def test_dict_renders_as_key_count_pairs() -> None:
    assert render_value({"no_input_data": 9, "permissions": 1}) == "no_input_data 9, permissions 1"
    assert render_value({}) == "none"
