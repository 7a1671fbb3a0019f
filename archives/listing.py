"""Lists: sorting by whitelisted keys with a stable order, page sizes, and the export of what
is filtered to xlsx.

A list names its sortable columns once (``?sort=name`` ascending, ``?sort=-name``
descending), each with its field and tie-breakers; anything else falls back to the list's
default, and every order ends with the primary key, so a page never shows a row twice or skips one. The page size is one of
PAGE_SIZES (``?size=``), a larger number is capped. Exports carry the same query string as
the page, so they hold exactly the rows the filter selects, in the page's order.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import quote

from django.core.paginator import Page, Paginator
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpResponse

PAGE_SIZES = (20, 50, 100)
DEFAULT_PAGE_SIZE = 50
# An export larger than this is refused (narrow the filter): the file is built in the request.
EXPORT_LIMIT = 50_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sort_value(value: str | None, sorts: Mapping[str, Sequence[str]], default: str) -> str:
    """The sort asked for when its key is whitelisted, else the default (``name`` or ``-name``)."""
    value = (value or "").strip()
    return value if value.lstrip("-") in sorts and value.count("-") <= 1 and not value.endswith("-") else default


def sort_queryset(qs: QuerySet, sorts: Mapping[str, Sequence[str]], value: str | None, default: str) -> tuple[QuerySet, str]:
    """``qs`` ordered by the sort asked for (whitelisted). Descending turns the column's own
    field around; its tie-breakers (the name, then the pk) keep reading A to Z."""
    value = sort_value(value, sorts, default)
    first, *ties = sorts[value.lstrip("-")]
    if value.startswith("-"):
        first = first[1:] if first.startswith("-") else "-" + first
    return qs.order_by(first, *ties, "pk"), value


def page_size(value: str | None, default: int = DEFAULT_PAGE_SIZE) -> int:
    """One of PAGE_SIZES; a larger number is capped at the largest, anything else is the default."""
    try:
        size = int(value or "")
    except ValueError:
        return default
    if size in PAGE_SIZES:
        return size
    return max(PAGE_SIZES) if size > max(PAGE_SIZES) else default


def choice_order(field: str, values: Sequence[str]) -> Case:
    """An order for a closed vocabulary by its place in the list (职级 highest first, 学历 …)."""
    return Case(*(When(**{field: v}, then=Value(i)) for i, v in enumerate(values)), default=Value(len(values)), output_field=IntegerField())


def list_page(request, qs: QuerySet, *, sorts: Mapping[str, Sequence[str]], default_sort: str, default_size: int = DEFAULT_PAGE_SIZE) -> dict:
    """The page of a sorted list and what its template needs: the page, the sort, the size."""
    qs, sort = sort_queryset(qs, sorts, request.GET.get("sort"), default_sort)
    size = page_size(request.GET.get("size"), default_size)
    page: Page = Paginator(qs, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": page, "list_sort": sort, "page_size": size, "page_sizes": PAGE_SIZES, "query": query.urlencode()}


def export_query(request) -> str:
    """The filter and the sort of the page, without its paging: what an export link carries."""
    query = request.GET.copy()
    for key in ("page", "size"):
        query.pop(key, None)
    return query.urlencode()


def xlsx_table(*, title: str, headers: Sequence[str], rows: Iterable[Sequence], widths: Sequence[int] | None = None) -> bytes:
    """One sheet holding `rows` under `headers`, written by the workbook's writer, so text that
    looks like a formula stays text."""
    from reports.workbook import write_table

    out = io.BytesIO()
    write_table(out, title=title, headers=[str(h) for h in headers], rows=rows, widths=widths)
    return out.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response
