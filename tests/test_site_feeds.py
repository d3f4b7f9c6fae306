"""Feeds and data files: Atom, iCalendar, sitemap and JSON, with dates from the articles, never the clock."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin

import icalendar
import pytest

from briefgen.config import SiteConfig
from briefgen.render import render_site
from briefgen.site.dates import as_of_date
from briefgen.site.feeds import absolute_base, site_url
from tests.browser.sample import sample_briefings
from tests.test_ical_writer import BASES, PATHS

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> SiteConfig:
    root = tmp_path_factory.mktemp("feeds")
    return SiteConfig(root=root, title="Test Briefings", base_url="https://example.org/news", timezone="Europe/Warsaw")


@pytest.fixture(scope="module")
def files(config: SiteConfig) -> dict[str, bytes]:
    return render_site(sample_briefings(config, hostile=False), config, search=False)


def test_atom_feed_lists_briefings_newest_first_with_article_dates(files: dict[str, bytes]) -> None:
    feed = ET.fromstring(files["feed.xml"])
    assert feed.findtext(f"{ATOM}title") == "Test Briefings"
    assert feed.findtext(f"{ATOM}updated") == "2025-08-05T22:00:00+00:00"  # midnight 6 August in Warsaw
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in entries] == [
        "https://example.org/news/briefings/budget-talks/",
        "https://example.org/news/briefings/bank-forecast/",
    ]
    first = entries[0]
    assert first.findtext(f"{ATOM}published") == "2025-08-05T22:00:00+00:00"
    assert first.find(f"{ATOM}link").get("href") == "https://example.org/news/briefings/budget-talks/"  # type: ignore[union-attr]
    assert first.find(f"{ATOM}summary").get("type") == "text"  # type: ignore[union-attr]
    assert [c.get("term") for c in first.findall(f"{ATOM}category")] == ["Economy", "Parliament"]
    assert feed.find(f"{ATOM}generator").text == "briefgen"  # type: ignore[union-attr]


def test_atom_feed_carries_only_the_newest_feed_count_briefings(config: SiteConfig) -> None:
    from briefgen.render import sort_newest_first
    from briefgen.site.feeds import atom_feed

    briefings = sort_newest_first(sample_briefings(config, hostile=False))
    feed = ET.fromstring(atom_feed(briefings, dataclasses.replace(config, feed_count=1)))
    assert [e.findtext(f"{ATOM}id") for e in feed.findall(f"{ATOM}entry")] == [
        "https://example.org/news/briefings/budget-talks/"
    ]
    assert feed.findtext(f"{ATOM}updated") == "2025-08-05T22:00:00+00:00"  # still the newest article's date


def test_calendar_has_one_all_day_event_per_dated_deadline(files: dict[str, bytes]) -> None:
    calendar = icalendar.Calendar.from_ical(files["deadlines.ics"])
    events = list(calendar.walk("VEVENT"))
    assert [e.decoded("dtstart") for e in events] == [dt.date(2025, 8, 1), dt.date(2025, 8, 8), dt.date(2025, 8, 8)]
    for event in events:
        assert isinstance(event.decoded("dtstart"), dt.date) and not isinstance(event.decoded("dtstart"), dt.datetime)
        assert event.decoded("dtend") == event.decoded("dtstart") + dt.timedelta(days=1)
        assert str(event["uid"]).endswith("@example.org")
        assert event.decoded("dtstamp").tzinfo is not None
    stamps = {str(e["summary"]): e.decoded("dtstamp") for e in events}
    assert stamps["Deadline: tariff deadline"] == dt.datetime(2025, 8, 3, 22, tzinfo=dt.UTC)  # the article's day
    assert stamps["Deadline: Parliament votes on the budget"] == dt.datetime(2025, 8, 5, 22, tzinfo=dt.UTC)
    assert str(events[1]["url"]).startswith("https://example.org/news/briefings/budget-talks/index.html#time-")
    assert len({str(e["uid"]) for e in events}) == 3
    assert calendar["prodid"].startswith("-//briefgen//")
    raw = files["deadlines.ics"].decode()
    assert "DTSTART;VALUE=DATE:20250808" in raw and "\r\n" in raw


def test_calendar_uids_survive_edits_elsewhere_in_the_article(config: SiteConfig) -> None:
    from briefgen.site.actors import index_actors
    from briefgen.site.deadlines import collect_deadlines

    briefings = sample_briefings(config, hostile=False)
    before = {d.uid for d in collect_deadlines(briefings, index_actors(briefings))}
    again = {d.uid for d in collect_deadlines(briefings[::-1], index_actors(briefings[::-1]))}
    assert before == again and len(before) == 3


def test_sitemap_lists_pages_at_pretty_absolute_urls(files: dict[str, bytes]) -> None:
    urls = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in ET.fromstring(files["sitemap.xml"])}
    assert urls["https://example.org/news/"] == "2025-08-06"
    assert urls["https://example.org/news/briefings/bank-forecast/"] == "2025-08-04"
    assert "https://example.org/news/actors/anna-kowalska/" in urls
    assert not any("404" in u or u.endswith("/kowalska/") for u in urls)  # no error page, no redirect stubs


def test_no_sitemap_without_an_absolute_base_url(tmp_path: object) -> None:
    config = SiteConfig(root=tmp_path, base_url="")  # type: ignore[arg-type]
    files = render_site(sample_briefings(config, hostile=False), config, search=False)
    assert "sitemap.xml" not in files
    assert b'<link rel="canonical"' not in files["index.html"]
    feed = ET.fromstring(files["feed.xml"])
    assert feed.findtext(f"{ATOM}id", "").startswith("urn:briefgen:")


def test_json_index_lists_every_briefing_and_where_its_details_are(files: dict[str, bytes]) -> None:
    data = json.loads(files["briefings.json"])
    assert data["as_of"] == "2025-08-06"
    first = data["briefings"][0]
    assert first["slug"] == "budget-talks" and first["url"] == "briefings/budget-talks/index.html"
    assert first["details"] == "briefings/budget-talks/briefing.json" and first["details"] in files
    assert "anna-kowalska" in first["actors"] and "2025-08-08" in first["deadlines"]
    assert first["counts"]["quotes"] >= 3 and first["counts"]["deadlines"] >= 1
    assert "quotes" not in first and "sentences" not in first, "the index holds no extraction"


def test_each_briefing_json_holds_its_structured_extraction(files: dict[str, bytes]) -> None:
    first = json.loads(files["briefings/budget-talks/briefing.json"])
    assert first["slug"] == "budget-talks" and first["url"] == "briefings/budget-talks/index.html"
    kowalska = first["actors"][0]
    assert kowalska["roles"] == [{"text": "Finance Minister", "start": 0, "end": 16}]
    assert first["quotes"][2]["speaker"]["text"] == "she" and first["quotes"][2]["actor"] == "anna-kowalska"
    deadline = first["timeline"][1]
    assert deadline["deadline"] is True and deadline["date"] == "2025-08-08" and deadline["conflict"]


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, dt.date(2025, 8, 6)),
        ({"SOURCE_DATE_EPOCH": "1756684800"}, dt.date(2025, 9, 1)),
        ({"SOURCE_DATE_EPOCH": "not a number"}, dt.date(2025, 8, 6)),
    ],
)
def test_as_of_date_comes_from_articles_or_source_date_epoch(
    config: SiteConfig, environ: dict[str, str], expected: dt.date
) -> None:
    assert as_of_date(sample_briefings(config, hostile=False), environ) == expected


def test_source_date_epoch_moves_deadlines_to_past(config: SiteConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1756684800")  # 2025-09-01
    files = render_site(sample_briefings(config, hostile=False), config, search=False)
    page = files["deadlines/index.html"].decode()
    assert 'id="past"' in page and 'id="upcoming"' not in page


def test_feeds_do_not_depend_on_the_clock(config: SiteConfig, files: dict[str, bytes]) -> None:
    again = render_site(sample_briefings(config, hostile=False), config, search=False)
    for path in ("feed.xml", "deadlines.ics", "sitemap.xml", "briefings.json", "briefings/budget-talks/briefing.json"):
        assert again[path] == files[path], path


@pytest.mark.parametrize("base_url", BASES)
def test_site_url_is_urljoin(base_url: str) -> None:
    """The plain paths' fast path (``PLAIN_PATH``) gives what ``urljoin`` gives, for every base and path."""
    config = SiteConfig(root=Path("site"), base_url=base_url)
    base = absolute_base(config)
    for path in [*PATHS, "", "briefings/x/", "tags/a-b/page/2/", "a/b//", "x//"]:
        assert site_url(config, path) == (urljoin(base, path) if base else path), path
