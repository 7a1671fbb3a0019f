"""The detection rules of DETECTION_RULES.md, as pure functions over plain data.

Nothing here touches the database: the engine builds a :class:`CadreSnapshot` per audit case
from bulk ``values()`` rows, and every rule maps one snapshot (plus the thresholds from
``settings.DETECTION``) to zero or more :class:`Finding`. Dates are :class:`PartialDate` and
are always compared at the precision both sides have.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import NamedTuple

from archives.dates import PartialDate
from archives.models import EDUCATION_ALIASES, Education
from audits.models import Category, Discrepancy

HIGH = Discrepancy.Severity.HIGH
NORMAL = Discrepancy.Severity.NORMAL

# Titles that identify the two party documents the rules look for (IMPORT_FORMATS.md names them).
VOLUNTEER_TITLE = "入党志愿书"
APPLICATION_TITLE = "入党申请书"

# A 证明材料 cell may name several materials.
_PROOF_SEPARATORS = re.compile(r"[、，,；;/]+")


# --- plain data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    work_min_age: int = 16
    party_min_age: int = 18
    party_application_min_months: int = 12
    experience_max_gap_months: int = 6
    experience_max_overlap_months: int = 1

    @classmethod
    def from_settings(cls, detection: dict) -> Thresholds:
        return cls(
            work_min_age=detection["WORK_MIN_AGE"],
            party_min_age=detection["PARTY_MIN_AGE"],
            party_application_min_months=detection["PARTY_APPLICATION_MIN_MONTHS"],
            experience_max_gap_months=detection["EXPERIENCE_MAX_GAP_MONTHS"],
            experience_max_overlap_months=detection["EXPERIENCE_MAX_OVERLAP_MONTHS"],
        )


class MaterialSnapshot(NamedTuple):
    """One (not weeded) material of the dossier, with the values it records.

    A NamedTuple rather than a dataclass: the engine builds one per material row, and tuple
    construction is several times cheaper."""

    id: int
    category_code: str
    category_order: int
    title: str
    formed: PartialDate
    birth: PartialDate | None = None
    work_start: PartialDate | None = None
    party: PartialDate | None = None
    education: str = ""
    altered: bool = False

    def citation(self) -> str:
        """Same text as ``Material.citation()``: name, category, date formed."""
        return f"《{self.title}》（第{self.category_code}类，{self.formed}形成）"


class PeriodSnapshot(NamedTuple):
    """One résumé period (经历)."""

    start: PartialDate
    end: PartialDate | None
    unit_and_post: str
    proof: str = ""

    @property
    def subject(self) -> str:
        return self.start.to_storage()

    def label(self) -> str:
        return f"{self.start}—{self.end or '至今'}“{self.unit_and_post}”"


@dataclass(frozen=True)
class CadreSnapshot:
    """A cadre's current information, dossier materials and résumé, as plain data."""

    name: str
    id_number: str
    birth: PartialDate | None
    work_start: PartialDate | None
    party: PartialDate | None = None
    education: str = ""
    verification_number: str = ""
    materials: tuple[MaterialSnapshot, ...] = ()
    periods: tuple[PeriodSnapshot, ...] = ()

    @property
    def is_party_member(self) -> bool:
        return self.party is not None


@dataclass(frozen=True)
class Finding:
    """What a rule found: the future Discrepancy's content, keyed by (rule, subject)."""

    rule: str
    category: str
    description: str
    subject: str = ""
    severity: str = NORMAL
    current_value: str = ""
    recorded_values: str = ""
    # (material id, value it records) for each cited material.
    citations: tuple[tuple[int, str], ...] = field(default=())

    @property
    def key(self) -> tuple[str, str]:
        return (self.rule, self.subject)


# --- helpers ------------------------------------------------------------------------------


def _date_text(value: PartialDate | None) -> str:
    return value.chinese() if value else "（空）"


def add_months(date: PartialDate, months: int) -> PartialDate:
    """The same day ``months`` later (clamped to the month's end), keeping the precision."""
    index = date.month_index() + months
    year, month = divmod(index, 12)
    shifted = PartialDate(year, month + 1)
    if date.day is None:
        return shifted
    return PartialDate(shifted.year, shifted.month, min(date.day, calendar.monthrange(shifted.year, shifted.month)[1]))


def earliest(materials: Iterable[MaterialSnapshot]) -> MaterialSnapshot | None:
    """The earliest-formed material; ties (equal at the common precision): lower category,
    then title.

    A date known only to the month equals every day of that month, so within the earliest
    month the days decide only when every candidate has one.
    """
    materials = list(materials)
    if not materials:
        return None
    first_month = min((m.formed.year, m.formed.month) for m in materials)
    tied = [m for m in materials if (m.formed.year, m.formed.month) == first_month]
    if all(m.formed.day is not None for m in tied):
        first_day = min(m.formed.day for m in tied)
        tied = [m for m in tied if m.formed.day == first_day]
    return min(tied, key=lambda m: (m.category_order, m.title, m.id))


def distinct_dates(values: Iterable[PartialDate]) -> list[PartialDate]:
    """Distinct dates at the common precision: ``1975.03`` and ``1975.03.12`` are one value,
    ``1975.03.12`` and ``1975.03.15`` are two. The month-only form is kept only when no day
    of that month is known."""
    by_month: dict[tuple[int, int], set[int | None]] = {}
    for value in values:
        by_month.setdefault((value.year, value.month), set()).add(value.day)
    result = []
    for (year, month), days in sorted(by_month.items()):
        known = sorted(d for d in days if d is not None)
        result += [PartialDate(year, month, d) for d in known] if known else [PartialDate(year, month)]
    return result


def _recording(materials, attribute: str) -> list[MaterialSnapshot]:
    return [m for m in materials if getattr(m, attribute) is not None]


def _sorted_by_formed(materials) -> list[MaterialSnapshot]:
    return sorted(materials, key=lambda m: (m.formed.sort_key(), m.category_order, m.title, m.id))


def _list_values(materials, attribute: str) -> str:
    return "；".join(f"{m.citation()}记载为{getattr(m, attribute).chinese()}" for m in _sorted_by_formed(materials))


def _citations(materials, attribute: str | None = None) -> tuple[tuple[int, str], ...]:
    result = []
    for m in _sorted_by_formed(materials):
        value = getattr(m, attribute) if attribute else None
        result.append((m.id, str(value) if value else ""))
    return tuple(result)


def _titled(materials, title: str) -> list[MaterialSnapshot]:
    return [m for m in materials if title in m.title]


# --- generic shapes shared by the age / work / party rules --------------------------------


def _earliest_differs(cadre, *, attribute, current, rule, category, label, basis, severity_if_later=NORMAL):
    recording = _recording(cadre.materials, attribute)
    first = earliest(recording)
    if first is None or current is None:
        return []
    recorded = getattr(first, attribute)
    if recorded.matches(current):
        return []
    severity = NORMAL
    direction = ""
    if current.is_after(recorded):
        severity = severity_if_later
        if severity_if_later == HIGH:
            direction = "现有信息晚于最早材料记载（早大改小），风险较高。"
    description = (
        f"现有信息{label}为{current.chinese()}，而最早记载{label}的材料{first.citation()}记载为{recorded.chinese()}，二者不一致。"
        f"{direction}{basis}（规则 {rule}）"
    )
    return [
        Finding(
            rule=rule,
            category=category,
            description=description,
            severity=severity,
            current_value=str(current),
            recorded_values=f"{first.citation()}：{recorded}",
            citations=((first.id, str(recorded)),),
        )
    ]


def _disagree(cadre, *, attribute, current, rule, category, label):
    recording = _recording(cadre.materials, attribute)
    values = distinct_dates(getattr(m, attribute) for m in recording)
    if len(values) < 2:
        return []
    shown = "、".join(v.chinese() for v in values)
    description = f"档案材料记载的{label}不一致，共有{len(values)}种：{shown}。{_list_values(recording, attribute)}。（规则 {rule}）"
    return [
        Finding(
            rule=rule,
            category=category,
            description=description,
            current_value=str(current) if current else "",
            recorded_values="；".join(f"{m.citation()}：{getattr(m, attribute)}" for m in _sorted_by_formed(recording)),
            citations=_citations(recording, attribute),
        )
    ]


def _before_age(cadre, *, date, age, rule, category, label):
    if date is None or cadre.birth is None:
        return []
    threshold = cadre.birth.add_years(age)
    if not date.is_before(threshold):
        return []
    description = f"现有信息{label}为{date.chinese()}，出生日期为{cadre.birth.chinese()}，{label}早于年满{age}周岁（{threshold.chinese()}）。（规则 {rule}）"
    return [Finding(rule=rule, category=category, description=description, current_value=str(date))]


# --- age ----------------------------------------------------------------------------------


def age_earliest(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    return _earliest_differs(
        cadre,
        attribute="birth",
        current=cadre.birth,
        rule="AGE-EARLIEST",
        category=Category.AGE,
        label="出生日期",
        basis="按规定以最早记载的材料为认定基础。",
        severity_if_later=HIGH,
    )


def age_disagree(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    return _disagree(cadre, attribute="birth", current=cadre.birth, rule="AGE-DISAGREE", category=Category.AGE, label="出生日期")


def age_altered(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    findings = []
    for m in _sorted_by_formed(cadre.materials):
        if m.altered and m.birth is not None:
            findings.append(
                Finding(
                    rule="AGE-ALTERED",
                    category=Category.AGE,
                    subject=str(m.id),
                    description=f"材料{m.citation()}记载出生日期{m.birth.chinese()}，该材料有涂改痕迹，需核实涂改是否经批准。（规则 AGE-ALTERED）",
                    current_value=str(cadre.birth) if cadre.birth else "",
                    recorded_values=f"{m.citation()}：{m.birth}（涂改）",
                    citations=((m.id, str(m.birth)),),
                )
            )
    return findings


def id_number_birth(id_number: str) -> PartialDate | None:
    """The birth date encoded in an 18-digit ID number, or None when it has none."""
    if not re.fullmatch(r"\d{17}[\dXx]", id_number or ""):
        return None
    try:
        return PartialDate(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def age_id(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    encoded = id_number_birth(cadre.id_number)
    if encoded is None or cadre.birth is None or encoded.matches(cadre.birth):
        return []
    description = (
        f"身份证号码中的出生日期为{encoded.chinese()}，现有信息出生日期为{cadre.birth.chinese()}，二者不一致；身份证只作参考，不作认定依据。（规则 AGE-ID）"
    )
    return [
        Finding(
            rule="AGE-ID",
            category=Category.AGE,
            description=description,
            current_value=str(cadre.birth),
            recorded_values=f"身份证号码：{encoded}",
        )
    ]


# --- work ---------------------------------------------------------------------------------


def work_earliest(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    return _earliest_differs(
        cadre,
        attribute="work_start",
        current=cadre.work_start,
        rule="WORK-EARLIEST",
        category=Category.WORK,
        label="参加工作时间",
        basis="按规定以最早的招工、派遣、报到材料为依据。",
    )


def work_disagree(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    return _disagree(cadre, attribute="work_start", current=cadre.work_start, rule="WORK-DISAGREE", category=Category.WORK, label="参加工作时间")


def work_under_16(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    return _before_age(cadre, date=cadre.work_start, age=t.work_min_age, rule="WORK-UNDER-16", category=Category.WORK, label="参加工作时间")


# --- party --------------------------------------------------------------------------------


def party_volunteer(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    if not cadre.is_party_member:
        return []
    volunteer = earliest(_recording(_titled(cadre.materials, VOLUNTEER_TITLE), "party"))
    if volunteer is None or volunteer.party.matches(cadre.party):
        return []
    description = (
        f"现有信息入党时间为{cadre.party.chinese()}，而{volunteer.citation()}记载支部大会通过时间为{volunteer.party.chinese()}，"
        f"二者不一致；入党时间以入党志愿书记载为准。（规则 PARTY-VOLUNTEER）"
    )
    return [
        Finding(
            rule="PARTY-VOLUNTEER",
            category=Category.PARTY,
            description=description,
            current_value=str(cadre.party),
            recorded_values=f"{volunteer.citation()}：{volunteer.party}",
            citations=((volunteer.id, str(volunteer.party)),),
        )
    ]


def party_disagree(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    return _disagree(cadre, attribute="party", current=cadre.party, rule="PARTY-DISAGREE", category=Category.PARTY, label="入党时间")


def _party_document_missing(cadre, *, title, rule, consequence):
    if not cadre.is_party_member or _titled(cadre.materials, title):
        return []
    description = f"现有信息入党时间为{cadre.party.chinese()}，但档案中没有{title}。{consequence}（规则 {rule}）"
    return [Finding(rule=rule, category=Category.PARTY, description=description, current_value=str(cadre.party), recorded_values=f"无{title}")]


def party_no_volunteer(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    return _party_document_missing(cadre, title=VOLUNTEER_TITLE, rule="PARTY-NO-VOLUNTEER", consequence="入党时间缺少认定依据。")


def party_no_application(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    return _party_document_missing(cadre, title=APPLICATION_TITLE, rule="PARTY-NO-APPLICATION", consequence="缺少的入党申请书须补充。")


def party_application_late(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    if not cadre.is_party_member:
        return []
    application = earliest(_titled(cadre.materials, APPLICATION_TITLE))
    if application is None:
        return []
    months = t.party_application_min_months
    if not cadre.party.is_before(add_months(application.formed, months)):
        return []
    description = (
        f"{application.citation()}形成于{application.formed.chinese()}，现有信息入党时间为{cadre.party.chinese()}，"
        f"递交入党申请书距入党不足{months}个月。（规则 PARTY-APPLICATION-LATE）"
    )
    return [
        Finding(
            rule="PARTY-APPLICATION-LATE",
            category=Category.PARTY,
            description=description,
            current_value=str(cadre.party),
            recorded_values=f"{application.citation()}：形成于{application.formed}",
            citations=((application.id, str(application.formed)),),
        )
    ]


def party_under_18(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    return _before_age(cadre, date=cadre.party, age=t.party_min_age, rule="PARTY-UNDER-18", category=Category.PARTY, label="入党时间")


def party_unrecorded(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    if cadre.is_party_member:
        return []
    recording = _recording(cadre.materials, "party")
    if not recording:
        return []
    description = f"现有信息中该干部不是党员（无入党时间），但档案材料记载了入党时间：{_list_values(recording, 'party')}。（规则 PARTY-UNRECORDED）"
    return [
        Finding(
            rule="PARTY-UNRECORDED",
            category=Category.PARTY,
            description=description,
            recorded_values="；".join(f"{m.citation()}：{m.party}" for m in _sorted_by_formed(recording)),
            citations=_citations(recording, "party"),
        )
    ]


# --- education ----------------------------------------------------------------------------

# Education.level() rebuilds the choices on every call; the rules ask once per material.
_LEVELS = {value: index for index, value in enumerate(Education.values)}
_LEVELS.update({alias: _LEVELS[value] for alias, value in EDUCATION_ALIASES.items()})


def education_level(text: str) -> int | None:
    """Same as ``Education.level``, from a table built once."""
    return _LEVELS.get((text or "").strip())


_SECONDARY = education_level(Education.SECONDARY_VOCATIONAL)


def edu_unverified(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    level = education_level(cadre.education)
    if level is None or level < _SECONDARY or cadre.verification_number.strip():
        return []
    description = f"现有信息学历为{cadre.education}（中专及以上），但没有学历认证报告或电子注册备案表编号，学历未经认证。（规则 EDU-UNVERIFIED）"
    return [Finding(rule="EDU-UNVERIFIED", category=Category.EDUCATION, description=description, current_value=cadre.education)]


def edu_unsupported(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    current = education_level(cadre.education)
    if current is None:
        return []
    recording = [m for m in cadre.materials if education_level(m.education) is not None]
    if not recording:
        return []
    highest = max(education_level(m.education) for m in recording)
    if highest >= current:
        return []
    top = [m for m in recording if education_level(m.education) == highest]
    highest_name = Education.values[highest]
    description = (
        f"现有信息学历为{cadre.education}，但档案材料记载的最高学历为{highest_name}"
        f"（{'、'.join(m.citation() for m in _sorted_by_formed(top))}），材料不能支持现有学历。（规则 EDU-UNSUPPORTED）"
    )
    return [
        Finding(
            rule="EDU-UNSUPPORTED",
            category=Category.EDUCATION,
            description=description,
            current_value=cadre.education,
            recorded_values="；".join(f"{m.citation()}：{m.education}" for m in _sorted_by_formed(recording)),
            citations=tuple((m.id, m.education) for m in _sorted_by_formed(top)),
        )
    ]


# --- experience ---------------------------------------------------------------------------


def _periods(cadre) -> list[PeriodSnapshot]:
    return sorted(cadre.periods, key=lambda p: p.start.sort_key())


@lru_cache(maxsize=4096)
def _normalise_title(text: str) -> str:
    return re.sub(r"\s+", "", text).strip('《》〈〉"“”')


def proof_names(proof: str) -> list[str]:
    return [name for name in (_normalise_title(part) for part in _PROOF_SEPARATORS.split(proof or "")) if name]


def exp_no_proof(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    return [
        Finding(
            rule="EXP-NO-PROOF",
            category=Category.EXPERIENCE,
            subject=p.subject,
            description=f"经历{p.label()}没有填写证明材料，该段经历缺少材料证明。（规则 EXP-NO-PROOF）",
            current_value=p.label(),
        )
        for p in _periods(cadre)
        if not proof_names(p.proof)
    ]


def exp_proof_missing(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    titles = {_normalise_title(m.title) for m in cadre.materials}
    findings = []
    for p in _periods(cadre):
        missing = [name for name in proof_names(p.proof) if name not in titles]
        if missing:
            names = "、".join(f"《{name}》" for name in missing)
            findings.append(
                Finding(
                    rule="EXP-PROOF-MISSING",
                    category=Category.EXPERIENCE,
                    subject=p.subject,
                    description=f"经历{p.label()}的证明材料{names}不在档案材料目录中。（规则 EXP-PROOF-MISSING）",
                    current_value=p.label(),
                    recorded_values=f"证明材料：{p.proof}",
                )
            )
    return findings


def exp_gap(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    periods = _periods(cadre)
    if not periods:
        return []
    limit = t.experience_max_gap_months
    findings = []
    if cadre.work_start is not None:
        first = periods[0]
        gap = cadre.work_start.months_until(first.start)
        if gap > limit:
            findings.append(
                Finding(
                    rule="EXP-GAP",
                    category=Category.EXPERIENCE,
                    subject=first.subject,
                    description=(f"参加工作时间{cadre.work_start.chinese()}与第一段经历{first.label()}之间间隔{gap}个月，超过{limit}个月。（规则 EXP-GAP）"),
                    current_value=f"参加工作时间 {cadre.work_start}；{first.label()}",
                )
            )
    for previous, following in pairwise(periods):
        if previous.end is None:
            continue
        gap = previous.end.months_until(following.start)
        if gap > limit:
            findings.append(
                Finding(
                    rule="EXP-GAP",
                    category=Category.EXPERIENCE,
                    subject=following.subject,
                    description=f"经历{previous.label()}与{following.label()}之间间隔{gap}个月，超过{limit}个月。（规则 EXP-GAP）",
                    current_value=f"{previous.label()}；{following.label()}",
                )
            )
    return findings


def exp_overlap(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    limit = t.experience_max_overlap_months
    periods = _periods(cadre)
    findings = []
    for previous, following in pairwise(periods):
        if previous.end is None:
            # "至今" followed by a later period: it covers all of the later one.
            overlap_text = "前一段经历终止时间为“至今”，与后一段经历重叠"
        else:
            overlap = following.start.months_until(previous.end)
            if overlap <= limit:
                continue
            overlap_text = f"两段经历重叠{overlap}个月，超过{limit}个月"
        findings.append(
            Finding(
                rule="EXP-OVERLAP",
                category=Category.EXPERIENCE,
                subject=following.subject,
                description=f"经历{previous.label()}与{following.label()}：{overlap_text}。（规则 EXP-OVERLAP）",
                current_value=f"{previous.label()}；{following.label()}",
            )
        )
    return findings


# --- the table ----------------------------------------------------------------------------

Rule = Callable[[CadreSnapshot, Thresholds], list[Finding]]

RULES: dict[str, tuple[str, Rule]] = {
    "AGE-EARLIEST": (Category.AGE, age_earliest),
    "AGE-DISAGREE": (Category.AGE, age_disagree),
    "AGE-ALTERED": (Category.AGE, age_altered),
    "AGE-ID": (Category.AGE, age_id),
    "WORK-EARLIEST": (Category.WORK, work_earliest),
    "WORK-DISAGREE": (Category.WORK, work_disagree),
    "WORK-UNDER-16": (Category.WORK, work_under_16),
    "PARTY-VOLUNTEER": (Category.PARTY, party_volunteer),
    "PARTY-DISAGREE": (Category.PARTY, party_disagree),
    "PARTY-NO-VOLUNTEER": (Category.PARTY, party_no_volunteer),
    "PARTY-NO-APPLICATION": (Category.PARTY, party_no_application),
    "PARTY-APPLICATION-LATE": (Category.PARTY, party_application_late),
    "PARTY-UNDER-18": (Category.PARTY, party_under_18),
    "PARTY-UNRECORDED": (Category.PARTY, party_unrecorded),
    "EDU-UNVERIFIED": (Category.EDUCATION, edu_unverified),
    "EDU-UNSUPPORTED": (Category.EDUCATION, edu_unsupported),
    "EXP-NO-PROOF": (Category.EXPERIENCE, exp_no_proof),
    "EXP-PROOF-MISSING": (Category.EXPERIENCE, exp_proof_missing),
    "EXP-GAP": (Category.EXPERIENCE, exp_gap),
    "EXP-OVERLAP": (Category.EXPERIENCE, exp_overlap),
}


def category_of(rule: str) -> str:
    return RULES[rule][0]


def run_rules(cadre: CadreSnapshot, thresholds: Thresholds) -> list[Finding]:
    """Every finding of every rule for one cadre."""
    findings = []
    for _category, rule in RULES.values():
        findings += rule(cadre, thresholds)
    return findings
