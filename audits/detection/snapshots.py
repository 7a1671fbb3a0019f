"""Plain data detection works on, and the helpers the rules share (no database).

The engine builds one :class:`CadreSnapshot` per audit case from bulk ``values()`` rows; the
rules (``rules.py``) map it to :class:`Finding` objects, and :func:`merge` makes them one per
subject (DETECTION_RULES.md "One finding per problem"): every rule that fired, every material
involved (once), the highest severity and each reason once.

:class:`FieldView` carries "earlier determinations settle a value": a category-5 material whose
title names a 认定 and that records a field settles it as of its 形成日期; the rules comparing
that field look only at materials formed since, and at the settled value.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from archives.dates import PartialDate
from archives.models import EDUCATION_ALIASES, Education, PeriodKind
from audits.models import Discrepancy

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
        materials = self.materials
        if any(DETERMINATION_WORD in m.title for m in materials):
            return {attribute: field_view(materials, attribute) for attribute in SETTLED_FIELDS}
        # No determination on file (the usual dossier): one comprehension per field.
        return {
            "birth": FieldView(None, materials, tuple(m for m in materials if m.birth is not None)),
            "work_start": FieldView(None, materials, tuple(m for m in materials if m.work_start is not None)),
            "party": FieldView(None, materials, tuple(m for m in materials if m.party is not None)),
            "education": FieldView(None, materials, tuple(m for m in materials if m.education and education_level(m.education) is not None)),
        }

    @cached_property
    def sorted_periods(self) -> tuple[PeriodSnapshot, ...]:
        """The résumé by start (a main-line period before a nested one starting with it)."""
        return tuple(sorted(self.periods, key=lambda p: (p.start.sort_key(), p.nested, p.kind)))

    @cached_property
    def main_line(self) -> tuple[PeriodSnapshot, ...]:
        return tuple(p for p in self.sorted_periods if not p.nested)


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


# Education.level() rebuilds the choices on every call; the rules ask once per material.
_LEVELS = {value: index for index, value in enumerate(Education.values)}
_LEVELS.update({alias: _LEVELS[value] for alias, value in EDUCATION_ALIASES.items()})


def education_level(text: str) -> int | None:
    """Same as ``Education.level``, from a table built once."""
    return _LEVELS.get((text or "").strip())
