"""The résumé on the archivist's pages: main-line periods with their nested ones beneath, the
résumé form (经历类型 included), and the new current-information and material fields."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from archives.dates import PartialDate
from archives.models import CadreInfoChange, Material, MaterialCategory, PeriodKind, ResumePeriod
from archives.resume import resume_outline
from archives.tests.factories import CadreFactory, MaterialFactory, ResumePeriodFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 30)


def p(start, end=None, kind=PeriodKind.POST, text=""):
    return ResumePeriod(start=PartialDate.parse(start), end=PartialDate.parse(end) if end else None, kind=kind, unit_and_post=text or start)


def outline(*periods):
    return [(row.period.unit_and_post, row.nested, row.outside) for row in resume_outline(periods, today=TODAY)]


# --- the outline (pure) ------------------------------------------------------------------


def test_nested_periods_come_under_the_post_they_start_in():
    rows = outline(
        p("2005.01", "2010.12", text="乡长"),
        p("2011.01", text="局长"),
        p("2006.09", "2008.07", PeriodKind.STUDY, "党校学习"),
        p("2011.01", "2013.01", PeriodKind.CONCURRENT, "兼任"),
        p("2015.03", "2016.03", PeriodKind.SECONDMENT, "挂职"),
        p("2005.03", "2006.03", PeriodKind.CONCURRENT, "兼任2"),
    )
    assert rows == [
        ("乡长", False, False),
        ("兼任2", True, False),
        ("党校学习", True, False),
        ("局长", False, False),
        ("兼任", True, False),  # the same month as its post: under it, not under the one before
        ("挂职", True, False),
    ]


def test_a_nested_period_outside_the_main_line_is_flagged_at_its_own_date():
    rows = outline(
        p("2000.07", "2004.12", text="科员"),
        p("2005.01", text="副局长"),
        p("1998.09", "1999.07", PeriodKind.STUDY, "早于工作的学习"),
        p("2000.06", "2001.06", PeriodKind.STUDY, "差一个月"),  # one month of tolerance
    )
    assert rows == [("早于工作的学习", True, True), ("科员", False, False), ("差一个月", True, False), ("副局长", False, False)]


def test_without_a_main_line_every_nested_period_is_outside():
    assert outline(p("2001.01", "2002.01", PeriodKind.CONCURRENT, "兼任")) == [("兼任", True, True)]


# --- the pages ---------------------------------------------------------------------------


def test_the_cadre_page_shows_nested_periods_indented_with_their_kind_and_the_new_fields(client, archivist):
    cadre = CadreFactory(full_time_graduation_date=PartialDate(1995, 7))
    ResumePeriodFactory(cadre=cadre, start=PartialDate(1995, 7), end=PartialDate(2004, 12), unit_and_post="某乡干事")
    ResumePeriodFactory(cadre=cadre, start=PartialDate(2005, 1), end=None, unit_and_post="某局副局长")
    ResumePeriodFactory(cadre=cadre, start=PartialDate(2001, 9), end=PartialDate(2004, 7), unit_and_post="其间：在省委党校在职大学学习", kind=PeriodKind.STUDY)
    MaterialFactory(
        dossier=cadre.dossier,
        title="省委党校在职大学毕业证书",
        recorded_education="大学本科",
        recorded_study_mode="在职",
        category=MaterialCategory.objects.get(code="4-1"),
    )
    MaterialFactory(dossier=cadre.dossier, title="入党申请书", note="补充材料", category=MaterialCategory.objects.get(code="6"))
    client.force_login(archivist)
    html = client.get(reverse("archives:cadre_detail", args=[cadre.pk])).content.decode()
    assert "全日制毕业时间" in html and "1995.07" in html
    assert '大学本科<span class="text-muted">（在职）</span>' in html and "补充材料" in html
    table = html[html.index('id="resume"') : html.index("</table>", html.index('id="resume"'))]
    rows = re.findall(r"<tr( class=\"resume-nested\")?>\s*<td[^>]*>([^<]+)</td>", table)
    assert [(bool(nested), dates) for nested, dates in rows] == [(False, "1995.07—2004.12"), (True, "2001.09—2004.07"), (False, "2005.01—至今")]
    assert '<span class="badge text-bg-info">在职学习</span> 其间：在省委党校在职大学学习' in html


def test_an_archivist_adds_a_nested_period_and_corrects_its_kind(client, archivist):
    cadre = CadreFactory()
    ResumePeriodFactory(cadre=cadre, start=PartialDate(2010, 3), end=None, unit_and_post="某乡乡长")
    client.force_login(archivist)
    url = reverse("archives:resume_period_create", args=[cadre.pk])
    assert "经历类型" in client.get(url).content.decode()
    data = {"kind": "兼职", "start": "2010.03", "end": "2012.03", "unit_and_post": "其间兼任乡武装部第一书记", "proof_material": "干部任免审批表"}
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].endswith(f"/archives/cadres/{cadre.pk}/#resume")
    period = ResumePeriod.objects.get(cadre=cadre, kind=PeriodKind.CONCURRENT)
    assert (period.start, period.end, period.nested) == (PartialDate(2010, 3), PartialDate(2012, 3), True)

    again = client.post(url, data)
    assert again.status_code == 200 and "已有起始时间为 2010.03 的兼职经历" in again.content.decode()

    edit = reverse("archives:resume_period_edit", args=[cadre.pk, period.pk])
    assert client.post(edit, {**data, "kind": "挂职"}).status_code == 302
    period.refresh_from_db()
    assert period.kind == PeriodKind.SECONDMENT and ResumePeriod.objects.filter(cadre=cadre).count() == 2


def test_the_resume_form_refuses_an_end_before_the_start(client, archivist):
    cadre = CadreFactory()
    client.force_login(archivist)
    data = {"kind": "任职", "start": "2010.03", "end": "2009.03", "unit_and_post": "某局科员", "proof_material": ""}
    response = client.post(reverse("archives:resume_period_create", args=[cadre.pk]), data)
    assert response.status_code == 200 and "终止时间早于起始时间" in response.content.decode()
    assert not ResumePeriod.objects.exists()


@pytest.mark.parametrize("who", ["auditor", "chief", "leader", "outsider"])
def test_only_archivists_edit_a_resume(client, request, who):
    period = ResumePeriodFactory()
    client.force_login(request.getfixturevalue(who))
    for url in (reverse("archives:resume_period_create", args=[period.cadre_id]), reverse("archives:resume_period_edit", args=[period.cadre_id, period.pk])):
        assert client.get(url).status_code == 403
        assert client.post(url, {"kind": "任职", "start": "2001.01", "unit_and_post": "x"}).status_code == 403
    assert ResumePeriod.objects.count() == 1


def test_a_period_of_another_cadre_is_404(client, archivist):
    period = ResumePeriodFactory()
    other = CadreFactory()
    client.force_login(archivist)
    assert client.get(reverse("archives:resume_period_edit", args=[other.pk, period.pk])).status_code == 404


def test_the_cadre_form_keeps_the_full_time_graduation_date_in_history(client, archivist):
    cadre = CadreFactory()
    client.force_login(archivist)
    data = {
        "name": cadre.name,
        "gender": cadre.gender,
        "ethnicity": cadre.ethnicity,
        "id_number": cadre.id_number,
        "unit": cadre.unit.pk,
        "position": cadre.position,
        "rank": cadre.rank,
        "birth_date": str(cadre.birth_date),
        "work_start_date": str(cadre.work_start_date),
        "full_time_graduation_date": "1975.01",
        "party_join_date": str(cadre.party_join_date),
        "education": cadre.education,
        "degree": cadre.degree,
        "school": cadre.school,
        "major": cadre.major,
        "study_mode": cadre.study_mode,
        "verification_number": cadre.verification_number,
    }
    url = reverse("archives:cadre_edit", args=[cadre.pk])
    assert "全日制毕业时间早于出生日期" in client.post(url, data).content.decode()
    data["full_time_graduation_date"] = "1995.07"
    assert client.post(url, data).status_code == 302
    change = CadreInfoChange.objects.get(cadre=cadre)
    assert (change.field, change.old_value, change.new_value) == ("full_time_graduation_date", "", "1995.07")


def test_the_material_form_records_the_study_mode_written_in_the_material(client, archivist):
    cadre = CadreFactory()
    client.force_login(archivist)
    url = reverse("archives:cadre_register_action", args=[cadre.pk, "material"])
    data = {
        "category": MaterialCategory.objects.get(code="4-1").pk,
        "title": "函授本科毕业证书",
        "formed_date": "2003.07",
        "recorded_education": "大学本科",
        "recorded_study_mode": "在职",
        "sender": "本人",
        "received_on": "2026-11-20",
    }
    assert "记载教育类别" in client.get(url).content.decode()
    assert client.post(url, data).status_code == 302
    assert Material.objects.get(dossier=cadre.dossier).recorded_study_mode == "在职"
