"""The whole journey in a real browser (Chromium through Playwright, against live_server):
import a roster, create a campaign and run detection, initial review and cross re-review, the
section chief's return and approval, the leader's spot-check, rectification down to the
correction of current information, then the summary report and the dashboard.

Every page each person loads is watched (see e2e_support): no console error, no missing
static file, no request to any host but the product's own.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from contextlib import contextmanager
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from archives.idnumber import check_character
from archives.models import Cadre, CadreInfoChange, Material
from audits.models import AuditCase, Campaign, CaseState, Discrepancy

# The browser and people fixtures (a test module may load a plugin; a non-root conftest may not).
pytest_plugins = ["audits.tests.e2e_support"]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-pass-2026"
CAMPAIGN_NAME = "浏览器测试专项审核批次"
IMPORT_UNIT = "某县/浏览器测试局"


def _id_number(birth: str, sequence: int, *, male: bool) -> str:
    order = f"{sequence:02d}{1 if male else 2}"
    first17 = f"341122{birth}{order}"
    return first17 + check_character(first17)


def _roster_from_template(template: bytes) -> tuple[bytes, list[str]]:
    """A two-cadre roster written under the headers of the downloaded template."""
    headers = [cell.value for cell in openpyxl.load_workbook(io.BytesIO(template), read_only=True)["干部名册"][1]]
    rows = [
        {
            "姓名": "欧阳测试",
            "身份证号": _id_number("19800315", 1, male=True),
            "性别": "男",
            "民族": "汉族",
            "单位": IMPORT_UNIT,
            "职务": "副局长",
            "职级": "副科级",
            "出生日期": "1980.03.15",
            "参加工作时间": "2002.07",
            "入党时间": "2005.06",
            "学历": "大学本科",
            "学位": "学士",
            "毕业院校": "安徽大学",
            "专业": "法学",
            "教育类别": "全日制",
        },
        {
            "姓名": "司马样本",
            "身份证号": _id_number("19850920", 2, male=False),
            "性别": "女",
            "民族": "汉族",
            "单位": IMPORT_UNIT,
            "职务": "科员",
            "职级": "科员",
            "出生日期": "1985.09.20",
            "参加工作时间": "2008.08",
            "学历": "大学专科",
        },
    ]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "干部名册"
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), [r["姓名"] for r in rows]


def _expect_message(person, text: str):
    person.page.locator(".alert", has_text=text).first.wait_for()


@contextmanager
def _in_place(person, message: str):
    """The block's action is done in place: the page is not loaded again (its document and the
    marker set on it survive, no document is fetched), it stays where it was scrolled to (or as
    near as the now shorter page allows), and the action's message appears."""
    page = person.page
    page.evaluate("window.__marker = 'still the same page'")
    documents = len(person.watcher.pages)
    before = page.evaluate("window.scrollY")
    yield
    page.locator("#inplace-messages .alert", has_text=message).wait_for()
    assert page.evaluate("window.__marker") == "still the same page"
    assert len(person.watcher.pages) == documents, person.watcher.pages[documents:]
    bottom = page.evaluate("document.scrollingElement.scrollHeight - window.innerHeight")
    assert abs(page.evaluate("window.scrollY") - min(before, bottom)) <= 1


def _scroll_to(person, locator):
    """Scroll the page so that `locator` is near the top, as someone working down the page."""
    locator.evaluate("el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 120)")
    assert person.page.evaluate("window.scrollY") > 0


def _pick_case_to_review():
    """A seeded dossier whose demo case has at least two system findings and which has
    materials to cite; its unit becomes the scope of the campaign made in the browser."""
    case = (
        AuditCase.objects.annotate(n=Count("discrepancies", filter=Q(discrepancies__source=Discrepancy.Source.SYSTEM)))
        .filter(n__gte=2, dossier__materials__recorded_birth_date__isnull=False)
        .select_related("dossier__cadre__unit")
        .order_by("-n", "pk")
        .first()
    )
    assert case is not None, "seed_demo planted no dossier with two findings"
    return case.dossier.cadre


def _archivist_imports_a_roster(archivist, tmp_path):
    page = archivist.page
    archivist.shot("home_archivist")
    page.get_by_role("link", name="Excel导入").first.click()
    page.wait_for_url("**/archives/imports/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="干部名册模板").click()
    download = download_info.value
    assert download.url.endswith("/archives/templates/roster.xlsx")
    with open(download.path(), "rb") as fh:
        template = fh.read()
    content, names = _roster_from_template(template)
    roster = tmp_path / "名册.xlsx"
    roster.write_bytes(content)

    page.select_option("#id_kind", "roster")
    page.set_input_files("#id_file", str(roster))
    archivist.shot("import_index")
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_url(re.compile(r"/archives/imports/\d+/$"))
    confirm = page.get_by_role("button", name="确认导入")
    confirm.wait_for()
    preview = page.locator("main").inner_text()
    assert "将要发生的变化" in preview
    for name in names:
        assert name in preview
    archivist.shot("import_preview")
    confirm.click()
    page.locator(".card-header", has_text="导入结果").wait_for()

    page.get_by_role("link", name="干部档案").first.click()
    page.wait_for_url("**/archives/cadres/")
    page.fill("#id_q", "欧阳测试")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(r"q="))
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert IMPORT_UNIT in rows.first.inner_text()
    archivist.shot("cadre_list")
    rows.first.get_by_role("link", name="欧阳测试").click()
    page.wait_for_url(re.compile(r"/archives/cadres/\d+/$"))
    use_rows = page.locator("#reg-uses tr", has_text="陈管档")
    use_rows.first.wait_for()
    assert "系统查阅" in use_rows.first.inner_text()
    archivist.shot("cadre_detail")
    assert Cadre.objects.filter(name__in=names, unit__full_name=IMPORT_UNIT).count() == 2


def _chief_creates_campaign_and_runs_detection(chief, unit) -> Campaign:
    page = chief.page
    chief.shot("home_chief")
    page.get_by_role("link", name="新建审核批次").first.click()
    page.wait_for_url("**/audits/campaigns/new/")
    page.fill("#id_name", CAMPAIGN_NAME)
    page.check(f"#unit-{unit.pk}")
    page.check("input[data-username=auditor1]")
    page.check("input[data-username=auditor2]")
    page.fill("#id_sample_rate", "100")
    chief.shot("campaign_form")
    page.get_by_role("button", name="创建").click()
    page.wait_for_url(re.compile(r"/audits/campaigns/\d+/$"))
    _expect_message(chief, f"已新建批次“{CAMPAIGN_NAME}”")
    # 系统比对 ran by itself when the campaign was created; running it again is idempotent.
    page.get_by_role("button", name="运行系统比对").click()
    page.locator(".detection-status", has_text="比对完成").wait_for()
    campaign = Campaign.objects.get(name=CAMPAIGN_NAME)
    assert set(campaign.units.values_list("pk", flat=True)) == {unit.pk}
    assert sorted(campaign.auditors.values_list("username", flat=True)) == ["auditor1", "auditor2"]
    # Navigation from the campaign to its dashboard and report.
    assert page.get_by_role("link", name="统计看板").count() == 1
    page.reload()
    chief.shot("campaign_detail")
    page.get_by_role("link", name="审核批次").first.click()
    page.wait_for_url("**/audits/campaigns/")
    page.get_by_role("link", name=CAMPAIGN_NAME).click()
    page.wait_for_url(f"**/audits/campaigns/{campaign.pk}/")
    return campaign


def _open_case(person, case: AuditCase):
    """Open the case from the person's queue (the auditor's, the chief's or the leader's)."""
    page = person.page
    page.goto(f"/audits/cases/?queue=all&q={case.dossier.cadre.name}")
    row = page.locator("tbody tr", has_text=case.campaign.name)
    row.get_by_role("link", name=case.dossier.cadre.name).click()
    page.wait_for_url(f"**/audits/cases/{case.pk}/")


def _act(person, label: str, comment: str = ""):
    page = person.page
    form = page.locator("form", has=page.get_by_role("button", name=label, exact=True))
    if comment:
        form.locator("textarea[name=comment]").fill(comment)
    form.get_by_role("button", name=label, exact=True).click()
    page.wait_for_load_state("load")


def _initial_review(reviewer, case: AuditCase) -> Discrepancy:
    page = reviewer.page
    reviewer.shot(f"home_{reviewer.username}")
    _open_case(reviewer, case)
    findings = page.locator("#system-findings li[id^=finding-]")
    pending = findings.count()
    assert pending >= 2
    reviewer.shot("case_detail")

    # Confirm in place: the page keeps its place, the finding moves into the register with the
    # values the system knows (现有信息, 拟认定值).
    first = findings.first
    confirmed = Discrepancy.objects.get(pk=int(first.get_attribute("id").removeprefix("finding-")))
    _scroll_to(reviewer, first)
    with _in_place(reviewer, "已确认"):
        first.get_by_role("button", name="确认问题").click()
    assert findings.count() == pending - 1
    confirmed.refresh_from_db()
    assert confirmed.state == Discrepancy.State.REGISTERED and confirmed.current_value
    row = page.locator(f".table-findings #discrepancy-{confirmed.pk}")
    assert confirmed.current_value in row.inner_text() and confirmed.proposed_value in row.inner_text()
    reviewer.shot("case_after_confirm")

    _act(reviewer, "提交初审")
    _expect_message(reviewer, "还有系统比对发现待核实，不能提交初审")
    assert page.locator("#case-state").inner_text() == "初审"

    # Dismiss in place, with a reason; it goes among the set-aside ones.
    _scroll_to(reviewer, findings.first)
    findings.first.locator("input[name=reason]").fill("经核对原始材料，系统比对有误")
    with _in_place(reviewer, "已排除"):
        findings.first.get_by_role("button", name="排除").click()
    assert "经核对原始材料，系统比对有误" in page.locator("#set-aside").text_content()  # closed: the first auditor cannot reinstate
    while findings.count():
        left = findings.count()
        with _in_place(reviewer, "已确认"):
            findings.first.get_by_role("button", name="确认问题").click()
        assert findings.count() == left - 1
    assert page.get_by_text("没有待核实的系统比对问题").count() == 1

    cadre = case.dossier.cadre
    material = Material.objects.filter(dossier=case.dossier, recorded_birth_date__isnull=False).order_by("formed_date").first()
    page.get_by_role("link", name="登记问题").click()
    page.wait_for_url(f"**/audits/cases/{case.pk}/discrepancies/new/")
    page.select_option("#id_category", "age")
    page.fill("#id_description", "浏览器测试：出生日期与最早材料记载不一致")
    page.fill("#id_current_value", str(cadre.birth_date))
    page.fill("#id_proposed_value", "1966.06")
    page.select_option("#id_cause", label="填写笔误")
    page.check(f"input[name=cite_{material.pk}]")
    page.fill(f"input[name=value_{material.pk}]", "1966.06")
    reviewer.shot("discrepancy_form")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(rf"/audits/cases/{case.pk}/#discrepancy-\d+$"))  # back at the new finding
    _expect_message(reviewer, "已登记问题")
    assert page.locator(".table-findings tbody tr", has_text="浏览器测试：出生日期").count() == 1
    assert material.title in page.locator(".table-findings tbody tr", has_text="浏览器测试：出生日期").inner_text()

    # After the submission the next case of the reviewer's 初审 opens (下一卷).
    _act(reviewer, "提交初审", "初审完成")
    _expect_message(reviewer, "已提交初审")
    _expect_message(reviewer, "已打开下一卷")
    case.refresh_from_db()
    assert case.state == CaseState.RE_REVIEW
    following = AuditCase.objects.select_related("dossier__cadre").get(pk=int(re.search(r"/audits/cases/(\d+)/$", page.url).group(1)))
    assert following.pk != case.pk and following.state == CaseState.INITIAL_REVIEW and following.initial_reviewer_id == case.initial_reviewer_id
    assert page.locator("#case-state").inner_text() == "初审" and following.dossier.cadre.name in page.locator("h1").inner_text()
    reviewer.shot("case_next_after_submit")
    # The page's own 下一卷 goes on down the queue.
    link = page.locator("#next-case")
    href = link.get_attribute("href")
    assert href != f"/audits/cases/{following.pk}/"
    link.click()
    page.wait_for_url(f"**{href}")
    assert page.locator("#case-state").inner_text() == "初审"
    # From the case back to the queue.
    page.get_by_role("link", name="我的审核").first.click()
    page.wait_for_url("**/audits/cases/?queue=mine")
    return Discrepancy.objects.get(case=case, description__startswith="浏览器测试")


def _re_review_and_chief_check(re_reviewer, chief, case: AuditCase):
    _open_case(re_reviewer, case)
    # 复审 overturns the first auditor's dismissal, in place.
    page = re_reviewer.page
    dismissed = page.locator("#set-aside li", has_text="经核对原始材料，系统比对有误")
    _scroll_to(re_reviewer, dismissed)
    dismissed.locator("input[name=reason]").fill("复审认为应当登记")
    with _in_place(re_reviewer, "已恢复该问题的登记"):
        dismissed.get_by_role("button", name="恢复登记").click()
    assert page.locator("#set-aside li", has_text="经核对原始材料，系统比对有误").count() == 0
    re_reviewer.shot("case_after_reinstate")
    _act(re_reviewer, "提交复审", "复审同意")
    _expect_message(re_reviewer, "已提交复审")

    page = chief.page
    page.goto("/audits/cases/?queue=check")
    page.locator("tbody tr", has_text=case.campaign.name).first.wait_for()
    _open_case(chief, case)
    _act(chief, "科长退回复审")  # no reason: the browser itself refuses the empty required field
    assert page.locator("#case-state").inner_text() == "科长把关"
    _act(chief, "科长退回复审", "请补充核对入党志愿书")
    _expect_message(chief, "已科长退回复审")
    assert page.locator("#case-state").inner_text() == "交叉复审"

    _open_case(re_reviewer, case)
    _act(re_reviewer, "提交复审", "已补充核对")
    _expect_message(re_reviewer, "已提交复审")

    _open_case(chief, case)
    _act(chief, "科长审核通过", "同意")
    _expect_message(chief, "已科长审核通过")
    assert page.locator("#case-state").inner_text() == "领导抽查"
    transitions = page.locator("#transitions").inner_text()
    assert "请补充核对入党志愿书" in transitions


def _leader_spot_check(leader, case: AuditCase):
    page = leader.page
    page.goto("/")
    leader.shot("home_leader")
    row = page.locator("tbody tr", has_text=case.campaign.name).filter(has_text=case.dossier.cadre.name)
    row.get_by_role("link", name=case.dossier.cadre.name).click()
    page.wait_for_url(f"**/audits/cases/{case.pk}/")
    assert page.get_by_text("抽中领导抽查").count() >= 1
    _act(leader, "领导抽查通过", "抽查无误")
    _expect_message(leader, "已领导抽查通过")
    assert page.locator("#case-state").inner_text() == "整改"


def _rectify(reviewer, chief, leader, discrepancy: Discrepancy):
    cadre = discrepancy.case.dossier.cadre
    old_birth = str(cadre.birth_date)
    page = reviewer.page
    page.goto(f"/audits/cases/{discrepancy.case_id}/")
    page.locator(f"#discrepancy-{discrepancy.pk}").get_by_role("link", name="整改").click()
    page.wait_for_url(f"**/audits/discrepancies/{discrepancy.pk}/")
    today = dt.date.today()

    feedback = page.locator(f"form[action$='/discrepancies/{discrepancy.pk}/feedback/']")
    page.get_by_text("新一轮反馈").click()
    feedback.locator("[name=sent_on]").fill(today.isoformat())
    feedback.locator("[name=content]").fill("请本人核对出生日期，并提供原始材料")
    feedback.get_by_role("button", name="登记反馈").click()
    _expect_message(reviewer, "已登记信息反馈")
    assert page.get_by_text("第1轮").count() >= 1

    request = page.locator(f"form[action$='/discrepancies/{discrepancy.pk}/requests/']")
    page.get_by_text("要求补充材料").click()
    request.locator("[name=method]").select_option(index=0)
    request.locator("[name=requested_material]").fill("中学学籍登记表原件")
    request.locator("[name=requested_from]").fill("县第一中学")
    request.locator("[name=due_on]").fill((today + dt.timedelta(days=30)).isoformat())
    request.get_by_role("button", name="保存").click()
    _expect_message(reviewer, "已登记补充材料要求")
    assert page.get_by_text("中学学籍登记表原件").count() >= 1
    reviewer.shot("discrepancy_page")

    # 认定: the auditor proposes the earliest record's value with it as the basis, the chief
    # checks, the leader approves; only then is current information corrected.
    earliest = (
        Material.objects.filter(dossier=discrepancy.case.dossier, recorded_birth_date__isnull=False, weeded_at__isnull=True)
        .order_by("formed_date", "pk")
        .first()
    )
    assert page.get_by_text(f"最早记载：《{earliest.title}》").count() >= 1
    propose = page.locator(f"form[action$='/discrepancies/{discrepancy.pk}/propose/']")
    propose.locator("[name=value]").fill(str(earliest.recorded_birth_date))
    propose.locator(f"input[name=basis][value='{earliest.pk}']").check()
    propose.locator("[name=note]").fill("以最早的材料记载为准")
    propose.get_by_role("button", name="提交拟认定").click()
    _expect_message(reviewer, "已提出拟认定意见，待科长审核")

    page = chief.page
    page.goto("/audits/determinations/")
    page.get_by_role("link", name="处理").first.click()
    page.wait_for_url(f"**/audits/discrepancies/{discrepancy.pk}/**")
    page.locator("#determination [name=opinion]").fill("依据充分，同意")
    page.get_by_role("button", name="审核同意，报分管领导审批").click()
    _expect_message(chief, "已审核同意，待分管领导审批")
    assert cadre.birth_date == Cadre.objects.get(pk=cadre.pk).birth_date  # not yet corrected

    page = leader.page
    page.goto("/")
    assert page.get_by_text("认定待审批").count() >= 1
    page.goto(f"/audits/discrepancies/{discrepancy.pk}/")
    page.get_by_role("button", name="审批同意认定").click()
    _expect_message(leader, "已审批认定")
    leader.shot("discrepancy_determined")

    cadre.refresh_from_db()
    assert cadre.birth_date.matches(earliest.recorded_birth_date)
    if old_birth != str(earliest.recorded_birth_date):
        change = CadreInfoChange.objects.filter(cadre=cadre, field="birth_date").order_by("-pk").first()
        assert change is not None and old_birth in str(change.old_value)


def _leader_reads_report(leader, campaign: Campaign, tmp_path):
    page = leader.page
    page.goto("/")
    page.get_by_role("link", name="统计报告").first.click()
    page.wait_for_url("**/reports/")
    page.get_by_role("link", name=CAMPAIGN_NAME).click()
    page.wait_for_url(f"**/reports/campaigns/{campaign.pk}/")
    canvases = page.locator("canvas")
    assert canvases.count() >= 3
    page.wait_for_function(
        "() => window.Chart && document.querySelectorAll('canvas').length && [...document.querySelectorAll('canvas')].every(c => Chart.getChart(c))"
    )
    leader.shot("dashboard")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="工作总结报告").click()
    download = download_info.value
    assert download.url.endswith(f"/reports/campaigns/{campaign.pk}/summary.pdf")
    path = tmp_path / "summary.pdf"
    download.save_as(path)
    assert path.read_bytes()[:5] == b"%PDF-"


def test_the_whole_journey_from_roster_import_to_the_summary_report(people, tmp_path):
    call_command("seed_demo", cadres=30, password=PASSWORD, stdout=StringIO())
    target = _pick_case_to_review()

    _archivist_imports_a_roster(people("archivist", PASSWORD), tmp_path)

    chief = people("chief", PASSWORD)
    campaign = _chief_creates_campaign_and_runs_detection(chief, target.unit)
    case = AuditCase.objects.select_related("dossier__cadre", "campaign", "initial_reviewer", "re_reviewer").get(campaign=campaign, dossier__cadre=target)
    assert case.initial_reviewer and case.re_reviewer and case.initial_reviewer != case.re_reviewer

    reviewer = people(case.initial_reviewer.username, PASSWORD)
    discrepancy = _initial_review(reviewer, case)

    re_reviewer = people(case.re_reviewer.username, PASSWORD)
    _re_review_and_chief_check(re_reviewer, chief, case)

    leader = people("leader", PASSWORD)
    _leader_spot_check(leader, case)
    _rectify(reviewer, chief, leader, discrepancy)
    case.refresh_from_db()
    assert case.state == CaseState.RECTIFICATION

    _leader_reads_report(leader, campaign, tmp_path)


def test_an_auditor_is_refused_the_archive_room_pages(people):
    call_command("seed_demo", cadres=5, password=PASSWORD, stdout=StringIO())
    auditor = people("auditor1", PASSWORD, expected_statuses={403})
    for path in ("/archives/cadres/", "/archives/imports/", "/archives/templates/roster.xlsx"):
        response = auditor.goto(path) if not path.endswith(".xlsx") else auditor.page.request.get(auditor.base_url + path)
        assert response.status == 403, path
        if not path.endswith(".xlsx"):
            assert "无权访问" in auditor.page.locator("main").inner_text()
            assert auditor.page.get_by_role("link", name="返回工作台").count() == 1
    assert "干部档案" not in auditor.page.locator("#mainnav").inner_text()
