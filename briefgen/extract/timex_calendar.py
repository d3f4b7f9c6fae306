"""Calendar arithmetic for TIMEX3 values: shifting by units, naming periods, and reading a value back as a date."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from dateutil.relativedelta import relativedelta

from briefgen.extract.timex_lexicon import FLOATING_HOLIDAYS, SEASON_START_MONTH, UNIT_MULTIPLIER, UNITS

Granularity = Literal["day", "week", "month", "quarter", "season", "year", "decade", "other"]
Tense = Literal["past", "present", "future"]

_VALUE_FORMS: tuple[tuple[re.Pattern[str], Granularity], ...] = (
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})"), "day"),
    (re.compile(r"^(\d{4})-W(\d{2})"), "week"),
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})-Q([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})-H([12])$"), "other"),
    (re.compile(r"^(\d{4})-(SP|SU|FA|WI)$"), "season"),
    (re.compile(r"^(\d{4})$"), "year"),
    (re.compile(r"^(\d{3})$"), "decade"),
    (re.compile(r"^(\d{2})$"), "other"),
)


def shift(day: dt.date, amount: int, unit: str) -> dt.date:
    """``day`` moved by ``amount`` units (day, week, month, quarter, year, decade, century)."""
    if unit == "day":
        return day + dt.timedelta(days=amount)
    if unit == "week":
        return day + dt.timedelta(weeks=amount)
    months = {"month": 1, "quarter": 3, "year": 12, "decade": 120, "century": 1200}[unit]
    return day + relativedelta(months=amount * months)


def name_period(day: dt.date, unit: str) -> str:
    """The TIMEX3 value of the ``unit``-long period containing ``day``."""
    if unit == "day":
        return day.isoformat()
    if unit == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if unit == "weekend":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}-WE"
    if unit == "month":
        return f"{day.year}-{day.month:02d}"
    if unit == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if unit == "half":
        return f"{day.year}-H{1 if day.month <= 6 else 2}"
    if unit == "year":
        return str(day.year)
    if unit == "decade":
        return str(day.year // 10)
    if unit == "century":
        return str(day.year // 100)
    raise ValueError(unit)


def read_value(value: str | None) -> tuple[dt.date | None, Granularity | None]:
    """The first calendar day a TIMEX3 value denotes, and its granularity; (None, None) for anything else."""
    if not value or "X" in value[:4]:
        return None, None
    for pattern, granularity in _VALUE_FORMS:
        match = pattern.match(value)
        if match is None:
            continue
        try:
            return _first_day(match, granularity), ("other" if "T" in value else granularity)
        except ValueError:
            return None, None
    return None, None


def _first_day(match: re.Match[str], granularity: Granularity) -> dt.date:
    head = int(match.group(1))
    rest = match.group(2) if match.re.groups > 1 else None
    if granularity == "day":
        return dt.date(head, int(match.group(2)), int(match.group(3)))
    if granularity == "week":
        return dt.date.fromisocalendar(head, int(rest or 1), 1)
    if granularity == "month":
        return dt.date(head, int(rest or 1), 1)
    if granularity == "quarter":
        return dt.date(head, 3 * int(rest or 1) - 2, 1)
    if granularity == "season":
        return dt.date(head, SEASON_START_MONTH[rest or "SP"], 1)
    if granularity == "other" and rest:  # a half year
        return dt.date(head, 1 if rest == "1" else 7, 1)
    if granularity == "decade":
        return dt.date(head * 10, 1, 1)
    if granularity == "other":  # a century
        return dt.date(max(head * 100, 1), 1, 1)
    return dt.date(head, 1, 1)


def resolve_weekday(dct: dt.date, weekday: int, tense: Tense | None, step: int = 0) -> dt.date:
    """The date of a bare weekday name in news text.

    Past and present (the common case: "said Tuesday") pick the latest such day on or before the
    article date; future picks the first on or after it. ``step`` moves whole weeks ("next Friday").
    """
    if tense == "future":
        base = dct + dt.timedelta(days=(weekday - dct.weekday()) % 7)
    else:
        base = dct - dt.timedelta(days=(dct.weekday() - weekday) % 7)
    return base + dt.timedelta(weeks=step)


def resolve_month_year(dct: dt.date, month: int, day: int | None, tense: Tense | None) -> int:
    """The year of a month (and day) named without one: the nearest occurrence, tense-biased.

    An occurrence on the wrong side of the article date for the tense counts several times as far
    away: "declared a dividend payable Dec. 15" in October is still this December, but "was shot
    Oct. 23" said in May is last October.
    """

    def cost(year: int) -> float:
        if day is None:
            distance = (year - dct.year) * 12 + month - dct.month
        else:
            distance = (_safe_date(year, month, day) - dct).days
        wrong = (tense == "past" and distance > 0) or (tense == "future" and distance < 0)
        return abs(distance) * ((_WRONG_SIDE if day is not None else _WRONG_SIDE_MONTH) if wrong else 1)

    return min((dct.year - 1, dct.year, dct.year + 1), key=cost)


_WRONG_SIDE = 4
_WRONG_SIDE_MONTH = 8  # "will be held in June" said in August is next June


def _safe_date(year: int, month: int, day: int) -> dt.date:
    """Feb. 29 in a year without one counts as Feb. 28 for distances."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return dt.date(year, month, day - 1)


def resolve_season_year(dct: dt.date, season: str, direction: int) -> int:
    """The year of "last/this/next <season>" (direction -1, 0, +1); a winter is named by the year it starts in."""
    if direction == 0:
        return dct.year - 1 if season == "WI" and dct.month <= 2 else dct.year
    year = dct.year
    if direction < 0:
        while _season_start(year, season) > dct or _season_start(year, season) + relativedelta(months=3) > dct:
            year -= 1
        return year
    while _season_start(year, season) <= dct:
        year += 1
    return year


def _season_start(year: int, season: str) -> dt.date:
    return dt.date(year, SEASON_START_MONTH[season], 1)


def holiday_date(year: int, name: str, fixed: tuple[int, int] | None) -> dt.date | None:
    """The date of a named holiday in ``year``."""
    if fixed is not None:
        return dt.date(year, *fixed)
    rule = FLOATING_HOLIDAYS.get(name)
    if rule is None:
        return None
    month, weekday, nth = rule
    if nth > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    last = dt.date(year, month + 1, 1) - dt.timedelta(days=1) if month < 12 else dt.date(year, 12, 31)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def duration_value(amount: float | None, unit: str, multiplier: float = 1) -> str:
    """The TIMEX3 duration of ``amount`` units ("P3W", "PT5H30M"); an unknown amount gives "PXW"."""
    letter, is_time = UNITS[unit]
    if amount is None:
        return f"P{'T' if is_time else ''}X{letter}"
    total = amount * multiplier * UNIT_MULTIPLIER.get(unit, 1)
    if unit in ("decade", "century"):
        letter = "Y"
    if unit == "fortnight":
        letter = "W"
    whole = int(total)
    frac = total - whole
    value = f"P{'T' if is_time else ''}{whole}{letter}"
    if frac:
        value += _fraction(frac, unit)
    return value


def _fraction(frac: float, unit: str) -> str:
    smaller = {"year": (12, "M"), "hour": (60, "M"), "minute": (60, "S"), "day": (24, "H"), "month": (30, "D")}
    if unit not in smaller:
        return ""
    factor, letter = smaller[unit]
    prefix = "T" if unit == "day" else ""
    return f"{prefix}{round(frac * factor)}{letter}"
