"""False alarms as a test: a county of realistic dossiers (fixed seed, ``county.py``) in which
detection must find exactly the planted problems — recall and precision 1.0 per category."""

import re
from collections import Counter

import pytest

from audits.detection import detect_campaign
from audits.detection.rules import RULES
from audits.detection.selectors import current_findings
from audits.models import Category, Discrepancy

from .county import plan_county, write_county
from .detection_data import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    plans = plan_county()
    campaign = make_campaign("测试县2026年干部人事档案专项审核")
    by_id_number = write_county(plans, campaign)
    detect_campaign(campaign_id=campaign.pk)
    return campaign, by_id_number


def _found(campaign) -> set:
    return {(f["id_number"], f["category"], f["subject"], tuple(f["rules"])) for f in current_findings(campaign_id=campaign.pk)}


def _expected(by_id_number) -> set:
    return {(id_number, *finding) for id_number, plan in by_id_number.items() for finding in plan.expected}


def _explain(rows, by_id_number) -> str:
    return "\n".join(f"  {row} — {by_id_number[row[0]].plant or '正常'}：{', '.join(by_id_number[row[0]].shapes)}" for row in sorted(rows))


def test_the_county_is_mostly_normal_and_every_rule_is_planted(county):
    _campaign, by_id_number = county
    plans = list(by_id_number.values())
    assert 80 <= len(plans) <= 100
    assert sum(1 for plan in plans if not plan.expected) >= 60
    assert {rule for plan in plans for (_c, _s, rules) in plan.expected for rule in rules} == set(RULES)
    shapes = Counter(shape for plan in plans if not plan.plant for shape in plan.shapes)
    for shape in (
        "bachelor",
        "college_then_correspondence",
        "bachelor_then_party_school",
        "secondary_then_college",
        "high_school",
        "in-service degree",
        "joined at university",
        "concurrent post",
        "secondment",
        "training a month before the first post",
        "supplied 入党申请书",
        "birth date settled in 2019",
        "party date settled by a 批复",
        "weeded conflicting material",
    ):
        assert shapes[shape] >= 1, shape


def test_detection_finds_exactly_the_planted_problems(county):
    campaign, by_id_number = county
    found, expected = _found(campaign), _expected(by_id_number)
    for category in Category.values:
        mine = {row for row in found if row[1] == category}
        wanted = {row for row in expected if row[1] == category}
        hits = mine & wanted
        recall = len(hits) / len(wanted) if wanted else 1.0
        precision = len(hits) / len(mine) if mine else 1.0
        assert (recall, precision) == (1.0, 1.0), (
            f"{category}: recall {recall:.2f}, precision {precision:.2f}\n"
            f"missed:\n{_explain(wanted - mine, by_id_number)}\nfalse alarms:\n{_explain(mine - wanted, by_id_number)}"
        )
    # The same by rule: every planted rule fired where planted, and nowhere else.
    assert {(row[0], rule) for row in found for rule in row[3]} == {(row[0], rule) for row in expected for rule in row[3]}


def test_findings_of_the_county_speak_plainly(county):
    campaign, by_id_number = county
    for finding in current_findings(campaign_id=campaign.pk):
        message = finding["message"]
        assert message.count("（规则") == 1 and message.endswith(f"（规则 {'、'.join(finding['rules'])}）")
        assert "None" not in message
        # The 认定表 prints the first sentence: every reason, no rule code.
        assert re.search(r"[A-Z]+-[A-Z]", message.partition("。")[0]) is None
        if by_id_number[finding["id_number"]].plant == "AGE-EARLIEST settled":
            assert "认定结论不一致" in message
        if by_id_number[finding["id_number"]].plant == "WORK-BEFORE-GRADUATION":
            assert "定向、委培" in message


def test_a_rerun_over_the_county_changes_nothing(county):
    campaign, _by_id_number = county
    before = list(Discrepancy.objects.order_by("pk").values())
    result = detect_campaign(campaign_id=campaign.pk)
    assert list(Discrepancy.objects.order_by("pk").values()) == before
    assert sum(result.created.values()) == sum(result.withdrawn.values()) == result.updated == 0
