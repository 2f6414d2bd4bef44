"""The list endpoints' paging parameters, as the official list pages name, bound and default them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query


@dataclass(frozen=True)
class Page:
    num: int  # from 1
    size: int  # items per page


async def page_of(
    num: Annotated[int, Query(alias="pageNum", ge=1, le=1000, description="Page, from 1")] = 1,
    size: Annotated[int, Query(alias="pageSize", ge=1, le=500, description="Items per page")] = 30,
) -> Page:
    """Async, so FastAPI calls it on the event loop, not through the thread pool (services.py says why)."""
    return Page(num, size)


PageDep = Annotated[Page, Depends(page_of)]
