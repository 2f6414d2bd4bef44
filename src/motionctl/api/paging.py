"""The list endpoints' paging parameters, as the official list pages name and bound them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

PageNum = Annotated[int, Query(alias="pageNum", ge=1, le=1000, description="Page, from 1")]
PageSize = Annotated[int, Query(alias="pageSize", ge=1, le=500, description="Items per page")]
