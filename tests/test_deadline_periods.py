"""Deadlines that name a week, a month or a year: shown as the time the article names, never as its first day;
and times without a date ("soon", "within ten days") said in words, not as TIMEX values.

"Due by the end of September" is a month. The deadlines page heads it "end of September 2025" (not "Monday 1
September 2025", a day the article never named), it stays upcoming until the month is over, and the calendar holds it
as an event all month long. Built through the real pipeline, with the real language model.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import icalendar
import pytest

from briefgen.build import build_site
from briefgen.compose import due_order, last_day, when_label
from briefgen.model import Span, TimeExpression
from briefgen.site.deadlines import when_of
from tests.helpers import article, make_site

REVIEW = article(
    "Budget review looms over harbour talks",
    "2025-08-11",
    "Harbour Commission chair Daniel Reyes said the budget review is due by the end of September.\n\n"
    "He said the commission could not meet the union's demands before then.\n",
)
VOTE = article(
    "Council to vote on harbour deal",
    "2025-09-14",
    "The city council must vote on the harbour deal by Friday, Mayor Elena Marsh said on Sunday.\n",
)


def timex(value: str, first: dt.date, granularity: str | None) -> TimeExpression:
    return TimeExpression(Span(0, 1), "x", "DATE", value, first, granularity, Span(0, 1))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "first", "granularity", "last", "label"),
    [
        ("2025-08-08", dt.date(2025, 8, 8), "day", dt.date(2025, 8, 8), "Friday 8 August 2025"),
        ("2025-08-08", dt.date(2025, 8, 8), None, dt.date(2025, 8, 8), "Friday 8 August 2025"),
        ("2025-W32", dt.date(2025, 8, 4), "week", dt.date(2025, 8, 10), "week of Monday 4 August 2025"),
        ("2025-09", dt.date(2025, 9, 1), "month", dt.date(2025, 9, 30), "September 2025"),
        ("2024-02", dt.date(2024, 2, 1), "month", dt.date(2024, 2, 29), "February 2024"),
        ("2025-12", dt.date(2025, 12, 1), "month", dt.date(2025, 12, 31), "December 2025"),
        ("2025-Q4", dt.date(2025, 10, 1), "quarter", dt.date(2025, 12, 31), "Q4 2025"),
        ("2025-WI", dt.date(2025, 12, 1), "season", dt.date(2026, 2, 28), "winter 2025"),
        ("2026-SU", dt.date(2026, 6, 1), "season", dt.date(2026, 8, 31), "summer 2026"),
        ("2025", dt.date(2025, 1, 1), "year", dt.date(2025, 12, 31), "2025"),
        ("201X", dt.date(2010, 1, 1), "decade", dt.date(2019, 12, 31), "the 2010s"),
        ("9999-12", dt.date(9999, 12, 1), "month", dt.date.max, "December 9999"),
        ("9999-W52", dt.date(9999, 12, 27), "week", dt.date.max, "week of Monday 27 December 9999"),
    ],
)
def test_the_last_day_of_the_time_a_deadline_names(
    value: str, first: dt.date, granularity: str | None, last: dt.date, label: str
) -> None:
    named = timex(value, first, granularity)
    assert last_day(named) == last
    assert when_label(named) == label


@pytest.mark.parametrize(
    ("kind", "value", "label"),
    [
        ("DATE", "FUTURE_REF", "in the future (no date given)"),  # "soon"
        ("DATE", "PAST_REF", "in the past (no date given)"),  # "recently"
        ("DATE", "PRESENT_REF", "now"),
        ("DURATION", "P10D", "10 days"),  # "within ten days"
        ("DURATION", "P1D", "1 day"),
        ("DURATION", "P1Y6M", "1 year 6 months"),
        ("DURATION", "PT1H30M", "1 hour 30 minutes"),
        ("DURATION", "PXY", "years"),  # "for years"
        ("DURATION", "P2CE", "2 centuries"),
        ("SET", "P1W", "every week"),  # "weekly"
        ("SET", "P2D", "every 2 days"),
        ("SET", "XXXX-WXX-1", "XXXX-WXX-1"),  # "every Monday": no words made for it, the value
        ("DATE", None, "unresolved"),
    ],
)
def test_a_time_without_a_date_is_said_in_words(kind: str, value: str | None, label: str) -> None:
    named = dataclasses.replace(timex("", dt.date(2025, 1, 1), None), type=kind, value=value, date=None)
    assert when_label(named) == label
    assert last_day(named) is None


@pytest.mark.parametrize(
    ("text", "value", "first", "granularity", "label"),
    [
        ("mid-October", "2025-10", dt.date(2025, 10, 1), "month", "mid-October 2025"),
        ("the end of September", "2025-09", dt.date(2025, 9, 1), "month", "end of September 2025"),
        ("at the start of next month", "2025-10", dt.date(2025, 10, 1), "month", "start of October 2025"),
        ("late August", "2025-08", dt.date(2025, 8, 1), "month", "late August 2025"),
        ("early 2026", "2026", dt.date(2026, 1, 1), "year", "early 2026"),
        ("mid-2026", "2026", dt.date(2026, 1, 1), "year", "mid-2026"),
        ("the end of the year", "2025", dt.date(2025, 1, 1), "year", "end of 2025"),
        ("the beginning of 2027", "2027", dt.date(2027, 1, 1), "year", "beginning of 2027"),
        ("the early 2010s", "201X", dt.date(2010, 1, 1), "decade", "early 2010s"),
        ("the end of the decade", "202X", dt.date(2020, 1, 1), "decade", "end of the 2020s"),
        ("early spring", "2026-SP", dt.date(2026, 3, 1), "season", "early spring 2026"),
        ("the middle of next week", "2025-W37", dt.date(2025, 9, 8), "week",
         "middle of the week of Monday 8 September 2025"),
        ("late next week", "2025-W37", dt.date(2025, 9, 8), "week", "late in the week of Monday 8 September 2025"),
        # the whole period, or a day: no part
        ("later this month", "2025-09", dt.date(2025, 9, 1), "month", "September 2025"),
        ("earlier this year", "2025", dt.date(2025, 1, 1), "year", "2025"),
        ("late Friday", "2025-09-05", dt.date(2025, 9, 5), "day", "Friday 5 September 2025"),
        ("midweek", "2025-W37", dt.date(2025, 9, 8), "week", "week of Monday 8 September 2025"),
    ],
)  # fmt: skip
def test_the_part_of_a_period_the_article_names_is_in_its_label(
    text: str, value: str, first: dt.date, granularity: str, label: str
) -> None:
    named = dataclasses.replace(timex(value, first, granularity), text=text)
    assert when_label(named) == label
    assert last_day(named) == last_day(timex(value, first, granularity))  # due by the period's end all the same


def test_one_month_heads_apart_what_falls_due_in_it_and_at_its_end() -> None:
    """Listed in due order, the deadlines of one heading are together and the headings' anchors differ."""
    september = timex("2025-09", dt.date(2025, 9, 1), "month")
    end = dataclasses.replace(september, text="the end of September")
    mid = dataclasses.replace(september, text="mid-September")
    ordered = sorted([end, september, mid, end, september], key=due_order)
    labels = [when_label(t) for t in ordered]
    assert labels == sorted(labels) and len(set(labels)) == 3
    anchors = {when_label(t): when_of(t).anchor for t in ordered}  # type: ignore[union-attr]
    assert anchors == {
        "September 2025": "2025-09",
        "end of September 2025": "2025-09-end",
        "mid-September 2025": "2025-09-mid",
    }


def test_deadlines_fall_due_on_the_last_day_of_the_time_they_name() -> None:
    year = timex("2025", dt.date(2025, 1, 1), "year")  # "by the end of the year"
    october = timex("2025-10", dt.date(2025, 10, 1), "month")  # "by mid-October"
    fifteenth = timex("2025-10-15", dt.date(2025, 10, 15), "day")
    last = timex("2025-10-31", dt.date(2025, 10, 31), "day")
    monday = timex("2025-10-06", dt.date(2025, 10, 6), "day")
    unresolved = dataclasses.replace(october, date=None)
    ordered = sorted([unresolved, year, october, last, fifteenth, monday], key=due_order)
    assert ordered == [monday, fifteenth, last, october, year, unresolved]


def test_an_unresolved_time_has_no_last_day() -> None:
    assert last_day(dataclasses.replace(timex("2025-09", dt.date(2025, 9, 1), "month"), date=None)) is None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_site(tmp_path_factory.mktemp("periods"), {"content/review.md": REVIEW, "content/vote.md": VOTE})
    result = build_site(root, jobs=1, search=False)
    assert result.published and not result.errors, result.problems
    return root / "site"


def headings(page: str, section: str) -> list[tuple[str, str]]:
    """The (datetime, label) of each day's or period's heading in one section of the deadlines page."""
    part = page.split(f'<h2 id="{section}">', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<h3 id="[^"]+"><time datetime="([^"]+)">([^<]+)</time></h3>', part)


def test_a_month_is_headed_as_the_month_and_stays_upcoming_until_it_ends(site: Path) -> None:
    page = (site / "deadlines" / "index.html").read_text(encoding="utf-8")
    assert 'as of <time datetime="2025-09-14">' in page  # the newest article's date: mid-September
    # in the order they fall due: the month's deadline runs to its last day
    assert headings(page, "upcoming") == [
        ("2025-09-19", "Friday 19 September 2025"),
        ("2025-09", "End of September 2025"),  # a heading begins with a capital
    ]
    assert 'id="past"' not in page
    assert "Monday 1 September" not in page
    assert 'id="upcoming-2025-09-end"' in page


def test_the_calendar_holds_a_month_as_an_event_all_month_long(site: Path) -> None:
    calendar = icalendar.Calendar.from_ical((site / "deadlines.ics").read_bytes())
    spans = sorted((e.decoded("dtstart"), e.decoded("dtend")) for e in calendar.walk("VEVENT"))
    assert spans == [(dt.date(2025, 9, 1), dt.date(2025, 10, 1)), (dt.date(2025, 9, 19), dt.date(2025, 9, 20))]


def test_the_briefing_summary_names_the_month(site: Path) -> None:
    markdown = (site / "briefings" / "review" / "briefing.md").read_text(encoding="utf-8")
    assert re.search(r"- \*\*Deadline:\*\* \[end of September 2025\]\(#time-\d+\)", markdown), markdown
    page = (site / "briefings" / "review" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<strong>Deadline:</strong> <a href="#time-\d+">end of September 2025</a>', page)


def test_the_home_page_lists_the_month_among_the_upcoming_deadlines(site: Path) -> None:
    page = (site / "index.html").read_text(encoding="utf-8")
    upcoming = page.split('id="upcoming-deadlines"', 1)[1].split("</section>", 1)[0]
    assert '<time class="when" datetime="2025-09">end of September 2025</time>' in upcoming
    assert "deadline-item past" not in upcoming
