"""Pagination guards: repeated tokens and runaway page counts stop the loop, keeping the data read."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.scan.pagination import PaginationError, pages


def _pager(tokens: list[str | None]) -> Any:
    calls: list[dict[str, Any]] = []

    def call(**params: Any) -> dict[str, Any]:
        calls.append(params)
        token = tokens[len(calls) - 1]
        page: dict[str, Any] = {"Items": [len(calls)]}
        if token:
            page["NextToken"] = token
        return page

    return call, calls


def test_follows_tokens_until_absent() -> None:
    call, calls = _pager(["a", "b", None])
    items = [i for page in pages(call, {"MaxResults": 100}) for i in page["Items"]]
    assert items == [1, 2, 3]
    assert calls == [
        {"MaxResults": 100},
        {"MaxResults": 100, "NextToken": "a"},
        {"MaxResults": 100, "NextToken": "b"},
    ]


def test_repeated_token_stops_with_data_kept() -> None:
    call, _ = _pager(["a", "b", "a", "c"])
    items: list[int] = []
    with pytest.raises(PaginationError) as info:
        for page in pages(call, {}):
            items.extend(page["Items"])
    assert info.value.code == "RepeatedNextToken"
    assert items == [1, 2, 3]


def test_runaway_page_count_stops() -> None:
    call, calls = _pager([f"t{i}" for i in range(50)])
    with pytest.raises(PaginationError) as info:
        list(pages(call, {}, max_pages=5))
    assert info.value.code == "TooManyPages"
    assert len(calls) == 5


def test_a_page_returned_with_the_token_it_was_asked_for_is_dropped() -> None:
    # The service "forgot" the token and served page 1 again, pointing at the same token forever.
    call, calls = _pager(["a", "a", "a"])
    items: list[int] = []
    with pytest.raises(PaginationError) as info:
        for page in pages(call, {}):
            items.extend(page["Items"])
    assert info.value.code == "RepeatedNextToken"
    assert items == [1]
    assert len(calls) == 2
