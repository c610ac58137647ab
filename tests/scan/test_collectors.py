"""One collector per collected resource kind: the descriptors and the collectors agree, and every
collector declares the operations it calls (the guard and the IAM policy are derived from them)."""

from __future__ import annotations

from auditor.inventory.kinds import KINDS, collected_kinds
from auditor.scan.collectors import COLLECTORS
from auditor.scan.permissions import SCANNER_MODULES, declared_operations


def test_every_collected_kind_has_exactly_one_collector() -> None:
    kinds = [c.KIND for c in COLLECTORS]
    assert len(kinds) == len(set(kinds))
    assert set(kinds) == set(collected_kinds())
    assert all(not s.collected or s.kind in kinds for s in KINDS)


def test_collectors_run_in_declaration_order() -> None:
    # A kind is declared after the kinds its collector reads (the descriptor list is dependency-ordered).
    assert [c.KIND for c in COLLECTORS] == list(collected_kinds())


def test_every_collector_declares_its_operations_and_they_reach_the_guard() -> None:
    declared = set(declared_operations())
    for collector in COLLECTORS:
        assert collector.OPERATIONS, collector
        assert set(collector.OPERATIONS) <= declared
        assert collector in SCANNER_MODULES
