# Day first with the month's short name: unambiguous, unlike 03/02/2027; 24-hour clock as in Chinese.
DATE_FORMAT = "j M Y"  # 2 Mar 2027
TIME_FORMAT = "H:i"  # 14:05
DATETIME_FORMAT = "j M Y H:i"  # 2 Mar 2027 14:05
YEAR_MONTH_FORMAT = "M Y"  # Mar 2027
MONTH_DAY_FORMAT = "j M"  # 2 Mar
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
