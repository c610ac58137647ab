"""Policies as data: the language (loader, conditions, documents), the engine, waivers and policy tests.

Public API: ``load_policy_set`` / ``PolicySet`` (loader), ``evaluate`` (engine), ``load_waivers`` /
``Waiver`` (waivers). The language is documented in ``policies/README.md``.
"""

from auditor.policy.engine import evaluate
from auditor.policy.loader import PolicySet, load_policy_set
from auditor.policy.waivers import Waiver, load_waivers

__all__ = ["PolicySet", "Waiver", "evaluate", "load_policy_set", "load_waivers"]
