"""The case page's timeline, built from plain objects (no database): the main line with its
gaps and overlaps, and the nested periods on their own rows beneath, labelled by kind."""

import datetime as dt
from types import SimpleNamespace

from archives.dates import PartialDate
from archives.models import PeriodKind
from audits.timeline import build_timeline

TODAY = dt.date(2026, 11, 30)


def d(text):
    return PartialDate.parse(text) if text else None


def cadre(**overrides):
    values = {"birth_date": d("1975.03"), "work_start_date": d("1995.07"), "party_join_date": None, "full_time_graduation_date": d("1995.07")}
    return SimpleNamespace(**(values | overrides))


def period(start, end=None, text="某局科员", kind=PeriodKind.POST):
    return SimpleNamespace(start=d(start), end=d(end), unit_and_post=text, kind=kind)


def test_nested_periods_leave_the_main_line_and_its_gaps_and_overlaps_unchanged():
    main = [period("1995.07", "2004.12", "某乡干事"), period("2005.01", None, "某局副局长")]
    nested = [
        period("1998.09", "2001.07", "其间：省委党校函授本科学习", PeriodKind.STUDY),
        period("2005.01", "2008.01", "其间兼任某协会秘书长", PeriodKind.CONCURRENT),
        period("2006.03", "2007.03", "其间挂职任某乡副乡长", PeriodKind.SECONDMENT),
    ]
    alone = build_timeline(cadre(), [], main, today=TODAY)
    together = build_timeline(cadre(), [], main + nested, today=TODAY)
    assert not together.gaps and not together.overlaps and not together.nested_outside
    assert [b.label for b in together.periods] == ["某乡干事", "某局副局长"]
    assert [(b.left, b.width, b.kind) for b in together.periods] == [(b.left, b.width, b.kind) for b in alone.periods]
    # Overlapping nested periods go on separate rows; one that fits goes back on the first.
    assert [[b.kind for b in row] for row in together.nested] == [["study", "concurrent"], ["secondment"]]
    labels = [b.label for row in together.nested for b in row]
    assert labels == ["在职学习·其间：省委党校函授本科学习", "兼职·其间兼任某协会秘书长", "挂职·其间挂职任某乡副乡长"]
    study = together.nested[0][0]
    assert study.title == "在职学习 1998.09—2001.07 其间：省委党校函授本科学习"
    assert study.left > together.periods[0].left and study.left + study.width < together.periods[1].left


def test_a_nested_period_is_no_gap_filler_nor_an_overlap():
    main = [period("1995.07", "1999.12", "某乡干事"), period("2002.01", None, "某局科员")]
    study = period("1999.09", "2002.07", "其间：在职研究生班学习", PeriodKind.STUDY)
    timeline = build_timeline(cadre(), [], [*main, study], today=TODAY)
    assert len(timeline.gaps) == 1 and "2000.01" not in timeline.gaps[0] and "1999.12" in timeline.gaps[0]
    assert not timeline.overlaps


def test_a_nested_period_outside_the_main_line_is_marked():
    main = [period("1995.07", None, "某局科员")]
    early = period("1993.09", "1994.07", "其间：参加县委党校培训", PeriodKind.STUDY)
    timeline = build_timeline(cadre(), [], [*main, early], today=TODAY)
    (bar,) = timeline.nested[0]
    assert bar.kind == "study outside" and "不在任职经历的起止范围之内" in bar.title
    assert timeline.nested_outside == ["在职学习“其间：参加县委党校培训”（1993.09—1994.07）不在任职经历的起止范围之内"]
    assert timeline.start == PartialDate(1975, 3)  # the axis still starts at birth, and holds the early period


def test_the_full_time_graduation_is_a_key_date():
    timeline = build_timeline(cadre(full_time_graduation_date=d("1996.07")), [], [period("1995.07")], today=TODAY)
    kinds = {e.kind: e for e in timeline.events}
    assert kinds["graduation"].title == "全日制毕业 1996.07"
    assert kinds["graduation"].left > kinds["work"].left
    assert not build_timeline(cadre(full_time_graduation_date=None), [], [], today=TODAY).nested
