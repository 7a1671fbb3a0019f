"""The 认定表 of a case walked through 认定 with the product's own services: what it prints."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from archives.dates import PartialDate
from archives.tests.factories import MaterialFactory, ResumePeriodFactory, category
from audits import services
from audits.models import CaseState, Category
from audits.tests.factories import AuditCaseFactory, DiscrepancyFactory
from reports import selectors, sheet_pdf

from .helpers import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def determined_case(auditor, other_auditor, chief, leader):
    """A case whose birth date was determined against the earliest record, with a 批复."""
    case = AuditCaseFactory(initial_reviewer=auditor, re_reviewer=other_auditor, campaign__sample_rate=0, state=CaseState.RECTIFICATION, findings_frozen=True)
    cadre = case.dossier.cadre
    cadre.birth_date = PartialDate(1976, 3, 12)
    cadre.party_join_date = None
    cadre.save()
    MaterialFactory(
        dossier=case.dossier, category=category("1"), title="招工登记表", formed_date=PartialDate(1993, 7), recorded_birth_date=PartialDate(1975, 3, 12)
    )
    household = MaterialFactory(
        dossier=case.dossier, category=category("10"), title="户籍证明", formed_date=PartialDate(2016, 4), recorded_birth_date=PartialDate(1976, 3, 12)
    )
    ResumePeriodFactory(cadre=cadre, start=PartialDate(1993, 7), end=PartialDate(2000, 12), unit_and_post="某县化肥厂工人", proof_material="招工登记表")
    finding = DiscrepancyFactory(case=case, category=Category.AGE, description="现有信息出生日期为1976年3月12日，与最早记载不一致。（规则 AGE-EARLIEST）")
    x = services.determination_propose(
        discrepancy=finding,
        user=auditor,
        value="1976.03.12",
        basis=[household],
        justification="招工登记表系他人代填",
        approval_number="某组干〔2016〕3号",
        approval_issuer="某市委组织部",
        approval_date=dt.date(2016, 5, 4),
    )
    services.determination_check(determination=x, user=chief, opinion="同意")
    services.determination_approve(determination=x, user=leader, opinion="同意按批复认定")
    return case


def test_the_sheet_prints_the_determined_value_its_basis_and_the_approval(determined_case, tmp_path):
    (sheet,) = selectors.determination_sheets(determined_case.campaign, [determined_case.pk])
    birth = sheet.items[0]
    assert birth.label == "出生日期" and birth.determined == ["1976.03.12"]
    assert birth.basis == ["《户籍证明》（2016.04）", "批复：某组干〔2016〕3号（某市委组织部，2016年5月4日）", "招工登记表系他人代填"]
    assert birth.recorded[0].material == "招工登记表" and birth.recorded[0].earliest
    assert birth.problem == "现有信息出生日期为1976年3月12日，与最早记载不一致。"  # no rule code
    party = sheet.items[2]
    assert (party.current, party.determined) == ("非中共党员", [])
    experience = sheet.items[4]
    assert experience.determined == ["1993.07—2000.12 某县化肥厂工人"]
    assert sheet.organization_opinion == "同意按批复认定" and sheet.determined_on == dt.date.today()
    assert re.fullmatch(r"\d{6}\*{8}[\dX]{4}", sheet.id_number)

    text = pdf_text(sheet_pdf.render_determination_sheets([sheet]), tmp_path)
    for fragment in ("1976.03.12", "《户籍证明》（2016.04）", "某组干〔2016〕3号", "同意按批复认定", f"{dt.date.today().year}年"):
        assert fragment in text, fragment
    body = text.replace(sheet.id_number, "")
    assert not re.search(r"[A-Za-z]", body)


def test_the_chief_gets_the_whole_id_number_and_the_leader_a_masked_one(client, determined_case, chief, leader, tmp_path):
    id_number = determined_case.dossier.cadre.id_number
    url = reverse("reports:sheet_pdf", args=[determined_case.pk])
    client.force_login(chief)
    assert id_number in pdf_text(client.get(url).content, tmp_path)
    client.force_login(leader)
    text = pdf_text(client.get(url).content, tmp_path)
    assert id_number not in text and id_number[:6] in text and id_number[-4:] in text
