import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archives.idnumber import IDNumberError, check_character, convert_15_to_18, parse_id_number

VALID = "11010519491231002X"  # the GB 11643 example number


def test_it_accepts_a_valid_number_and_extracts_birth_and_sex():
    number = parse_id_number(VALID)
    assert number.birth_date == dt.date(1949, 12, 31)
    assert number.sex == "女"


def test_it_accepts_a_lower_case_x_and_normalises_it():
    assert parse_id_number(VALID.lower()).number == VALID


def test_it_converts_a_15_digit_number():
    assert convert_15_to_18("110105491231002") == VALID
    assert parse_id_number("110105491231002").number == VALID


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("110105194912310021", "校验码"),
        ("1101051949123100", "18位"),
        ("11010519491331002X", "出生日期"),
        ("", "为空"),
        ("11010521491231002X", "出生日期"),
    ],
)
def test_it_refuses_bad_numbers_with_a_chinese_reason(raw, reason):
    with pytest.raises(IDNumberError, match=reason):
        parse_id_number(raw)


valid_numbers = st.builds(
    lambda area, birth, seq: (lambda first17: first17 + check_character(first17))(f"{area:06d}{birth:%Y%m%d}{seq:03d}"),
    st.integers(110000, 659999),
    st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2008, 12, 31)),
    st.integers(0, 999),
)


@given(valid_numbers)
def test_generated_numbers_are_valid(number):
    assert parse_id_number(number).number == number


@given(valid_numbers, st.integers(0, 17), st.sampled_from("0123456789X"))
def test_every_single_character_change_is_refused(number, position, replacement):
    changed = number[:position] + replacement + number[position + 1 :]
    if changed == number or (replacement == "X" and position != 17):
        return
    with pytest.raises(IDNumberError):
        parse_id_number(changed)


@given(valid_numbers)
def test_sex_follows_the_parity_of_the_17th_digit(number):
    assert parse_id_number(number).sex == ("男" if int(number[16]) % 2 else "女")
