import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archives.dates import DAY, MONTH, DateParseError, PartialDate, parse_optional

TODAY = dt.date(2026, 11, 25)


@pytest.mark.parametrize(
    ("text", "expected"),
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
        (" 1975．03 ", PartialDate(1975, 3)),
    ],
)
def test_it_accepts_every_written_form_and_keeps_its_precision(text, expected):
    parsed = PartialDate.parse(text, today=TODAY)
    assert parsed == expected
    assert parsed.precision == (DAY if expected.day else MONTH)


def test_it_reads_real_excel_dates_to_the_day():
    assert PartialDate.parse(dt.datetime(1975, 3, 12, 0, 0), today=TODAY) == PartialDate(1975, 3, 12)
    assert PartialDate.parse(dt.date(1975, 3, 12), today=TODAY).precision == DAY


def test_it_reads_numbers_typed_into_cells():
    assert PartialDate.parse(197503, today=TODAY) == PartialDate(1975, 3)
    assert PartialDate.parse(19750312, today=TODAY) == PartialDate(1975, 3, 12)
    assert PartialDate.parse(1975.03, today=TODAY) == PartialDate(1975, 3)


@pytest.mark.parametrize("text", ["1975.13", "1975.02.30", "1975.00", "abc", "75.03", "1975.03.12.1", "1975年13月", "2027.01"])
def test_it_refuses_impossible_malformed_and_future_dates_in_chinese(text):
    with pytest.raises(DateParseError) as info:
        PartialDate.parse(text, today=TODAY)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(info.value))


def test_future_dates_are_refused_unless_allowed():
    assert PartialDate.parse("2027.01", allow_future=True, today=TODAY) == PartialDate(2027, 1)


def test_empty_cells_give_none():
    assert parse_optional(None) is None
    assert parse_optional("  ") is None


def test_it_compares_at_the_precision_both_sides_have():
    assert PartialDate(1975, 3).matches(PartialDate(1975, 3, 12))
    assert PartialDate(1975, 3, 12).matches(PartialDate(1975, 3, 12))
    assert not PartialDate(1975, 3, 12).matches(PartialDate(1975, 3, 13))
    assert not PartialDate(1975, 3).matches(PartialDate(1975, 4))
    assert PartialDate(1975, 3).is_before(PartialDate(1975, 4, 1))
    assert not PartialDate(1975, 3).is_before(PartialDate(1975, 3, 31))
    assert PartialDate(1975, 3, 1).is_before(PartialDate(1975, 3, 2))


def test_adding_years_keeps_precision_and_clamps_leap_days():
    assert PartialDate(2000, 2, 29).add_years(16) == PartialDate(2016, 2, 29)
    assert PartialDate(2000, 2, 29).add_years(17) == PartialDate(2017, 2, 28)
    assert PartialDate(1990, 5).add_years(16) == PartialDate(2006, 5)


def test_it_displays_and_stores_without_inventing_a_day():
    assert str(PartialDate(1975, 3)) == "1975.03"
    assert PartialDate(1975, 3).to_storage() == "1975-03"
    assert PartialDate(1975, 3, 2).chinese() == "1975年3月2日"
    assert PartialDate.from_storage("1975-03") == PartialDate(1975, 3)


dates = st.builds(
    lambda d, keep_day: PartialDate(d.year, d.month, d.day if keep_day else None),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2026, 1, 1)),
    st.booleans(),
)


@given(dates)
def test_storage_and_display_round_trip(date):
    assert PartialDate.from_storage(date.to_storage()) == date
    assert PartialDate.parse(str(date), today=TODAY) == date
    assert PartialDate.parse(date.chinese(), today=TODAY) == date


@given(dates, dates)
def test_storage_order_is_calendar_order(a, b):
    if a.to_storage() < b.to_storage():
        assert a.sort_key() < b.sort_key()


@given(dates, dates)
def test_before_and_matches_are_exclusive(a, b):
    outcomes = [a.matches(b), a.is_before(b), b.is_before(a)]
    assert outcomes.count(True) == 1
