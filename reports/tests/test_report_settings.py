"""The chief's page for the summary report's wording: 文号, 签发人 and each category's paragraph."""

import html

import pytest
from django.urls import reverse

from reports import narrative, selectors
from reports.models import ReportSettings

from .factories import build_known_campaign

pytestmark = pytest.mark.django_db


def test_the_form_shows_the_gongwen_fields_and_each_category_s_paragraph_as_today_s_data_has_it(client, chief):
    campaign = build_known_campaign().campaign
    client.force_login(chief)
    page = html.unescape(client.get(reverse("reports:settings", args=[campaign.pk])).content.decode())
    for label in ("发文字号", "签发人", "（一）年龄方面：整改情况", "（三）党龄方面：整改情况", "（五）经历方面：整改情况"):
        assert label in page, label
    stats = selectors.campaign_statistics(campaign)
    for code in ("age", "party", "experience"):
        assert f'placeholder="{narrative.category_resolution(stats.category(code))}"' in page, code


def test_a_category_paragraph_is_saved_when_written_and_left_to_the_data_when_blank(client, chief):
    campaign = build_known_campaign().campaign
    client.force_login(chief)
    fields = {"title": "总结", "addressee": "市委组织部", "opening": "开头", "practices": "做法", "problems": "问题"}
    response = client.post(
        reverse("reports:settings", args=[campaign.pk]),
        {**fields, "doc_number": "某组字〔2026〕12号", "signer": "张三", "resolution_work": "目前已全部完成认定。", "resolution_age": ""},
    )
    assert response.status_code == 302
    row = ReportSettings.objects.get(campaign=campaign)
    assert (row.doc_number, row.signer, row.resolution_work, row.resolution_age) == ("某组字〔2026〕12号", "张三", "目前已全部完成认定。", "")
    assert selectors.report_narrative(campaign).category_texts == {"work": "目前已全部完成认定。"}
