"""Registers and lists in a real browser (Chromium through Playwright, against live_server):
the archivist searches a register by name and date, exports what is shown and opens the
printable view; the section chief sorts the case list, jumps to a page and exports it.

Every page each person loads is watched (see audits.tests.e2e_support): no console error, no
missing static file, no request to any host but the product's own.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pytest

from archives.services import material_receive
from archives.tests.factories import CadreFactory
from audits.tests.factories import AuditCaseFactory, CampaignFactory, DiscrepancyFactory

pytest_plugins = ["audits.tests.e2e_support"]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # the factories' password


def _table_column(page, index: int) -> list[str]:
    return [cell.strip() for cell in page.locator(f"table tbody tr td:nth-child({index})").all_inner_texts()]


def _download_rows(page, link_text: str) -> list[list]:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_text).click()
    # The download is kept under a name without an extension, which openpyxl refuses: read the bytes.
    workbook = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_an_archivist_searches_a_register_exports_it_and_prints_it(people, archivist):
    wang, li = CadreFactory(name="王小明"), CadreFactory(name="李大海")
    for day, cadre, title in [(1, wang, "招工登记表"), (10, li, "入党志愿书"), (20, wang, "学历证明"), (28, wang, "=1+2")]:
        material_receive(dossier=cadre.dossier, user=archivist, material=None, material_title=title, received_on=dt.date(2026, 3, day), sender="本人", pages=1)

    person = people(archivist.username, PASSWORD)
    page = person.page
    person.goto("/archives/registers/receipts/")
    page.fill("#id_q", "王小明")
    page.fill("#id_date_from", "2026-03-05")
    page.fill("#id_date_to", "2026-03-31")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(r"q=.*date_from=2026-03-05"))
    assert _table_column(page, 3) == ["王小明", "王小明"]
    assert _table_column(page, 8) == ["孙管档", "孙管档"]  # 登记人: the name, not the login
    person.shot("register_search")

    page.get_by_role("link", name=re.compile("接收日期")).click()  # sort by the date, oldest first
    page.wait_for_url(re.compile(r"sort=date"))
    assert _table_column(page, 4) == ["学历证明", "=1+2"]

    rows = _download_rows(page, "导出Excel")
    assert rows[0][:4] == ["流水号", "接收日期", "干部", "材料名称"]
    assert [r[3] for r in rows[1:]] == ["学历证明", "=1+2"]
    assert all(r[7] == "孙管档" for r in rows[1:])

    page.get_by_role("link", name="打印").click()
    page.wait_for_url(re.compile(r"/print/"))
    assert page.locator("h1").inner_text() == "干部档案材料接收登记表"
    assert "检索：王小明；接收日期：2026-03-05 至 2026-03-31" in page.content()
    assert _table_column(page, 4) == ["学历证明", "=1+2"]
    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible() and not page.get_by_role("button", name="打印").is_visible()
    person.shot("register_print")


def test_the_chief_sorts_pages_through_and_exports_the_case_list(people, chief, auditor, other_auditor):
    campaign = CampaignFactory(name="浏览器批次")
    for i in range(23):
        case = AuditCaseFactory(campaign=campaign, dossier=CadreFactory(name=f"干部{i:02d}").dossier, initial_reviewer=auditor, re_reviewer=other_auditor)
        for _ in range(i % 4):
            DiscrepancyFactory(case=case)

    person = people(chief.username, PASSWORD)
    page = person.page
    person.goto("/audits/cases/?queue=all")
    page.select_option("#pager-size", "20")
    page.locator(".list-pager button").click()
    page.wait_for_url(re.compile(r"size=20"))
    page.get_by_role("link", name=re.compile("问题数")).click()
    page.wait_for_url(re.compile(r"sort=findings"))
    page.get_by_role("link", name=re.compile("问题数")).click()  # again: most first
    page.wait_for_url(re.compile(r"sort=-findings"))
    counts = [int(n) for n in _table_column(page, 7)]
    assert len(counts) == 20 and counts == sorted(counts, reverse=True) and counts[0] == 3

    page.fill("#pager-page", "2")
    page.locator(".list-pager button").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert len(_table_column(page, 1)) == 3 and "第 2 / 2 页，共 23 条" in page.content()
    person.shot("case_list_page2")

    rows = _download_rows(page, "导出Excel")
    assert rows[0] == ["姓名", "单位", "职务", "批次", "阶段", "初审人", "复审人", "问题数", "抽查"]
    assert len(rows) == 24  # every filtered case, not one page
    assert [r[7] for r in rows[1:]] == sorted((r[7] for r in rows[1:]), reverse=True)
    assert {r[5] for r in rows[1:]} == {"张审核"}
