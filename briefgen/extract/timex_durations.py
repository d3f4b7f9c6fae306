"""Normalisers for durations, sets, clock times and the PRESENT/PAST/FUTURE references."""

from __future__ import annotations

import re

from briefgen.extract.timex_calendar import duration_value, resolve_weekday
from briefgen.extract.timex_lexicon import PARTS_OF_DAY, SET_ADVERBS, WEEKDAYS, parse_number
from briefgen.extract.timex_normalise import Context, Reading, Unresolved, group, need_dct, unit_of


def norm_duration(m: re.Match[str], ctx: Context) -> Reading:
    unit = unit_of(m["u"])
    amount = parse_number(m["n"]) if group(m, "n") else None
    side = re.match(r"(?i)(?:the\s+)?(past|last|previous|preceding|next|coming)\b", m.group(0))
    if amount is None and side is not None:  # "the past few months": a vague stretch of the past
        backwards = side.group(1).lower() in ("past", "last", "previous", "preceding")
        return Reading("DATE", "PAST_REF" if backwards else "FUTURE_REF")
    if unit == "hour" and amount is not None and amount % 24 == 0:
        unit, amount = "day", amount / 24
    if amount is not None and group(m, "half"):
        amount += 0.5
    return Reading("DURATION", duration_value(amount, unit))


def norm_bare_units(m: re.Match[str], ctx: Context) -> Reading:
    return Reading("DURATION", duration_value(None, unit_of(m["u"])))


def norm_set(m: re.Match[str], ctx: Context) -> Reading:
    if group(m, "adv"):
        return Reading("SET", SET_ADVERBS[m["adv"].lower()])
    if group(m, "w"):
        weekday = WEEKDAYS[m["w"].lower().rstrip("s")] + 1
        part = group(m, "p")
        suffix = f"T{PARTS_OF_DAY[part.lower().rstrip('s')]}" if part else ""
        return Reading("SET", f"XXXX-WXX-{weekday}{suffix}")
    unit = unit_of(m["u"])
    amount = 2.0 if (group(m, "n") or "").lower() == "other" else parse_number(group(m, "n") or "1")
    if unit == "weekend":
        return Reading("SET", "XXXX-WXX-WE")
    return Reading("SET", duration_value(amount or 1.0, unit))


def norm_clock(m: re.Match[str], ctx: Context) -> Reading:
    hour = int(m["h"]) if group(m, "h") else (12 if (group(m, "word") or "").lower() == "noon" else 24)
    minute = int(group(m, "min") or 0)
    marker = (group(m, "ap") or "").lower().replace(".", "")
    part = (group(m, "p") or "").lower()
    if (marker == "pm" or part in ("afternoon", "evening", "night")) and hour < 12:
        hour += 12
    if marker == "am" and hour == 12:
        hour = 0
    if hour > 24 or minute > 59:
        raise Unresolved
    if group(m, "w"):
        day = resolve_weekday(need_dct(ctx), WEEKDAYS[m["w"].lower()], ctx.leaning)
    else:
        day = ctx.ref_here if ctx.ref_here is not None else need_dct(ctx)
    return Reading("TIME", f"{day.isoformat()}T{hour:02d}:{minute:02d}")


def norm_reference(m: re.Match[str], ctx: Context) -> Reading:
    word = " ".join(m.group(0).lower().split())
    if re.search(r"\b(?:now|current|currently|present|presently|nowadays|these days)\b", word):
        return Reading("DATE", "PRESENT_REF")
    if re.search(r"\b(?:future|soon|shortly|coming|term|possible|near|long run|later on)\b", word):
        return Reading("DATE", "FUTURE_REF")
    return Reading("DATE", "PAST_REF")
