"""``manage.py detect CAMPAIGN_ID [--json]`` (INTERFACES.md)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from archives.models import Cadre, Material
from audits.detection import selectors
from audits.detection.rules import category_of
from audits.models import Discrepancy

from .detection_data import PLANTS, make_campaign, make_case, planted_case

pytestmark = pytest.mark.django_db


def _run(*args):
    out = StringIO()
    call_command("detect", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_findings_per_category():
    campaign = make_campaign()
    for rule in ("AGE-EARLIEST", "AGE-ID", "EDU-UNVERIFIED"):
        planted_case(campaign, rule)
    make_case(campaign)
    output = _run(str(campaign.pk))
    assert "检查 4 卷" in output
    assert "年龄（age）：2 个问题（本次新增 2，撤销 0）" in output
    assert "学历学位（education）：1 个问题（本次新增 1，撤销 0）" in output
    assert "经历（experience）：0 个问题" in output
    assert "合计：3 个问题（本次新增 3，撤销 0）" in output
    # A second run registers nothing new and duplicates nothing.
    assert "合计：3 个问题（本次新增 0，撤销 0）" in _run(str(campaign.pk))
    assert Discrepancy.objects.count() == 3


def test_with_json_it_prints_every_current_finding_one_per_line():
    campaign = make_campaign()
    expected = set()
    for rule in PLANTS:
        case = planted_case(campaign, rule)
        expected.add((case.dossier.cadre.id_number, category_of(rule), rule))
    lines = _run(str(campaign.pk), "--json").splitlines()
    rows = [json.loads(line) for line in lines]
    assert {(r["id_number"], r["category"], r["rule"]) for r in rows} == expected
    assert len(rows) == len(expected)
    assert all(r["message"] and "（规则 " in r["message"] for r in rows)
    assert all(r["category"] in {"age", "work", "party", "education", "experience"} for r in rows)


def test_each_json_line_carries_the_interface_keys():
    campaign = make_campaign()
    case = planted_case(campaign, "AGE-EARLIEST")
    (row,) = [json.loads(line) for line in _run(str(campaign.pk), "--json").splitlines()]
    finding = Discrepancy.objects.get(case=case)
    assert {"id", "case_id", "id_number", "category", "rule", "rules", "state", "message"} <= set(row)
    assert (row["id"], row["case_id"], row["id_number"]) == (finding.pk, case.pk, case.dossier.cadre.id_number)
    assert (row["category"], row["rule"], row["rules"], row["state"]) == ("age", "AGE-EARLIEST", ["AGE-EARLIEST"], "pending")
    assert row["message"] == finding.description
    # The id is the one the confirm and dismiss URLs take.
    assert reverse("audits:detection:discrepancy_confirm", args=[row["id"]]) == f"/audits/detection/findings/{finding.pk}/confirm/"


def test_rule_is_the_first_of_rules(monkeypatch):
    # A finding that lists several rules (one finding per subject) needs only finding_rules to change.
    monkeypatch.setattr(selectors, "finding_rules", lambda row: [row["rule"], "AGE-ID"])
    campaign = make_campaign()
    planted_case(campaign, "AGE-EARLIEST")
    (row,) = [json.loads(line) for line in _run(str(campaign.pk), "--json").splitlines()]
    assert (row["rule"], row["rules"]) == ("AGE-EARLIEST", ["AGE-EARLIEST", "AGE-ID"])


def test_json_rules_come_from_the_findings_rules_field():
    campaign = make_campaign()
    case = planted_case(campaign, "PARTY-NO-VOLUNTEER")
    Material.objects.filter(dossier=case.dossier, title="入党申请书").delete()
    (row,) = [json.loads(line) for line in _run(str(campaign.pk), "--json").splitlines()]
    assert (row["subject"], row["rule"], row["rules"]) == ("入党材料", "PARTY-NO-VOLUNTEER", ["PARTY-NO-VOLUNTEER", "PARTY-NO-APPLICATION"])
    assert row["rules"] == Discrepancy.objects.get(case=case).rules
    assert row["message"].endswith("（规则 PARTY-NO-VOLUNTEER、PARTY-NO-APPLICATION）")


def test_finding_rules_of_a_row_registered_by_hand_is_its_rule():
    assert selectors.finding_rules({"rule": "AGE-ID", "rules": []}) == ["AGE-ID"]
    assert selectors.finding_rules({"rule": "", "rules": []}) == []
    assert selectors.finding_rules({"rule": "AGE-EARLIEST", "rules": ["AGE-EARLIEST", "AGE-ALTERED"]}) == ["AGE-EARLIEST", "AGE-ALTERED"]


def test_json_gives_each_findings_state_and_leaves_out_withdrawn_ones():
    campaign = make_campaign()
    confirmed = planted_case(campaign, "AGE-EARLIEST")
    dismissed = planted_case(campaign, "EDU-UNVERIFIED")
    pending = planted_case(campaign, "AGE-ID")
    corrected = planted_case(campaign, "EDU-UNVERIFIED")
    _run(str(campaign.pk))
    Discrepancy.objects.filter(case=confirmed).update(state=Discrepancy.State.REGISTERED)
    Discrepancy.objects.filter(case=dismissed).update(state=Discrepancy.State.DISMISSED)
    # Its cause goes away before anyone decided: the next run withdraws it.
    Cadre.objects.filter(pk=corrected.dossier.cadre_id).update(verification_number="RZ20260001")
    rows = [json.loads(line) for line in _run(str(campaign.pk), "--json").splitlines()]
    assert sorted((r["case_id"], r["rule"], r["state"]) for r in rows) == [
        (confirmed.pk, "AGE-EARLIEST", "registered"),
        (dismissed.pk, "EDU-UNVERIFIED", "dismissed"),
        (pending.pk, "AGE-ID", "pending"),
    ]
    assert Discrepancy.objects.get(case=corrected).state == Discrepancy.State.WITHDRAWN


def test_an_unknown_campaign_is_an_error():
    with pytest.raises(CommandError, match="不存在"):
        _run("999999")
