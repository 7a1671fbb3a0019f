"""The English pages fit the screens people work on (issue 12): in Chromium, each role switches
to English with the nav's switcher and opens its main pages at 1280 × 800 and 1440 × 900; no page
is wider than the window (no horizontal scrolling) and the nav stays on one line.

English labels are longer than the Chinese ones: before the fix the dashboard's tables stuck out of
their cards (1451 px in a 1440 px window) and the chief's and leader's nav took two or three lines.
E2E_SHOTS_DIR=<folder> keeps a screenshot of every page at both widths.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from archives.models import Cadre
from audits.models import AuditCase, Campaign, Discrepancy

pytest_plugins = ["audits.tests.e2e_support"]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-pass-2026"
SIZES = [(1280, 800), (1440, 900)]

# How wide the page is, and how many lines each entry of the nav takes (a Range gives one box per
# line of text; boxes within 12 px of each other are the same line).
MEASURE = """() => {
  const lines = (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = [...range.getClientRects()].filter(r => r.width > 0).map(r => r.top).sort((a, b) => a - b);
    return tops.filter((t, i) => i === 0 || t - tops[i - 1] > 12).length;
  };
  const links = [...document.querySelectorAll('#mainnav > ul > li > .nav-link')];
  const tops = links.map(a => a.getBoundingClientRect().top);
  return {
    lang: document.documentElement.lang,
    width: window.innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
    navSpread: links.length ? Math.max(...tops) - Math.min(...tops) : 0,
    wrappedEntries: links.filter(a => lines(a) > 1).map(a => a.textContent.trim().replace(/\\s+/g, ' ')),
    navShown: links.length > 0 && links.every(a => a.offsetParent !== null),
    wide: [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 3).map(e => e.tagName + '.' + String(e.className).split(' ')[0] + ' ' + (e.textContent || '').trim().slice(0, 30)),
  };
}"""


def _main_pages() -> dict[str, list[str]]:
    """Each role's main pages, on the demo county."""
    campaign = Campaign.objects.order_by("pk").first()
    mine = AuditCase.objects.filter(initial_reviewer__username="auditor1").order_by("pk").first()
    finding = Discrepancy.objects.filter(case=mine).order_by("pk").first() or Discrepancy.objects.order_by("pk").first()
    cadre = Cadre.objects.order_by("pk").first()
    registers = [reverse("archives:register", args=[name]) for name in ("uses", "receipts", "sendouts", "transfers", "weedings")]
    dashboard = reverse("reports:dashboard", args=[campaign.pk])
    return {
        "auditor1": [
            reverse("home"),
            reverse("audits:case_list") + "?queue=mine",
            reverse("audits:case_detail", args=[mine.pk]),
            reverse("audits:discrepancy_detail", args=[finding.pk]),
            reverse("audits:overdue_requests"),
        ],
        "chief": [
            reverse("home"),
            reverse("audits:campaign_list"),
            reverse("audits:campaign_detail", args=[campaign.pk]),
            reverse("audits:case_list") + "?queue=check",
            reverse("audits:case_list"),
            reverse("audits:case_detail", args=[mine.pk]),
            reverse("audits:determination_queue"),
            reverse("reports:campaign_list"),
            dashboard,
        ],
        "leader": [
            reverse("home"),
            reverse("audits:campaign_list"),
            reverse("audits:case_list") + "?queue=leader",
            reverse("audits:determination_queue"),
            reverse("reports:campaign_list"),
            dashboard,
        ],
        "archivist": [
            reverse("home"),
            reverse("archives:cadre_list"),
            reverse("archives:cadre_detail", args=[cadre.pk]),
            reverse("archives:register_index"),
            *registers,
            reverse("archives:import_index"),
        ],
        "admin": [reverse("home")],
    }


def _switch_to_english(person):
    page = person.page
    page.click("#mainnav .dropdown-toggle")
    page.click("button[name=language][value=en]")
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.lang") == "en"


def test_english_pages_fit_1280_and_1440_pixels_with_a_one_line_nav(people):
    call_command("seed_demo", cadres=20, password=PASSWORD, stdout=StringIO())
    pages = _main_pages()
    problems = []
    for username, paths in pages.items():
        person = people(username, PASSWORD)
        person.page.set_viewport_size({"width": 1440, "height": 900})
        _switch_to_english(person)
        for path in paths:
            person.page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
            response = person.goto(path)
            assert response.status == 200, (username, path, response.status)
            for width, height in SIZES:
                person.page.set_viewport_size({"width": width, "height": height})
                m = person.page.evaluate(MEASURE)
                where = f"{username} {path} at {width} px"
                if m["lang"] != "en":
                    problems.append(f"{where}: not in English")
                if m["scrollWidth"] > m["width"]:
                    problems.append(f"{where}: the page is {m['scrollWidth']} px wide ({m['wide']})")
                if not m["navShown"]:
                    problems.append(f"{where}: the nav is collapsed behind its toggler")
                if m["navSpread"] >= 10 or m["wrappedEntries"]:
                    problems.append(f"{where}: the nav takes more than one line (wrapped: {m['wrappedEntries']})")
                person.shot(f"english_{username}_{path.strip('/').replace('/', '_').replace('?', '_') or 'home'}_{width}")
    assert not problems, "\n".join(problems)
