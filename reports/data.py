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
    open: int = 0  # counted but not yet resolved (已登记, 整改中)
    cadres_resolved: int = 0  # cadres whose every counted discrepancy here is resolved
    # party only: the two kinds of the model report (a cadre may have both)
    cadres_inconsistent: int = 0
    cadres_missing_application: int = 0
    # How the category's counted problems were worked on (for the report's default wording).
    feedback_rounds: int = 0  # most rounds of 信息反馈 any one problem of this category had
    feedbacks: int = 0  # 信息反馈 entries in all
    interviews: int = 0  # 约谈 (人次)
    materials_requested: int = 0  # 补充材料 requests (电话催补, 专人查补)
    materials_received: int = 0  # of which received
    cadres_determined: int = 0  # cadres with an approved determination (已认定 or 已纠正)
    cadres_corrected: int = 0  # cadres whose current information was corrected
    pending: int = 0  # system findings still 待核实 (never counted above)

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
    consistent_cadres: int  # cases past the reviews (科长把关 done) with no counted discrepancy
    discrepancies: int  # counted discrepancies
    categories: list[CategoryStats]
    stages: list[CountRow]
    states: list[CountRow]
    by_unit: list[GroupRow]
    auditors: list[AuditorRow]
    deadline: dt.date | None = None
    overdue_requests: int = 0
    cadres_with_discrepancies: int = 0  # cases with at least one counted discrepancy
    reviewed_cases: int = 0  # cases past the reviews (科长把关 done)
    unfinished_cases: int = 0  # cases not yet past the reviews (初审, 复审, 科长把关)
    pending_findings: int = 0  # system findings 待核实: reported apart, never counted
    determinations_waiting: int = 0  # 拟认定 awaiting the chief's check or the leader's approval

    @property
    def inconsistent_cadres(self) -> int:
        return self.cadres_with_discrepancies

    @property
    def is_draft(self) -> bool:
        """A report generated now is a draft (初稿): cases unfinished or findings unverified."""
        return bool(self.unfinished_cases or self.pending_findings)

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
    doc_number: str = ""  # 文号, e.g. 某组字〔2026〕12号 (optional)
    signer: str = ""  # 签发人 (optional)
    # The chief's wording of each category's resolution paragraph, by category code; a code
    # left out (or blank) gets the default built from the data (reports.pdf).
    category_texts: dict[str, str] = field(default_factory=dict)


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
    dismissed_reason: str = ""  # 排除或撤回的理由 (set-aside rows)


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
    pending: list[DiscrepancyRow] = field(default_factory=list)  # system findings 待核实: listed apart, never counted


@dataclass(frozen=True)
class SheetRecord:
    """What one material of the dossier records for an item of the 认定表."""

    material: str  # the material's title, e.g. 招工登记表
    formed: str  # its date formed, as the catalogue has it (e.g. 1993.07)
    value: str  # the value it records (e.g. 1975.03.12)
    earliest: bool = False  # the earliest record of this item (the basis of the rule)
    altered: bool = False  # marked 涂改


@dataclass(frozen=True)
class SheetItem:
    """One row of a 认定表: 出生日期, 参加工作时间, 入党时间, 学历学位 or 经历."""

    label: str
    current: str  # 现有信息 ("" when none, e.g. not a party member)
    recorded: list[SheetRecord]  # 档案记载, earliest first (经历: one per résumé period)
    determined: list[str]  # 认定值: one line, or 经历's periods one per line; [] while undetermined
    basis: list[str]  # 认定依据: 《材料》（形成日期） lines, then 批复 "文号（机关，日期）" and the rule's reason
    problem: str = ""  # what the audit found for this item ("" when consistent), plain Chinese


@dataclass(frozen=True)
class DeterminationSheet:
    """干部人事档案专项审核认定表 of one cadre in one campaign (plain data, no workflow terms)."""

    campaign_name: str
    case_id: int
    name: str
    gender: str
    ethnicity: str
    id_number: str  # already masked by the selector unless the reader's role needs it whole
    unit: str
    position: str
    rank: str
    items: list[SheetItem]
    initial_reviewer: str
    initial_reviewed_at: str
    re_reviewer: str
    re_reviewed_at: str
    audit_opinion: str = ""  # 审核组意见 (the reviewers' conclusion)
    organization_opinion: str = ""  # 组织部门审核意见 (the leader's approval opinion)
    organization_opinion_on: dt.date | None = None  # its date (approval day)
    determined_on: dt.date | None = None  # 认定日期: the day the last determination was approved
    issuing_unit: str = ""  # the organization department that seals it (落款)
