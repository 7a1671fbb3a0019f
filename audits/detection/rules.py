"""The detection rules of DETECTION_RULES.md, as pure functions over plain data.

Nothing here touches the database: every rule maps one :class:`CadreSnapshot` (plus the
thresholds from ``settings.DETECTION``) to zero or more :class:`Finding`, each about one
*subject* of the spec's table (出生日期, 入党材料, one résumé period, one pair of consecutive
main-line periods …); :func:`run_rules` runs them in the table's order and merges what they
found on one subject into one finding. Dates are :class:`PartialDate` and are always compared
at the precision both sides have. The plain data and shared helpers are in ``snapshots.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from archives.dates import PartialDate
from archives.models import Education, StudyMode
from audits.models import Category

from .snapshots import (  # noqa: F401 (re-exported: the rules' vocabulary, used by the engine and tests)
    APPLICATION_TITLE,
    HIGH,
    IN_SERVICE_WORDS,
    NORMAL,
    PAIR_SUBJECT_PREFIX,
    SUBJECT_BIRTH,
    SUBJECT_EDUCATION,
    SUBJECT_ID_BIRTH,
    SUBJECT_PARTY,
    SUBJECT_PARTY_DOCUMENTS,
    SUBJECT_WORK,
    VOLUNTEER_TITLE,
    CadreSnapshot,
    FieldView,
    Finding,
    MaterialSnapshot,
    PeriodSnapshot,
    Thresholds,
    add_months,
    distinct_dates,
    earliest,
    education_level,
    field_view,
    merge,
    pair_subject,
    period_subject,
)

# A 证明材料 cell may name several materials.
_PROOF_SEPARATORS = re.compile(r"[、，,；;/]+")


def _finding(rule: str, subject: str, *clauses: str, notes: Iterable[str] = (), **content) -> Finding:
    return Finding(rule=rule, category=RULE_CATEGORIES[rule], subject=subject, reasons=(tuple(clauses),), notes=tuple(n for n in notes if n), **content)


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
    if len(recording) < 2:
        return []
    recorded = [getattr(m, spec.attribute) for m in recording]
    if recorded.count(recorded[0]) == len(recorded):
        return []  # the usual dossier: every material writes the same date the same way
    values = distinct_dates(recorded)
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


def _periods(cadre) -> tuple[PeriodSnapshot, ...]:
    return cadre.sorted_periods


def _main_line(cadre) -> tuple[PeriodSnapshot, ...]:
    return cadre.main_line


@lru_cache(maxsize=4096)
def _normalise_title(text: str) -> str:
    return re.sub(r"\s+", "", text).strip('《》〈〉"“”')


@lru_cache(maxsize=4096)
def proof_names(proof: str) -> tuple[str, ...]:
    """The material names a 证明材料 cell gives (the same few cells recur across a county)."""
    return tuple(name for name in (_normalise_title(part) for part in _PROOF_SEPARATORS.split(proof or "")) if name)


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
