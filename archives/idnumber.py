"""Citizen ID numbers (公民身份号码, GB 11643-1999).

18 characters: 6-digit area code, 8-digit birth date, 3-digit sequence (odd for
men, even for women) and an ISO 7064 MOD 11-2 check character (0-9 or X).
Legacy 15-digit numbers have a 6-digit birth date (19yy) and no check character.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
MALE = "男"
FEMALE = "女"


class IDNumberError(ValueError):
    """Raised with a Chinese reason."""


def check_character(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


@dataclass(frozen=True)
class IDNumber:
    number: str  # always 18 characters, upper-case X

    @property
    def birth_date(self) -> dt.date:
        return dt.date(int(self.number[6:10]), int(self.number[10:12]), int(self.number[12:14]))

    @property
    def sex(self) -> str:
        return MALE if int(self.number[16]) % 2 else FEMALE

    def __str__(self):
        return self.number


def convert_15_to_18(number15: str) -> str:
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + check_character(first17)


def parse_id_number(raw, *, today: dt.date | None = None) -> IDNumber:
    """Validate and normalise; 15-digit numbers are converted to 18."""
    if raw is None:
        raise IDNumberError("身份证号为空")
    text = str(raw).strip().upper().replace(" ", "")
    if not text:
        raise IDNumberError("身份证号为空")
    if re.fullmatch(r"\d{15}", text):
        text = convert_15_to_18(text)
    elif not re.fullmatch(r"\d{17}[\dX]", text):
        raise IDNumberError(f"身份证号“{raw}”应为18位（末位可为X）或15位数字")
    try:
        birth = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise IDNumberError(f"身份证号“{raw}”中的出生日期不存在") from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1900:
        raise IDNumberError(f"身份证号“{raw}”中的出生日期不合理")
    if check_character(text[:17]) != text[17]:
        raise IDNumberError(f"身份证号“{raw}”校验码错误")
    return IDNumber(text)


def is_valid(raw) -> bool:
    try:
        parse_id_number(raw)
    except IDNumberError:
        return False
    return True
