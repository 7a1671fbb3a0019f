"""A résumé as people read it: the main line of posts (任职), each with the periods nested in
it (其间: 在职学习, 兼职, 挂职) beneath. Pure: takes ResumePeriod-like objects (start, end, kind),
makes no query; the cadre page, the case page and the timeline use it.

A nested period belongs under the main-line period it starts in; one that lies outside the span
of the main line (DETECTION_RULES.md, EXP-NESTED-OUTSIDE, one month of tolerance) is flagged
and shown at its own date, under no post. The flag is for display: detection decides findings.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from .dates import PartialDate
from .models import PeriodKind

TOLERANCE_MONTHS = 1
KIND_BADGES = {PeriodKind.STUDY: "text-bg-info", PeriodKind.CONCURRENT: "text-bg-secondary", PeriodKind.SECONDMENT: "text-bg-primary"}


@dataclass
class ResumeRow:
    period: object
    nested: bool = False
    outside: bool = False  # a nested period outside the main line's span

    @property
    def badge(self) -> str:
        return KIND_BADGES.get(self.period.kind, "text-bg-secondary")


def this_month(today=None) -> PartialDate:
    today = today or timezone.localdate()
    return PartialDate(today.year, today.month)


def is_nested(period) -> bool:
    return period.kind != PeriodKind.POST


def main_line_span(periods, now: PartialDate) -> tuple[int, int] | None:
    """(first month, last month) of the main line, as month indexes; None without a main line."""
    main = [p for p in periods if not is_nested(p)]
    if not main:
        return None
    return min(p.start.month_index() for p in main), max((p.end or now).month_index() for p in main)


def outside_span(period, span: tuple[int, int] | None, now: PartialDate) -> bool:
    if span is None:
        return True
    first, last = span
    return period.start.month_index() < first - TOLERANCE_MONTHS or (period.end or now).month_index() > last + TOLERANCE_MONTHS


def resume_outline(periods, today=None) -> list[ResumeRow]:
    """The periods in reading order: each main-line period followed by the nested ones that
    start within it (by start); nested periods outside every post at their own date."""
    now = this_month(today)
    periods = sorted(periods, key=lambda p: p.start.sort_key())
    main = [p for p in periods if not is_nested(p)]
    span = main_line_span(periods, now)
    blocks: list[tuple[tuple, int, list[ResumeRow]]] = [(p.start.sort_key(), 0, [ResumeRow(p)]) for p in main]
    for period in periods:
        if not is_nested(period):
            continue
        row = ResumeRow(period, nested=True, outside=outside_span(period, span, now))
        start = period.start.month_index()
        hosts = [i for i, m in enumerate(main) if m.start.month_index() - TOLERANCE_MONTHS <= start <= (m.end or now).month_index() + TOLERANCE_MONTHS]
        if hosts and not row.outside:
            # The latest post it starts in: a nested line is read under the post it began in.
            blocks[hosts[-1]][2].append(row)
        else:
            blocks.append((period.start.sort_key(), 1, [row]))
    blocks.sort(key=lambda block: (block[0], block[1]))
    return [row for _key, _order, rows in blocks for row in rows]
