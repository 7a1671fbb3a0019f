"""Plain data the report renderers work from (no Django models, no queries).

The selectors (reports.selectors) fill these; the PDF, the workbook and the dashboard only
read them, so the three can never disagree, and renderers are tested with hand-built data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

# The rule whose findings the summary report counts as "入党申请书缺失" (DETECTION_RULES.md).
# Every other counted party finding, system or manual, counts as "记载不一致/需规范".
PARTY_NO_APPLICATION = "PARTY-NO-APPLICATION"


def share(part: int, total: int) -> Decimal:
    """part / total as a percentage with one decimal, rounded half up (0 when total is 0)."""
    if not total:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def share_text(part: int, total: int) -> str:
    return f"{share(part, total)}%"


@dataclass(frozen=True)
class CategoryStats:
    """One of the five categories: a cadre counts once per category."""

    code: str
    label: str
    cadres: int = 0  # cadres with at least one counted discrepancy of this category
    discrepancies: int = 0
    corrected: int = 0
    determined: int = 0
    open: int = 0  # counted but not yet resolved (待核实, 已登记)
    cadres_resolved: int = 0  # cadres whose every counted discrepancy here is resolved
    # party only: the two kinds of the model report (a cadre may have both)
    cadres_inconsistent: int = 0
    cadres_missing_application: int = 0

    @property
    def cadres_open(self) -> int:
        return self.cadres - self.cadres_resolved


@dataclass(frozen=True)
class GroupRow:
    """Figures of one unit or one rank."""

    label: str
    cases: int = 0
    cadres_with_discrepancies: int = 0
    discrepancies: int = 0
    open_discrepancies: int = 0


@dataclass(frozen=True)
class CountRow:
    """A labelled count (a workflow stage, a discrepancy state)."""

    code: str
    label: str
    count: int = 0
    counted: bool = True  # for discrepancy states: does the report count it


@dataclass(frozen=True)
class AuditorRow:
    name: str
    initial_assigned: int = 0
    initial_done: int = 0
    re_assigned: int = 0
    re_done: int = 0
    registered: int = 0  # counted discrepancies this auditor registered


@dataclass(frozen=True)
class CampaignStatistics:
    """Every figure of a campaign's reports, as of generated_at."""

    campaign_id: int
    campaign_name: str
    generated_at: dt.datetime
    total_cases: int
    by_rank: list[GroupRow]
    consistent_cadres: int  # cases with no counted discrepancy
    discrepancies: int  # counted discrepancies
    categories: list[CategoryStats]
    stages: list[CountRow]
    states: list[CountRow]
    by_unit: list[GroupRow]
    auditors: list[AuditorRow]
    deadline: dt.date | None = None
    overdue_requests: int = 0

    @property
    def inconsistent_cadres(self) -> int:
        return self.total_cases - self.consistent_cadres

    def category(self, code: str) -> CategoryStats:
        for item in self.categories:
            if item.code == code:
                return item
        raise KeyError(code)

    def stage(self, code: str) -> int:
        return next((row.count for row in self.stages if row.code == code), 0)

    @property
    def resolved(self) -> int:
        return sum(c.corrected + c.determined for c in self.categories)

    @property
    def open(self) -> int:
        return sum(c.open for c in self.categories)


@dataclass(frozen=True)
class Narrative:
    """The editable texts of the summary report (defaults filled in by the selector)."""

    title: str
    addressee: str
    issuing_unit: str
    report_date: dt.date
    opening: str
    practices: str
    problems: str


@dataclass(frozen=True)
class SummaryReport:
    statistics: CampaignStatistics
    narrative: Narrative


@dataclass(frozen=True)
class DiscrepancyRow:
    """One line of 问题登记表."""

    name: str
    id_number: str
    unit: str
    position: str
    rank: str
    category: str
    rule: str
    description: str
    source: str
    state: str
    current_value: str = ""
    recorded_values: str = ""
    determined_value: str = ""
    cause: str = ""
    correction_measure: str = ""
    initial_reviewer: str = ""
    re_reviewer: str = ""
    registered_at: str = ""


@dataclass(frozen=True)
class Sheet:
    """A ready-made table: a register, or any list the workbook writes as is."""

    title: str
    headers: list[str]
    rows: list[tuple]
    widths: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class WorkbookData:
    statistics: CampaignStatistics
    discrepancies: list[DiscrepancyRow]
    set_aside: list[DiscrepancyRow]  # dismissed or withdrawn: listed, never counted
    registers: list[Sheet]


@dataclass(frozen=True)
class SheetItem:
    """One row of a 认定表: an item, its current value, what materials record, the decision."""

    label: str
    current: str
    recorded: list[str]
    determined: str
    problems: list[str]


@dataclass(frozen=True)
class DeterminationSheet:
    """干部人事档案专项审核认定表 of one cadre in one campaign."""

    campaign_name: str
    case_id: int
    name: str
    gender: str
    ethnicity: str
    id_number: str
    unit: str
    position: str
    rank: str
    items: list[SheetItem]
    initial_reviewer: str
    initial_reviewed_at: str
    re_reviewer: str
    re_reviewed_at: str
