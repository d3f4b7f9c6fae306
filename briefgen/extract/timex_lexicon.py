"""Word tables for the time-expression recogniser: names, units, number words, and their regex fragments.

Kept apart from the rules so the rules read as grammar, and so every table is built (and every
fragment compiled into a rule) once, at import.
"""

from __future__ import annotations

import re

MONTHS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
WEEKDAYS: dict[str, int] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip
SEASONS: dict[str, str] = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
SEASON_START_MONTH: dict[str, int] = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
PARTS_OF_DAY: dict[str, str] = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}

# unit word -> (TIMEX3 duration letter, needs the "T" time marker)
UNITS: dict[str, tuple[str, bool]] = {
    "second": ("S", True), "minute": ("M", True), "hour": ("H", True),
    "day": ("D", False), "night": ("D", False), "week": ("W", False), "fortnight": ("W", False),
    "month": ("M", False), "quarter": ("Q", False), "year": ("Y", False),
    "decade": ("DE", False), "century": ("CE", False),
}  # fmt: skip
UNIT_MULTIPLIER: dict[str, float] = {"fortnight": 2, "decade": 10, "century": 100}
SET_ADVERBS: dict[str, str] = {
    "hourly": "PT1H", "daily": "P1D", "nightly": "P1D", "weekly": "P1W", "biweekly": "P2W",
    "monthly": "P1M", "yearly": "P1Y", "annually": "P1Y", "biannually": "P6M",
}  # fmt: skip
HOLIDAYS: dict[str, tuple[int, int]] = {
    "new year's day": (1, 1), "new year's eve": (12, 31), "christmas day": (12, 25), "christmas eve": (12, 24),
    "christmas": (12, 25), "halloween": (10, 31), "valentine's day": (2, 14),
    "independence day": (7, 4), "veterans day": (11, 11), "boxing day": (12, 26),
}  # fmt: skip
# (month, weekday, nth) for holidays defined by a weekday; nth -1 = last
FLOATING_HOLIDAYS: dict[str, tuple[int, int, int]] = {
    "thanksgiving": (11, 3, 4), "thanksgiving day": (11, 3, 4), "labor day": (9, 0, 1),
    "memorial day": (5, 0, -1), "martin luther king day": (1, 0, 3), "presidents day": (2, 0, 3),
}  # fmt: skip

ONES: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
ORDINALS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
}  # fmt: skip
VAGUE_QUANTITIES = ("a few", "few", "several", "many", "some", "a number of", "numerous")
COUPLE = r"(?:a\s+)?couple(?:\s+of)?"
DECADE_WORDS: dict[str, int] = {
    "twenties": 2, "thirties": 3, "forties": 4, "fifties": 5,
    "sixties": 6, "seventies": 7, "eighties": 8, "nineties": 9,
}  # fmt: skip
TIMEZONES = r"(?:[ECMP][SD]T|GMT|UTC|BST|CET|CEST|local\s+time)"


def alternation(words: object) -> str:
    """A regex alternation of ``words``, longest first so the engine prefers the longest name."""
    items = sorted({str(w) for w in words}, key=lambda w: (-len(w), w))  # type: ignore[attr-defined]
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in items)


_NUMBER_WORD = alternation([*ONES, *TENS])
NUMBER_WORDS = rf"(?:(?:{_NUMBER_WORD})(?:[\s-]+(?:{_NUMBER_WORD}|hundred|thousand|and))*)"
NUMERAL = r"(?:\d+(?:\.\d+)?(?:\s+\d/\d)?|\d+/\d)"
QUANTITY = (
    rf"(?:{NUMERAL}|{NUMBER_WORDS}|{COUPLE}|a|an|{alternation(VAGUE_QUANTITIES)}|a\s+hundred|a\s+thousand|a\s+dozen)"
)
UNIT_WORDS = (
    r"(?:seconds?|minutes?|hours?|days?|nights?|weeks?|fortnights?|months?|quarters?|years?|decades?|centur(?:y|ies))"
)
MONTH_FULL = alternation(k for k in MONTHS if len(k) > 4 or k in ("may", "june", "july"))
MONTH_FULL_NAME = rf"(?:{MONTH_FULL.title()})"
MONTH_ABBR = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
MONTH_NAME = rf"(?:{MONTH_FULL_NAME}|{MONTH_ABBR})"
WEEKDAY_NAME = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
SEASON_NAME = r"(?:spring|summer|fall|autumn|winter)"
PART_OF_DAY = r"(?:morning|afternoon|evening|night)"
DAY_NUMBER = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
YEAR4 = r"(?:1[6-9]\d\d|20\d\d)"
_ONES_1_9 = alternation(k for k in ONES if 0 < ONES[k] < 10)
SPOKEN_YEAR = (
    r"(?:(?:nineteen|eighteen)[\s-]+(?:hundred[\s-]+)?"
    rf"(?:(?:{alternation(TENS)})(?:[\s-]+(?:{_ONES_1_9}))?"
    rf"|{alternation(k for k in ONES if ONES[k] >= 10)}|oh[\s-]+(?:{_ONES_1_9})))"
)
SPOKEN_YEAR_2000 = rf"(?:two\s+thousand(?:\s+and)?(?:[\s-]+(?:{_ONES_1_9}|ten))?)"


def parse_number(text: str) -> float | None:
    """The value of a numeral or number words ("twenty four", "2 1/2", "a hundred"); None when vague."""
    t = text.lower().replace("-", " ").replace(",", "").strip()
    if t in ("a", "an", "one"):
        return 1.0
    if t == "a dozen":
        return 12.0
    if t in ("a couple of", "a couple", "couple of", "couple"):
        return 2.0
    match = re.fullmatch(r"(\d+(?:\.\d+)?)?\s*(?:(\d)/(\d))?", t)
    if match and (match.group(1) or match.group(2)):
        whole = float(match.group(1) or 0)
        return whole + (int(match.group(2)) / int(match.group(3)) if match.group(2) else 0.0)
    return _parse_number_words(t.split())


def _parse_number_words(words: list[str]) -> float | None:
    total = current = 0
    seen = False
    for word in words:
        if word in ("a", "and"):
            continue
        if word in ONES:
            current += ONES[word]
        elif word in TENS:
            current += TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total += max(current, 1) * 1000
            current = 0
        else:
            return None
        seen = True
    return float(total + current) if seen else None


def parse_spoken_year(text: str) -> int | None:
    """``nineteen ninety-seven`` -> 1997, ``two thousand`` -> 2000."""
    words = text.lower().replace("-", " ").split()
    if words[:2] == ["two", "thousand"]:
        rest = _parse_number_words(words[2:]) if len(words) > 2 else 0.0
        return 2000 + int(rest or 0)
    century = ONES.get(words[0]) if words[0] in ONES else TENS.get(words[0])
    if century is None:
        return None
    rest_words = [w for w in words[1:] if w not in ("hundred", "oh")]
    rest = _parse_number_words(rest_words) if rest_words else 0.0
    return None if rest is None else century * 100 + int(rest)
