"""Token pagination with guards against repeated NextTokens and runaway page counts.

SageMaker List calls have been seen returning empty pages with a NextToken forever
(aws/aws-cli#7596), so every loop is bounded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

DEFAULT_MAX_PAGES = 1000


class PaginationError(Exception):
    """Pagination stopped early; the pages already returned are kept."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def pages(
    call: Callable[..., dict[str, Any]],
    params: dict[str, Any],
    *,
    max_pages: int = DEFAULT_MAX_PAGES,
    token_key: str = "NextToken",
) -> Iterator[dict[str, Any]]:
    """Yield each page of ``call(**params)``, following ``token_key`` until it is absent or empty.

    Raises PaginationError (after yielding what was read) on a repeated token or after ``max_pages``.
    A page that comes back with the very token it was asked for made no progress: the service
    served an earlier page again, so it is dropped rather than counted twice.
    """
    seen: set[str] = set()
    token: str | None = None
    for _ in range(max_pages):
        request = dict(params)
        if token is not None:
            request[token_key] = token
        page = call(**request)
        next_token = page.get(token_key)
        if next_token and next_token == token:
            raise PaginationError("RepeatedNextToken", "the service returned the NextToken it was given")
        yield page
        if not next_token:
            return
        if next_token in seen:
            raise PaginationError(
                "RepeatedNextToken", "the service returned a NextToken it had already returned"
            )
        seen.add(next_token)
        token = next_token
    raise PaginationError("TooManyPages", f"stopped after {max_pages} pages")
