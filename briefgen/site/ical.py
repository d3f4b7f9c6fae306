"""The deadlines as an iCalendar file calendar apps import: one all-day event per deadline.

UIDs are stable (from the article and what the deadline says); DTSTAMP is the article's
date, never the clock, so the same content gives the same file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from urllib.parse import urlsplit

import icalendar

from briefgen import __version__
from briefgen.config import SiteConfig
from briefgen.site.dates import day_start
from briefgen.site.deadlines import Deadline
from briefgen.site.feeds import absolute_base, briefing_path, site_url

ICS_PATH = "deadlines.ics"


def _host(config: SiteConfig) -> str:
    base = absolute_base(config)
    return urlsplit(base).netloc if base else "briefgen.invalid"


def inert(text: str) -> str:
    """Calendar text some apps render as HTML: angle brackets become look-alikes, so no tag survives."""
    return text.replace("<", "‹").replace(">", "›")


def _summary(deadline: Deadline, limit: int = 120) -> str:
    what = inert(deadline.what)
    if len(what) > limit:
        what = what[:limit].rsplit(" ", 1)[0] + "…"
    return f"Deadline: {what}"


def deadline_event(deadline: Deadline, config: SiteConfig) -> icalendar.Event:
    assert deadline.date is not None
    article = deadline.briefing.article
    event = icalendar.Event()
    event.add("uid", f"{deadline.uid}@{_host(config)}")
    stamp = day_start(article.date, config) if article.date else day_start(deadline.date, config)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", deadline.date)
    event.add("dtend", deadline.date + dt.timedelta(days=1))
    event.add("summary", _summary(deadline))
    said = " ".join(deadline.timex.sentence.slice(article.text).split())
    event.add("description", inert(f"{said}\n\nFrom the briefing “{article.title}”."))
    if absolute_base(config):
        event.add("url", site_url(config, briefing_path(deadline.briefing)) + f"#time-{deadline.number}")
    event.add("transp", "TRANSPARENT")
    return event


def deadlines_calendar(deadlines: Sequence[Deadline], config: SiteConfig) -> bytes:
    """A VCALENDAR of every dated deadline, in date order."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//briefgen//briefgen {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", inert(f"{config.title}: deadlines"))
    calendar.add("x-wr-timezone", config.timezone)
    for deadline in deadlines:
        if deadline.date is not None:
            calendar.add_component(deadline_event(deadline, config))
    return calendar.to_ical()
