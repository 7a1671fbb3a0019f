"""Registers for daily work: search by name or ID number, a date range, sorting and page sizes,
the export of exactly what is filtered, a printable view, staff by their real names, today's
date in the register forms; 回避 kept throughout, and no 利用 rows for looking at a register."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from archives.models import AuditLogEntry, DossierUse, MaterialReceipt, Recusal
from archives.services import dossier_lend, dossier_record_use, dossier_transfer, material_receive, material_send_out
from archives.tests.factories import CadreFactory, UserFactory

pytestmark = pytest.mark.django_db


def receipt(cadre, user, on, title="入党申请书", **fields):
    return material_receive(dossier=cadre.dossier, user=user, material=None, material_title=title, received_on=on, sender="本人补交", pages=2, **fields)


@pytest.fixture
def cadres():
    return {
        "wang": CadreFactory(name="王小明"),
        "li": CadreFactory(name="李大海"),
        "zhang": CadreFactory(name="张三"),
    }


@pytest.fixture
def receipts(archivist, cadres):
    return [
        receipt(cadres["wang"], archivist, dt.date(2026, 3, 1), "招工登记表"),
        receipt(cadres["li"], archivist, dt.date(2026, 4, 15), "入党志愿书"),
        receipt(cadres["zhang"], archivist, dt.date(2026, 5, 30), '=HYPERLINK("http://x")'),
        receipt(cadres["wang"], archivist, dt.date(2026, 6, 2), "学历证明"),
    ]


def names_in(html: str) -> list[str]:
    """The cadres of the register table, in the page's order."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'href="/archives/cadres/\d+/">([^<]+)</a>', body)


def workbook_rows(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def register_url(name="receipts", view="register"):
    return reverse(f"archives:{view}", args=[name])


# --- search and date range ---------------------------------------------------------------


def test_a_register_is_searched_by_the_cadres_name(client, archivist, receipts):
    client.force_login(archivist)
    html = client.get(register_url(), {"q": "小明"}).content.decode()
    assert names_in(html) == ["王小明", "王小明"]
    assert "共 2 条" in html


def test_a_register_is_searched_by_the_id_number_even_partly_and_in_lower_case(client, archivist, cadres, receipts):
    client.force_login(archivist)
    number = cadres["li"].id_number
    assert names_in(client.get(register_url(), {"q": number}).content.decode()) == ["李大海"]
    assert names_in(client.get(register_url(), {"q": number[-8:].lower()}).content.decode()) == ["李大海"]


def test_a_date_range_keeps_the_entries_of_the_registers_date_bounds_included(client, archivist, receipts):
    client.force_login(archivist)
    html = client.get(register_url(), {"date_from": "2026-04-15", "date_to": "2026-05-30"}).content.decode()
    assert names_in(html) == ["张三", "李大海"]  # newest first
    assert "接收日期：2026-04-15 至 2026-05-30" in html
    assert names_in(client.get(register_url(), {"date_from": "2026-06-01"}).content.decode()) == ["王小明"]
    html = client.get(register_url(), {"date_to": "2026-03-31"}).content.decode()
    assert names_in(html) == ["王小明"] and "接收日期：截至 2026-03-31" in html


def test_search_and_date_range_combine(client, archivist, receipts):
    client.force_login(archivist)
    assert names_in(client.get(register_url(), {"q": "王小明", "date_to": "2026-04-01"}).content.decode()) == ["王小明"]
    assert "没有符合条件的登记" in client.get(register_url(), {"q": "王小明", "date_from": "2026-04-01", "date_to": "2026-05-01"}).content.decode()


def test_the_use_register_is_filtered_by_the_day_of_the_use(client, archivist, cadres, auditor):
    for day, cadre in [(dt.date(2026, 1, 10), cadres["wang"]), (dt.date(2026, 1, 11), cadres["li"])]:
        use = dossier_record_use(dossier=cadre.dossier, user=auditor, purpose="审核")
        # Late in the evening, Beijing time: the day is the local one, not UTC's.
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(23, 30)))
        DossierUse.objects.filter(pk=use.pk).update(recorded_at=moment)
    client.force_login(archivist)
    assert names_in(client.get(register_url("uses"), {"date_from": "2026-01-10", "date_to": "2026-01-10"}).content.decode()) == ["王小明"]
    assert names_in(client.get(register_url("uses"), {"date_from": "2026-01-11"}).content.decode()) == ["李大海"]


def test_a_reversed_range_is_refused_with_a_message_and_filters_nothing_by_it(client, archivist, receipts):
    client.force_login(archivist)
    html = client.get(register_url(), {"date_from": "2026-06-01", "date_to": "2026-01-01"}).content.decode()
    assert "截止日期早于起始日期" in html
    assert names_in(html) == ["王小明"]  # the valid part (from 2026-06-01) still applies


def test_a_wrong_date_is_shown_as_an_error(client, archivist, receipts):
    client.force_login(archivist)
    html = client.get(register_url(), {"date_from": "2026-13-01"}).content.decode()
    assert "is-invalid" in html
    assert len(names_in(html)) == 4


# --- sorting and paging ------------------------------------------------------------------


def test_columns_sort_both_ways_and_unknown_keys_fall_back_to_the_newest_first(client, archivist, receipts):
    client.force_login(archivist)
    assert names_in(client.get(register_url(), {"sort": "cadre"}).content.decode()) == sorted(["王小明", "李大海", "张三", "王小明"])
    assert names_in(client.get(register_url(), {"sort": "date"}).content.decode()) == ["王小明", "李大海", "张三", "王小明"]
    assert names_in(client.get(register_url(), {"sort": "-date"}).content.decode()) == ["王小明", "张三", "李大海", "王小明"]
    for wrong in ["password", "dossier__cadre__id_number", "--date", "-"]:
        assert client.get(register_url(), {"sort": wrong}).status_code == 200
        assert names_in(client.get(register_url(), {"sort": wrong}).content.decode()) == ["王小明", "张三", "李大海", "王小明"]


def test_a_sorted_header_links_to_the_other_direction_and_keeps_the_filter(client, archivist, receipts):
    client.force_login(archivist)
    html = client.get(register_url(), {"q": "王", "sort": "date"}).content.decode()
    assert 'aria-sort="ascending"' in html
    assert 'href="?q=%E7%8E%8B&amp;sort=-date"' in html


def test_pages_have_numbers_a_jump_box_and_a_size_capped_at_a_hundred(client, archivist, cadres):
    for i in range(45):
        receipt(cadres["wang"], archivist, dt.date(2026, 1, 1) + dt.timedelta(days=i), f"材料{i}")
    client.force_login(archivist)
    html = client.get(register_url(), {"size": "20", "page": "2"}).content.decode()
    assert "第 2 / 3 页，共 45 条" in html
    assert 'aria-current="page"><span class="page-link">2</span>' in html
    assert 'href="?size=20&amp;page=3"' in html
    assert 'name="page" id="pager-page" min="1" max="3" value="2"' in html
    assert '<input type="hidden" name="size"' not in html.split('id="pager-page"')[0].rsplit("<form", 1)[1]  # the size is the select's
    assert '<option value="20" selected>' in html
    assert "第 1 / 1 页，共 45 条" in client.get(register_url(), {"size": "100000"}).content.decode()
    assert "第 1 / 1 页" in client.get(register_url(), {"size": "100"}).content.decode()
    assert "第 1 / 1 页" in client.get(register_url(), {"size": "abc"}).content.decode()  # the default, 50


def test_a_register_page_makes_a_constant_number_of_queries(client, archivist, cadres, django_assert_max_num_queries):
    client.force_login(archivist)
    for name in ["receipts", "uses", "transfers", "sendouts", "weedings"]:
        receipt(cadres["wang"], archivist, dt.date(2026, 1, 1))
        dossier_record_use(dossier=cadres["li"].dossier, user=archivist, purpose="查阅")
        with django_assert_max_num_queries(20) as few:
            client.get(register_url(name), {"q": "王"})
        for i in range(15):
            receipt(cadres["wang"], archivist, dt.date(2026, 1, 2), f"材料{name}{i}")
            material_send_out(dossier=cadres["wang"].dossier, user=archivist, material_title=f"转出{name}{i}", sent_on=dt.date(2026, 1, 2), recipient="某局")
            dossier_transfer(dossier=cadres["zhang"].dossier, user=archivist, from_unit="某县", to_unit="某市", sent_on=dt.date(2026, 1, 2), method="courier")
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(register_url(name), {"q": "王"})


# --- staff by their real names ---------------------------------------------------------------


def test_staff_are_shown_by_their_real_names_never_their_logins(client, archivist, cadres):
    nameless = UserFactory(username="dangan2", first_name="", roles=[])
    receipt(cadres["wang"], nameless, dt.date(2026, 2, 1))  # stored 接收人 "dangan2" (no name then)
    nameless.first_name = "吴管档"
    nameless.save()
    receipt(cadres["li"], archivist, dt.date(2026, 2, 2))
    client.force_login(archivist)
    html = client.get(register_url()).content.decode()
    body = html.split("<tbody>", 1)[1]
    assert "吴管档" in body and "孙管档" in body
    assert "dangan2" not in body and ">archivist<" not in body


def test_the_use_register_names_the_reader_and_the_archivist_who_lent_the_dossier(client, archivist, auditor, cadres):
    dossier_record_use(dossier=cadres["wang"].dossier, user=auditor, purpose="初审")
    dossier_lend(dossier=cadres["li"].dossier, user=archivist, borrower="县纪委 王某", purpose="案件查阅", approval="赵部长")
    client.force_login(archivist)
    body = client.get(register_url("uses")).content.decode().split("<tbody>", 1)[1]
    assert "张审核" in body and "县纪委 王某" in body and "孙管档" in body
    assert "auditor_a" not in body and ">archivist<" not in body


# --- 回避 --------------------------------------------------------------------------------


def test_own_and_relatives_entries_stay_out_of_search_export_and_print(client, archivist, other_auditor):
    own = CadreFactory(name="孙本人", user=archivist)
    relative = CadreFactory(name="孙亲属")
    Recusal.objects.create(user=archivist, cadre=relative, relation="配偶")
    other = CadreFactory(name="孙其他")
    for cadre in (own, relative, other):
        receipt(cadre, other_auditor, dt.date(2026, 2, 1))
    client.force_login(archivist)
    for q in ["孙", own.id_number, relative.id_number]:
        html = client.get(register_url(), {"q": q}).content.decode()
        assert "孙本人" not in html and "孙亲属" not in html
    rows = workbook_rows(client.get(register_url(view="register_export"), {"q": "孙"}))
    assert [r[2] for r in rows[1:]] == ["孙其他"]
    html = client.get(register_url(view="register_print"), {"q": "孙"}).content.decode()
    assert "孙其他" in html and "孙本人" not in html and "孙亲属" not in html


# --- export ------------------------------------------------------------------------------


def test_the_export_holds_exactly_the_filtered_rows_in_the_pages_order(client, archivist, receipts):
    client.force_login(archivist)
    params = {"q": "王", "date_from": "2026-01-01", "date_to": "2026-12-31", "sort": "date", "size": "20", "page": "1"}
    rows = workbook_rows(client.get(register_url(view="register_export"), params))
    assert rows[0] == ["流水号", "接收日期", "干部", "材料名称", "页数", "送交单位或个人", "接收人", "登记人", "登记时间"]
    assert [(r[1], r[2], r[3], r[6], r[7]) for r in rows[1:]] == [
        ("2026-03-01", "王小明", "招工登记表", "孙管档", "孙管档"),
        ("2026-06-02", "王小明", "学历证明", "孙管档", "孙管档"),
    ]
    assert [r[0] for r in rows[1:]] == [receipts[0].serial, receipts[3].serial]


def test_the_export_equals_the_list_page_and_keeps_formula_looking_text_as_text(client, archivist, receipts):
    client.force_login(archivist)
    html = client.get(register_url(), {"size": "100"}).content.decode()
    response = client.get(register_url(view="register_export"))
    rows = workbook_rows(response)
    assert [r[2] for r in rows[1:]] == names_in(html)
    formula = next(r for r in rows[1:] if r[2] == "张三")[3]
    assert formula == '=HYPERLINK("http://x")'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cell = next(c for c in sheet["D"] if c.value == formula)
    assert cell.data_type == "s"  # text, never evaluated
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]


@pytest.mark.parametrize("name", ["uses", "sendouts", "transfers", "weedings"])
def test_every_register_exports_with_chinese_headers(client, archivist, cadres, name):
    dossier_record_use(dossier=cadres["wang"].dossier, user=archivist, purpose="查阅")
    material_send_out(dossier=cadres["wang"].dossier, user=archivist, material_title="他人材料", sent_on=dt.date(2026, 1, 5), recipient="某局")
    dossier_transfer(dossier=cadres["li"].dossier, user=archivist, from_unit="某县", to_unit="某市", sent_on=dt.date(2026, 1, 6), method="courier")
    client.force_login(archivist)
    rows = workbook_rows(client.get(register_url(name, "register_export")))
    assert rows[0][:3] == ["流水号", rows[0][1], "干部"] and rows[0][-1] in ("登记人", "登记时间")
    assert all(re.search(r"[\u4e00-\u9fff]", h) for h in rows[0])
    if name != "weedings":
        assert len(rows) == 2 and "孙管档" in rows[1]


def test_looking_at_printing_or_exporting_a_register_records_no_use_of_a_dossier(client, archivist, receipts):
    client.force_login(archivist)
    client.get(register_url())
    client.get(register_url(view="register_print"))
    client.get(register_url(view="register_export"))
    assert not DossierUse.objects.exists()


def test_an_export_leaves_its_trace_in_the_audit_log(client, archivist, receipts):
    client.force_login(archivist)
    client.get(register_url(view="register_export"), {"q": "王"})
    entry = AuditLogEntry.objects.filter(action=AuditLogEntry.Action.REPORT_DOWNLOAD).get()
    assert entry.actor_name == "孙管档" and "干部档案材料接收登记表" in entry.summary and entry.data["rows"] == 2


def test_an_export_makes_a_constant_number_of_queries(client, archivist, cadres, django_assert_max_num_queries):
    client.force_login(archivist)
    receipt(cadres["wang"], archivist, dt.date(2026, 1, 1))
    with django_assert_max_num_queries(20) as few:
        client.get(register_url(view="register_export"))
    for i in range(30):
        receipt(cadres["li"], archivist, dt.date(2026, 1, 2), f"材料{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(register_url(view="register_export"))


def test_an_unknown_register_is_not_found_for_export_and_print(client, archivist):
    client.force_login(archivist)
    assert client.get(register_url("nothing", "register_export")).status_code == 404
    assert client.get(register_url("nothing", "register_print")).status_code == 404


@pytest.mark.parametrize("fixture", ["auditor", "chief", "leader"])
def test_other_roles_cannot_export_or_print_registers(client, request, fixture):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(register_url(view="register_export")).status_code == 403
    assert client.get(register_url(view="register_print")).status_code == 403


# --- printable view --------------------------------------------------------------------------


def test_the_printable_view_has_the_registers_name_the_filter_and_every_filtered_row(client, archivist, cadres):
    for i in range(60):
        receipt(cadres["wang"], archivist, dt.date(2026, 3, 1), f"材料{i}")
    receipt(cadres["li"], archivist, dt.date(2026, 3, 1))
    client.force_login(archivist)
    response = client.get(register_url(view="register_print"), {"q": "王小明", "date_from": "2026-03-01", "page": "2", "size": "20"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html and "干部档案材料接收登记表</h1>" in html
    assert "检索：王小明；接收日期：2026-03-01 起" in html and "共 60 条" in html
    assert "孙管档 打印于" in html
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr>") == 60 and "李大海" not in body
    assert "<thead>" in html and "print-table" in html
    assert 'src="/static/js/print.js"' in html and "data-print" in html
    assert "onclick" not in html and "<style" not in html and 'style="' not in html


def test_print_css_hides_the_chrome_and_keeps_rows_whole():
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text(encoding="utf-8")
    rules = css[css.index("@media print {\n  @page") :]
    for needed in [".navbar", ".no-print", 'form[role="search"]', ".list-pager", ".btn", "display: table-header-group", "break-inside: avoid"]:
        assert needed in rules


def test_the_register_page_prints_with_its_title_and_filter(client, archivist, receipts):
    client.force_login(archivist)
    html = client.get(register_url(), {"q": "王"}).content.decode()
    title = html.split('class="print-title', 1)[1].split("</div>", 1)[0]
    assert "干部档案材料接收登记表" in title and "检索：王" in title
    assert register_url(view="register_print") + "?q=%E7%8E%8B" in html
    assert register_url(view="register_export") + "?q=%E7%8E%8B" in html


# --- defaults in the register forms -------------------------------------------------------


@pytest.mark.parametrize(("action", "field"), [("material", "received_on"), ("sendout", "sent_on"), ("transfer", "sent_on")])
def test_register_forms_date_today_by_default(client, archivist, action, field):
    cadre = CadreFactory()
    client.force_login(archivist)
    html = client.get(reverse("archives:cadre_register_action", args=[cadre.pk, action])).content.decode()
    today = timezone.localdate().isoformat()
    assert re.search(rf'<input type="date" name="{field}" value="{today}"', html), html
    assert "登记人：孙管档" in html


def test_the_receipt_return_date_of_a_transfer_is_today_by_default(client, archivist):
    cadre = CadreFactory()
    dossier_transfer(dossier=cadre.dossier, user=archivist, from_unit="某县", to_unit="某市", sent_on=dt.date(2026, 1, 6), method="courier")
    client.force_login(archivist)
    html = client.get(register_url("transfers")).content.decode()
    assert 'name="returned_on" id="returned-' in html and f'value="{timezone.localdate().isoformat()}"' in html


def test_a_material_received_today_by_default_is_registered_with_that_date(client, archivist):
    from archives.models import MaterialCategory

    cadre = CadreFactory()
    client.force_login(archivist)
    response = client.post(
        reverse("archives:cadre_register_action", args=[cadre.pk, "material"]),
        {
            "category": MaterialCategory.objects.get(code="6").pk,
            "title": "入党申请书",
            "formed_date": "1998.05",
            "sender": "本人补交",
            "received_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    assert MaterialReceipt.objects.get().received_on == timezone.localdate()
