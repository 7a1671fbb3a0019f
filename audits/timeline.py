"""A cadre's life on one axis (birth, schooling, work start, party, résumé, materials), with
the gaps and overlaps of the résumé's main line marked, and the periods nested in it (其间:
在职学习, 兼职, 挂职) on their own rows beneath, labelled by kind. Pure: takes objects, returns
plain data for the template, which draws it with the .timeline-* classes (no JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from archives.dates import PartialDate
from archives.models import PeriodKind
from archives.resume import is_nested, main_line_span, outside_span

EDUCATION_CATEGORY = 4  # 学历学位 materials mark the schooling
NESTED_CLASSES = {PeriodKind.STUDY: "study", PeriodKind.CONCURRENT: "concurrent", PeriodKind.SECONDMENT: "secondment"}


@dataclass
class Mark:
    left: float
    label: str
    title: str
    kind: str = ""


@dataclass
class Bar:
    left: float
    width: float
    label: str
    title: str
    kind: str = ""


@dataclass
class Timeline:
    start: PartialDate | None = None
    end: PartialDate | None = None
    ticks: list[Mark] = field(default_factory=list)
    events: list[Mark] = field(default_factory=list)
    periods: list[Bar] = field(default_factory=list)  # the main line (任职), with its gaps and overlaps
    nested: list[list[Bar]] = field(default_factory=list)  # rows of nested periods; overlapping ones on separate rows
    materials: list[Mark] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    overlaps: list[str] = field(default_factory=list)
    nested_outside: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.start is None


def _month(date: PartialDate) -> int:
    return date.month_index()


def build_timeline(cadre, materials, resume, today=None) -> Timeline:
    today = today or timezone.localdate()
    now = PartialDate(today.year, today.month)
    dates = [d for d in (cadre.birth_date, cadre.work_start_date, cadre.party_join_date, getattr(cadre, "full_time_graduation_date", None)) if d]
    dates += [m.formed_date for m in materials if m.formed_date]
    dates += [p.start for p in resume] + [p.end for p in resume if p.end]
    if not dates:
        return Timeline()
    first = min(dates, key=_month)
    last = max([*dates, now], key=_month)
    origin, span = _month(first), max(1, _month(last) - _month(first) + 1)

    def pos(date: PartialDate) -> float:
        return round((_month(date) - origin) * 100 / span, 2)

    timeline = Timeline(start=first, end=last)
    step = 5 if span <= 12 * 40 else 10
    year = (first.year // step + 1) * step
    while year <= last.year:
        timeline.ticks.append(Mark(pos(PartialDate(year, 1)), str(year), str(year)))
        year += step

    if cadre.birth_date:
        timeline.events.append(Mark(pos(cadre.birth_date), _("出生"), _("出生 %(date)s") % {"date": cadre.birth_date}, "birth"))
    for material in materials:
        if material.category.main_number == EDUCATION_CATEGORY and material.formed_date:
            timeline.events.append(Mark(pos(material.formed_date), _("学历"), f"{material.title} {material.formed_date}", "school"))
    graduation = getattr(cadre, "full_time_graduation_date", None)
    if graduation:
        timeline.events.append(Mark(pos(graduation), _("毕业"), _("全日制毕业 %(date)s") % {"date": graduation}, "graduation"))
    if cadre.work_start_date:
        timeline.events.append(Mark(pos(cadre.work_start_date), _("工作"), _("参加工作 %(date)s") % {"date": cadre.work_start_date}, "work"))
    if cadre.party_join_date:
        timeline.events.append(Mark(pos(cadre.party_join_date), _("入党"), _("入党 %(date)s") % {"date": cadre.party_join_date}, "party"))

    # Gaps and overlaps are measured on the main line only: a nested period overlaps its post by nature.
    periods = sorted((p for p in resume if not is_nested(p)), key=lambda p: p.start.sort_key())
    previous = None
    for index, period in enumerate(periods):
        end = period.end or now
        left = pos(period.start)
        width = max(0.6, round((_month(end) - _month(period.start) + 1) * 100 / span, 2))
        title = f"{period.start}—{period.end or _('至今')} {period.unit_and_post}"
        timeline.periods.append(Bar(left, min(width, 100 - left), period.unit_and_post, title, "odd" if index % 2 else "even"))
        if previous is not None:
            prev_end = previous.end or now
            gap = prev_end.months_until(period.start)
            if gap > 1:
                after = _month(prev_end) + 1
                start_gap = PartialDate(after // 12, after % 12 + 1)
                width = round((gap - 1) * 100 / span, 2)
                timeline.periods.append(Bar(pos(start_gap), max(0.6, width), "", _("空档 %(start)s—%(end)s") % {"start": prev_end, "end": period.start}, "gap"))
                timeline.gaps.append(_("%(start)s 至 %(end)s 之间约 %(months)s 个月经历空档") % {"start": prev_end, "end": period.start, "months": gap - 1})
            elif gap < 0:
                width = round((-gap + 1) * 100 / span, 2)
                timeline.periods.append(
                    Bar(pos(period.start), max(0.6, width), "", _("重叠 %(start)s—%(end)s") % {"start": period.start, "end": prev_end}, "overlap")
                )
                timeline.overlaps.append(
                    _("“%(first)s”与“%(second)s”在 %(start)s 至 %(end)s 重叠")
                    % {"first": previous.unit_and_post, "second": period.unit_and_post, "start": period.start, "end": prev_end}
                )
        if previous is None or _month(end) > _month(previous.end or now):
            previous = period

    _nested_rows(timeline, resume, now, pos, span)

    for material in materials:
        if material.formed_date:
            kind = "altered" if material.altered else ""
            timeline.materials.append(Mark(pos(material.formed_date), material.category.code, f"{material.title}（{material.formed_date}）", kind))
    return timeline


def _nested_rows(timeline: Timeline, resume, now: PartialDate, pos, span: int) -> None:
    """Nested periods below the main line: each on the first row where it overlaps nothing."""
    main_span = main_line_span(resume, now)
    rows: list[list[Bar]] = []
    row_ends: list[int] = []
    for period in sorted((p for p in resume if is_nested(p)), key=lambda p: p.start.sort_key()):
        end = period.end or now
        kind_label = PeriodKind(period.kind).label
        outside = outside_span(period, main_span, now)
        title = f"{kind_label} {period.start}—{period.end or _('至今')} {period.unit_and_post}"
        if outside:
            title += _("（不在任职经历的起止范围之内）")
            timeline.nested_outside.append(
                _("%(kind)s“%(text)s”（%(start)s—%(end)s）不在任职经历的起止范围之内")
                % {"kind": kind_label, "text": period.unit_and_post, "start": period.start, "end": period.end or _("至今")}
            )
        left = pos(period.start)
        width = max(0.6, round((_month(end) - _month(period.start) + 1) * 100 / span, 2))
        bar = Bar(left, min(width, 100 - left), f"{kind_label}·{period.unit_and_post}", title, NESTED_CLASSES[period.kind] + (" outside" if outside else ""))
        lane = next((i for i, last in enumerate(row_ends) if last < _month(period.start)), None)
        if lane is None:
            rows.append([])
            row_ends.append(0)
            lane = len(rows) - 1
        rows[lane].append(bar)
        row_ends[lane] = _month(end)
    timeline.nested = rows
