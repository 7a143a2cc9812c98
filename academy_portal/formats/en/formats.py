# English date formats for the portal. Django's English defaults are American (SHORT_DATE_FORMAT
# "m/d/Y" showed 01/08/2024 for 8 January); the academy and its partner files write the day
# first, so English pages say "8 Jan 2024" in text and 08/01/2024 in tables, like Vietnamese.
DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
# ISO first (HTML date inputs send it, and the admin's widget shows it); then day-first only:
# a month-first 05/06/2024 must never be read as 6 May.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
]
