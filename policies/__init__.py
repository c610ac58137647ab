"""The built-in Model Monitor policy pack, installed as ``auditor.builtin_policies`` (data only)."""
