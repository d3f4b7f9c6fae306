"""The deadline calendar as it was written before it was made fast: the reference ``test_ical_writer`` compares with.

``deadline_event`` and ``deadlines_calendar`` as they stood, building the file with the ``icalendar`` library,
but for an event's end: the day after the entry's ``end``, since a deadline can name a week or a month. The entry
type and the helpers they share come from ``briefgen.site.ical`` (unchanged). Not used by briefgen itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import icalendar

from briefgen import __version__
from briefgen.config import SiteConfig
from briefgen.site.dates import day_start
from briefgen.site.feeds import absolute_base, site_url
from briefgen.site.ical import CalendarEntry, _host, _summary, inert


def deadline_event(entry: CalendarEntry, config: SiteConfig) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"{entry.uid}@{_host(config)}")
    event.add("dtstamp", day_start(entry.stamp, config).astimezone(dt.UTC))
    event.add("dtstart", entry.date)
    event.add("dtend", entry.end + dt.timedelta(days=1))
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
