# ruff: noqa: S603, S607 -- the tests run pdftotext from PATH on files they wrote
"""The 认定表 as a county files it: one A4 page per cadre, a ruled form in Chinese only, dates
never split, long content continued on the next page. Built from hand-made data."""

import dataclasses
import datetime as dt
import io
import re
import subprocess

import pytest
from pypdf import PdfReader

from reports.data import DeterminationSheet, SheetItem, SheetRecord
from reports.linebreak import CLOSING
from reports.sheet_pdf import SHEET_TITLE, day_text, record_text, render_determination_sheets
from reports.tests.helpers import pdf_fonts, pdf_text

pytestmark = pytest.mark.slow

R = SheetRecord


def realistic_sheet(**changes) -> DeterminationSheet:
    """A 副部长 whose birth date was determined from the 招工登记表 with a 批复; the other items
    consistent; four résumé periods determined."""
    items = [
        SheetItem(
            "出生日期",
            "1975.03.12",
            [
                R("招工登记表", "1993.07", "1975.05", earliest=True),
                R("干部履历表", "1998.10", "1975.03.12", altered=True),
                R("干部任免审批表", "2016.04", "1975.03.12"),
            ],
            ["1975.05"],
            ["《招工登记表》（1993.07）", "某组复〔2026〕7号（中共某某县委组织部，2026.11.20）", "以本人填写的最早材料记载为准"],
            problem="现有出生日期与最早记载不一致，《干部履历表》出生日期有涂改。",
        ),
        SheetItem(
            "参加工作时间",
            "1993.07",
            [R("招工登记表", "1993.07", "1993.07", earliest=True), R("转正定级表", "1994.07", "1993.07")],
            ["1993.07"],
            ["《招工登记表》（1993.07）", "《转正定级表》（1994.07）"],
        ),
        SheetItem(
            "入党时间",
            "2002.08",
            [R("入党志愿书", "2002.08", "2002.08", earliest=True), R("预备党员转正申请书", "2003.08", "2002.08")],
            ["2002.08"],
            ["《入党志愿书》（2002.08）所载支部大会通过时间"],
        ),
        SheetItem(
            "学历学位",
            "大学本科 法学学士（在职）",
            [R("学历证书", "2005.07", "大学本科（在职）"), R("学历认证报告", "2026.10", "大学本科 法学学士")],
            ["大学本科 法学学士（在职）"],
            ["《教育部学历证书电子注册备案表》（2026.10）"],
        ),
        SheetItem(
            "经历",
            "简历共4段，自1993.07起",
            [
                R("招工登记表", "1993.07", "1993.07—1998.09 某县化肥厂工人"),
                R("干部履历表", "1998.10", "1998.10—2007.04 某县某某乡党政办公室干事"),
                R("干部任免审批表", "2007.05", "2007.05—2016.03 某县某某乡党委副书记"),
                R("干部任免审批表", "2016.04", "2016.04—至今 某县财政局副局长"),
            ],
            [
                "1993.07—1998.09 某县化肥厂工人",
                "1998.10—2007.04 某县某某乡党政办公室干事",
                "2007.05—2016.03 某县某某乡党委副书记",
                "2016.04—至今 某县财政局副局长",
            ],
            ["《招工登记表》（1993.07）", "《干部履历表》（1998.10）", "《干部任免审批表》（2007.05）、（2016.04）"],
        ),
    ]
    sheet = DeterminationSheet(
        campaign_name="2026年县管干部档案专项审核",
        case_id=1,
        name="张某某",
        gender="男",
        ethnicity="汉族",
        id_number="330102********123X",
        unit="中共某某县委组织部",
        position="副部长",
        rank="正科级",
        items=items,
        initial_reviewer="王某",
        initial_reviewed_at="2026-11-02",
        re_reviewer="李某",
        re_reviewed_at="2026-11-05",
        audit_opinion="经初审、复审，该同志出生日期以本人填写的最早材料《招工登记表》记载为准，认定为1975.05；其余各项与档案记载一致。",
        organization_opinion="同意审核组意见。",
        organization_opinion_on=dt.date(2026, 12, 1),
        determined_on=dt.date(2026, 12, 1),
        issuing_unit="中共某某县委组织部",
    )
    return dataclasses.replace(sheet, **changes)


def huge_sheet() -> DeterminationSheet:
    """Twenty-five résumé periods with long posts: more than a page in one item."""
    periods = [
        R(
            "干部任免审批表",
            f"{1990 + i}.{1 + i % 12:02d}",
            f"{1990 + i}.{1 + i % 12:02d}—{1991 + i}.{1 + i % 12:02d} 某县某某局第{i + 1}科室科员、副主任科员兼办公室秘书",
        )
        for i in range(25)
    ]
    sheet = realistic_sheet(name="欧阳某某")
    experience = SheetItem("经历", "简历共25段", periods, [p.value for p in periods], ["各段经历均有任免审批表证明"], problem="部分经历缺少证明材料。")
    return dataclasses.replace(sheet, items=[*sheet.items[:4], experience])


def pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def layout_lines(content: bytes, tmp_path) -> list[str]:
    """pdftotext -layout, line by line, whitespace kept."""
    path = tmp_path / "layout.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout.splitlines()


def cells(lines: list[str]) -> list[str]:
    """The pieces of text of a layout line (columns are set apart by two or more spaces)."""
    return [piece for line in lines for piece in re.split(r"\s{2,}|\f", line.strip()) if piece]


# --- pages ---------------------------------------------------------------------------------


def test_one_sheet_is_one_a4_page():
    content = render_determination_sheets([realistic_sheet()])
    assert pages(content) == 1
    box = PdfReader(io.BytesIO(content)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_two_sheets_are_two_pages_each_with_its_title(tmp_path):
    content = render_determination_sheets([realistic_sheet(), realistic_sheet(name="李某某")])
    assert pages(content) == 2
    text = pdf_text(content, tmp_path)
    assert text.count(SHEET_TITLE) == 2
    assert "张某某" in text and "李某某" in text


def test_a_huge_sheet_continues_on_several_pages_with_the_name_and_the_column_heads_repeated(tmp_path):
    content = render_determination_sheets([huge_sheet(), realistic_sheet()])
    assert pages(content) >= 3
    assert pdf_text(content, tmp_path).count(SHEET_TITLE) == 2  # one title per form, however long
    reader = PdfReader(io.BytesIO(content))
    continuation = reader.pages[1].extract_text()
    assert "姓名：欧阳某某" in continuation and "认定表（续）" in continuation
    assert "经历" in continuation and continuation.count("（续）") == 2  # the item goes on
    assert "认定依据" in continuation and "档案记载" in continuation  # the column heads again
    assert "第1页" in reader.pages[0].extract_text()
    # Every period is printed, whole, and the next cadre starts on a page of their own.
    text = "\n".join(layout_lines(content, tmp_path))
    for period in huge_sheet().items[4].recorded:
        assert period.value.split(" ")[0] in text
    last = reader.pages[-1].extract_text()
    assert SHEET_TITLE in last and "张某某" in last and "欧阳某某" not in last


def test_an_empty_batch_renders_a_page_saying_so(tmp_path):
    assert "没有可生成的认定表" in pdf_text(render_determination_sheets([]), tmp_path)


def test_progress_is_reported_up_to_the_total():
    calls = []
    render_determination_sheets([realistic_sheet()] * 3, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (3, 3)


# --- what it shows ---------------------------------------------------------------------------


def test_the_form_has_its_labels_and_the_data(tmp_path):
    text = pdf_text(render_determination_sheets([realistic_sheet()]), tmp_path)
    for label in (
        SHEET_TITLE,
        "姓名",
        "性别",
        "民族",
        "身份证号",
        "单位",
        "职务",
        "职级",
        "现有信息",
        "档案记载",
        "认定值",
        "认定依据",
        "审核组意见",
        "组织部门审核意见",
        "本人确认",
        "本人意见：",
        "签字：",
        "盖章",
        "认定日期",
    ):
        assert label in text, label
    for value in ("330102********123X", "中共某某县委组织部", "副部长", "正科级", "某组复〔2026〕7号", "初审人：王某", "复审人：李某", "同意审核组意见。"):
        assert value in text, value
    assert "审核发现：现有出生日期与最早记载不" in text


def test_records_read_material_date_and_value_with_the_earliest_and_altered_marked(tmp_path):
    text = "\n".join(layout_lines(render_determination_sheets([realistic_sheet()]), tmp_path))
    assert "《招工登记表》（1993.07）：" in text and "1975.05（最早记载）" in text
    assert "1975.03.12（有涂改）" in text


def test_record_text():
    assert record_text(R("招工登记表", "1993.07", "1975.03.12")) == "《招工登记表》（1993.07）：1975.03.12"
    assert record_text(R("《招工登记表》", "1993.07", "1975.05", earliest=True)) == "《招工登记表》（1993.07）：1975.05（最早记载）"
    assert record_text(R("干部履历表", "", "1975.03.12", altered=True)) == "《干部履历表》：1975.03.12（有涂改）"
    assert record_text(R("干部任免审批表", "2007.05", "2007.05—2016.03 某乡党委副书记")) == "2007.05—2016.03 某乡党委副书记 《干部任免审批表》（2007.05）"
    assert record_text(R("", "", "2007.05—2016.03 某乡党委副书记")) == "2007.05—2016.03 某乡党委副书记"


def test_dates_are_in_chinese_for_the_signatures():
    assert day_text("2026-11-02") == "2026年11月2日"
    assert day_text("2026.11.02") == "2026年11月2日"
    assert day_text("") == ""


def test_the_opinions_carry_the_reviewers_dates_and_the_seal_date_in_chinese(tmp_path):
    text = pdf_text(render_determination_sheets([realistic_sheet()]), tmp_path)
    assert "王某（2026年11月2日）" in text and "李某（2026年11月5日）" in text
    assert "中共某某县委组织部（盖章）" in text
    assert text.count("2026年12月1日") == 2  # the seal's date and the 认定日期
    assert "审核人（签字）：" in text


def test_blank_opinions_and_dates_are_left_for_hand_entry(tmp_path):
    sheet = realistic_sheet(audit_opinion="", organization_opinion="", organization_opinion_on=None, determined_on=None, issuing_unit="")
    text = pdf_text(render_determination_sheets([sheet]), tmp_path)
    assert "（盖章）年月日" in text
    assert "2026年12月1日" not in text
    assert text.count("年月日") == 2  # the seal's and the cadre's signature


def test_the_cadre_is_not_made_to_agree_in_advance(tmp_path):
    text = pdf_text(render_determination_sheets([realistic_sheet()]), tmp_path)
    assert "无异议" not in text
    assert "本人意见：" in text


def test_an_undetermined_item_leaves_its_value_blank_without_any_workflow_word(tmp_path):
    sheet = realistic_sheet()
    birth = dataclasses.replace(sheet.items[0], determined=[])
    content = render_determination_sheets([dataclasses.replace(sheet, items=[birth, *sheet.items[1:]])])
    text = pdf_text(content, tmp_path)
    for word in ("待核实", "尚待认定", "待认定", "已登记", "整改中", "拟认定"):
        assert word not in text
    birth_row = next(line for line in layout_lines(content, tmp_path) if "出生日期" in line)
    assert "1975.05" not in birth_row  # the 认定值 cell of that row is empty


def test_empty_particulars_are_left_out():
    sheet = realistic_sheet(rank="", position="", ethnicity="")
    text = "".join(PdfReader(io.BytesIO(render_determination_sheets([sheet]))).pages[0].extract_text().split())
    assert "职级" not in text and "职务" not in text and "民族" not in text
    assert "单位" in text and "姓名" in text


# --- Chinese only, printed cleanly ----------------------------------------------------------


@pytest.mark.parametrize("build", [realistic_sheet, huge_sheet])
def test_there_are_no_latin_letters_but_the_x_of_the_id_number(build, tmp_path):
    text = pdf_text(render_determination_sheets([build()]), tmp_path)
    assert re.findall(r"[A-Za-z]", text.replace("123X", "")) == []


@pytest.mark.parametrize("build", [realistic_sheet, huge_sheet])
def test_no_line_of_any_cell_starts_with_closing_punctuation(build, tmp_path):
    pieces = cells(layout_lines(render_determination_sheets([build()]), tmp_path))
    assert pieces
    assert [piece for piece in pieces if piece[0] in CLOSING] == []


def test_dates_and_periods_are_never_split(tmp_path):
    text = "\n".join(layout_lines(render_determination_sheets([realistic_sheet()]), tmp_path))
    for value in ("1975.03.12", "1975.05", "2002.08", "1993.07—1998.09", "2007.05—2016.03", "2016.04—至今", "2026.11.20", "2026年12月1日", "2026年11月2日"):
        assert value in text, value


def test_the_fonts_are_embedded(tmp_path):
    fonts = pdf_fonts(render_determination_sheets([realistic_sheet(), huge_sheet()]), tmp_path)
    assert fonts
    assert all(row[-5] == "yes" for row in fonts), fonts  # the emb column
    assert not any(row[0].startswith("Helvetica") for row in fonts)
