"""Calendar arithmetic for the rules: intervals are calendar intervals, never fixed day counts.

One year from 2023-03-01 is 2024-03-01; three months from 31 March is 30 June; a day that does
not exist in the target month (29 February, 31st) becomes that month's last day.
"""

import calendar
import datetime as dt
import re


def add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + (day.month - 1) + months, 12)
    if day.day <= 28:  # every month has the day
        return dt.date(year, month + 1, day.day)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def age_on(birth: dt.date, on: dt.date) -> int:
    """Completed years of age on a date (a 29 February birthday counts on 28 February)."""
    years = on.year - birth.year
    return years if add_years(birth, years) <= on else years - 1


# Excel's 1900 date system counts days from 1899-12-31 and wrongly keeps 1900-02-29 (serial 60),
# so from serial 61 on the epoch is effectively 1899-12-30.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_LAST_SERIAL = (dt.date(9999, 12, 31) - _EXCEL_EPOCH).days
_SEPARATED = re.compile(r"(\d{4})([-/.])(\d{1,2})(?:\2(\d{1,2}))?")  # 2005-08-01, 2005/8/1, 2005.08
_CHINESE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?")  # 2005年8月1日, 2005年8月
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")  # 20050801


def parse_date(value: object) -> dt.date:
    """A date as people type it into a spreadsheet cell.

    Accepts dates and datetimes, Excel serial numbers (1900 date system) and the usual written
    forms: 2005-08-01, 2005/8/1, 2005.8.1, 2005年8月1日, 20050801; a month without a day
    (2005.08, 2005年8月) means its first day, as 入党 and 成立 dates are often known only to the
    month. Raises ``ValueError`` with a Chinese message saying what was expected."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_excel_serial(value)
    text = str(value).strip() if value is not None else ""
    if not text:
        raise ValueError("日期为空，请按 2005-08-01 填写")
    if len(text) == 10 and text[4] == text[7] and text[4] in "-/.":  # the common 2005-08-01, without a regex
        parts = text[:4], text[5:7], text[8:]
        if all(part.isdecimal() for part in parts):  # as \d: any decimal digit
            try:
                return dt.date(*map(int, parts))
            except ValueError:
                raise ValueError(f"日期“{text}”不存在，请检查年、月、日") from None
    for pattern in (_SEPARATED, _CHINESE, _COMPACT):
        if match := pattern.fullmatch(text):
            groups = [g for g in match.groups() if g is None or g.isdigit()]  # drop the separator
            year, month, day = (int(g) if g else 1 for g in groups)
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise ValueError(f"日期“{text}”不存在，请检查年、月、日") from None
    raise ValueError(f"日期“{text}”无法识别，请按 2005-08-01 填写")


def _from_excel_serial(serial: float) -> dt.date:
    if not 1 <= serial < _EXCEL_LAST_SERIAL + 1 or int(serial) == 60:  # also refuses NaN
        raise ValueError(f"日期“{serial}”无法识别，请按 2005-08-01 填写")
    days = int(serial)  # a fraction is the time of day
    if days < 60:  # before Excel's phantom 1900-02-29
        return _EXCEL_EPOCH + dt.timedelta(days=days + 1)
    return _EXCEL_EPOCH + dt.timedelta(days=days)
