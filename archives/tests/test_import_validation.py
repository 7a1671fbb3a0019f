"""Cell, row and sheet validation of the imports (IMPORT_FORMATS.md)."""

import datetime as dt

import pytest
from openpyxl import load_workbook

from archives.dates import PartialDate
from archives.imports.service import import_analyse, import_file
from archives.imports.templates import error_workbook
from archives.models import Cadre, Material, ResumePeriod, Unit
from archives.tests.factories import CadreFactory

from .import_helpers import MATERIAL_HEADERS, ROSTER_HEADERS, build_xlsx, id_for, material_row, resume_row, roster_row, sheet_rows, write

pytestmark = pytest.mark.django_db


def analyse(tmp_path, kind, rows, **kwargs):
    return import_analyse(path=write(tmp_path / f"{kind}.xlsx", kind, rows, **kwargs), kind=kind)


def lines(analysis):
    return [i.line() for i in analysis.issues]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1975.03", PartialDate(1975, 3)),
        ("1975.3", PartialDate(1975, 3)),
        ("1975-03", PartialDate(1975, 3)),
        ("1975/3", PartialDate(1975, 3)),
        ("197503", PartialDate(1975, 3)),
        ("1975.03.12", PartialDate(1975, 3, 12)),
        ("1975-3-12", PartialDate(1975, 3, 12)),
        ("1975/03/12", PartialDate(1975, 3, 12)),
        ("19750312", PartialDate(1975, 3, 12)),
        ("1975年3月12日", PartialDate(1975, 3, 12)),
        ("1975年3月", PartialDate(1975, 3)),
        (dt.datetime(1975, 3, 12), PartialDate(1975, 3, 12)),  # a real Excel date
        (197503, PartialDate(1975, 3)),  # typed as a number
        (19750312, PartialDate(1975, 3, 12)),
        (1975.03, PartialDate(1975, 3)),
        (1975.3, PartialDate(1975, 3)),
        (1975.12, PartialDate(1975, 12)),
    ],
)
def test_it_accepts_every_date_form_and_keeps_its_precision(tmp_path, cell, expected):
    outcome = import_file(path=write(tmp_path / "r.xlsx", "roster", [roster_row(1, 参加工作时间=cell)]), kind="roster")
    assert outcome.analysis.valid, lines(outcome.analysis)
    stored = Cadre.objects.get().work_start_date
    assert stored == expected
    assert stored.precision == expected.precision


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("1975.13", "月份 13 不存在"),
        ("1975.02.30", "没有30日"),
        ("2999.01", "晚于今天"),
        ("75.3", "不是可识别的日期"),
        ("1975", "不是可识别的日期"),
        ("三月", "不是可识别的日期"),
        (1975.1, "无法区分1月和10月"),
        ("=DATE(1975,3,1)", "不是可识别的日期"),
    ],
)
def test_it_refuses_impossible_future_and_unknown_dates_with_a_reason(tmp_path, cell, reason):
    analysis = analyse(tmp_path, "roster", [roster_row(1, 参加工作时间=cell)])
    assert len(analysis.issues) == 1
    issue = analysis.issues[0]
    assert (issue.sheet, issue.row, issue.column) == ("干部名册", 2, "参加工作时间")
    assert reason in issue.reason


def test_a_date_of_today_is_accepted_but_tomorrow_is_not(tmp_path):
    today = dt.date.today()
    tomorrow = today + dt.timedelta(days=1)
    ok = analyse(tmp_path, "roster", [roster_row(1, 入党时间=today.strftime("%Y.%m.%d"))])
    assert ok.valid, lines(ok)
    late = analyse(tmp_path, "roster", [roster_row(1, 入党时间=tomorrow.strftime("%Y.%m.%d"))])
    assert "晚于今天" in late.issues[0].reason


def test_it_converts_15_digit_id_numbers_and_checks_the_check_digit(tmp_path):
    number15 = "341122750312003"  # 1975-03-12, odd sequence: male
    bad_check = id_for(2)[:-1] + ("0" if id_for(2)[-1] != "0" else "1")
    analysis = analyse(tmp_path, "roster", [roster_row(1, 身份证号=number15), roster_row(2, 身份证号=bad_check)])
    assert lines(analysis) == [f"第3行 身份证号: 身份证号“{bad_check}”校验码错误"]
    import_file(path=write(tmp_path / "ok.xlsx", "roster", [roster_row(1, 身份证号=number15)]), kind="roster")
    assert Cadre.objects.get().id_number == "34112219750312003" + Cadre.objects.get().id_number[-1]
    assert len(Cadre.objects.get().id_number) == 18


def test_it_refuses_a_gender_that_disagrees_with_the_id_number(tmp_path):
    analysis = analyse(tmp_path, "roster", [roster_row(1, 性别="女")])
    assert lines(analysis) == ["第2行 性别: 性别“女”与身份证号不一致（身份证号第17位表示男性）"]


def test_it_refuses_an_id_number_excel_turned_into_a_float(tmp_path):
    analysis = analyse(tmp_path, "roster", [roster_row(1, 身份证号=3.41122197503120e17)])
    assert "存成了数字" in analysis.issues[0].reason


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("职级", "处长", "职级“处长”不在可选范围内"),
        ("学历", "幼儿园", "学历“幼儿园”不可识别"),
        ("学位", "院士", "学位“院士”应为博士、硕士或学士"),
        ("教育类别", "函授", "教育类别“函授”应为“全日制”或“在职”"),
        ("性别", "未知", "性别“未知”应为“男”或“女”"),
        ("单位", "某县//组织部", "有空的层级"),
        ("姓名", "", "必填，不能为空"),
        ("姓名", "名" * 51, "不能超过50个字"),
    ],
)
def test_it_refuses_values_outside_the_closed_vocabularies(tmp_path, column, value, reason):
    analysis = analyse(tmp_path, "roster", [roster_row(1, **{column: value})])
    assert [i.column for i in analysis.issues] == [column]
    assert reason in analysis.issues[0].reason


def test_it_accepts_rank_and_education_aliases(tmp_path):
    outcome = import_file(path=write(tmp_path / "r.xlsx", "roster", [roster_row(1, 职级="正科", 学历="大专", 学位="学士学位")]), kind="roster")
    assert outcome.analysis.valid, lines(outcome.analysis)
    cadre = Cadre.objects.get()
    assert (cadre.rank, cadre.education, cadre.degree) == ("正科级", "大学专科", "学士")


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("1", "1"),
        (1, "1"),
        ("10", "10"),
        ("第一类", "1"),
        ("第十类", "10"),
        ("第6类", "6"),
        ("履历类", "1"),
        ("党、团类", "6"),
        ("4-1", "4-1"),
        ("9-2", "9-2"),
        ("4－1", "4-1"),
        (4.1, "4-1"),
        (dt.datetime(2024, 9, 2), "9-2"),
        ("学历学位材料", "4-1"),
    ],
)
def test_it_resolves_material_categories_against_the_category_table(tmp_path, cell, code):
    cadre = CadreFactory(id_number=id_for(1))
    outcome = import_file(path=write(tmp_path / "m.xlsx", "materials", [material_row(1, 类别=cell)]), kind="materials")
    assert outcome.analysis.valid, lines(outcome.analysis)
    assert Material.objects.get(dossier=cadre.dossier).category.code == code


def test_it_refuses_an_unknown_category(tmp_path):
    CadreFactory(id_number=id_for(1))
    analysis = analyse(tmp_path, "materials", [material_row(1, 类别="第十一类"), material_row(1, 类别="4-9", 材料名称="x")])
    assert [i.column for i in analysis.issues] == ["类别", "类别"]
    assert "类别“第十一类”不存在" in analysis.issues[0].reason


def test_material_pages_and_alteration_are_checked(tmp_path):
    CadreFactory(id_number=id_for(1))
    analysis = analyse(
        tmp_path, "materials", [material_row(1, 页数="三"), material_row(1, 材料名称="b", 页数=0), material_row(1, 材料名称="c", 是否涂改="也许")]
    )
    assert lines(analysis) == ["第2行 页数: 页数“三”应为正整数", "第3行 页数: 页数“0”应为正整数", "第4行 是否涂改: “也许”应填“是”或“否”"]


def test_headers_match_ignoring_whitespace_and_full_width_forms_and_unknown_columns_are_reported(tmp_path):
    headers = [f" {h} " for h in ROSTER_HEADERS]
    headers[0] = "姓　名"  # full-width space
    headers[1] = "身份证号码"  # an alias
    headers.append("手机号")
    row = roster_row(1)
    rows = [[row[h] or None for h in ROSTER_HEADERS] + ["13800000000"]]
    path = tmp_path / "r.xlsx"
    path.write_bytes(build_xlsx({"干部名册": [headers, *rows]}))
    outcome = import_file(path=path, kind="roster")
    assert outcome.analysis.valid, lines(outcome.analysis)
    assert outcome.analysis.warnings == ["工作表“干部名册”中以下列不属于干部名册，已忽略：手机号"]
    assert Cadre.objects.get().name == "干部1"


def test_full_width_header_parentheses_match():
    from archives.imports.formats import RESUME

    assert RESUME.column_for("单位及职务(职级)") is RESUME.column_for("单位及职务（职级）") is not None


def test_missing_required_columns_are_reported_on_the_header_row(tmp_path):
    headers = [h for h in ROSTER_HEADERS if h not in ("职级", "出生日期")]
    analysis = analyse(tmp_path, "roster", [roster_row(1)], headers=headers)
    assert lines(analysis) == ["第1行 职级: 缺少必填列", "第1行 出生日期: 缺少必填列"]


def test_duplicates_inside_the_file_are_refused_even_across_15_and_18_digits(tmp_path):
    number15 = "341122750312003"
    from archives.idnumber import convert_15_to_18

    analysis = analyse(tmp_path, "roster", [roster_row(1, 身份证号=convert_15_to_18(number15)), roster_row(2), roster_row(1, 身份证号=number15)])
    assert lines(analysis) == ["第4行 身份证号: 与第2行重复（身份证号相同）"]


def test_material_duplicates_use_the_whole_key(tmp_path):
    CadreFactory(id_number=id_for(1))
    rows = [material_row(1), material_row(1, 形成日期="1995.08"), material_row(1, 页数=9)]
    analysis = analyse(tmp_path, "materials", rows)
    assert lines(analysis) == ["第4行 身份证号: 与第2行重复（身份证号、类别、材料名称、形成日期相同）"]


def test_materials_and_resume_must_name_a_cadre_of_the_database_or_the_same_file(tmp_path):
    CadreFactory(id_number=id_for(1))
    analysis = analyse(tmp_path, "materials", [material_row(1), material_row(7)])
    assert lines(analysis) == [f"第3行 身份证号: 身份证号 {id_for(7)} 不在干部名册中（系统中没有该干部），请先导入干部名册"]
    analysis = analyse(tmp_path, "resume", [{"身份证号": id_for(8), "起始时间": "1995.07", "单位及职务": "某局"}])
    assert "不在干部名册中" in analysis.issues[0].reason


def test_a_workbook_with_a_roster_sheet_imports_both_in_one_transaction(tmp_path):
    path = tmp_path / "both.xlsx"
    path.write_bytes(
        build_xlsx(
            {
                "档案材料目录": sheet_rows(MATERIAL_HEADERS, [material_row(9)]),
                "干部名册": sheet_rows(ROSTER_HEADERS, [roster_row(9)]),
            }
        )
    )
    outcome = import_file(path=path, kind="materials")
    assert outcome.analysis.valid, lines(outcome.analysis)
    cadre = Cadre.objects.get(id_number=id_for(9))
    assert Material.objects.filter(dossier=cadre.dossier).count() == 1


def test_resume_end_before_start_is_refused(tmp_path):
    CadreFactory(id_number=id_for(1))
    analysis = analyse(tmp_path, "resume", [{"身份证号": id_for(1), "起始时间": "1999.07", "终止时间": "1998.12", "单位及职务": "某局"}])
    assert lines(analysis) == ["第2行 终止时间: 终止时间早于起始时间"]


def test_every_error_is_reported_at_once_with_sheet_row_column_and_reason(tmp_path):
    rows = [roster_row(1, 职级="x"), roster_row(2, 出生日期="1975.13", 性别="女"), roster_row(3, 单位="")]
    analysis = analyse(tmp_path, "roster", rows)
    assert [(i.sheet, i.row, i.column) for i in analysis.issues] == [
        ("干部名册", 2, "职级"),
        ("干部名册", 3, "出生日期"),
        ("干部名册", 3, "性别"),
        ("干部名册", 4, "单位"),
    ]
    assert all(i.reason for i in analysis.issues)


def test_formula_text_is_stored_as_text_never_evaluated(tmp_path):
    path = write(tmp_path / "r.xlsx", "roster", [roster_row(1, 职务="=1+1", 专业="@SUM(A1)", 毕业院校="+86大学")])
    outcome = import_file(path=path, kind="roster")
    assert outcome.analysis.valid
    cadre = Cadre.objects.get()
    assert (cadre.position, cadre.major, cadre.school) == ("=1+1", "@SUM(A1)", "+86大学")


def test_a_real_formula_cell_is_kept_as_its_text(tmp_path):
    path = tmp_path / "r.xlsx"
    row = roster_row(1)
    values = [row[h] or None for h in ROSTER_HEADERS]
    values[ROSTER_HEADERS.index("职务")] = '=CONCATENATE("科","长")'
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "干部名册"
    book.active.append(ROSTER_HEADERS)
    book.active.append(values)  # a formula cell: openpyxl writes <f>
    book.save(path)
    import_file(path=path, kind="roster")
    assert Cadre.objects.get().position == '=CONCATENATE("科","长")'


def test_the_error_file_gives_the_upload_back_with_an_error_column(tmp_path):
    path = write(tmp_path / "r.xlsx", "roster", [roster_row(1), roster_row(2, 职级="处长", 职务="=HYPERLINK(1)")])
    analysis = import_analyse(path=path, kind="roster")
    content = error_workbook(path, [i.as_dict() for i in analysis.issues])
    out = tmp_path / "errors.xlsx"
    out.write_bytes(content)
    book = load_workbook(out)
    sheet = book["干部名册"]
    assert sheet["A1"].value == "错误说明"
    assert sheet["A2"].value is None
    assert "职级" in sheet["A3"].value and "处长" in sheet["A3"].value
    assert [c.value for c in sheet[3]][1:3] == ["干部2", id_for(2)]
    position = sheet.cell(row=3, column=ROSTER_HEADERS.index("职务") + 2)
    assert position.value == "=HYPERLINK(1)" and position.data_type == "s"  # escaped: text, not a formula
    assert [c.value for c in book["错误清单"][2]] == ["干部名册", 3, "职级", analysis.issues[0].reason]


def test_blank_rows_are_skipped_and_an_empty_sheet_is_an_error(tmp_path):
    analysis = analyse(tmp_path, "roster", [roster_row(1), {}, roster_row(2)])
    assert analysis.valid and analysis.counts()["new"] == 2
    empty = analyse(tmp_path, "roster", [])
    assert lines(empty) == ["第2行 -: 没有数据行"]


def test_an_invalid_file_writes_nothing_at_all(tmp_path):
    rows = [roster_row(1, 单位="新县/新局"), roster_row(2, 职级="x")]
    outcome = import_file(path=write(tmp_path / "r.xlsx", "roster", rows), kind="roster")
    assert not outcome.analysis.valid and outcome.job is None
    assert not Cadre.objects.exists() and not Unit.objects.exists()
    assert not ResumePeriod.objects.exists()


# --- the columns added for WORK-BEFORE-GRADUATION, EDU-MODE-MISMATCH and nested periods ---


def test_the_full_time_graduation_date_reads_like_every_other_date(tmp_path):
    import_file(path=write(tmp_path / "r.xlsx", "roster", [roster_row(1, 全日制毕业时间="1995年7月"), roster_row(2, 全日制毕业时间="")]), kind="roster")
    first, second = Cadre.objects.order_by("id_number")
    assert first.full_time_graduation_date == PartialDate(1995, 7) and first.full_time_graduation_date.precision == "month"
    assert second.full_time_graduation_date is None
    analysis = analyse(tmp_path, "roster", [roster_row(1, 全日制毕业时间="1995.13"), roster_row(2, 全日制毕业时间="2999.07")])
    assert [(i.row, i.column) for i in analysis.issues] == [(2, "全日制毕业时间"), (3, "全日制毕业时间")]
    assert "月份 13 不存在" in analysis.issues[0].reason and "晚于今天" in analysis.issues[1].reason


def test_the_recorded_study_mode_of_a_material_is_full_time_or_in_service(tmp_path):
    cadre = CadreFactory(id_number=id_for(1))
    rows = [material_row(1, 记载教育类别="在职"), material_row(1, 材料名称="毕业生登记表", 记载教育类别="全日制"), material_row(1, 材料名称="学籍表")]
    assert import_file(path=write(tmp_path / "m.xlsx", "materials", rows), kind="materials").analysis.valid
    modes = dict(Material.objects.filter(dossier=cadre.dossier).values_list("title", "recorded_study_mode"))
    assert modes == {"干部履历表": "在职", "毕业生登记表": "全日制", "学籍表": ""}
    analysis = analyse(tmp_path, "materials", [material_row(1, 记载教育类别="函授"), material_row(1, 材料名称="b", 记载教育类别="全日制教育")])
    assert lines(analysis) == ["第2行 记载教育类别: 教育类别“函授”应为“全日制”或“在职”"]


def resume(seq=1, **overrides):
    return resume_row(seq, **{"终止时间": "", **overrides})


@pytest.mark.parametrize(
    ("text", "written", "kind"),
    [
        ("某县组织部干部科科员", "", "任职"),
        ("其间：2005.09—2008.07在省委党校经济管理专业在职大学学习", "", "在职学习"),
        ("（其间：2001.09—2003.07参加安徽大学法学专业函授本科学习）", "", "在职学习"),
        ("(其间在县委党校中青年干部培训班学习)", "", "在职学习"),
        ("其间：参加中央党校研究生班", "", "在职学习"),
        ("其间兼任县关心下一代工作委员会副主任", "", "兼职"),
        ("（其间：2015.03—2016.03挂职任某乡党委副书记）", "", "挂职"),
        (" 其间 挂职锻炼", "", "挂职"),
        ("其间：2005.09—2008.07在省委党校学习", "挂职", "挂职"),  # an explicit 经历类型 wins
        ("其间借调省委组织部工作", "任职", "任职"),
        ("某乡副乡长（兼任武装部部长）", "", "任职"),  # only a line that begins with 其间 is nested
        ("县委党校教师", " 兼职 ", "兼职"),
    ],
)
def test_the_kind_of_a_period_is_written_or_read_from_a_qijian_line(tmp_path, text, written, kind):
    CadreFactory(id_number=id_for(1))
    outcome = import_file(path=write(tmp_path / "r.xlsx", "resume", [resume(单位及职务=text, 经历类型=written)]), kind="resume")
    assert outcome.analysis.valid, lines(outcome.analysis)
    assert ResumePeriod.objects.get().kind == kind


def test_a_qijian_line_that_names_no_kind_or_several_is_refused_with_a_reason(tmp_path):
    CadreFactory(id_number=id_for(1))
    rows = [
        resume(单位及职务="其间：2012.02—2013.02借调省委组织部工作"),
        resume(起始时间="2001.01", 单位及职务="（其间挂职锻炼，参加培训）"),
        resume(起始时间="2002.01", 经历类型="借调", 单位及职务="其间借调"),
    ]
    analysis = analyse(tmp_path, "resume", rows)
    assert [(i.row, i.column) for i in analysis.issues] == [(2, "经历类型"), (3, "经历类型"), (4, "经历类型")]
    assert "看不出类型" in analysis.issues[0].reason and "请在经历类型列填写在职学习、兼职或挂职" in analysis.issues[0].reason
    assert "同时写有在职学习、挂职的字样" in analysis.issues[1].reason
    assert analysis.issues[2].reason == "经历类型“借调”应为任职、在职学习、兼职或挂职"  # refused once, not read from the text too


def test_a_main_period_and_a_nested_one_may_start_the_same_month_but_not_two_of_a_kind(tmp_path):
    CadreFactory(id_number=id_for(1))
    rows = [
        resume(起始时间="2010.03", 终止时间="", 单位及职务="某乡乡长"),
        resume(起始时间="2010.03", 终止时间="2012.03", 单位及职务="其间兼任乡武装部第一书记"),
        resume(起始时间="2010.03", 终止时间="2011.03", 单位及职务="某乡人大主席团主席", 经历类型="兼职"),
    ]
    analysis = analyse(tmp_path, "resume", rows)
    assert lines(analysis) == ["第4行 身份证号: 与第3行重复（身份证号、起始时间、经历类型相同）"]
    assert import_file(path=write(tmp_path / "ok.xlsx", "resume", rows[:2]), kind="resume").analysis.valid
    assert sorted(ResumePeriod.objects.values_list("kind", flat=True)) == ["任职", "兼职"]


def test_kinds_read_from_qijian_lines_are_reported_and_shown_in_the_preview(tmp_path):
    CadreFactory(id_number=id_for(1))
    rows = [
        resume(起始时间="2000.01", 终止时间="", 单位及职务="某局科员"),
        resume(起始时间="2003.09", 终止时间="2006.07", 单位及职务="其间：在省委党校在职大学学习"),
        resume(起始时间="2008.01", 终止时间="2009.01", 单位及职务="其间挂职任某乡副乡长"),
        resume(起始时间="2009.05", 终止时间="2010.01", 单位及职务="在某协会任职", 经历类型="兼职"),
    ]
    analysis = analyse(tmp_path, "resume", rows)
    assert analysis.valid, lines(analysis)
    assert any("2 条经历未填经历类型" in w and "在职学习 1 条、挂职 1 条" in w for w in analysis.warnings), analysis.warnings
    preview = analysis.preview()["parts"][0]
    summaries = [s["summary"] for s in preview["new"]]
    assert summaries[0].startswith(id_for(1)) and summaries[1].startswith("［在职学习，据“其间”判定］")
    assert summaries[3].startswith("［兼职］")  # written, not read
    assert [s["row"] for s in preview["derived"]] == [3, 4]


def test_a_file_without_the_kind_column_reads_every_line(tmp_path):
    from .import_helpers import RESUME_HEADERS

    CadreFactory(id_number=id_for(1))
    headers = [h for h in RESUME_HEADERS if h != "经历类型"]
    rows = [resume(起始时间="2000.01", 单位及职务="某局科员"), resume(起始时间="2001.01", 单位及职务="其间参加函授学习")]
    outcome = import_file(path=write(tmp_path / "r.xlsx", "resume", rows, headers=headers), kind="resume")
    assert outcome.analysis.valid, lines(outcome.analysis)
    assert sorted(ResumePeriod.objects.values_list("kind", flat=True)) == ["任职", "在职学习"]
    assert not any("没有以下选填列" in w for w in outcome.analysis.warnings)  # the kind is read, not kept
