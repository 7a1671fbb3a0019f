# Django's own Chinese formats, written out so that the two languages are read side by side.
DATE_FORMAT = "Y年n月j日"  # 2027年3月2日
TIME_FORMAT = "H:i"  # 14:05
DATETIME_FORMAT = "Y年n月j日 H:i"  # 2027年3月2日 14:05
YEAR_MONTH_FORMAT = "Y年n月"  # 2027年3月
MONTH_DAY_FORMAT = "n月j日"  # 3月2日
SHORT_DATE_FORMAT = "Y年n月j日"
SHORT_DATETIME_FORMAT = "Y年n月j日 H:i"
