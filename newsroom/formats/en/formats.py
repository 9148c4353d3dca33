"""Dates in English pages: "2 Dec 2026", "2 Dec 2026 09:30" (day first, as the desk writes
them, 24-hour clock). What is not set here is Django's own English format."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
MONTH_DAY_FORMAT = "j M"
SHORT_DATETIME_FORMAT = "j M H:i"
TIME_FORMAT = "H:i"
