"""The case list for daily work: sortable columns, page sizes and the export of what is filtered
(the page's columns; 抽查 for the chief only)."""

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from archives.models import DossierUse, Recusal
from archives.tests.factories import CadreFactory, UnitFactory
from audits.models import CaseState, Discrepancy
from audits.tests.factories import AuditCaseFactory, CampaignFactory, DiscrepancyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(auditor, other_auditor):
    campaign = CampaignFactory(name="2026年第一批")
    unit = UnitFactory(name="某县")
    made = {}
    for name, state, findings, sampled in [
        ("王小明", CaseState.INITIAL_REVIEW, 2, False),
        ("李大海", CaseState.RE_REVIEW, 0, False),
        ("赵一", CaseState.CHIEF_CHECK, 1, True),
    ]:
        case = AuditCaseFactory(
            campaign=campaign,
            dossier=CadreFactory(name=name, unit=unit, position="科员").dossier,
            initial_reviewer=auditor,
            re_reviewer=other_auditor,
            state=state,
            sampled=sampled,
        )
        for _ in range(findings):
            DiscrepancyFactory(case=case)
        DiscrepancyFactory(case=case, state=Discrepancy.State.DISMISSED)  # never counted
        made[name] = case
    return made


def names(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'href="/audits/cases/\d+/">([^<]+)</a>', body)


def sheet_rows(response) -> list[list]:
    assert response.status_code == 200
    return [list(r) for r in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("findings", ["李大海", "赵一", "王小明"]),
        ("-findings", ["王小明", "赵一", "李大海"]),
        ("state", ["王小明", "李大海", "赵一"]),  # the workflow's order: 初审, 复审, 科长把关
        ("-state", ["赵一", "李大海", "王小明"]),
        ("name", sorted(["王小明", "李大海", "赵一"])),
        ("nonsense", sorted(["王小明", "李大海", "赵一"])),  # the default: campaign, unit, name
    ],
)
def test_the_case_list_sorts_by_its_columns(client, chief, cases, sort, expected):
    client.force_login(chief)
    assert names(client.get(reverse("audits:case_list"), {"queue": "all", "sort": sort}).content.decode()) == expected


def test_only_the_chief_sorts_by_the_spot_check_draw(client, chief, auditor, cases):
    client.force_login(chief)
    html = client.get(reverse("audits:case_list"), {"sort": "-sampled"}).content.decode()
    assert names(html)[0] == "赵一" and "sort=sampled" in html
    client.force_login(auditor)
    html = client.get(reverse("audits:case_list"), {"sort": "-sampled"}).content.decode()
    table = html.split("<table", 1)[1].split("</table>", 1)[0]
    assert "sampled" not in table and "抽查" not in table  # neither a column nor a sort: the default order
    assert names(html) == sorted(["王小明", "李大海", "赵一"])


def test_sorting_keeps_the_queue_and_the_filter(client, chief, cases):
    client.force_login(chief)
    html = client.get(reverse("audits:case_list"), {"queue": "all", "q": "王", "sort": "name"}).content.decode()
    assert 'href="?queue=all&amp;q=%E7%8E%8B&amp;sort=-name"' in html
    assert 'name="sort" value="name"' in html  # the search form keeps the sort


def test_the_chiefs_export_has_the_pages_columns_and_the_spot_check(client, chief, cases):
    client.force_login(chief)
    rows = sheet_rows(client.get(reverse("audits:case_export"), {"queue": "all", "sort": "-findings", "page": "2"}))
    assert rows[0] == ["姓名", "单位", "职务", "批次", "阶段", "初审人", "复审人", "问题数", "抽查"]
    assert rows[1:] == [
        ["王小明", "某县", "科员", "2026年第一批", "初审", "张审核", "李审核", 2, None],
        ["赵一", "某县", "科员", "2026年第一批", "科长把关", "张审核", "李审核", 1, "是"],
        ["李大海", "某县", "科员", "2026年第一批", "交叉复审", "张审核", "李审核", 0, None],
    ]


def test_an_auditors_export_holds_their_queue_without_the_spot_check(client, auditor, cases):
    AuditCaseFactory()  # someone else's case: not in the auditor's list
    client.force_login(auditor)
    html = client.get(reverse("audits:case_list"), {"queue": "mine"}).content.decode()
    rows = sheet_rows(client.get(reverse("audits:case_export"), {"queue": "mine"}))
    assert rows[0] == ["姓名", "单位", "职务", "批次", "阶段", "初审人", "复审人", "问题数"]
    assert [r[0] for r in rows[1:]] == names(html) == ["王小明"]


def test_the_export_follows_the_state_and_search_and_leaves_out_relatives(client, chief, cases):
    Recusal.objects.create(user=chief, cadre=cases["李大海"].dossier.cadre, relation="配偶")
    client.force_login(chief)
    rows = sheet_rows(client.get(reverse("audits:case_export"), {"q": "李"}))
    assert rows[1:] == []
    rows = sheet_rows(client.get(reverse("audits:case_export"), {"state": CaseState.CHIEF_CHECK}))
    assert [r[0] for r in rows[1:]] == ["赵一"]


def test_unassigned_reviewers_read_as_on_the_page(client, chief):
    AuditCaseFactory(dossier=CadreFactory(name="未分配").dossier)
    client.force_login(chief)
    rows = sheet_rows(client.get(reverse("audits:case_export")))
    assert rows[1][5:7] == ["待分配", "待分配"]


def test_exporting_cases_records_no_use_of_a_dossier(client, chief, cases):
    client.force_login(chief)
    client.get(reverse("audits:case_export"))
    assert not DossierUse.objects.exists()


def test_the_archivist_cannot_export_cases(client, archivist):
    client.force_login(archivist)
    assert client.get(reverse("audits:case_export")).status_code == 403


@pytest.mark.parametrize("who", ["chief", "auditor"])
def test_the_case_export_makes_a_constant_number_of_queries(client, request, who, auditor, other_auditor, django_assert_max_num_queries):
    client.force_login(request.getfixturevalue(who))
    campaign = CampaignFactory()
    AuditCaseFactory(campaign=campaign, initial_reviewer=auditor, re_reviewer=other_auditor)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("audits:case_export"), {"sort": "-re_review"})
    for _ in range(20):
        DiscrepancyFactory(case=AuditCaseFactory(campaign=CampaignFactory(), initial_reviewer=auditor, re_reviewer=other_auditor))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("audits:case_export"), {"sort": "-re_review"})


def test_a_sorted_page_of_a_hundred_makes_a_constant_number_of_queries(client, chief, auditor, other_auditor, django_assert_max_num_queries):
    client.force_login(chief)
    AuditCaseFactory(initial_reviewer=auditor, re_reviewer=other_auditor)
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("audits:case_list"), {"sort": "state", "size": "100"})
    for _ in range(20):
        DiscrepancyFactory(case=AuditCaseFactory(initial_reviewer=auditor, re_reviewer=other_auditor))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("audits:case_list"), {"sort": "state", "size": "100"})


def test_the_case_list_offers_page_sizes_and_a_jump_box(client, chief):
    for _ in range(25):
        AuditCaseFactory()
    client.force_login(chief)
    html = client.get(reverse("audits:case_list"), {"size": "20", "page": "2"}).content.decode()
    assert len(names(html)) == 5 and "第 2 / 2 页，共 25 条" in html
    assert 'id="pager-page"' in html and '<option value="100">' in html
