"""Chinese line breaking (reports.linebreak): dates whole, no closing punctuation first."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase.pdfmetrics import stringWidth

from reports.linebreak import CLOSING, EPSILON, atoms, cjk_lines, fit_lines
from reports.pdf import FONT, register_fonts

SIZE = 10.5


@pytest.fixture(autouse=True, scope="module")
def fonts():
    register_fonts()


def width(text: str) -> float:
    return stringWidth(text, FONT, SIZE)


def test_a_record_breaks_after_its_colon_and_keeps_the_date_and_the_note_whole():
    lines = cjk_lines("《招工登记表》（1993.07）：1975.03.12（最早记载）", FONT, SIZE, 150)
    assert lines == ["《招工登记表》（1993.07）：", "1975.03.12（最早记载）"]


def test_a_period_is_one_atom_and_its_post_follows_it():
    assert atoms("2007.05—2010.12 某乡党委副书记")[:2] == ["2007.05—2010.12", " "]
    assert atoms("2016.04—至今")[0] == "2016.04—至今"
    assert cjk_lines("2007.05—2010.12 某乡党委副书记", FONT, SIZE, 100) == ["2007.05—2010.12", "某乡党委副书记"]


def test_chinese_dates_and_document_numbers_are_not_split():
    assert "2026年12月1日，" in atoms("截至2026年12月1日，共3段。")
    assert "3段。" in atoms("截至2026年12月1日，共3段。")
    assert "〔2006〕41号" in atoms("组通字〔2006〕41号")


def test_closing_punctuation_is_glued_to_what_precedes_and_opening_to_what_follows():
    assert atoms("表》（1993.07）：") == ["表》", "（1993.07）："]
    assert atoms("“入党”") == ["“入", "党”"]


def test_a_short_note_moves_to_the_next_line_whole():
    # "（最早记载）" would fit in part after the date; it goes to the next line instead.
    room = width("1975.05（最早") + 1
    assert cjk_lines("1975.05（最早记载）", FONT, SIZE, room) == ["1975.05", "（最早记载）"]


def test_a_word_between_spaces_is_kept_whole_when_it_fits_a_line():
    assert cjk_lines("大学本科 法学学士（在职）", FONT, SIZE, width("大学本科法") + 1) == ["大学本科", "法学学士", "（在职）"]


def test_hard_breaks_are_kept_and_an_empty_paragraph_is_an_empty_line():
    assert cjk_lines("甲\n\n乙", FONT, SIZE, 100) == ["甲", "", "乙"]
    assert cjk_lines("", FONT, SIZE, 100) == [""]


def test_the_hanging_indent_narrows_the_lines_after_the_first():
    lines = cjk_lines("某" * 12, FONT, SIZE, width("某" * 5) + 1, indent=width("某"))
    assert lines == ["某某某某某", "某某某某", "某某某"]


def test_a_last_line_of_one_character_takes_the_one_before_it_along():
    assert cjk_lines("出生日期有涂改。", FONT, SIZE, width("出生日期有涂") + 1) == ["出生日期有", "涂改。"]
    # not across a space, and never a piece of a title or a number
    assert cjk_lines("出生日期有 改。", FONT, SIZE, width("出生日期有") + 1) == ["出生日期有", "改。"]
    assert cjk_lines("见《履历表》改", FONT, SIZE, width("见《履历表》") + 1) == ["见《履历表》", "改"]


def test_an_atom_wider_than_the_line_is_cut_but_never_before_closing_punctuation():
    lines = cjk_lines("330102197503121234，", FONT, SIZE, width("3301021975"))
    assert "".join(lines) == "330102197503121234，"
    assert all(line and line[0] not in CLOSING for line in lines)


def test_fit_lines_shrinks_the_type_rather_than_split_a_period():
    size, lines = fit_lines("2007.05—2010.12", FONT, SIZE, width("2007.05—2010"))
    assert size < SIZE and lines == ["2007.05—2010.12"]
    assert fit_lines("2007.05", FONT, SIZE, 200) == (SIZE, ["2007.05"])


# --- properties ---------------------------------------------------------------------------

HAN = st.sampled_from(list("干部人事档案审核认定出生日期参加工作时间入党学历学位经历某县乡党委书记"))
DATES = st.one_of(
    st.builds("{}.{:02d}.{:02d}".format, st.integers(1950, 2030), st.integers(1, 12), st.integers(1, 28)),
    st.builds("{}.{:02d}".format, st.integers(1950, 2030), st.integers(1, 12)),
    st.builds("{}.{:02d}—{}.{:02d}".format, st.integers(1950, 2030), st.integers(1, 12), st.integers(1950, 2030), st.integers(1, 12)),
    st.builds("{}年{}月{}日".format, st.integers(1950, 2030), st.integers(1, 12), st.integers(1, 28)),
)
PUNCTUATION = st.sampled_from(list("，。、：；！？）》」』】”（《“"))


@st.composite
def texts(draw):
    """Han characters with dates and punctuation among them; a date always follows a Han
    character (two dates side by side would read as one number)."""
    pieces, dates = [], []
    for _ in range(draw(st.integers(1, 25))):
        pieces.append(draw(HAN))
        kind = draw(st.integers(0, 4))
        if kind == 0:
            date = draw(DATES)
            dates.append(date)
            pieces.append(date)
        elif kind == 1:
            pieces.append(draw(PUNCTUATION))
        elif kind == 2:
            pieces.append(" ")
    return "".join(pieces), dates


@settings(max_examples=300, deadline=None)
@given(texts(), st.floats(min_value=95, max_value=400))
def test_dates_stay_whole_lines_fit_and_no_line_starts_with_closing_punctuation(sample, room):
    text, dates = sample
    lines = cjk_lines(text, FONT, SIZE, room)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines:
        assert width(line) <= room + EPSILON
        assert line == line.strip(" ")
    for line in lines[1:]:
        assert line[:1] not in CLOSING
    joined = "\n".join(lines)
    for date in dates:
        assert date in joined


@settings(max_examples=200, deadline=None)
@given(texts(), st.floats(min_value=95, max_value=400))
def test_no_line_ends_with_opening_punctuation(sample, room):
    text, _ = sample
    lines = cjk_lines(text, FONT, SIZE, room)
    for line in lines[:-1]:
        assert line[-1:] not in "（《“"


@settings(max_examples=300, deadline=None)
@given(texts(), st.floats(min_value=40, max_value=95))
def test_in_a_column_narrower_than_a_period_the_text_is_kept_and_no_line_starts_with_closing_punctuation(sample, room):
    text, _ = sample
    lines = cjk_lines(text, FONT, SIZE, room)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines[1:]:
        assert line[:1] not in CLOSING
