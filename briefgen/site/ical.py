"""The deadlines as an iCalendar file calendar apps import: one all-day event per deadline.

UIDs are stable (from the article and what the deadline says); DTSTAMP is the article's
date, never the clock, so the same content gives the same file. The file is made from
``CalendarEntry`` values alone, so the build keeps it while their digest stays the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import icalendar

from briefgen import __version__
from briefgen.config import SiteConfig
from briefgen.site.dates import day_start
from briefgen.site.deadlines import Deadline
from briefgen.site.feeds import absolute_base, briefing_path, site_url
from briefgen.site.views import view

ICS_PATH = "deadlines.ics"


def _host(config: SiteConfig) -> str:
    base = absolute_base(config)
    return urlsplit(base).netloc if base else "briefgen.invalid"


def inert(text: str) -> str:
    """Calendar text some apps render as HTML: angle brackets become look-alikes, so no tag survives."""
    return text.replace("<", "‹").replace(">", "›")


@view
@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """What the calendar says of one dated deadline: all its event is made from (so its digest covers the file)."""

    uid: str
    date: dt.date
    stamp: dt.date  # the article's date (the deadline's when the article has none)
    what: str
    said: str  # the sentence it stands in
    title: str  # the briefing's
    path: str  # the briefing page's, with the timeline anchor
    number: int


def calendar_entries(deadlines: Sequence[Deadline]) -> tuple[CalendarEntry, ...]:
    """The dated deadlines, in the given order."""
    return tuple(
        CalendarEntry(
            d.uid,
            d.date,
            d.briefing.article.date or d.date,
            d.what,
            " ".join(d.timex.sentence.slice(d.briefing.article.text).split()),
            d.briefing.article.title,
            briefing_path(d.briefing),
            d.number,
        )
        for d in deadlines
        if d.date is not None
    )


def _summary(entry: CalendarEntry, limit: int = 120) -> str:
    what = inert(entry.what)
    if len(what) > limit:
        what = what[:limit].rsplit(" ", 1)[0] + "…"
    return f"Deadline: {what}"


def deadline_event(entry: CalendarEntry, config: SiteConfig) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"{entry.uid}@{_host(config)}")
    event.add("dtstamp", day_start(entry.stamp, config).astimezone(dt.UTC))
    event.add("dtstart", entry.date)
    event.add("dtend", entry.date + dt.timedelta(days=1))
    event.add("summary", _summary(entry))
    event.add("description", inert(f"{entry.said}\n\nFrom the briefing “{entry.title}”."))
    if absolute_base(config):
        event.add("url", site_url(config, entry.path) + f"#time-{entry.number}")
    event.add("transp", "TRANSPARENT")
    return event


def deadlines_calendar(entries: Sequence[CalendarEntry], config: SiteConfig) -> bytes:
    """A VCALENDAR of the dated deadlines (:func:`calendar_entries`), in date order."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//briefgen//briefgen {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", inert(f"{config.title}: deadlines"))
    calendar.add("x-wr-timezone", config.timezone)
    for entry in entries:
        calendar.add_component(deadline_event(entry, config))
    return calendar.to_ical()
