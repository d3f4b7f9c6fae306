"""Normalisers: one function per rule family, turning a regex match into a TIMEX3 value.

Each normaliser gets the match and a :class:`Context` (article date, tense of the governing verb,
the last date the text mentioned). One that needs the article date and has none raises
:class:`Unresolved`: the expression is kept with no value rather than resolved against today.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from briefgen.extract.timex_calendar import (
    Tense,
    duration_value,
    holiday_date,
    name_period,
    resolve_month_year,
    resolve_season_year,
    resolve_weekday,
    shift,
)
from briefgen.extract.timex_lexicon import (
    DECADE_WORDS,
    HOLIDAYS,
    MONTHS,
    ORDINALS,
    PARTS_OF_DAY,
    SEASON_START_MONTH,
    SEASONS,
    UNIT_MULTIPLIER,
    WEEKDAYS,
    parse_number,
    parse_spoken_year,
)
from briefgen.model import TimexType


class Unresolved(Exception):
    """The value depends on an article date (or earlier date) the text does not give."""


@dataclass(frozen=True, slots=True)
class Context:
    dct: dt.date | None
    tense: Tense | None
    ref: dt.date | None  # the last date mentioned before, for "that day", "a year earlier"
    sentence: str
    leaning: Tense | None = None  # the side of the dct a bare weekday falls on
    ref_period: dt.date | None = None  # the last date of any granularity, for "that year"
    ref_here: dt.date | None = None  # the last day named in the same sentence, for a bare clock time


@dataclass(frozen=True, slots=True)
class Reading:
    type: TimexType
    value: str | None


Normaliser = Callable[[re.Match[str], Context], Reading]


def need_dct(ctx: Context) -> dt.date:
    if ctx.dct is None:
        raise Unresolved
    return ctx.dct


def need_ref(ctx: Context, unit: str = "day") -> dt.date:
    """The date an anaphoric expression hangs on: the last day mentioned, or for coarse units any date."""
    ref = ctx.ref_period if unit in _COARSE_UNITS else ctx.ref
    if ref is not None:
        return ref
    return need_dct(ctx)


_COARSE_UNITS = frozenset({"month", "quarter", "year", "decade", "century"})


def unit_of(word: str) -> str:
    """Singular unit name: "centuries" -> "century", "weeks" -> "week"."""
    w = word.lower().replace("-", " ").split()[-1]
    if w.startswith("centur"):
        return "century"
    return w[:-1] if w.endswith("s") else w


def group(m: re.Match[str], name: str) -> str | None:
    return m.groupdict().get(name)


def _month(text: str) -> int:
    return MONTHS[text.lower().rstrip(".")]


def _day(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def _quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def _prev_quarter(day: dt.date) -> dt.date:
    return shift(day, -1, "quarter")


def _reported_quarter(ctx: Context) -> dt.date:
    """The quarter an earnings sentence reports: the last one the text named, else the last completed one."""
    dct = need_dct(ctx)
    recent = ctx.ref_period is not None and dt.timedelta(0) <= dct - ctx.ref_period <= dt.timedelta(days=366)
    return ctx.ref_period if recent and ctx.ref_period is not None else _prev_quarter(dct)


def _mentions_quarter(ctx: Context) -> bool:
    return re.search(r"\bquarter|\bperiod\b", ctx.sentence, re.IGNORECASE) is not None


# ------------------------------------------------------------------ explicit dates


def norm_iso(m: re.Match[str], ctx: Context) -> Reading:
    year, month, day = int(m["y"]), int(m["m"]), int(m["d"])
    if month > 12:  # 25/12/2024: day first
        month, day = day, month
    if len(m["y"]) == 2:
        year += 1900 if year > 40 else 2000
    return Reading("DATE", dt.date(year, month, day).isoformat())


def norm_month_day(m: re.Match[str], ctx: Context) -> Reading:
    month, day = _month(m["m"]), _day(m["d"])
    if group(m, "y"):
        return Reading("DATE", dt.date(int(m["y"]), month, day).isoformat())
    year = resolve_month_year(need_dct(ctx), month, day, ctx.tense)
    return Reading("DATE", dt.date(year, month, day).isoformat())


def norm_month_year(m: re.Match[str], ctx: Context) -> Reading:
    year = int(m["y"]) if m["y"].isdigit() else parse_spoken_year(m["y"])
    if year is None:
        raise Unresolved
    return Reading("DATE", f"{year}-{_month(m['m']):02d}")


def norm_month(m: re.Match[str], ctx: Context) -> Reading:
    month = _month(m["m"])
    dct = need_dct(ctx)
    rel = (group(m, "rel") or "").lower().split()
    if rel and rel[-1] in ("last", "past"):
        year = dct.year if month < dct.month else dct.year - 1
    elif rel and rel[-1] in ("next", "coming"):
        year = dct.year if month > dct.month else dct.year + 1
    elif rel and rel[-1] == "this":
        year = dct.year
    else:
        year = resolve_month_year(dct, month, None, ctx.tense)
    return Reading("DATE", f"{year}-{month:02d}")


def norm_year(m: re.Match[str], ctx: Context) -> Reading:
    return Reading("DATE", str(int(m["y"])))


def norm_spoken_year(m: re.Match[str], ctx: Context) -> Reading:
    year = parse_spoken_year(m["y"])
    if year is None:
        raise Unresolved
    return Reading("DATE", str(year))


def norm_decade(m: re.Match[str], ctx: Context) -> Reading:
    digits = group(m, "y4")
    if digits:
        return Reading("DATE", digits[:3])
    tens = int(m["y2"]) // 10 if group(m, "y2") else DECADE_WORDS[m["w"].lower()]
    century = need_dct(ctx).year // 100
    return Reading("DATE", f"{century}{tens}")


def norm_century(m: re.Match[str], ctx: Context) -> Reading:
    word = m["n"].lower()
    number = ORDINALS.get(word) or _ordinal_word(word)
    if number is None:
        raise Unresolved
    return Reading("DATE", f"{number - 1:02d}")


def _ordinal_word(word: str) -> int | None:
    words = {"nineteenth": 19, "twentieth": 20, "twenty-first": 21, "twenty first": 21, "eighteenth": 18}
    if word in words:
        return words[word]
    digits = re.sub(r"\D", "", word)
    return int(digits) if digits else None


def norm_quarter(m: re.Match[str], ctx: Context) -> Reading:
    q = ORDINALS.get((group(m, "q") or "").lower()) or int(group(m, "qn") or 0)
    half = group(m, "h")
    year_text = group(m, "y") or group(m, "y2")
    if year_text:
        year = int(year_text)
    else:
        dct = need_dct(ctx)
        rel = (group(m, "rel") or group(m, "rel2") or "").lower()
        year = dct.year + {"last": -1, "next": 1}.get(rel, 0)
        if not rel and half is None and ctx.tense == "past" and q > _quarter_of(dct):
            year -= 1
    if half is not None:
        return Reading("DATE", f"{year}-H{ORDINALS.get(half.lower(), 1)}")
    return Reading("DATE", f"{year}-Q{q}")


def norm_the_quarter(m: re.Match[str], ctx: Context) -> Reading:
    """Earnings-report convention: "the quarter" / "the latest quarter" is the last completed one."""
    dct = need_dct(ctx)
    rel = (group(m, "rel") or "").lower()
    if rel in ("this", "the current"):
        return Reading("DATE", name_period(dct, "quarter"))
    if rel in ("next", "the next", "the coming"):
        return Reading("DATE", name_period(shift(dct, 1, "quarter"), "quarter"))
    return Reading("DATE", name_period(_prev_quarter(dct), "quarter"))


def norm_year_ago_adj(m: re.Match[str], ctx: Context) -> Reading:
    dct = need_dct(ctx)
    if _mentions_quarter(ctx):
        return Reading("DATE", name_period(shift(_reported_quarter(ctx), -1, "year"), "quarter"))
    return Reading("DATE", str(dct.year - 1))


def norm_fiscal_year(m: re.Match[str], ctx: Context) -> Reading:
    return Reading("DATE", str(need_dct(ctx).year))


def norm_year_end(m: re.Match[str], ctx: Context) -> Reading:
    dct = need_dct(ctx)
    return Reading("DATE", str(dct.year - 1 if ctx.tense == "past" and dct.month < 6 else dct.year))


# ------------------------------------------------------------------ deictic dates


def norm_relative_day(m: re.Match[str], ctx: Context) -> Reading:
    word = m["w"].lower()
    offset = {"today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1}[word]
    if group(m, "before"):
        offset -= 1
    if group(m, "after"):
        offset += 1
    day = shift(need_dct(ctx), offset, "day")
    part = group(m, "p")
    return _with_part(day, part)


def _with_part(day: dt.date, part: str | None) -> Reading:
    if part:
        return Reading("TIME", f"{day.isoformat()}T{PARTS_OF_DAY[part.lower()]}")
    return Reading("DATE", day.isoformat())


def norm_this_part(m: re.Match[str], ctx: Context) -> Reading:
    dct = need_dct(ctx)
    rel = m["rel"].lower()
    if rel == "last":  # "last night"
        return _with_part(dct - dt.timedelta(days=1), m["p"])
    return _with_part(dct, m["p"])


def norm_weekday(m: re.Match[str], ctx: Context) -> Reading:
    weekday = WEEKDAYS[m["w"].lower()]
    rel = " ".join((group(m, "rel") or "").lower().split())
    if rel in ("the previous", "the following", "that"):
        ref = need_ref(ctx)
        if rel == "the previous":
            day = ref - dt.timedelta(days=(ref.weekday() - weekday - 1) % 7 + 1)
        elif rel == "the following":
            day = ref + dt.timedelta(days=(weekday - ref.weekday() - 1) % 7 + 1)
        else:
            day = resolve_weekday(ref, weekday, ctx.tense)
        return _with_part(day, group(m, "p"))
    dct = need_dct(ctx)
    if rel in ("last", "this past"):
        day = dct - dt.timedelta(days=(dct.weekday() - weekday - 1) % 7 + 1)
    elif rel in ("next", "this coming"):
        day = dct + dt.timedelta(days=(weekday - dct.weekday() - 1) % 7 + 1)
    elif rel == "this":
        day = dct + dt.timedelta(days=weekday - dct.weekday())
    else:
        day = resolve_weekday(dct, weekday, ctx.leaning)
    return _with_part(day, group(m, "p"))


def norm_holiday(m: re.Match[str], ctx: Context) -> Reading:
    name = " ".join(m["n"].lower().replace("’", "'").split())
    fixed = HOLIDAYS.get(name)
    dct = need_dct(ctx)
    rel = (group(m, "rel") or "").lower()
    candidates = [holiday_date(y, name, fixed) for y in (dct.year - 1, dct.year, dct.year + 1)]
    days = [d for d in candidates if d is not None]
    if not days:
        raise Unresolved
    if rel == "last" or (not rel and ctx.tense == "past"):
        pool = [d for d in days if d < dct] if rel == "last" else [d for d in days if d <= dct]
    elif rel == "next" or ctx.tense == "future":
        pool = [d for d in days if d >= dct]
    else:
        pool = [min(days, key=lambda d: abs((d - dct).days))]
    if not pool:
        raise Unresolved
    day = pool[-1] if rel == "last" or ctx.tense == "past" else pool[0]
    return Reading("DATE", day.isoformat())


def norm_season(m: re.Match[str], ctx: Context) -> Reading:
    """ "in spring" (the one the tense points to), "summer 2024"."""
    season = SEASONS[m["s"].lower()]
    if group(m, "y"):
        return Reading("DATE", f"{int(m['y'])}-{season}")
    direction = {"past": -1, "future": 1}.get(ctx.tense or "", 0)
    dct = need_dct(ctx)
    year = resolve_season_year(dct, season, direction)
    if (
        direction
        and resolve_season_year(dct, season, 0) == year - direction
        and _season_contains(dct, season, year - direction)
    ):
        year -= direction  # "was held in summer" said in August: this summer
    return Reading("DATE", f"{year}-{season}")


def _season_contains(day: dt.date, season: str, year: int) -> bool:
    start = dt.date(year, SEASON_START_MONTH[season], 1)
    return start <= day < shift(start, 1, "quarter")


def norm_relative_period(m: re.Match[str], ctx: Context) -> Reading:
    """this/last/next/the past/that + week, month, quarter, year, decade, season or weekend."""
    rel = " ".join(m["rel"].lower().split())
    word = " ".join(m["u"].lower().split())
    if word in SEASONS or word == "autumn":
        season = SEASONS[word]
        direction = (
            -1 if rel in ("last", "this past", "the past", "the last") else 1 if rel in ("next", "this coming") else 0
        )
        return Reading("DATE", f"{resolve_season_year(need_dct(ctx), season, direction)}-{season}")
    unit = "year" if word in ("fiscal year", "calendar year") else unit_of(word)
    stretch = rel in ("the past", "the last", "the coming") or (rel == "the next" and unit != "day")
    if stretch:  # "over the past decade", "in the next month"; but "the next day" is a day
        if unit == "weekend":
            return Reading("DURATION", "P2D")
        return Reading("DURATION", duration_value(1.0, unit))
    if unit == "weekend" and rel in ("the", "this"):
        return Reading("DATE", name_period(_nearest_weekend(need_dct(ctx), ctx.tense), "weekend"))
    base_unit = "week" if unit == "weekend" else unit
    has_ref = (ctx.ref_period if unit in _COARSE_UNITS else ctx.ref) is not None
    if rel in ("that", "the same"):
        anchor = need_ref(ctx, unit)
        step = 0
    elif rel in ("the following", "the next") and has_ref:
        anchor, step = need_ref(ctx, unit), 1
    elif rel in ("the previous", "the preceding") and has_ref:
        anchor, step = need_ref(ctx, unit), -1
    else:
        anchor = need_dct(ctx)
        step = _step_of(rel)
    return Reading("DATE", name_period(shift(anchor, step, base_unit), unit))


def _nearest_weekend(dct: dt.date, tense: Tense | None) -> dt.date:
    """The Saturday of "the weekend": the one just gone in a past clause, else the coming one."""
    if tense == "past" or dct.weekday() >= 5:
        return dct - dt.timedelta(days=(dct.weekday() - 5) % 7)
    return dct + dt.timedelta(days=(5 - dct.weekday()) % 7)


def _step_of(rel: str) -> int:
    if rel in ("last", "the past", "the last", "this past", "the previous", "the preceding"):
        return -1
    if rel in ("next", "the next", "the coming", "this coming", "the following"):
        return 1
    return 0


def norm_ago(m: re.Match[str], ctx: Context) -> Reading:
    """A point shifted from the dct or the last date ("three weeks ago", "a year earlier"), at the unit granularity."""
    amount = parse_number(m["n"])
    direction = m["dir"].lower().split()[0]
    backwards = direction in ("ago", "earlier", "before", "previously", "back")
    if amount is None:
        return Reading("DATE", "PAST_REF" if backwards else "FUTURE_REF")
    unit = unit_of(m["u"])
    anchor = need_dct(ctx) if direction in ("ago", "hence", "from", "back") else need_ref(ctx, unit)
    sign = -1 if backwards else 1
    if unit in ("second", "minute", "hour"):
        return Reading("DATE", anchor.isoformat())
    steps = int(amount * UNIT_MULTIPLIER.get(unit, 1)) if unit in ("decade", "century", "fortnight") else int(amount)
    shift_unit = {"decade": "year", "century": "year", "fortnight": "week", "night": "day"}.get(unit, unit)
    day = shift(anchor, sign * steps, shift_unit)
    if shift_unit == "year" and amount == 1 and direction in ("earlier", "ago") and _mentions_quarter(ctx):
        return Reading("DATE", name_period(shift(_reported_quarter(ctx), -1, "year"), "quarter"))
    return Reading("DATE", name_period(day, shift_unit if unit not in ("decade", "century") else "year"))
