"""The detection rules of DETECTION_RULES.md, as pure functions over plain data.

Nothing here touches the database: the engine builds a :class:`CadreSnapshot` per audit case
from bulk ``values()`` rows, and every rule maps one snapshot (plus the thresholds from
``settings.DETECTION``) to zero or more :class:`Finding`. Dates are :class:`PartialDate` and
are always compared at the precision both sides have.

One finding per problem: every rule speaks about a *subject* (出生日期, 入党材料, one résumé
period, one pair of consecutive main-line periods …, the table of DETECTION_RULES.md), and
:func:`run_rules` merges what the rules found on one subject into one finding that lists every
rule that fired, every material involved, the highest severity and each reason once.

Earlier determinations settle a value: a category-5 material whose title names a 认定 and that
records a field settles it as of its 形成日期 (:class:`FieldView`); the rules comparing that
field then ignore older materials and compare current information with the settled value.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import pairwise
from typing import NamedTuple

from archives.dates import PartialDate
from archives.models import EDUCATION_ALIASES, Education, PeriodKind, StudyMode
from audits.models import Category, Discrepancy

HIGH = Discrepancy.Severity.HIGH
NORMAL = Discrepancy.Severity.NORMAL

# Titles that identify the two party documents the rules look for (IMPORT_FORMATS.md names them).
VOLUNTEER_TITLE = "入党志愿书"
APPLICATION_TITLE = "入党申请书"

# A determination filed in the dossier: category 5 (政审、审计和审核类, sub-classes included)
# and a title naming a 认定 (专项审核认定表, 出生日期认定意见, 关于…认定的批复 …).
DETERMINATION_CATEGORY = "5"
DETERMINATION_WORD = "认定"

# Words of a material's title that name in-service study (EDU-MODE-MISMATCH).
IN_SERVICE_WORDS = ("函授", "自考", "自学考试", "成人", "夜大", "电大", "网络教育", "党校", "在职")

MAIN_LINE = PeriodKind.POST.value

# The subjects of DETECTION_RULES.md "One finding per problem".
SUBJECT_BIRTH = "出生日期"
SUBJECT_ID_BIRTH = "身份证号记载的出生日期"
SUBJECT_WORK = "参加工作时间"
SUBJECT_PARTY = "入党时间"
SUBJECT_PARTY_DOCUMENTS = "入党材料"
SUBJECT_EDUCATION = "学历学位"
PERIOD_SUBJECT_PREFIX = "经历 "
PAIR_SUBJECT_PREFIX = "经历衔接 "
WORK_START_IN_PAIR = "参加工作"

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
    work_graduation_tolerance_months: int = 1
    nested_period_tolerance_months: int = 1

    @classmethod
    def from_settings(cls, detection: dict) -> Thresholds:
        default = cls()
        return cls(
            work_min_age=detection["WORK_MIN_AGE"],
            party_min_age=detection["PARTY_MIN_AGE"],
            party_application_min_months=detection["PARTY_APPLICATION_MIN_MONTHS"],
            experience_max_gap_months=detection["EXPERIENCE_MAX_GAP_MONTHS"],
            experience_max_overlap_months=detection["EXPERIENCE_MAX_OVERLAP_MONTHS"],
            work_graduation_tolerance_months=detection.get("WORK_GRADUATION_TOLERANCE_MONTHS", default.work_graduation_tolerance_months),
            nested_period_tolerance_months=detection.get("NESTED_PERIOD_TOLERANCE_MONTHS", default.nested_period_tolerance_months),
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
    study_mode: str = ""

    def citation(self) -> str:
        """Same text as ``Material.citation()``: name, category, date formed."""
        return f"《{self.title}》（第{self.category_code}类，{self.formed}形成）"

    @property
    def is_determination(self) -> bool:
        """A determination filed in the dossier (it settles the values it records)."""
        code = self.category_code
        return (code == DETERMINATION_CATEGORY or code.startswith(DETERMINATION_CATEGORY + "-")) and DETERMINATION_WORD in self.title


def period_subject(start: PartialDate, kind: str = MAIN_LINE) -> str:
    """The subject of one résumé period: its start and its kind (the period's key)."""
    return f"{PERIOD_SUBJECT_PREFIX}{start}（{kind}）"


def pair_subject(previous: PartialDate | None, following: PartialDate) -> str:
    """The subject of a pair of consecutive main-line periods (``previous`` None: the
    work-start date and the first main-line period)."""
    return f"{PAIR_SUBJECT_PREFIX}{previous if previous is not None else WORK_START_IN_PAIR}—{following}"


class PeriodSnapshot(NamedTuple):
    """One résumé period (经历): on the main line (任职) or nested in it."""

    start: PartialDate
    end: PartialDate | None
    unit_and_post: str
    proof: str = ""
    kind: str = MAIN_LINE

    @property
    def nested(self) -> bool:
        return self.kind != MAIN_LINE

    @property
    def subject(self) -> str:
        return period_subject(self.start, self.kind)

    def label(self) -> str:
        text = f"{self.start}—{self.end or '至今'}“{self.unit_and_post}”"
        return f"{text}（{self.kind}）" if self.nested else text


class FieldView(NamedTuple):
    """What the comparing rules of one field look at: the settling material (the latest
    determination recording the field, or None) and the materials formed not before it."""

    settling: MaterialSnapshot | None
    materials: tuple[MaterialSnapshot, ...]
    recording: tuple[MaterialSnapshot, ...]  # of ``materials``, those recording the field


# The material / current-information attribute of each field a determination may settle.
SETTLED_FIELDS = ("birth", "work_start", "party", "education")


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
    study_mode: str = ""
    graduation: PartialDate | None = None  # 全日制毕业时间

    @property
    def is_party_member(self) -> bool:
        return self.party is not None

    @cached_property
    def views(self) -> dict[str, FieldView]:
        """Per settled field, once per snapshot (several rules read each)."""
        return {attribute: field_view(self.materials, attribute) for attribute in SETTLED_FIELDS}


@dataclass(frozen=True)
class Finding:
    """What the rules found on one subject: the future Discrepancy's content.

    ``reasons`` holds, per rule, the clauses that say what is wrong; ``description`` says each
    clause once (a clause two rules share, such as the current value, is not repeated), then
    the notes (basis, reminders), then the rule codes."""

    rule: str
    category: str
    subject: str
    reasons: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...] = ()
    severity: str = NORMAL
    current_value: str = ""
    recorded_values: str = ""
    # (material id, value it records) for each cited material, one per material.
    citations: tuple[tuple[int, str], ...] = ()
    rules: tuple[str, ...] = ()  # every rule that fired, the first one first

    def __post_init__(self):
        if not self.rules:
            object.__setattr__(self, "rules", (self.rule,))

    @property
    def key(self) -> tuple[str, str]:
        return (self.category, self.subject)

    @property
    def description(self) -> str:
        said: set[str] = set()
        parts = []
        for reason in self.reasons:
            clauses = [clause for clause in reason if clause not in said]
            said.update(clauses)
            if clauses:
                parts.append("，".join(clauses))
        notes = "".join(dict.fromkeys(self.notes))
        return f"{'；'.join(parts)}。{notes}（规则 {'、'.join(self.rules)}）"


def _finding(rule: str, subject: str, *clauses: str, notes: Iterable[str] = (), **content) -> Finding:
    return Finding(rule=rule, category=RULE_CATEGORIES[rule], subject=subject, reasons=(tuple(clauses),), notes=tuple(n for n in notes if n), **content)


def merge(findings: list[Finding]) -> list[Finding]:
    """One finding per subject, in the order subjects were first found (rules run in the
    table's order, so each finding's rules are in that order too)."""
    if len(findings) < 2:
        return findings
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.key, []).append(finding)
    return [group[0] if len(group) == 1 else _combine(group) for group in groups.values()]


def _combine(group: list[Finding]) -> Finding:
    first = group[0]
    rules = tuple(dict.fromkeys(rule for f in group for rule in f.rules))
    cited: dict[int, str] = {}
    for f in group:
        for material_id, value in f.citations:
            cited.setdefault(material_id, value)
    # "《材料》：value" once per material, "（涂改）" and the like kept when a rule adds it.
    recorded: dict[str, str] = {}
    for item in (item for f in group for item in f.recorded_values.split("；") if item):
        key = item.partition("：")[0]
        have = recorded.get(key)
        if have is None or item.startswith(have):
            recorded[key] = item
        elif not have.startswith(item):
            recorded[item] = item
    return Finding(
        rule=rules[0],
        category=first.category,
        subject=first.subject,
        reasons=tuple(reason for f in group for reason in f.reasons),
        notes=tuple(dict.fromkeys(note for f in group for note in f.notes)),
        severity=HIGH if any(f.severity == HIGH for f in group) else NORMAL,
        current_value=next((f.current_value for f in group if f.current_value), ""),
        recorded_values="；".join(recorded.values()),
        citations=tuple(cited.items()),
        rules=rules,
    )


# --- helpers ------------------------------------------------------------------------------


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


def _records(material: MaterialSnapshot, attribute: str) -> bool:
    if attribute == "education":
        return education_level(material.education) is not None
    return getattr(material, attribute) is not None


def field_view(materials: tuple[MaterialSnapshot, ...], attribute: str) -> FieldView:
    """The settling material of a field (the latest determination recording it) and the
    materials the comparing rules look at: every one formed not before it."""
    recording = tuple(m for m in materials if _records(m, attribute))
    settlements = [m for m in recording if m.is_determination]
    if not settlements:
        return FieldView(None, materials, recording)
    settling = max(settlements, key=lambda m: (m.formed.sort_key(), m.id))
    since = settling.formed
    return FieldView(
        settling,
        tuple(m for m in materials if not m.formed.is_before(since)),
        tuple(m for m in recording if not m.formed.is_before(since)),
    )


def _sorted_by_formed(materials) -> list[MaterialSnapshot]:
    return sorted(materials, key=lambda m: (m.formed.sort_key(), m.category_order, m.title, m.id))


def _value_text(value) -> str:
    return value.chinese() if isinstance(value, PartialDate) else str(value)


def _list_values(materials, attribute: str) -> str:
    return "，".join(f"{m.citation()}记载为{_value_text(getattr(m, attribute))}" for m in _sorted_by_formed(materials))


def _recorded_values(materials, attribute: str, suffix: str = "") -> str:
    return "；".join(f"{m.citation()}：{getattr(m, attribute)}{suffix}" for m in _sorted_by_formed(materials))


def _citations(materials, attribute: str | None = None) -> tuple[tuple[int, str], ...]:
    result = []
    for m in _sorted_by_formed(materials):
        value = getattr(m, attribute) if attribute else None
        result.append((m.id, str(value) if value else ""))
    return tuple(result)


def _titled(materials, title: str) -> list[MaterialSnapshot]:
    return [m for m in materials if title in m.title]


# --- generic shapes shared by the age / work / party / education rules ---------------------


@dataclass(frozen=True)
class Field:
    """A field of current information the dossier's materials record."""

    attribute: str  # on CadreSnapshot and MaterialSnapshot
    label: str
    subject: str


BIRTH = Field("birth", "出生日期", SUBJECT_BIRTH)
WORK = Field("work_start", "参加工作时间", SUBJECT_WORK)
PARTY = Field("party", "入党时间", SUBJECT_PARTY)
EDUCATION = Field("education", "学历", SUBJECT_EDUCATION)

SETTLED_NOTE = "已有认定结论的，以认定结论为准。"


def _current_clause(spec: Field, current) -> str:
    return f"现有信息{spec.label}为{_value_text(current)}"


def _settled_differs(cadre, spec: Field, *, rule: str, current, differs: bool, severity: str = NORMAL, direction: str = "") -> list[Finding]:
    """The settled value against current information (DETECTION_RULES.md: "与…认定结论不一致")."""
    settling = cadre.views[spec.attribute].settling
    if not differs:
        return []
    value = getattr(settling, spec.attribute)
    return [
        _finding(
            rule,
            spec.subject,
            _current_clause(spec, current),
            f"与{settling.citation()}的认定结论不一致（认定{spec.label}为{_value_text(value)}）",
            notes=(direction, SETTLED_NOTE),
            severity=severity,
            current_value=str(current),
            recorded_values=f"{settling.citation()}：{value}（认定结论）",
            citations=((settling.id, str(value)),),
        )
    ]


def _earliest_differs(cadre, spec: Field, *, rule: str, basis: str, severity_if_later=NORMAL) -> list[Finding]:
    current = getattr(cadre, spec.attribute)
    view = cadre.views[spec.attribute]
    if current is None:
        return []
    if view.settling is not None:
        settled = getattr(view.settling, spec.attribute)
        later = current.is_after(settled) and severity_if_later == HIGH
        return _settled_differs(
            cadre,
            spec,
            rule=rule,
            current=current,
            differs=not settled.matches(current),
            severity=HIGH if later else NORMAL,
            direction="现有信息晚于认定结论（早大改小），风险较高。" if later else "",
        )
    first = earliest(view.recording)
    if first is None:
        return []
    recorded = getattr(first, spec.attribute)
    if recorded.matches(current):
        return []
    severity = NORMAL
    direction = ""
    if current.is_after(recorded) and severity_if_later == HIGH:
        severity = HIGH
        direction = "现有信息晚于最早材料记载（早大改小），风险较高。"
    return [
        _finding(
            rule,
            spec.subject,
            _current_clause(spec, current),
            f"而最早记载{spec.label}的材料{first.citation()}记载为{recorded.chinese()}，二者不一致",
            notes=(direction, basis),
            severity=severity,
            current_value=str(current),
            recorded_values=f"{first.citation()}：{recorded}",
            citations=((first.id, str(recorded)),),
        )
    ]


def _disagree(cadre, spec: Field, *, rule: str) -> list[Finding]:
    recording = cadre.views[spec.attribute].recording
    values = distinct_dates(getattr(m, spec.attribute) for m in recording)
    if len(values) < 2:
        return []
    current = getattr(cadre, spec.attribute)
    ordered = _sorted_by_formed(recording)
    shown = "、".join(f"{v.chinese()}（{'、'.join(m.citation() for m in ordered if getattr(m, spec.attribute).matches(v))}）" for v in values)
    return [
        _finding(
            rule,
            spec.subject,
            f"档案材料记载的{spec.label}不一致，共有{len(values)}种：{shown}",
            current_value=str(current) if current else "",
            recorded_values=_recorded_values(recording, spec.attribute),
            citations=_citations(recording, spec.attribute),
        )
    ]


def _altered(cadre, spec: Field, *, rule: str) -> list[Finding]:
    altered = [m for m in cadre.views[spec.attribute].recording if m.altered]
    if not altered:
        return []
    current = getattr(cadre, spec.attribute)
    items = "、".join(f"{m.citation()}记载{spec.label}为{_value_text(getattr(m, spec.attribute))}" for m in _sorted_by_formed(altered))
    return [
        _finding(
            rule,
            spec.subject,
            f"材料{items}，{'均' if len(altered) > 1 else ''}有涂改痕迹",
            notes=("需核实涂改是否经批准。",),
            current_value=str(current) if current else "",
            recorded_values=_recorded_values(altered, spec.attribute, "（涂改）"),
            citations=_citations(altered, spec.attribute),
        )
    ]


def _before_age(cadre, spec: Field, *, age: int, rule: str) -> list[Finding]:
    date = getattr(cadre, spec.attribute)
    if date is None or cadre.birth is None:
        return []
    threshold = cadre.birth.add_years(age)
    if not date.is_before(threshold):
        return []
    return [
        _finding(
            rule,
            spec.subject,
            _current_clause(spec, date),
            f"出生日期为{cadre.birth.chinese()}，{spec.label}早于年满{age}周岁（{threshold.chinese()}）",
            current_value=str(date),
            recorded_values=f"出生日期：{cadre.birth}",
        )
    ]


# --- age ----------------------------------------------------------------------------------


def age_earliest(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    return _earliest_differs(cadre, BIRTH, rule="AGE-EARLIEST", basis="按规定以最早记载的材料为认定基础。", severity_if_later=HIGH)


def age_disagree(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    return _disagree(cadre, BIRTH, rule="AGE-DISAGREE")


def age_altered(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    return _altered(cadre, BIRTH, rule="AGE-ALTERED")


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
    return [
        _finding(
            "AGE-ID",
            SUBJECT_ID_BIRTH,
            f"身份证号码中的出生日期为{encoded.chinese()}，现有信息出生日期为{cadre.birth.chinese()}，二者不一致",
            notes=("身份证只作参考，不作认定依据。",),
            current_value=str(cadre.birth),
            recorded_values=f"身份证号码：{encoded}",
        )
    ]


# --- work ---------------------------------------------------------------------------------


def work_earliest(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    return _earliest_differs(cadre, WORK, rule="WORK-EARLIEST", basis="按规定以最早的招工、派遣、报到材料为依据。")


def work_disagree(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    return _disagree(cadre, WORK, rule="WORK-DISAGREE")


def work_altered(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    return _altered(cadre, WORK, rule="WORK-ALTERED")


def work_under_16(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    return _before_age(cadre, WORK, age=t.work_min_age, rule="WORK-UNDER-16")


def work_before_graduation(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    graduation, work = cadre.graduation, cadre.work_start
    months = t.work_graduation_tolerance_months
    if graduation is None or work is None or not work.is_before(add_months(graduation, -months)):
        return []
    return [
        _finding(
            "WORK-BEFORE-GRADUATION",
            SUBJECT_WORK,
            _current_clause(WORK, work),
            f"早于全日制毕业时间{graduation.chinese()}超过{months}个月",
            notes=("全日制学习期间一般不计算工龄；经批准定向、委培学习计算工龄的除外，请审核人员核实有无批准材料。",),
            current_value=str(work),
            recorded_values=f"全日制毕业时间：{graduation}",
        )
    ]


# --- party --------------------------------------------------------------------------------


def party_volunteer(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    if not cadre.is_party_member:
        return []
    view = cadre.views["party"]
    if view.settling is not None:
        return _settled_differs(cadre, PARTY, rule="PARTY-VOLUNTEER", current=cadre.party, differs=not view.settling.party.matches(cadre.party))
    volunteer = earliest(_titled(view.recording, VOLUNTEER_TITLE))
    if volunteer is None or volunteer.party.matches(cadre.party):
        return []
    return [
        _finding(
            "PARTY-VOLUNTEER",
            SUBJECT_PARTY,
            _current_clause(PARTY, cadre.party),
            f"而{volunteer.citation()}记载支部大会通过时间为{volunteer.party.chinese()}，二者不一致",
            notes=("入党时间以入党志愿书记载为准。",),
            current_value=str(cadre.party),
            recorded_values=f"{volunteer.citation()}：{volunteer.party}",
            citations=((volunteer.id, str(volunteer.party)),),
        )
    ]


def party_disagree(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    return _disagree(cadre, PARTY, rule="PARTY-DISAGREE")


def party_altered(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    return _altered(cadre, PARTY, rule="PARTY-ALTERED")


def _party_document_missing(cadre, *, title, rule, consequence):
    if not cadre.is_party_member or _titled(cadre.materials, title):
        return []
    return [
        _finding(
            rule,
            SUBJECT_PARTY_DOCUMENTS,
            _current_clause(PARTY, cadre.party),
            f"档案中没有{title}",
            notes=(consequence,),
            current_value=str(cadre.party),
            recorded_values=f"无{title}",
        )
    ]


def party_no_volunteer(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    return _party_document_missing(cadre, title=VOLUNTEER_TITLE, rule="PARTY-NO-VOLUNTEER", consequence="入党时间缺少认定依据。")


def party_no_application(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    # Any 入党申请书 satisfies it, a copy supplied after joining (补充材料) included.
    return _party_document_missing(cadre, title=APPLICATION_TITLE, rule="PARTY-NO-APPLICATION", consequence="缺少的入党申请书须补充。")


def party_application_late(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    """An application formed before joining by less than the minimum; one formed after the
    party date is a supplied copy (补充材料) and says nothing about when the cadre applied."""
    if not cadre.is_party_member:
        return []
    application = earliest(m for m in _titled(cadre.materials, APPLICATION_TITLE) if not m.formed.is_after(cadre.party))
    if application is None:
        return []
    months = t.party_application_min_months
    if not cadre.party.is_before(add_months(application.formed, months)):
        return []
    return [
        _finding(
            "PARTY-APPLICATION-LATE",
            SUBJECT_PARTY_DOCUMENTS,
            _current_clause(PARTY, cadre.party),
            f"{application.citation()}形成于{application.formed.chinese()}，递交入党申请书距入党不足{months}个月",
            current_value=str(cadre.party),
            recorded_values=f"{application.citation()}：形成于{application.formed}",
            citations=((application.id, str(application.formed)),),
        )
    ]


def party_under_18(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    return _before_age(cadre, PARTY, age=t.party_min_age, rule="PARTY-UNDER-18")


def party_unrecorded(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    if cadre.is_party_member:
        return []
    recording = [m for m in cadre.materials if m.party is not None]
    if not recording:
        return []
    return [
        _finding(
            "PARTY-UNRECORDED",
            SUBJECT_PARTY,
            "现有信息中该干部不是党员（无入党时间）",
            f"但档案材料记载了入党时间：{_list_values(recording, 'party')}",
            recorded_values=_recorded_values(recording, "party"),
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
    return [
        _finding(
            "EDU-UNVERIFIED",
            SUBJECT_EDUCATION,
            _current_clause(EDUCATION, cadre.education),
            "属中专及以上，但没有学历认证报告或电子注册备案表编号，学历未经认证",
            current_value=cadre.education,
        )
    ]


def edu_unsupported(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    """The highest level recorded is lower than current information's; after a determination
    of the 学历, the settled level is what current information must equal."""
    current = education_level(cadre.education)
    if current is None:
        return []
    view = cadre.views["education"]
    if view.settling is not None:
        return _settled_differs(cadre, EDUCATION, rule="EDU-UNSUPPORTED", current=cadre.education, differs=education_level(view.settling.education) != current)
    recording = view.recording
    if not recording:
        return []
    highest = max(education_level(m.education) for m in recording)
    if highest >= current:
        return []
    top = _sorted_by_formed(m for m in recording if education_level(m.education) == highest)
    return [
        _finding(
            "EDU-UNSUPPORTED",
            SUBJECT_EDUCATION,
            _current_clause(EDUCATION, cadre.education),
            f"档案材料记载的最高学历为{Education.values[highest]}（{'、'.join(m.citation() for m in top)}），材料不能支持现有学历",
            current_value=cadre.education,
            recorded_values=_recorded_values(recording, "education"),
            citations=tuple((m.id, m.education) for m in top),
        )
    ]


def edu_altered(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    return _altered(cadre, EDUCATION, rule="EDU-ALTERED")


def in_service_words(title: str) -> list[str]:
    return [word for word in IN_SERVICE_WORDS if word in title]


def edu_mode_mismatch(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    """Current 教育类别 全日制, but a material recording the current level says 在职 (or its
    title names in-service study: 函授, 自考, 党校 …)."""
    if cadre.study_mode != StudyMode.FULL_TIME:
        return []
    level = education_level(cadre.education)
    if level is None:
        return []
    reasons = []
    mismatched = []
    for m in _sorted_by_formed(cadre.views["education"].recording):
        if education_level(m.education) != level:
            continue
        if m.study_mode == StudyMode.IN_SERVICE:
            reasons.append(f"{m.citation()}记载教育类别为在职")
        elif words := in_service_words(m.title):
            reasons.append(f"{m.citation()}的名称表明为在职学习（{'、'.join(words)}）")
        else:
            continue
        mismatched.append(m)
    if not mismatched:
        return []
    return [
        _finding(
            "EDU-MODE-MISMATCH",
            SUBJECT_EDUCATION,
            _current_clause(EDUCATION, cadre.education),
            f"教育类别为全日制，而记载该学历的{'、'.join(reasons)}",
            notes=("在职教育取得的学历应登记为在职教育，请核实教育类别。",),
            current_value=cadre.education,
            recorded_values="；".join(f"{m.citation()}：{m.education}（{m.study_mode or '名称：' + m.title}）" for m in mismatched),
            citations=tuple((m.id, m.education) for m in mismatched),
        )
    ]


# --- experience ---------------------------------------------------------------------------


def _periods(cadre) -> list[PeriodSnapshot]:
    return sorted(cadre.periods, key=lambda p: (p.start.sort_key(), p.nested, p.kind))


def _main_line(cadre) -> list[PeriodSnapshot]:
    return [p for p in _periods(cadre) if not p.nested]


@lru_cache(maxsize=4096)
def _normalise_title(text: str) -> str:
    return re.sub(r"\s+", "", text).strip('《》〈〉"“”')


def proof_names(proof: str) -> list[str]:
    return [name for name in (_normalise_title(part) for part in _PROOF_SEPARATORS.split(proof or "")) if name]


def _period_clause(p: PeriodSnapshot) -> str:
    return f"经历{p.label()}"


def exp_no_proof(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    return [
        _finding("EXP-NO-PROOF", p.subject, _period_clause(p), "没有填写证明材料，该段经历缺少材料证明", current_value=p.label())
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
                _finding(
                    "EXP-PROOF-MISSING",
                    p.subject,
                    _period_clause(p),
                    f"证明材料{names}不在档案材料目录中",
                    current_value=p.label(),
                    recorded_values=f"证明材料：{p.proof}",
                )
            )
    return findings


def exp_gap(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    """Gaps along the main line (任职) only: nested periods neither fill nor make one."""
    periods = _main_line(cadre)
    if not periods:
        return []
    limit = t.experience_max_gap_months
    findings = []
    if cadre.work_start is not None:
        first = periods[0]
        gap = cadre.work_start.months_until(first.start)
        if gap > limit:
            findings.append(
                _finding(
                    "EXP-GAP",
                    pair_subject(None, first.start),
                    f"参加工作时间{cadre.work_start.chinese()}与第一段任职经历{first.label()}之间间隔{gap}个月，超过{limit}个月",
                    current_value=f"参加工作时间 {cadre.work_start}；{first.label()}",
                )
            )
    for previous, following in pairwise(periods):
        if previous.end is None:
            continue
        gap = previous.end.months_until(following.start)
        if gap > limit:
            findings.append(
                _finding(
                    "EXP-GAP",
                    pair_subject(previous.start, following.start),
                    f"经历{previous.label()}与{following.label()}之间间隔{gap}个月，超过{limit}个月",
                    current_value=f"{previous.label()}；{following.label()}",
                )
            )
    return findings


def exp_overlap(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    """Overlaps along the main line (任职) only: a nested period lies inside a post by nature."""
    limit = t.experience_max_overlap_months
    findings = []
    for previous, following in pairwise(_main_line(cadre)):
        if previous.end is None:
            # "至今" followed by a later period: it covers all of the later one.
            overlap_text = "前一段经历终止时间为“至今”，与后一段经历重叠"
        else:
            overlap = following.start.months_until(previous.end)
            if overlap <= limit:
                continue
            overlap_text = f"两段经历重叠{overlap}个月，超过{limit}个月"
        findings.append(
            _finding(
                "EXP-OVERLAP",
                pair_subject(previous.start, following.start),
                f"经历{previous.label()}与{following.label()}：{overlap_text}",
                current_value=f"{previous.label()}；{following.label()}",
            )
        )
    return findings


def main_line_span(cadre: CadreSnapshot) -> tuple[PartialDate, PartialDate | None] | None:
    """From the first main-line start to the last main-line end (None: to the present)."""
    main = _main_line(cadre)
    if not main:
        return None
    ends = [p.end for p in main]
    end = None if any(e is None for e in ends) else max(ends, key=PartialDate.sort_key)
    return main[0].start, end


def exp_nested_outside(cadre: CadreSnapshot, t: Thresholds) -> list[Finding]:
    nested = [p for p in _periods(cadre) if p.nested]
    if not nested:
        return []
    span = main_line_span(cadre)
    tolerance = t.nested_period_tolerance_months
    findings = []
    for p in nested:
        if span is None:
            where = "简历中没有任职经历（主线），无法确定其所在的任职期间"
        else:
            start, end = span
            outside = p.start.is_before(add_months(start, -tolerance))
            if end is not None and (p.end is None or p.end.is_after(add_months(end, tolerance))):
                outside = True
            if not outside:
                continue
            where = f"不在任职经历（主线）{start}—{end or '至今'}的时间范围内（允许误差{tolerance}个月）"
        findings.append(
            _finding(
                "EXP-NESTED-OUTSIDE",
                p.subject,
                _period_clause(p),
                where,
                current_value=p.label(),
                recorded_values=f"任职经历：{span[0]}—{span[1] or '至今'}" if span else "任职经历：无",
            )
        )
    return findings


# --- the table ----------------------------------------------------------------------------

Rule = Callable[[CadreSnapshot, Thresholds], list[Finding]]

# In the order of DETECTION_RULES.md: a finding's first rule is the first of these that fired.
RULES: dict[str, tuple[str, Rule]] = {
    "AGE-EARLIEST": (Category.AGE, age_earliest),
    "AGE-DISAGREE": (Category.AGE, age_disagree),
    "AGE-ALTERED": (Category.AGE, age_altered),
    "AGE-ID": (Category.AGE, age_id),
    "WORK-EARLIEST": (Category.WORK, work_earliest),
    "WORK-DISAGREE": (Category.WORK, work_disagree),
    "WORK-ALTERED": (Category.WORK, work_altered),
    "WORK-UNDER-16": (Category.WORK, work_under_16),
    "WORK-BEFORE-GRADUATION": (Category.WORK, work_before_graduation),
    "PARTY-VOLUNTEER": (Category.PARTY, party_volunteer),
    "PARTY-DISAGREE": (Category.PARTY, party_disagree),
    "PARTY-ALTERED": (Category.PARTY, party_altered),
    "PARTY-NO-VOLUNTEER": (Category.PARTY, party_no_volunteer),
    "PARTY-NO-APPLICATION": (Category.PARTY, party_no_application),
    "PARTY-APPLICATION-LATE": (Category.PARTY, party_application_late),
    "PARTY-UNDER-18": (Category.PARTY, party_under_18),
    "PARTY-UNRECORDED": (Category.PARTY, party_unrecorded),
    "EDU-UNVERIFIED": (Category.EDUCATION, edu_unverified),
    "EDU-UNSUPPORTED": (Category.EDUCATION, edu_unsupported),
    "EDU-ALTERED": (Category.EDUCATION, edu_altered),
    "EDU-MODE-MISMATCH": (Category.EDUCATION, edu_mode_mismatch),
    "EXP-NO-PROOF": (Category.EXPERIENCE, exp_no_proof),
    "EXP-PROOF-MISSING": (Category.EXPERIENCE, exp_proof_missing),
    "EXP-GAP": (Category.EXPERIENCE, exp_gap),
    "EXP-OVERLAP": (Category.EXPERIENCE, exp_overlap),
    "EXP-NESTED-OUTSIDE": (Category.EXPERIENCE, exp_nested_outside),
}
RULE_CATEGORIES: dict[str, str] = {code: category for code, (category, _rule) in RULES.items()}
_RULE_FUNCTIONS = tuple(rule for _category, rule in RULES.values())

# The fixed subject of every rule that does not speak about a résumé period or pair.
RULE_SUBJECTS = {
    **dict.fromkeys(("AGE-EARLIEST", "AGE-DISAGREE", "AGE-ALTERED"), SUBJECT_BIRTH),
    "AGE-ID": SUBJECT_ID_BIRTH,
    **dict.fromkeys(("WORK-EARLIEST", "WORK-DISAGREE", "WORK-ALTERED", "WORK-UNDER-16", "WORK-BEFORE-GRADUATION"), SUBJECT_WORK),
    **dict.fromkeys(("PARTY-VOLUNTEER", "PARTY-DISAGREE", "PARTY-ALTERED", "PARTY-UNDER-18", "PARTY-UNRECORDED"), SUBJECT_PARTY),
    **dict.fromkeys(("PARTY-NO-VOLUNTEER", "PARTY-NO-APPLICATION", "PARTY-APPLICATION-LATE"), SUBJECT_PARTY_DOCUMENTS),
    **dict.fromkeys(("EDU-UNVERIFIED", "EDU-UNSUPPORTED", "EDU-ALTERED", "EDU-MODE-MISMATCH"), SUBJECT_EDUCATION),
}
PERIOD_RULES = ("EXP-NO-PROOF", "EXP-PROOF-MISSING", "EXP-NESTED-OUTSIDE")
PAIR_RULES = ("EXP-GAP", "EXP-OVERLAP")


def category_of(rule: str) -> str:
    return RULE_CATEGORIES[rule]


def run_rules(cadre: CadreSnapshot, thresholds: Thresholds) -> list[Finding]:
    """Every finding for one cadre, one per subject."""
    findings = []
    for rule in _RULE_FUNCTIONS:
        findings += rule(cadre, thresholds)
    return merge(findings)


# --- findings stored before one finding per subject -----------------------------------------

_LEGACY_SUBJECT = re.compile(r"^([A-Z]+(?:-[A-Z0-9]+)+):(.*)$", re.S)


def legacy_rule(subject: str) -> str | None:
    """The rule of a finding stored before findings were one per subject (the migration
    ``0004_one_finding_per_subject`` wrote their subject as ``RULE:old subject``)."""
    match = _LEGACY_SUBJECT.match(subject or "")
    return match.group(1) if match and match.group(1) in RULES else None


def legacy_subject(subject: str, subjects: Iterable[str] = ()) -> str | None:
    """The subject such a finding speaks about today; ``subjects`` are the subjects found in
    the same case (a gap or overlap was keyed by the later period's start only)."""
    match = _LEGACY_SUBJECT.match(subject or "")
    if not match or match.group(1) not in RULES:
        return None
    rule, old = match.groups()
    if rule in RULE_SUBJECTS:
        return RULE_SUBJECTS[rule]
    try:
        start = PartialDate.from_storage(old)
    except (ValueError, TypeError):
        return None
    if rule in PERIOD_RULES:
        return period_subject(start)  # every period was on the main line then
    suffix = f"—{start}"
    return next((s for s in subjects if s.startswith(PAIR_SUBJECT_PREFIX) and s.endswith(suffix)), None)
