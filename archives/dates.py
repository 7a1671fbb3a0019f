"""Dates known to the month or to the day (``1975.03`` / ``1975.03.12``).

Dossier materials often record only a year and a month, so every date of the
domain carries its precision. Two dates are compared at the precision both
have (``DETECTION_RULES.md``); a day is never invented.

Storage is a single ISO-like string (``1975-03`` or ``1975-03-12``) so that
SQL ordering and equality on the column follow the calendar.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

MONTH = "month"
DAY = "day"


class DateParseError(ValueError):
    """Raised with a Chinese reason when text is not an accepted date form."""


# Accepted written forms (IMPORT_FORMATS.md); separators may mix.
_SEPARATED = re.compile(r"^(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*(?:[.\-/月]\s*(\d{1,2})\s*日?|月)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")


@dataclass(frozen=True, order=False)
class PartialDate:
    """A calendar date whose day may be unknown."""

    year: int
    month: int
    day: int | None = None

    def __post_init__(self):
        if not 1 <= self.month <= 12:
            raise DateParseError(f"月份 {self.month} 不存在")
        if not 1800 <= self.year <= 2999:
            raise DateParseError(f"年份 {self.year} 不合理")
        if self.day is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise DateParseError(f"{self.year}年{self.month}月没有{self.day}日")

    # -- construction -------------------------------------------------

    @classmethod
    def parse(cls, value, *, allow_future: bool = False, today: dt.date | None = None) -> PartialDate:
        """Read any accepted form: a date/datetime, or text as in IMPORT_FORMATS.md."""
        if isinstance(value, PartialDate):
            result = value
        elif isinstance(value, (dt.datetime, dt.date)):
            result = cls(value.year, value.month, value.day)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            # A number typed into a cell: 197503 or 19750312 (Excel drops the text).
            if float(value) != int(value):
                # 1975.03 typed as a number arrives as 1975.03 (float): month precision.
                text = f"{value:.2f}"
                return cls.parse(text, allow_future=allow_future, today=today)
            return cls.parse(str(int(value)), allow_future=allow_future, today=today)
        elif isinstance(value, str):
            result = cls._parse_text(value)
        else:
            raise DateParseError("不是日期")
        if not allow_future:
            today = today or timezone.localdate()
            if result.first_day() > today:
                raise DateParseError(f"日期 {result} 晚于今天")
        return result

    @classmethod
    def _parse_text(cls, text: str) -> PartialDate:
        raw = text
        text = text.strip().translate(_FULLWIDTH)
        if not text:
            raise DateParseError("日期为空")
        match = _SEPARATED.match(text) or _COMPACT.match(text)
        if not match:
            raise DateParseError(f"“{raw}”不是可识别的日期（可写作 1975.03、1975-03-12、1975年3月12日 等）")
        year, month, day = match.groups()
        try:
            return cls(int(year), int(month), int(day) if day else None)
        except DateParseError as exc:
            raise DateParseError(f"“{raw}”不是有效日期：{exc}") from None

    @classmethod
    def from_storage(cls, text: str) -> PartialDate:
        parts = [int(p) for p in text.split("-")]
        return cls(*parts)

    # -- representation -----------------------------------------------

    @property
    def precision(self) -> str:
        return MONTH if self.day is None else DAY

    def to_storage(self) -> str:
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def __str__(self) -> str:
        if self.day is None:
            return f"{self.year}.{self.month:02d}"
        return f"{self.year}.{self.month:02d}.{self.day:02d}"

    def chinese(self) -> str:
        if self.day is None:
            return f"{self.year}年{self.month}月"
        return f"{self.year}年{self.month}月{self.day}日"

    # -- calendar ------------------------------------------------------

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, self.day or 1)

    def sort_key(self) -> tuple[int, int, int]:
        """Orders month-precision dates before the days of that month."""
        return (self.year, self.month, self.day or 0)

    def month_index(self) -> int:
        return self.year * 12 + self.month - 1

    def truncated(self) -> PartialDate:
        return PartialDate(self.year, self.month)

    def add_years(self, years: int) -> PartialDate:
        day = self.day
        if day is not None:
            day = min(day, calendar.monthrange(self.year + years, self.month)[1])
        return PartialDate(self.year + years, self.month, day)

    # -- comparison at the common precision ------------------------------

    def matches(self, other: PartialDate) -> bool:
        """Same year and month and, where both have a day, the same day."""
        if (self.year, self.month) != (other.year, other.month):
            return False
        if self.day is None or other.day is None:
            return True
        return self.day == other.day

    def is_before(self, other: PartialDate) -> bool:
        """Strictly earlier at the precision both have."""
        if self.matches(other):
            return False
        if self.day is None or other.day is None:
            return (self.year, self.month) < (other.year, other.month)
        return self.sort_key() < other.sort_key()

    def is_after(self, other: PartialDate) -> bool:
        return other.is_before(self)

    def months_until(self, other: PartialDate) -> int:
        """Whole months from self to other, by year and month only."""
        return other.month_index() - self.month_index()


_FULLWIDTH = str.maketrans("０１２３４５６７８９．－／", "0123456789.-/")


def parse_optional(value, **kwargs) -> PartialDate | None:
    """Like PartialDate.parse, but empty cells/strings give None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return PartialDate.parse(value, **kwargs)
