"""The summary report as a 公文 (GB/T 9704-2012), read back through pdftotext, pdffonts,
pypdf and pdftoppm; built from hand-made data (the renderer makes no queries). Then the 认定表."""

# ruff: noqa: S603, S607 -- the tests run known PDF tools (pdftotext, pdftoppm) from PATH on files they wrote
import dataclasses
import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from pypdf import PdfReader

from audits.models import Campaign
from reports import fonts, narrative, pdf, selectors, services, sheet_pdf
from reports.data import CampaignStatistics, CategoryStats, CountRow, GroupRow, Narrative, SummaryReport

from .factories import build_known_campaign
from .helpers import pdf_fonts, pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

MM = 72 / 25.4
MODEL_REPORT = Path("/work/shared/reference/summary_report_model.txt")


def _today() -> str:
    d = timezone.localdate()
    return f"{d.year}年{d.month}月{d.day}日"


# --- hand-built data ---------------------------------------------------------------------------


def statistics(*, draft: bool = False, **changes) -> CampaignStatistics:
    """40 dossiers, 30 fully consistent and 10 with problems; a draft has 3 cases in review and
    2 findings to verify, so only 27 are consistent and 2 cases are undecided."""
    stats = CampaignStatistics(
        campaign_id=1,
        campaign_name="手工数据批次",
        generated_at=timezone.make_aware(dt.datetime(2026, 11, 28, 9, 30)),
        total_cases=40,
        by_rank=[GroupRow("正科级", 10, 4, 5, 1), GroupRow("科员", 30, 6, 9, 2)],
        consistent_cadres=30,
        discrepancies=14,
        categories=[
            CategoryStats(
                "age",
                "年龄",
                cadres=3,
                discrepancies=4,
                corrected=4,
                cadres_resolved=3,
                feedback_rounds=2,
                interviews=5,
                cadres_determined=3,
                cadres_corrected=3,
            ),
            CategoryStats(
                "work", "工龄", cadres=2, discrepancies=2, determined=2, cadres_resolved=2, materials_requested=4, materials_received=4, cadres_determined=2
            ),
            CategoryStats(
                "party",
                "党龄",
                cadres=4,
                discrepancies=5,
                corrected=2,
                open=3,
                cadres_resolved=2,
                cadres_inconsistent=3,
                cadres_missing_application=2,
                feedback_rounds=2,
                interviews=5,
                materials_requested=12,
                materials_received=10,
                cadres_determined=7,
                cadres_corrected=9,
            ),
            CategoryStats("education", "学历学位", cadres=1, discrepancies=1, open=1, interviews=1),
            CategoryStats("experience", "经历"),
        ],
        stages=[
            CountRow("initial_review", "初审", 0),
            CountRow("re_review", "交叉复审", 0),
            CountRow("chief_check", "科长把关", 0),
            CountRow("leader_check", "领导抽查", 0),
            CountRow("rectification", "整改", 0),
            CountRow("closed", "已办结", 40),
        ],
        states=[CountRow("registered", "已登记", 4), CountRow("dismissed", "已排除", 2, counted=False)],
        by_unit=[GroupRow("某县财政局", 25, 6, 9, 2), GroupRow("某县堃镕乡人民政府", 15, 4, 5, 1)],
        auditors=[],
        cadres_with_discrepancies=10,
        reviewed_cases=40,
    )
    if draft:
        stats = dataclasses.replace(
            stats,
            consistent_cadres=27,
            reviewed_cases=37,
            unfinished_cases=3,
            pending_findings=2,
            stages=[
                CountRow("initial_review", "初审", 2),
                CountRow("re_review", "交叉复审", 1),
                CountRow("chief_check", "科长把关", 0),
                CountRow("leader_check", "领导抽查", 0),
                CountRow("rectification", "整改", 5),
                CountRow("closed", "已办结", 32),
            ],
        )
    return dataclasses.replace(stats, **changes)


def report_text(**changes) -> Narrative:
    values = {
        "title": narrative.DEFAULT_TITLE,
        "addressee": narrative.DEFAULT_ADDRESSEE,
        "issuing_unit": "中共某县委组织部",
        "report_date": dt.date(2026, 12, 1),
        "opening": narrative.DEFAULT_OPENING.format(campaign="“手工数据批次”"),
        "practices": narrative.DEFAULT_PRACTICES,
        "problems": narrative.DEFAULT_PROBLEMS,
    }
    return Narrative(**{**values, **changes})


def render(stats=None, text=None) -> bytes:
    return pdf.render_summary_report(SummaryReport(statistics=stats or statistics(), narrative=text or report_text()))


FURNITURE = re.compile(r"—\s*\d+\s*—|初稿(?=\s*\n)")


def text_of(content: bytes, tmp_path: Path, *, layout: bool = False) -> str:
    """The report's words, page numbers and the 初稿 header taken out, whitespace dropped."""
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", FURNITURE.sub("", out))


def drawn_text(content: bytes, tmp_path: Path) -> list[list[tuple]]:
    """Per page: (x, y, font size, face, text) of each run drawn, in points from the bottom left
    (x, y where its line starts: a line drawn in two faces gives two runs at the same place)."""
    path = tmp_path / "runs.pdf"
    path.write_bytes(content)
    pages = []
    for page in PdfReader(str(path)).pages:
        runs = []

        def visit(text, cm, tm, font, size, runs=runs):
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                face = str((font or {}).get("/BaseFont", "")).split("+")[-1]
                if runs and runs[-1][:4] == (x, y, size, face):  # the same line and face, another subset
                    runs[-1] = (x, y, size, face, runs[-1][4] + text.strip())
                else:
                    runs.append((x, y, size, face, text.strip()))

        page.extract_text(visitor_text=visit)
        pages.append(runs)
    return pages


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    return render()


@pytest.fixture(scope="module")
def draft():
    return render(statistics(draft=True))


# --- figures in words ----------------------------------------------------------------------------


def test_every_figure_of_a_finished_campaign_is_written_out(finished, tmp_path):
    text = text_of(finished, tmp_path)
    for fragment in (
        "干部人事档案专项审核工作总结报告",
        "市委组织部：",
        "一、专项审核情况",
        "此次专项审核干部人事档案40卷，其中正科级10人，科员30人。",
        "截至2026年11月28日，专项审核工作已全部完成。",
        "审核的40卷档案，档案资料记载与现有干部信息完全一致的30名，占总数的75.0%；其余10名干部档案与现有干部信息不同程度地存在差别，具体归纳为五个方面",
        "（一）年龄方面：",
        "的3人，占总数的7.5%。经过2轮信息反馈、约谈5人次，已认定3人、纠正3人，目前已全部整改到位。",
        "（二）工龄方面：",
        "的2人，占总数的5.0%。经补充材料4份，已认定2人，目前已全部整改到位。",
        "（三）党龄方面：",
        "规范记载的3人，入党申请书缺失、需要补充的2人，合计4人（兼有两类问题的只计一次），占总数的10.0%。"
        "经过2轮信息反馈、约谈5人次、补充材料12份（已收到10份），已认定7人、纠正9人，其余正在跟踪推进。",
        "（四）学历学位方面：",
        "的1人，占总数的2.5%。经约谈1人次，目前正在跟踪推进。",
        "（五）经历方面：",
        "的0人，占总数的0.0%。本次审核未发现此类问题。",
        "二、主要做法",
        "三、存在问题和今后打算",
        "附件：专项审核统计表",
        "中共某县委组织部2026年12月1日",
    ):
        assert fragment in text, fragment
    for absent in ("初稿", "未审结", "尚在审核，结论待定", "已纠正4条"):
        assert absent not in text, absent


def test_a_draft_says_what_is_unfinished_and_never_calls_the_rest_with_problems(draft, tmp_path):
    text = text_of(draft, tmp_path)
    for fragment in (
        "市委组织部：本报告为初稿：尚有3卷未审结，系统比对疑点2条待核实。",
        "截至2026年11月28日，已审结37卷（其中已办结32卷、整改中5卷），尚在审核环节3卷（初审2卷、交叉复审1卷）。",
        "已审结的37卷中，档案资料记载与现有干部信息完全一致的27名，占总数的67.5%；"
        "全部40卷中，经核实存在问题的干部10名，占总数的25.0%；其余3卷尚在审核，结论待定。",
    ):
        assert fragment in text, fragment
    assert "其余10名" not in text


def test_a_draft_names_only_what_keeps_it_a_draft(tmp_path):
    only_pending = text_of(render(statistics(pending_findings=4)), tmp_path)
    assert "本报告为初稿：系统比对疑点4条待核实。" in only_pending
    assert "未审结" not in only_pending
    only_unfinished = text_of(render(statistics(draft=True, pending_findings=0)), tmp_path)
    assert "本报告为初稿：尚有3卷未审结。" in only_unfinished


def test_every_page_of_a_draft_and_no_page_of_a_final_report_carries_the_draft_mark(finished, draft, tmp_path):
    for content, expected in ((draft, True), (finished, False)):
        path = tmp_path / "marks.pdf"
        path.write_bytes(content)
        pages = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True).stdout.split("\f")[:-1]
        assert len(pages) >= 3
        assert all(("初稿" in page) is expected for page in pages)
    header = [run for run in drawn_text(draft, tmp_path)[1] if run[4] == "初稿"]
    assert header and header[0][1] > 842 - 37 * MM  # above the 版心, in the header
    assert header[0][3] == fonts.face_name("heading")


def test_category_resolution_says_only_what_was_done():
    c = CategoryStats(
        "party",
        "党龄",
        cadres=12,
        open=2,
        feedback_rounds=2,
        interviews=5,
        materials_requested=12,
        materials_received=12,
        cadres_determined=7,
        cadres_corrected=9,
    )
    assert narrative.category_resolution(c) == "经过2轮信息反馈、约谈5人次、补充材料12份，已认定7人、纠正9人，其余正在跟踪推进。"
    outstanding = dataclasses.replace(c, materials_received=10)
    assert "补充材料12份（已收到10份）" in narrative.category_resolution(outstanding)
    closed = dataclasses.replace(c, open=0, feedback_rounds=0, interviews=0)
    assert narrative.category_resolution(closed) == "补充材料12份，已认定7人、纠正9人，目前已全部整改到位。".replace("补充", "经补充", 1)
    assert narrative.category_resolution(CategoryStats("age", "年龄")) == "本次审核未发现此类问题。"
    assert narrative.category_resolution(CategoryStats("age", "年龄", pending=2)) == "目前尚无经核实的此类问题，另有系统比对疑点2条待核实。"
    assert narrative.category_resolution(CategoryStats("age", "年龄", cadres=1, cadres_resolved=1)) == "目前已全部整改到位。"


def test_the_chief_s_paragraph_replaces_the_default_of_its_category_only(tmp_path):
    wording = "经过收集相关材料和反复论证，目前已全部完成认定。"
    text = text_of(render(text=report_text(category_texts={"work": wording})), tmp_path)
    assert "的2人，占总数的5.0%。" + wording in text
    assert "经补充材料4份" not in text
    assert "经过2轮信息反馈、约谈5人次，已认定3人" in text  # age keeps the default


# --- the 公文 parts: 文号, 签发人, 主送, 落款 -------------------------------------------------------


def test_doc_number_and_signer_are_printed_only_when_set(finished, tmp_path):
    content = render(text=report_text(doc_number="某组字〔2026〕12号", signer="张三"))
    text = text_of(content, tmp_path)
    assert "某组字〔2026〕12号签发人：张三" in text
    runs = drawn_text(content, tmp_path)[0]
    number = next(run for run in runs if run[4] == "某组字〔2026〕12号")
    title = next(run for run in runs if run[4] == narrative.DEFAULT_TITLE)
    assert number[1] > title[1]  # above the title
    assert abs(number[0] - (28 * MM + pdf.PITCH)) < 1  # 居左空一字 beside 签发人
    alone = drawn_text(render(text=report_text(doc_number="某组字〔2026〕12号")), tmp_path)[0]
    centred = next(run for run in alone if "〔2026〕" in run[4])
    width = 6 * 16 + 6 * 8 + 11 * (pdf.PITCH - 16)  # six full-width characters, six digits, on the grid
    assert abs(centred[0] + width / 2 - (28 + 78) * MM) < 4
    blank = text_of(finished, tmp_path)
    assert "签发人" not in blank and "〔" not in blank


def test_the_default_addressee_is_the_city_organization_department(tmp_path):
    campaign = Campaign.objects.create(name="批次")
    text = selectors.report_narrative(campaign)
    assert (narrative.DEFAULT_ADDRESSEE, text.addressee) == ("市委组织部", "市委组织部")
    runs = drawn_text(render(text=text), tmp_path)[0]
    addressee = next(run for run in runs if run[4] == "市委组织部：")
    assert abs(addressee[0] - 28 * MM) < 0.5  # 顶格


def test_report_narrative_carries_the_doc_number_signer_and_category_texts(chief):
    campaign = Campaign.objects.create(name="批次")
    services.report_settings_update(
        campaign=campaign, user=chief, doc_number="某组字〔2026〕12号", signer=" 张三 ", resolution_work="已全部完成认定。", resolution_age="  "
    )
    text = selectors.report_narrative(campaign)
    assert (text.doc_number, text.signer, text.category_texts) == ("某组字〔2026〕12号", "张三", {"work": "已全部完成认定。"})


def test_the_closing_leaves_room_for_the_seal_and_dates_in_chinese(finished, tmp_path):
    pages = drawn_text(finished, tmp_path)
    runs = next(page for page in pages if any(run[4] == "2026年12月1日" for run in page))
    date = next(run for run in runs if run[4] == "2026年12月1日")
    unit = next(run for run in runs if run[4] == "中共某县委组织部")
    note = next(run for run in runs if run[4].startswith("附件："))
    date_width = 7 * 8 + 3 * 16 + 9 * (pdf.PITCH - 16)  # seven half-width digits, on the grid
    right = 28 * MM + 156 * MM
    assert abs(right - (date[0] + date_width) - 4 * pdf.PITCH) < 1  # 右空四字
    unit_width = 8 * 16 + 7 * (pdf.PITCH - 16)
    assert abs((unit[0] + unit_width / 2) - (date[0] + date_width / 2)) < 1  # unit centred over the date
    assert note[1] - unit[1] >= 3.5 * pdf.LEADING  # three blank lines for the seal


# --- layout: page, margins, faces, sizes ---------------------------------------------------------


def test_the_page_is_a4_with_the_gb9704_text_block(finished, tmp_path):
    path = tmp_path / "a4.pdf"
    path.write_bytes(finished)
    box = PdfReader(str(path)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    pages = drawn_text(finished, tmp_path)
    body = [run for run in pages[1] if run[2] == pdf.BODY_SIZE]
    assert min(run[0] for run in body) == pytest.approx(28 * MM, abs=0.1)  # 订口 28 mm
    top_baseline = max(run[1] for run in body)
    assert 842 - 37 * MM - top_baseline == pytest.approx(pdf.LEADING / 2 + 0.38 * 16, abs=0.5)  # 天头 37 mm
    lines = [len({round(run[1], 1) for run in page if run[2] == pdf.BODY_SIZE}) for page in pages[:-2]]
    assert max(lines) == pdf.LINES_PER_PAGE  # a full page has 22 lines
    # What reaches the paper: ink only inside the 版心 (the page number below it).
    top, left, right, bottom = ink_box(finished, tmp_path, page=2)
    assert 37 <= top <= 41
    assert 27.5 <= left <= 29.5
    assert 180 <= right <= 184.5  # 210 - 26 mm
    assert bottom <= 297 - 35 + 12  # the page number sits 7 mm under the 版心


def ink_box(content: bytes, tmp_path: Path, *, page: int) -> tuple[float, float, float, float]:
    """Top, left, right and bottom of the ink of a page rendered by pdftoppm, in mm."""
    path = tmp_path / "ink.pdf"
    path.write_bytes(content)
    out = tmp_path / "ink"
    subprocess.run(["pdftoppm", "-gray", "-r", "72", "-f", str(page), "-l", str(page), "-singlefile", str(path), str(out)], check=True)
    data = (tmp_path / "ink.pgm").read_bytes()
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    width, height = int(header.group(1)), int(header.group(2))
    pixels = data[header.end() :]
    rows = [y for y in range(height) if min(pixels[y * width : (y + 1) * width]) < 128]
    cols = [x for x in range(width) if any(pixels[y * width + x] < 128 for y in rows)]
    to_mm = 25.4 / 72
    return rows[0] * to_mm, cols[0] * to_mm, (cols[-1] + 1) * to_mm, (rows[-1] + 1) * to_mm


def test_title_headings_and_body_have_their_faces_and_sizes(draft, tmp_path):
    runs = [run for page in drawn_text(draft, tmp_path) for run in page]

    def first(text):
        return next(run for run in runs if run[4].startswith(text))

    assert first(narrative.DEFAULT_TITLE)[2:4] == (pdf.TITLE_SIZE, fonts.face_name("title"))
    assert first(narrative.DEFAULT_TITLE)[0] + 16 * 22 / 2 == pytest.approx((28 + 78) * MM, abs=1)  # centred
    assert first("一、专项审核情况")[2:4] == (16, fonts.face_name("heading"))
    assert first("此次专项审核")[2:4] == (16, fonts.face_name("body"))
    assert first("（一）年龄方面：")[2:4] == (16, fonts.face_name("kai"))  # the lead in 楷体
    assert first("（一）明确责任分工，统筹推进审核。")[2:4] == (16, fonts.face_name("kai"))
    assert first("本报告为初稿")[3] == fonts.face_name("kai")
    assert first("— 1 —")[2:4] == (pdf.PAGE_NUMBER_SIZE, fonts.face_name("song"))
    # The rest of a second-level paragraph is in the body face.
    assert any(run[3] == fonts.face_name("body") and run[4].startswith("出生日期与档案最早记载") for run in runs)
    # First lines are indented two characters; the line pitch is 22 lines to the 版心.
    opening = first("按照上级关于开展")
    assert opening[0] == pytest.approx(28 * MM + 2 * pdf.PITCH, abs=0.1)
    assert pdf.LEADING * pdf.LINES_PER_PAGE <= 225 * MM < pdf.LEADING * (pdf.LINES_PER_PAGE + 1)
    assert 28 <= pdf.LEADING <= 29


def test_page_numbers_sit_right_on_odd_pages_and_left_on_even(finished, tmp_path):
    pages = drawn_text(finished, tmp_path)
    for index, runs in enumerate(pages, 1):
        number = next(run for run in runs if re.fullmatch(rf"— {index} —", run[4]))
        width = 2 * 14 + 2 * 7 + 7 * len(str(index))
        assert number[1] < 35 * MM - 7 * MM  # under the 版心
        if index % 2:
            assert (28 + 156) * MM - (number[0] + width) == pytest.approx(14, abs=1)  # 居右空一字
        else:
            assert number[0] - 28 * MM == pytest.approx(14, abs=1)  # 居左空一字


def test_every_face_is_embedded_and_the_four_roles_are_present(draft, tmp_path):
    rows = pdf_fonts(draft, tmp_path)
    assert rows
    for row in rows:
        assert row[-5] == "yes", row  # the "emb" column
    names = {row[0].split("+")[-1] for row in rows}
    for role in ("title", "body", "heading", "kai", "song"):
        assert fonts.face_name(role) in names, role
    assert {"BousungEG-Light-GB", "WenQuanYiZenHei-0", "UKaiCN-0", "UMingCN-0"} <= names  # the defaults


def test_every_face_has_every_character_the_report_prints(draft, tmp_path):
    printed = text_of(draft, tmp_path).replace("堃镕", "")  # a rare name: drawn by a fallback face, below
    source = MODEL_REPORT.read_text(encoding="utf-8") if MODEL_REPORT.exists() else ""
    words = source + printed + narrative.DEFAULT_PRACTICES + narrative.DEFAULT_PROBLEMS + narrative.DEFAULT_OPENING + "〔〕—初稿签发人："
    for role in fonts.ROLES:
        assert fonts.missing(role, words) == "", role


def test_a_character_the_body_face_lacks_is_drawn_by_another_face(draft, tmp_path):
    assert fonts.missing("body", "堃镕") == "堃镕"  # GB 2312 only
    runs = [run for page in drawn_text(draft, tmp_path) for run in page]
    assert "某县堃镕乡人民政府" in text_of(draft, tmp_path)
    assert fonts.face_for("body", "堃") != fonts.font("body")
    assert any(run[3] == fonts.face_name("song") and "堃" in run[4] for run in runs)


# --- line breaking ----------------------------------------------------------------------------------


def test_no_line_starts_with_closing_punctuation(draft, finished, tmp_path):
    # Commas and full stops fall at every position of the first and later lines.
    tricky = "\n".join("（{}）{}，{}。{}“{}”".format("一二三四五六七八"[i], "审" * (20 + i), "核" * (24 + i), "查" * (20 + 2 * i), "档案") for i in range(8))
    for content in (draft, finished, render(text=report_text(practices=tricky, problems=tricky))):
        path = tmp_path / "lines.pdf"
        path.write_bytes(content)
        lines = subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout.splitlines()
        starts = [line for line in lines if re.match(r"\s*[，。：；、）》」’”％%]", line)]
        assert not starts, starts
        ends = [line for line in lines if re.search(r"[（《「“]\s*$", line)]
        assert not ends, ends


def test_a_long_title_is_set_in_two_balanced_lines_and_a_space_sets_the_break():
    assert pdf.title_lines("干部人事档案专项审核工作总结报告") == "干部人事档案专项审核工作总结报告"
    assert pdf.title_lines("关于某某县干部人事档案专项审核工作情况的报告") == "关于某某县干部人事档案\n专项审核工作情况的报告"
    assert pdf.title_lines("关于某某县 干部人事档案专项审核工作情况的报告") == "关于某某县\n干部人事档案专项审核工作情况的报告"


# --- the appendix --------------------------------------------------------------------------------------


def test_the_appendix_keeps_its_tables_and_shows_unverified_findings_apart(draft, tmp_path):
    text = text_of(draft, tmp_path)
    for fragment in (
        "附件专项审核统计表",
        "表1审核总体情况",
        "审核档案（卷）40已审结（卷）37尚在审核环节（卷）3档案记载与现有信息完全一致（人）27完全一致占总数67.5%存在问题（人）10问题条数（条）14",
        "系统比对疑点待核实（条，不计入）2",
        "注：问题条数只计审核人员登记或核实确认的问题",
        "表2按问题类别",
        "党龄410.0%52030",
        "表5按单位",
    ):
        assert fragment in text, fragment
    appendix = [run for run in drawn_text(draft, tmp_path)[-1] if run[2] not in (pdf.PAGE_NUMBER_SIZE, pdf.BODY_SIZE, pdf.TITLE_SIZE)]
    assert appendix and all(10.5 <= run[2] <= 13 for run in appendix)


# --- font settings -----------------------------------------------------------------------------------


def test_a_face_of_a_collection_is_picked_by_index_or_by_name(settings):
    settings.REPORT_FONT_KAI = "/usr/share/fonts/truetype/arphic/ukai.ttc#2"
    assert fonts.face_name("kai") == "UKaiTW-2"
    settings.REPORT_FONT_KAI = "/usr/share/fonts/truetype/arphic/ukai.ttc#AR PL UKai CN"
    assert fonts.face_name("kai") == "UKaiCN-0"


def test_a_missing_or_wrong_font_names_its_setting(settings):
    settings.REPORT_FONT_BODY = "/nowhere/fangsong.ttf"
    with pytest.raises(ImproperlyConfigured, match="REPORT_FONT_BODY"):
        fonts.font("body")
    settings.REPORT_FONT_BODY = "/usr/share/fonts/truetype/arphic/ukai.ttc#No Such Face"
    with pytest.raises(ImproperlyConfigured, match=r"REPORT_FONT_BODY.*AR PL UKai CN"):
        fonts.font("body")


# --- through the selector -----------------------------------------------------------------------


def test_the_report_carries_what_the_chief_wrote(chief, tmp_path):
    built = build_known_campaign()
    services.report_settings_update(
        campaign=built.campaign,
        user=chief,
        addressee="省委组织部",
        issuing_unit="中共某县委组织部",
        report_date=dt.date(2024, 12, 20),
        practices="（一）我们的第一条做法。具体内容。\n我们的第二条做法。",
        problems="存在的一个问题。",
        signer="李四",
    )
    text = text_of(pdf.render_summary_report(selectors.summary_report(built.campaign)), tmp_path)
    for fragment in (
        "省委组织部：",
        "（一）我们的第一条做法。具体内容。我们的第二条做法。",
        "存在的一个问题。",
        "签发人：李四",
        "中共某县委组织部2024年12月20日",
    ):
        assert fragment in text, fragment


def test_the_determination_sheet_shows_items_materials_and_reviewers(auditor, other_auditor, tmp_path):
    built = build_known_campaign(auditor, other_auditor)
    first = built.cases[0]  # 甲: birth date corrected from a 中学学籍表
    text = pdf_text(sheet_pdf.render_determination_sheets(selectors.determination_sheets(built.campaign, [first.pk])), tmp_path)
    cadre = first.dossier.cadre
    for fragment in (
        "干部人事档案专项审核认定表",
        "甲",
        cadre.id_number[:6],
        cadre.id_number[-4:],
        "1975.03.12",  # current
        "《中学学籍表》（1990.09）：1975.05（最早记载）",  # recorded, with its material
        "出生日期与最早材料不一致",
        "参加工作",  # the label may wrap in its narrow column
        "入党时间",
        "学历学位",
        "经历",
        "认定依据",
        "审核组",
        "组织部门",
        "张审核",
        "李审核",
    ):
        assert fragment in text, fragment
    assert cadre.id_number not in text  # masked unless the reader's role needs it
    assert "已纠正" not in text and "AGE" not in text


def test_the_batch_holds_one_sheet_per_case(auditor, tmp_path):
    built = build_known_campaign(auditor)
    text = pdf_text(sheet_pdf.render_determination_sheets(selectors.determination_sheets(built.campaign)), tmp_path, layout=True)
    assert text.count("干部人事档案专项审核认定表") == 7
    for name in "甲乙丙丁戊己庚":
        assert f"姓名{name}" in text
