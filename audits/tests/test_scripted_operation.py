"""A whole campaign by script, through the stable interface only (INTERFACES.md): the commands
an operator runs and the HTTP posts a script makes, in the order a real campaign takes.

Accounts, imports, the campaign and detection go through ``manage.py`` commands; the reviewers'
decisions and the workflow steps go over HTTP as the people who take them. The database is read
only where an operator would read a page (who reviews which case, which cases were sampled).
"""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from archives.tests.import_helpers import material_row, resume_row, roster_row, write
from audits.models import AuditCase, CaseState

pytestmark = pytest.mark.django_db

PEOPLE = {
    "shenhe1": ("auditor", "周审核", "Shenhe-2026-zhou"),
    "shenhe2": ("auditor", "吴审核", "Shenhe-2026-wu"),
    "kezhang": ("chief", "郑科长", "Kezhang-2026-zheng"),
    "lingdao": ("leader", "冯部长", "Lingdao-2026-feng"),
}


def manage(*args, stdin: str | None = None) -> str:
    """Run a command as a script would; a refusal (CommandError) fails the test."""
    out = StringIO()
    options = {"stdout": out, "stderr": StringIO()}
    if stdin is not None:
        options["stdin"] = StringIO(stdin)
    call_command(*args, **options)
    return out.getvalue()


def detect_json(campaign_id: int) -> dict[int, dict]:
    return {row["id"]: row for row in map(json.loads, manage("detect", str(campaign_id), "--json").splitlines())}


def write_workbooks(folder):
    """Four cadres: one whose 干部履历表 records another birth date, one whose résumé has a
    gap; none has a 学历认证报告 number on file (every dossier has a finding)."""
    cadres = range(1, 5)
    roster = write(folder / "roster.xlsx", "roster", [roster_row(seq, 姓名=name) for seq, name in zip(cadres, ["陈一", "林二", "黄三", "许四"], strict=True)])
    party = {"类别": "6", "记载出生日期": "", "记载参加工作时间": "", "记载学历": ""}
    materials = [material_row(seq) for seq in cadres]
    materials += [material_row(seq, **party, 材料名称="入党申请书", 形成日期="1999.03") for seq in cadres]
    materials += [material_row(seq, **party, 材料名称="入党志愿书", 形成日期="2000.06", 记载入党时间="2000.06") for seq in cadres]
    materials[0] = material_row(1, 记载出生日期="1976.03")
    periods = [resume_row(seq, 终止时间="") for seq in cadres]
    periods[1] = resume_row(2)  # ends 1998.12 ...
    periods.append(resume_row(2, 起始时间="2000.03", 终止时间="", 单位及职务="某县组织部副科长"))  # ... the next starts 2000.03
    return roster, write(folder / "materials.xlsx", "materials", materials), write(folder / "resume.xlsx", "resume", periods)


def test_a_whole_campaign_by_script(tmp_path):
    # 1. Accounts, the password on standard input.
    for username, (role, name, password) in PEOPLE.items():
        assert "已新建账号" in manage("create_user", username, "--role", role, "--name", name, stdin=password + "\n")
    clients = {}
    for username, (_role, _name, password) in PEOPLE.items():
        clients[username] = Client()
        assert clients[username].login(username=username, password=password)

    # 2. Imports, roster first.
    for kind, path in zip(["roster", "materials", "resume"], write_workbooks(tmp_path), strict=True):
        assert "导入完成" in manage("import_workbook", kind, str(path))

    # 3. The campaign; its id is the last line. Half the cases go to the leader's sample.
    output = manage("create_campaign", "2026年度干部人事档案专项审核", "--auditor", "shenhe1", "--auditor", "shenhe2", "--sample-rate", "0.5")
    campaign_id = int(output.strip().splitlines()[-1])
    cases = {case.pk: case for case in AuditCase.objects.filter(campaign_id=campaign_id).select_related("initial_reviewer", "re_reviewer")}
    assert len(cases) == 4

    # 4. Detection, one finding per line.
    findings = detect_json(campaign_id)
    assert {row["case_id"] for row in findings.values()} == set(cases)
    assert {row["state"] for row in findings.values()} == {"pending"}
    assert sorted(rule for row in findings.values() for rule in row["rules"]) == sorted(["AGE-EARLIEST", "EXP-GAP"] + ["EDU-UNVERIFIED"] * 4)

    # 5. The initial reviewer of each case confirms its age and experience findings and
    # dismisses the others; then submits the case.
    expected = {}
    for finding_id, row in findings.items():
        reviewer = clients[cases[row["case_id"]].initial_reviewer.username]
        if row["category"] in ("age", "experience"):
            response = reviewer.post(f"/audits/detection/findings/{finding_id}/confirm/")
            expected[finding_id] = "registered"
        else:
            response = reviewer.post(f"/audits/detection/findings/{finding_id}/dismiss/", {"reason": "学历认证报告已在复核材料中，系统未录入编号"})
            expected[finding_id] = "dismissed"
        assert response.status_code == 302
    assert {finding_id: row["state"] for finding_id, row in detect_json(campaign_id).items()} == expected
    confirmed = {findings[finding_id]["rule"] for finding_id, state in expected.items() if state == "registered"}
    assert confirmed == {"AGE-EARLIEST", "EXP-GAP"}

    def act(username, case_id, action):
        response = clients[username].post(f"/audits/cases/{case_id}/act/{action}/", {"comment": "脚本审核"})
        assert response.status_code == 302
        if action.startswith("submit_"):  # on to the reviewer's next case (下一卷), or their queue
            assert re.fullmatch(r"/audits/cases/(\d+/|\?queue=mine)", response.url), response.url
        else:
            assert response.url == f"/audits/cases/{case_id}/"

    for case in cases.values():
        act(case.initial_reviewer.username, case.pk, "submit_initial")
        assert AuditCase.objects.get(pk=case.pk).state == CaseState.RE_REVIEW
    # 6. The cross re-review by the other auditor.
    for case in cases.values():
        assert case.re_reviewer not in (None, case.initial_reviewer)
        act(case.re_reviewer.username, case.pk, "submit_re_review")
        assert AuditCase.objects.get(pk=case.pk).state == CaseState.CHIEF_CHECK
    # 7. The section chief's check (the first approval draws the sample), the leader's for
    # the sampled cases.
    for case in cases.values():
        act("kezhang", case.pk, "chief_approve")
    sampled = set(AuditCase.objects.filter(campaign_id=campaign_id, sampled=True).values_list("pk", flat=True))
    assert len(sampled) == 2
    for case_id in sampled:
        assert AuditCase.objects.get(pk=case_id).state == CaseState.LEADER_CHECK
        act("lingdao", case_id, "leader_approve")

    # Cases with a confirmed finding go on to rectification, the others are closed.
    with_findings = {row["case_id"] for finding_id, row in findings.items() if expected[finding_id] == "registered"}
    states = dict(AuditCase.objects.filter(campaign_id=campaign_id).values_list("pk", "state"))
    assert states == {pk: CaseState.RECTIFICATION if pk in with_findings else CaseState.CLOSED for pk in cases}
    assert {finding_id: row["state"] for finding_id, row in detect_json(campaign_id).items()} == expected

    # 8. The summary report.
    report = tmp_path / "summary.pdf"
    manage("summary_report", str(campaign_id), "--out", str(report))
    assert report.read_bytes().startswith(b"%PDF-")
