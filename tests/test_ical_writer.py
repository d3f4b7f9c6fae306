"""The calendar written by hand against the ``icalendar`` code it stands in for: the same bytes, on any input."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import icalendar
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from briefgen.config import SiteConfig
from briefgen.site.dates import day_start
from briefgen.site.feeds import absolute_base, site_url
from briefgen.site.ical import CalendarEntry, _summary, deadlines_calendar, inert
from tests import ical_before

ROOT = Path("/nonexistent-site")

# Derandomised in CI (the same examples every run: a red build is reproducible); random, and so exploring, elsewhere.
PROFILE = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=bool(os.environ.get("CI")),
)

# What TEXT escapes, what folding must not split or strand (multi-byte characters, ``\`` and ``^``), what
# HTML would run (angle brackets), what a parser might trip on (controls, other line separators, a BOM).
HOSTILE = [
    *"aZ9 -_.:#'\"\\;,^<>&%@`?N",
    "\n",
    "\r",
    "\r\n",
    "\t",
    "\\N",
    "\\n",
    "\x00",
    "\x1b",
    "\x7f",
    "\x85",
    "\u2028",
    "\ufeff",
    "é",
    "“",
    "€",
    "中",
    "😀",
    "👩\u200d👩\u200d👧",
    "<script>",
]
ALPHABET = st.sampled_from(HOSTILE)
pieces = st.lists(ALPHABET, max_size=12).map("".join)
long_pieces = st.lists(ALPHABET, min_size=60, max_size=200).map("".join)
texts = st.one_of(pieces, long_pieces, st.text(max_size=10), st.text(min_size=70, max_size=160))
ZONES = ["UTC", "Europe/Warsaw", "America/St_Johns", "Asia/Kathmandu", "Pacific/Kiritimati", "Africa/Monrovia"]
BASES = [
    "",
    "https://example.org",
    "https://example.org/news/",
    "http://ex.org:8080/a;b,c/",
    "HTTPS://Example.ORG/Up",
    "https://example.org//a/./b/../c",
    "https://example.org/../..",
    "https://example.org?q=1#f",
    "/relative/",
    "ftp://x/",
]
# What urljoin treats as a plain relative path, and what it does not.
PATHS = [
    "briefings/budget-talks/index.html",
    "a.b/~c_d/index.html",
    "a..b/..c/x.",
    "../x",
    "./x",
    "a/./b",
    "a/../b",
    "a//b",
    "x/",
    "/abs/x",
    "//other.host/x",
    "http://other.host/x",
    "mailto:x",
    "a?q=1",
    "a#f",
    "a;p/b;q",
    "é/x",
    "a b/x",
    " x",
    "x\t",
    "%2e%2e/x",
    "",
]


def _spanning(days: int, **fields: object) -> CalendarEntry:
    """An entry whose event lasts ``days`` days more than its first (a week, a month...), within the calendar."""
    first = fields["date"]
    assert isinstance(first, dt.date)
    end = first + dt.timedelta(days=min(days, (dt.date(9999, 12, 30) - first).days))
    return CalendarEntry(end=end, **fields)  # type: ignore[arg-type]


entries = st.builds(
    _spanning,
    st.one_of(st.just(0), st.sampled_from([6, 29, 30, 91, 364]), st.integers(0, 4000)),
    uid=st.one_of(st.text("0123456789abcdef", min_size=20, max_size=20), texts),
    date=st.dates(dt.date(1, 1, 2), dt.date(9999, 12, 30)),
    stamp=st.dates(dt.date(1, 1, 2), dt.date(9999, 12, 30)),
    what=texts,
    said=texts,
    title=texts,
    path=st.one_of(
        st.from_regex(r"briefings/[a-z0-9-]{1,90}/index\.html", fullmatch=True),
        st.lists(st.sampled_from(["a", "b.c", ".", "..", "", "~x", ";p", "?q", "#f", ":", "é"]), max_size=5).map(
            "/".join
        ),
        texts,
    ),
    number=st.integers(0, 10**6),
)
configs = st.builds(
    SiteConfig,
    root=st.just(ROOT),
    title=st.one_of(st.just("Briefings"), texts.filter(lambda t: "\n" not in t)),
    base_url=st.one_of(
        st.sampled_from(BASES),
        st.lists(st.sampled_from(["a", ".", "..", "", ";p", "?q", "#f"]), max_size=4).map(
            lambda parts: "https://example.org/" + "/".join(parts)
        ),
        texts.map(lambda t: "https://example.org/" + t),
    ),
    timezone=st.sampled_from(ZONES),
)


def outcome(write: Callable[[Sequence[CalendarEntry], SiteConfig], bytes], *args: object) -> bytes | str:
    try:
        return write(*args)  # type: ignore[arg-type]
    except Exception:  # the same inputs must fail (the type may differ: see test_a_line_break_...)
        return "raised"


def assert_same(items: Sequence[CalendarEntry], config: SiteConfig, valid: bool = True) -> bytes | str:
    """Both write the same bytes, or both fail (as both must on a line break in a URL, say, unless ``valid``)."""
    before = outcome(ical_before.deadlines_calendar, items, config)
    after = outcome(deadlines_calendar, items, config)
    assert after == before
    assert isinstance(after, bytes) or not valid, "the oracle failed on an input meant to be valid"
    return after


def entry(**changes: object) -> CalendarEntry:
    values: dict[str, object] = {
        "uid": "0f3a9c1d2e4b5a6c7d8e",
        "date": dt.date(2025, 8, 8),
        "stamp": dt.date(2025, 8, 4),
        "what": "Parliament votes on the budget",
        "said": "Parliament votes on the budget on 8 August.",
        "title": "Budget talks",
        "path": "briefings/budget-talks/index.html",
        "number": 2,
    }
    values |= changes
    values.setdefault("end", values["date"])
    return CalendarEntry(**values)  # type: ignore[arg-type]


def config(**changes: object) -> SiteConfig:
    return SiteConfig(root=ROOT, **changes)  # type: ignore[arg-type]


def at_fold(char: str) -> list[str]:
    """``char`` at every position around the first two folds of a line (whatever the property name's length)."""
    return [f"{'x' * n}{char}{'y' * m}" for n in range(50, 160) for m in (0, 1, 80)]


HOSTILE_TEXTS = [
    "",
    " ",
    'He said "no"; they said, "yes".',
    "back\\slash, \\N, \\n, \\\\N and \\;",
    "line\nbreak\r\nand\rcarriage\n\n\r\r",
    "tab\there\x00nul\x1besc\x7fdel\x85nel\u2028ls",
    "<script>alert('x')</script> & <b>bold</b>",
    "\ufeffstarts with a BOM \ufeff",
    "\ufeff\ufeffBOM twice",
    "emoji 😀👩‍👩‍👧 and “quotes” and 中文 and é",
    "^caret^^ and \\^ both",
    "word " * 80,
    "x" * 500,
    "😀" * 120,
    "\\" * 150,
    "^" * 150,
    ";," * 100,
    "é" * 150,
    "a" + "é" * 150,
    "ab" + "中" * 100,
    "abc" + "😀" * 100,
]


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_hostile_text_in_every_field(text: str) -> None:
    for field in ("uid", "what", "said", "title", "path"):
        assert_same([entry(**{field: text})], config(base_url="https://example.org/news"))
    assert_same([entry(what=text, said=text, title=text, uid=text)], config(title=text.replace("\n", "")))


@pytest.mark.parametrize("char", ["😀", "é", "中", "\\", "^", ";", ",", "\n", "\r\n", "\\N", "‹", "a"])
def test_characters_at_every_fold_position(char: str) -> None:
    site = config(base_url="https://example.org/")
    for text in at_fold(char):
        assert_same([entry(what=text[:119], said=text, title=text, uid=text, path=text)], site)
    for text in at_fold(char.replace("\n", "").replace("\r", "") or "x"):
        assert_same([], config(title=text))


@pytest.mark.parametrize("base_url", [*BASES, "  https://example.org/with spaces/  ", "https://example.org?q=1#f"])
@pytest.mark.parametrize("timezone", ZONES)
def test_configs(base_url: str, timezone: str) -> None:
    items = [
        entry(),
        entry(stamp=dt.date(1900, 1, 1), date=dt.date(1, 1, 1)),  # old offsets in seconds; year 1
        entry(stamp=dt.date(2025, 3, 30), date=dt.date(9999, 12, 30)),  # a DST change; the last date with an end
        entry(number=0, path="briefings/x y/index.html"),
    ]
    assert_same(items, config(base_url=base_url, timezone=timezone, title="News; today, <b>here</b> \\ 😀"))
    assert_same([], config(base_url=base_url, timezone=timezone))


@pytest.mark.parametrize("base_url", BASES)
def test_paths_as_urljoin_joins_them(base_url: str) -> None:
    assert_same([entry(path=path, number=i) for i, path in enumerate(PATHS)], config(base_url=base_url))


def test_many_events_in_order() -> None:
    items = [entry(uid=f"u{i}", date=dt.date(2025, 1, 1) + dt.timedelta(days=i % 40), number=i) for i in range(300)]
    data = assert_same(items, config(base_url="https://example.org"))
    assert data.count(b"BEGIN:VEVENT\r\n") == 300


def test_a_line_break_in_an_unescaped_value_fails_as_before() -> None:
    """The library failed (an assertion) on a calendar name or timezone with a line break; now a ValueError."""
    for site in (config(title="two\nlines"), config(timezone="UTC\n")):
        with pytest.raises(AssertionError):
            ical_before.deadlines_calendar([], site)
        with pytest.raises(ValueError, match="line break"):
            deadlines_calendar([], site)


def test_dates_out_of_range_fail_as_before() -> None:
    for item in (entry(date=dt.date(9999, 12, 31)), entry(stamp=dt.date(1, 1, 1))):
        site = config(timezone="Asia/Kathmandu")
        with pytest.raises(OverflowError):
            ical_before.deadlines_calendar([item], site)
        with pytest.raises(OverflowError):
            deadlines_calendar([item], site)


@PROFILE
@given(st.lists(entries, max_size=4), configs)
@example([entry(said="x" * 60 + "\\" + "y" * 40)], config())
@example([entry(title="\ufeff", said="\ufeff")], config(title="\ufeff", timezone="UTC"))
def test_same_bytes_as_icalendar(items: list[CalendarEntry], site: SiteConfig) -> None:
    assert_same(items, site, valid=False)


def _as_read(text: str) -> str:
    """What a TEXT value reads back as: every line break a LF (a literal ``\\N`` too)."""
    return text.replace("\\N", "\n").replace("\r\n", "\n").replace("\r", "\n")


@PROFILE
@given(st.lists(entries, min_size=1, max_size=4), configs)
def test_values_round_trip(items: list[CalendarEntry], site: SiteConfig) -> None:
    data = assert_same(items, site, valid=False)
    assume(isinstance(data, bytes))
    for line in data.split(b"\r\n")[:-1]:
        assert len(line) <= 75
        line.decode()  # never a character split across lines
    assert data.endswith(b"END:VCALENDAR\r\n")
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["x-wr-timezone"]) == site.timezone
    events = calendar.walk("VEVENT")
    assert len(events) == len(items)
    for event, item in zip(events, items, strict=True):
        assert event.decoded("dtstart") == item.date
        assert event.decoded("dtend") == item.end + dt.timedelta(days=1)
        assert event.decoded("dtstamp") == day_start(item.stamp, site)
        assert str(event["summary"]) == _as_read(_summary(item))
        assert str(event["uid"]).startswith(_as_read(item.uid).removeprefix("\ufeff"))
        description = inert(f"{item.said}\n\nFrom the briefing “{item.title}”.")
        assert str(event["description"]) == _as_read(description).removeprefix("\ufeff")
        assert str(event["transp"]) == "TRANSPARENT"
        if absolute_base(site) is None:
            assert "url" not in event
        else:  # icalendar reads a backslash in a URL as an escape (it is written as it is, as icalendar wrote it)
            url = site_url(site, item.path) + f"#time-{item.number}"
            assert str(event["url"]) == url or "\\" in url


def test_a_resident_process_writes_the_calendar_from_the_events_it_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """In a resident build process (``keep_calendar``), an event written by the last build is written as it was when
    its entry is the very object and the settings it was written with are the same; the calendar is byte for byte
    the one written anew, and the entries' digest is ``Fingerprints.of``'s."""
    import briefgen.site.ical as ical
    from briefgen.digest import Fingerprints

    monkeypatch.setattr(ical, "_kept", None)
    items = [entry(uid=f"u{i}", date=dt.date(2025, 1, 1) + dt.timedelta(days=i), number=i) for i in range(5)]
    linked, unlinked = config(base_url="https://example.org"), config(timezone="Asia/Kathmandu")
    fresh = {site.base_url: deadlines_calendar(items, site) for site in (linked, unlinked)}
    ical.keep_calendar()
    written: list[CalendarEntry] = []
    real = ical._event
    monkeypatch.setattr(ical, "_event", lambda item, *rest: written.append(item) or real(item, *rest))
    for step, (site, now) in enumerate([(linked, items), (linked, items), (linked, [entry(), *items[1:]]),
                                        (unlinked, items), (linked, items)]):  # fmt: skip
        written.clear()
        assert ical.entries_digest(now, Fingerprints().of) == Fingerprints().of(tuple(now))
        calendar = deadlines_calendar(now, site)
        ical.settle_calendar()
        assert calendar == (fresh[site.base_url] if now is items else ical_before.deadlines_calendar(now, site))
        assert written == [now, [], [now[0]], now, now][step], f"step {step}"
