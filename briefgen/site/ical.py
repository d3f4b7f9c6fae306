r"""The deadlines as an iCalendar file calendar apps import: one all-day event per deadline.

UIDs are stable (from the article and what the deadline says); DTSTAMP is the article's
date, never the clock, so the same content gives the same file. The file is made from
``CalendarEntry`` values alone, so the build keeps it while their digest stays the same.

The text is written here, not by the ``icalendar`` library: making a component per event
and serialising it (a value object and a content line object per property, parameters
sorted, lines folded a character at a time) was nearly all of the calendar's cost: 2.4-6.5 s
for the 15,058 events of the 10,000-article benchmark site, 0.09-0.19 s written here. The file
is byte for byte what ``icalendar`` 7 wrote (``tests/ical_before.py`` keeps that code, and
``tests/test_ical_writer.py`` compares the two on any input):

- properties in its order: VERSION, PRODID, CALSCALE, METHOD, X-WR-CALNAME, X-WR-TIMEZONE;
  in an event SUMMARY, DTSTART, DTEND, DTSTAMP, UID, then DESCRIPTION, TRANSP, URL;
- TEXT values escaped (RFC 5545, 3.3.11): CR LF, LF, a lone CR and a literal ``\N`` each
  become ``\n``, and ``\``, ``;``, ``,`` get a backslash; the X-WR-* values (unknown to the
  library) and the URL are written as they are;
- one leading U+FEFF dropped from a value (the library read each value back as ``utf-8-sig``);
- a line folded before the character that would make it 75 octets of UTF-8 (so a line holds
  at most 74, a continuation line its leading space and 74), never inside a character, and a
  line that would end in ``\`` or ``^`` gives that character to the next line;
- CRLF after every line, the last included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from briefgen import __version__
from briefgen.config import SiteConfig
from briefgen.digest import plain_digest, sequence_digest, view
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


@view
@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """What the calendar says of one dated deadline: all its event is made from (so its digest covers the file)."""

    uid: str
    date: dt.date
    end: dt.date  # its last day: a deadline in "September" is an event all month long
    stamp: dt.date  # the article's date (the deadline's when the article has none)
    what: str
    said: str  # the sentence it stands in
    title: str  # the briefing's
    path: str  # the briefing page's, with the timeline anchor
    number: int


def calendar_entries(deadlines: Sequence[Deadline]) -> tuple[CalendarEntry, ...]:
    """The dated deadlines, in the given order. In a resident build process (``keep_calendar``), a deadline's entry
    is the last build's, the very object, when the deadline is (``site.deadlines.collect_deadlines``)."""
    kept = _kept
    if kept is None:
        return tuple(_entry(d) for d in deadlines if d.date is not None)
    entries = []
    fresh: dict[int, tuple[Deadline, CalendarEntry]] = {}
    for deadline in deadlines:
        if deadline.date is None:
            continue
        found = kept.entries.get(id(deadline))
        if found is None or found[0] is not deadline:
            found = deadline, _entry(deadline)
        fresh[id(deadline)] = found
        entries.append(found[1])
    kept.entries = fresh
    return tuple(entries)


def _entry(d: Deadline) -> CalendarEntry:
    assert d.date is not None
    return CalendarEntry(
        d.uid,
        d.date,
        d.last_day or d.date,
        d.briefing.article.date or d.date,
        d.what,
        " ".join(d.timex.sentence.slice(d.briefing.article.text).split()),
        d.briefing.article.title,
        briefing_path(d.briefing),
        d.number,
    )


def entries_digest(entries: Sequence[CalendarEntry], of: Callable[[object], str]) -> str:
    """The digest of ``entries`` as ``of`` (``digest.Fingerprints.of``) makes it; in a resident build process, from
    each entry's digest as the build that made the entry made it (``keep_calendar``)."""
    kept = _kept
    if kept is None:
        return of(entries)
    return sequence_digest(map(kept.digest, entries))


_Event = tuple["CalendarEntry", str, "tuple[tuple[object, ...], bytes] | None"]  # the entry, its digest, its event


class _KeptCalendar:
    """A resident build process's calendar entries (by deadline) and their digests and events (by entry), from one
    build to the next: an edit changes a few of the 15,058 of the 10,000-article benchmark site, whose entries,
    digests and text took some 0.9 s of each edit."""

    def __init__(self) -> None:
        self.entries: dict[int, tuple[Deadline, CalendarEntry]] = {}
        self.events: dict[int, _Event] = {}  # the last build's (``settle``)
        self.fresh: dict[int, _Event] = {}  # this build's

    def digest(self, entry: CalendarEntry) -> str:
        return self._found(entry)[1]

    def event(self, entry: CalendarEntry, settings: tuple[object, ...]) -> bytes | None:
        """The entry's event as last written with ``settings``; None if it was not."""
        written = self._found(entry)[2]
        return written[1] if written is not None and written[0] == settings else None

    def written(self, entry: CalendarEntry, settings: tuple[object, ...], event: bytes) -> None:
        self.fresh[id(entry)] = entry, self._found(entry)[1], (settings, event)

    def _found(self, entry: CalendarEntry) -> _Event:
        found = self.fresh.get(id(entry))
        if found is None:
            found = self.events.get(id(entry))
            if found is None or found[0] is not entry:
                found = entry, plain_digest(entry), None
            self.fresh[id(entry)] = found
        return found

    def settle(self) -> None:
        """After a build's calendar: the next build keeps what this one's entries are."""
        self.events, self.fresh = self.fresh, {}


_kept: _KeptCalendar | None = None  # set in a resident build process only


def keep_calendar() -> None:
    """Keep each build's calendar entries and events in this process for its next build."""
    global _kept
    if _kept is None:
        _kept = _KeptCalendar()


def settle_calendar() -> None:
    """After a build's calendar, in a resident build process: what its next build keeps is this one's."""
    if _kept is not None:
        _kept.settle()


def _summary(entry: CalendarEntry, limit: int = 120) -> str:
    what = inert(entry.what)
    if len(what) > limit:
        what = what[:limit].rsplit(" ", 1)[0] + "…"
    return f"Deadline: {what}"


FOLD_AT = 74
"""Octets a line holds: the character that would make it 75 starts a continuation line."""
BOM = "\ufeff"
ESCAPES = b"\\^"
"""Characters that start an escape (TEXT's backslash, RFC 6868's caret): a fold never leaves one last on a line."""


def _text(value: str) -> str:
    r"""A TEXT value, escaped: every line break (and a literal ``\N``) as ``\n``; ``\``, ``;``, ``,`` backslashed."""
    value = value.replace("\\N", "\n").replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _verbatim(value: str) -> str:
    """A value of a type without escapes, written as it is: a line break in it cannot be written."""
    if "\n" in value:
        raise ValueError(f"an iCalendar value cannot hold a line break: {value!r}")
    return value


def _line(name: str, value: str) -> bytes:
    """The content line ``name:value`` in UTF-8, without one leading U+FEFF of the value, folded."""
    data = f"{name}:{value.removeprefix(BOM)}".encode()
    if len(data) <= FOLD_AT:
        return data
    parts: list[bytes] = []
    start = 0
    while len(data) - start > FOLD_AT:
        end = start + FOLD_AT
        while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: back to the character's first
            end -= 1
        if data[end - 1] in ESCAPES and end - start > 1:
            end -= 1
        parts.append(data[start:end])
        start = end
    parts.append(data[start:])
    return b"\r\n ".join(parts)


def _date(day: dt.date) -> bytes:
    """A DATE value: ``YYYYMMDD``."""
    return f"{day.year:04}{day.month:02}{day.day:02}".encode()


def _all_day(first: dt.date, last: dt.date) -> bytes:
    """An all-day event's DTSTART and DTEND lines (it ends as the day after its last starts)."""
    return b"DTSTART;VALUE=DATE:" + _date(first) + b"\r\nDTEND;VALUE=DATE:" + _date(last + dt.timedelta(days=1))


def _utc(moment: dt.datetime) -> bytes:
    """A DATE-TIME value in UTC: ``YYYYMMDDTHHMMSSZ`` (no fraction of a second)."""
    m = moment.astimezone(dt.UTC)
    return f"{m.year:04}{m.month:02}{m.day:02}T{m.hour:02}{m.minute:02}{m.second:02}Z".encode()


def _event(entry: CalendarEntry, day: bytes, stamp: bytes, host: str, linked: SiteConfig | None) -> bytes:
    """The entry's VEVENT (``day``: its DTSTART and DTEND lines), without the line break after it; ``linked``: the
    config, when the site has an absolute URL the event links to."""
    lines = [
        b"BEGIN:VEVENT",
        _line("SUMMARY", _text(_summary(entry))),
        day,
        b"DTSTAMP:" + stamp,
        _line("UID", _text(f"{entry.uid}@{host}")),
        _line("DESCRIPTION", _text(inert(f"{entry.said}\n\nFrom the briefing “{entry.title}”."))),
        b"TRANSP:TRANSPARENT",
    ]
    if linked is not None:
        url = f"{site_url(linked, entry.path)}#time-{entry.number}"
        if "\r" in url or "\n" in url:
            raise ValueError(f"a URL cannot hold a line break: {url!r}")
        lines.append(_line("URL", url))
    lines.append(b"END:VEVENT")
    return b"\r\n".join(lines)


def deadlines_calendar(entries: Sequence[CalendarEntry], config: SiteConfig) -> bytes:
    """A VCALENDAR of the dated deadlines (:func:`calendar_entries`), in date order."""
    host = _host(config)
    base = absolute_base(config)
    days: dict[tuple[dt.date, dt.date], bytes] = {}
    stamps: dict[dt.date, bytes] = {}
    lines = [
        b"BEGIN:VCALENDAR",
        b"VERSION:2.0",
        _line("PRODID", _text(f"-//briefgen//briefgen {__version__}//EN")),
        b"CALSCALE:GREGORIAN",
        b"METHOD:PUBLISH",
        _line("X-WR-CALNAME", _verbatim(inert(f"{config.title}: deadlines"))),
        _line("X-WR-TIMEZONE", _verbatim(config.timezone)),
    ]
    kept = _kept
    settings = (host, base, config.timezone)  # what an event is written with besides its entry
    for entry in entries:
        event = kept.event(entry, settings) if kept is not None else None
        if event is None:
            span = (entry.date, entry.end)
            day = days.get(span) or days.setdefault(span, _all_day(*span))
            stamp = stamps.get(entry.stamp) or stamps.setdefault(entry.stamp, _utc(day_start(entry.stamp, config)))
            event = _event(entry, day, stamp, host, config if base is not None else None)
            if kept is not None:
                kept.written(entry, settings, event)
        lines.append(event)
    lines += (b"END:VCALENDAR", b"")
    return b"\r\n".join(lines)
