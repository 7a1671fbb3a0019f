"""``manage.py detect CAMPAIGN_ID [--json]`` (INTERFACES.md)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

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


def test_json_lists_confirmed_but_not_dismissed_findings():
    campaign = make_campaign()
    confirmed = planted_case(campaign, "AGE-EARLIEST")
    dismissed = planted_case(campaign, "EDU-UNVERIFIED")
    _run(str(campaign.pk))
    Discrepancy.objects.filter(case=confirmed).update(state=Discrepancy.State.REGISTERED)
    Discrepancy.objects.filter(case=dismissed).update(state=Discrepancy.State.DISMISSED)
    rows = [json.loads(line) for line in _run(str(campaign.pk), "--json").splitlines()]
    assert [(r["rule"], r["state"]) for r in rows] == [("AGE-EARLIEST", "registered")]


def test_an_unknown_campaign_is_an_error():
    with pytest.raises(CommandError, match="不存在"):
        _run("999999")
