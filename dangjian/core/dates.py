"""Calendar arithmetic for the rules: intervals are calendar intervals, never fixed day counts.

One year from 2023-03-01 is 2024-03-01; three months from 31 March is 30 June; a day that does
not exist in the target month (29 February, 31st) becomes that month's last day.
"""

import calendar
import datetime as dt
import enum
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


# Plausible dates. Every date the system takes in (forms, the API, query parameters, imports) is
# checked against the range of its kind here, so 0001-01-01 or 9999-12-31 never reaches a record
# (where it would break the arithmetic of a letter or a report later).
PARTY_FOUNDED = dt.date(1921, 7, 1)  # 中国共产党成立: no Party event happened earlier
EARLIEST_BIRTH = dt.date(1900, 1, 1)
EARLIEST_QUERY, LATEST_QUERY = dt.date(1900, 1, 1), dt.date(2099, 12, 31)
PLANNED_YEARS = 1  # how far ahead a planned Party date may lie


class DateKind(enum.Enum):
    """What a date is, and so the range it must fall in."""

    EVENT = "event"  # a step of Party life that has taken place: from 1921-07-01 to today
    PLANNED = "planned"  # a Party date that may lie ahead (a publicity's end, dues paid ahead): up to a year on
    BIRTH = "birth"  # from 1900-01-01 to today
    QUERY = "query"  # a day to read the records as of, or a bound of a search: 1900 to 2099


def date_range(kind: DateKind, today: dt.date) -> tuple[dt.date, dt.date]:
    if kind is DateKind.EVENT:
        return PARTY_FOUNDED, today
    if kind is DateKind.PLANNED:
        return PARTY_FOUNDED, add_years(today, PLANNED_YEARS)
    if kind is DateKind.BIRTH:
        return EARLIEST_BIRTH, today
    return EARLIEST_QUERY, LATEST_QUERY


def date_problem(value: dt.date, kind: DateKind, today: dt.date, label: str = "日期") -> str | None:
    """Why ``value`` is not a plausible date of its kind, or None; the message names ``label``."""
    earliest, latest = date_range(kind, today)
    if earliest <= value <= latest:
        return None
    if kind is DateKind.QUERY:
        return f"{label}应在{earliest.year}年至{latest.year}年之间"
    if value < earliest:
        founded = "（中国共产党成立之日）" if earliest == PARTY_FOUNDED else ""
        return f"{label}不能早于{_written(earliest)}{founded}"
    if kind is DateKind.PLANNED:
        return f"{label}不能晚于{_written(latest)}（一年以内）"
    return f"{label}不能晚于今天"


def _written(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
