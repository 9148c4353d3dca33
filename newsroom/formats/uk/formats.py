"""Dates in Ukrainian pages: "2 грудня 2026", "2 грудня 2026, 09:30" (the month in the
genitive, `E`). What is not set here (numbers: a space between thousands, a decimal comma)
is Django's own Ukrainian format."""

DATE_FORMAT = "j E Y"
DATETIME_FORMAT = "j E Y, H:i"
MONTH_DAY_FORMAT = "j E"
SHORT_DATETIME_FORMAT = "j E, H:i"
TIME_FORMAT = "H:i"
