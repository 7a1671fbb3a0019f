"""The cadre list for daily work: sortable columns, page sizes, and the export of what is
filtered with the page's columns only (the ID number masked), which opens no dossier."""

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from archives.dates import PartialDate
from archives.models import DossierUse, Recusal
from archives.tests.factories import CadreFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    county = UnitFactory(name="某县")
    bureau = UnitFactory(name="财政局", parent=county)
    school = UnitFactory(name="教育局", parent=county)
    CadreFactory(name="王小明", unit=bureau, rank="副科级", position="副局长", birth_date=PartialDate(1980, 5), education="研究生")
    CadreFactory(name="李大海", unit=county, rank="正处级", position="县长", birth_date=PartialDate(1970, 1, 2), education="大学本科")
    CadreFactory(name="赵一", unit=school, rank="科员", position="=1+1", birth_date=PartialDate(1990, 12, 31), education="大学专科", party_join_date=None)
    return county


def names(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'href="/archives/cadres/\d+/">([^<]+)</a>', body)


def sheet_rows(response) -> list[list]:
    assert response.status_code == 200
    return [list(r) for r in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["李大海", "赵一", "王小明"]),  # by unit (某县, 某县/教育局, 某县/财政局), then name
        ("rank", ["李大海", "王小明", "赵一"]),  # 正处级 first
        ("-rank", ["赵一", "王小明", "李大海"]),
        ("birth", ["李大海", "王小明", "赵一"]),
        ("-birth", ["赵一", "王小明", "李大海"]),
        ("education", ["赵一", "李大海", "王小明"]),  # 大学专科 < 大学本科 < 研究生
        ("-name", sorted(["李大海", "王小明", "赵一"], reverse=True)),
        ("id_number", ["李大海", "赵一", "王小明"]),  # not a sort key: the default
    ],
)
def test_the_cadre_list_sorts_by_its_columns(client, archivist, county, sort, expected):
    client.force_login(archivist)
    assert names(client.get(reverse("archives:cadre_list"), {"sort": sort} if sort else {}).content.decode()) == expected


def test_a_descending_column_keeps_its_ties_in_name_order(client, archivist, county):
    for name in ["乙", "甲", "丙"]:
        CadreFactory(name=name, unit=county, rank="正处级")
    client.force_login(archivist)
    for sort in ["rank", "-rank"]:
        shown = names(client.get(reverse("archives:cadre_list"), {"sort": sort}).content.decode())
        chu = [n for n in shown if n in ("甲", "乙", "丙", "李大海")]
        assert chu == sorted(chu)  # 正处级 together, A to Z either way


def test_the_masked_id_number_is_not_a_sort_key(client, archivist, county):
    client.force_login(archivist)
    html = client.get(reverse("archives:cadre_list")).content.decode()
    assert "sort=id" not in html and "sort=rank" in html and 'aria-sort="ascending"' in html


def test_the_count_shows_and_the_size_is_chosen(client, archivist, county):
    CadreFactory.create_batch(22, unit=county)
    client.force_login(archivist)
    html = client.get(reverse("archives:cadre_list"), {"size": "20"}).content.decode()
    assert "共 25 人" in html and "第 1 / 2 页，共 25 条" in html
    assert len(names(html)) == 20


def test_the_export_has_the_lists_columns_with_the_id_number_masked(client, archivist, county):
    client.force_login(archivist)
    response = client.get(reverse("archives:cadre_export"), {"sort": "-birth", "size": "20", "page": "3"})
    rows = sheet_rows(response)
    assert rows[0] == ["姓名", "性别", "身份证号", "单位", "职务", "职级", "出生日期", "参加工作时间", "入党时间", "学历"]
    assert [r[0] for r in rows[1:]] == ["赵一", "王小明", "李大海"]
    zhao = rows[1]
    assert re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", zhao[2])
    assert zhao[3] == "某县/教育局" and zhao[4] == "=1+1" and zhao[5] == "科员" and zhao[6] == "1990.12.31" and zhao[8] in ("", None)
    cell = openpyxl.load_workbook(io.BytesIO(response.content)).active["E2"]
    assert cell.value == "=1+1" and cell.data_type == "s"


def test_the_export_follows_the_search_and_leaves_out_own_and_relatives(client, archivist, county):
    relative = CadreFactory(name="王亲属", unit=county)
    Recusal.objects.create(user=archivist, cadre=relative, relation="父子")
    client.force_login(archivist)
    rows = sheet_rows(client.get(reverse("archives:cadre_export"), {"q": "王"}))
    assert [r[0] for r in rows[1:]] == ["王小明"]


def test_exporting_cadres_records_no_use_of_their_dossiers(client, archivist, county):
    client.force_login(archivist)
    client.get(reverse("archives:cadre_export"))
    assert not DossierUse.objects.exists()


@pytest.mark.parametrize("fixture", ["auditor", "chief", "leader"])
def test_other_roles_cannot_export_cadres(client, request, fixture):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(reverse("archives:cadre_export")).status_code == 403


def test_the_cadre_export_makes_a_constant_number_of_queries(client, archivist, county, django_assert_max_num_queries):
    client.force_login(archivist)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("archives:cadre_export"))
    CadreFactory.create_batch(40, unit=county)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("archives:cadre_export"))


def test_a_sorted_cadre_list_makes_a_constant_number_of_queries(client, archivist, county, django_assert_max_num_queries):
    client.force_login(archivist)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("archives:cadre_list"), {"sort": "-education", "size": "100"})
    CadreFactory.create_batch(40, unit=county)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("archives:cadre_list"), {"sort": "-education", "size": "100"})
