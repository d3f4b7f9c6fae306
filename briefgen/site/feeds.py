"""Machine-readable views: the Atom feed, the sitemap, the JSON index and each briefing's JSON.

feedgen stamps the current time by default; here every date is set from the articles
(or ``SOURCE_DATE_EPOCH``), so the same content gives byte-identical files.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import cast
from urllib.parse import urljoin, urlsplit
from xml.sax.saxutils import escape as xml_escape

import msgspec
from feedgen.feed import FeedGenerator

from briefgen import __version__
from briefgen.config import SiteConfig
from briefgen.model import Briefing
from briefgen.site.dates import as_of_date, day_start, site_updated
from briefgen.write import SITE_INDEX

FEED_PATH = "feed.xml"
JSON_PATH = SITE_INDEX
SITEMAP_PATH = "sitemap.xml"


def absolute_base(config: SiteConfig) -> str | None:
    """The configured base URL with a trailing slash, when it is absolute (http or https)."""
    return _absolute_base(config.base_url)


@functools.lru_cache(maxsize=8)
def _absolute_base(base_url: str) -> str | None:
    base = base_url.strip()
    if urlsplit(base).scheme not in ("http", "https") or not urlsplit(base).netloc:
        return None
    return base if base.endswith("/") else base + "/"


def briefing_path(briefing: Briefing) -> str:
    return f"briefings/{briefing.article.slug}/index.html"


# A relative path urljoin only appends: no scheme, query, fragment, parameters, empty or dot segments (a trailing
# slash is an empty last segment, appended as it is).
PLAIN_PATH = re.compile(r"[\w~-][\w.~-]*(?:/[\w~-][\w.~-]*)*/?", re.ASCII)


def site_url(config: SiteConfig, path: str) -> str:
    """The absolute URL of an output path (relative when no base URL is configured).

    ``urljoin`` does the same to every plain path (``PLAIN_PATH``): the base's last segment goes, its empty and
    dot segments are resolved, the path is appended. So ``urljoin(base, "x")`` without the ``x`` is worked out once
    per base, and a plain path appended to it (the sitemap and the pages' canonical links ask for thousands).
    """
    base = absolute_base(config)
    if base is None:
        return path
    return _joined(base) + path if PLAIN_PATH.fullmatch(path) else urljoin(base, path)


@functools.lru_cache(maxsize=8)
def _joined(base: str) -> str:
    return urljoin(base, "x")[:-1]


def _feed_id(config: SiteConfig) -> str:
    return absolute_base(config) or f"urn:briefgen:{config.title}"


def atom_feed(briefings: Sequence[Briefing], config: SiteConfig) -> bytes:
    """An Atom feed of the newest briefings (``feed_count`` of them, newest first), every date from the articles.

    Like Pelican's ``FEED_MAX_ITEMS`` and Hugo's RSS limit: feed readers fetch the whole file every time they poll,
    and at 10,000 briefings a feed of them all was 5.2 MB.
    """
    feed = FeedGenerator()
    feed.id(_feed_id(config))
    feed.title(config.title)
    feed.subtitle(config.description)
    feed.language(config.language)
    feed.link(href=site_url(config, "") or "index.html", rel="alternate", type="text/html")
    if absolute_base(config):
        feed.link(href=site_url(config, FEED_PATH), rel="self", type="application/atom+xml")
    feed.author(name=config.title)  # Atom needs an author; an entry's byline overrides it
    feed.generator("briefgen", version=__version__)
    feed.updated(site_updated(briefings, config))
    for briefing in briefings[: config.feed_count]:
        article = briefing.article
        entry = feed.add_entry(order="append")
        url = site_url(config, briefing_path(briefing).removesuffix("index.html"))
        entry.id(url if absolute_base(config) else f"{_feed_id(config)}:{article.slug}")
        entry.title(article.title)
        entry.link(href=url, rel="alternate", type="text/html")
        when = day_start(article.date, config) if article.date else site_updated(briefings, config)
        entry.published(when)
        entry.updated(when)
        entry.summary(briefing.summary or article.title, type="text")
        if article.byline:
            entry.author(name=article.byline)
        for tag in article.tags:
            entry.category(term=tag)
    return feed.atom_str(pretty=True)


def sitemap(pages: Iterable[tuple[str, str]], config: SiteConfig) -> bytes | None:
    """A sitemap of (output path, last-modified ISO date) pairs; None without an absolute base URL."""
    if absolute_base(config) is None:
        return None
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path, lastmod in sorted(pages):
        pretty = path.removesuffix("index.html")
        lines.append(f"  <url><loc>{xml_escape(site_url(config, pretty))}</loc><lastmod>{lastmod}</lastmod></url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def safe_json(data: object) -> bytes:
    """JSON that stays inert even if pasted into HTML: ``<``, ``>`` and ``&`` are written as escapes."""
    return (_safe_json_text(data) + "\n").encode("utf-8")


def _safe_json_text(data: object) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))  # compact: the C encoder, a smaller file
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


_ENCODER = msgspec.json.Encoder()


def _same_as_repr(value: object) -> bool:
    """Whether msgspec writes this number as ``json.dumps`` does: ints always; floats (``repr``) when zero or from
    1e-4 up to 1e16 in size, where ``repr`` uses no exponent (msgspec writes ``1e-05`` as ``0.00001``, ``1e+16`` as
    ``1e16`` and NaN as null)."""
    return type(value) is not float or value == 0 or 1e-4 <= abs(value) < 1e16


def _safe_record_json(record: dict[str, object]) -> bytes:
    """``safe_json`` of a briefing record (``compose.extraction_to_data`` and a few strings), by msgspec.

    msgspec writes strings, ints, lists and mappings byte for byte as the compact ``json.dumps`` does (UTF-8, the
    same escapes, keys in order), and floats too within ``_same_as_repr``: the record's only floats are the
    rounded saliences and confidences, checked here; any outside that range sends the record to ``safe_json``.
    """
    for key, number in (("actors", "salience"), ("quotes", "confidence"), ("timeline", "confidence")):
        if not all(_same_as_repr(item[number]) for item in cast(list[dict[str, object]], record[key])):
            return safe_json(record)
    data = _ENCODER.encode(record)
    data = data.replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026")
    data = data.replace("\u2028".encode(), b"\\u2028").replace("\u2029".encode(), b"\\u2029")
    return data + b"\n"


def details_path(briefing: Briefing) -> str:
    return f"briefings/{briefing.article.slug}/briefing.json"


def briefing_details_json(briefing: Briefing) -> bytes:
    """One briefing's whole structured extraction (the front matter of its briefing.md), beside its page."""
    record: dict[str, object] = {
        "url": briefing_path(briefing),
        "markdown": f"briefings/{briefing.article.slug}/briefing.md",
    }
    record.update(briefing.front_matter)
    return _safe_record_json(record)


def index_record(briefing: Briefing, actor_ids: Mapping[str, str]) -> dict[str, object]:
    """What the site index says of one briefing; its details are in its own briefing.json."""
    article, extraction = briefing.article, briefing.extraction
    deadlines = [t for t in extraction.timeline if t.is_deadline]
    return {
        "slug": article.slug,
        "url": briefing_path(briefing),
        "title": article.title,
        "date": article.date.isoformat() if article.date else None,
        "tags": list(article.tags),
        "actors": list(dict.fromkeys(actor_ids.get(a.id, a.id) for a in extraction.actors)),
        "deadlines": sorted({t.date.isoformat() for t in deadlines if t.date}),
        "counts": {
            "actors": len(extraction.actors),
            "quotes": len(extraction.quotes),
            "timeline": len(extraction.timeline),
            "deadlines": len(deadlines),
            "sentences": len(extraction.sentences),
        },
        "details": details_path(briefing),
        "markdown": f"briefings/{briefing.article.slug}/briefing.md",
    }


def briefings_json(
    briefings: Sequence[Briefing], config: SiteConfig, actor_ids: Callable[[str], Mapping[str, str]]
) -> bytes:
    """The index of every briefing, newest first: what it is and where its details are (``details``).

    ``actor_ids`` gives a briefing's actor ids (by slug) mapped to the site-wide ones the actor pages use.
    """
    data = {
        "site": {
            "title": config.title,
            "description": config.description,
            "base_url": config.base_url,
            "language": config.language,
        },
        "generator": f"briefgen {__version__}",
        "as_of": as_of_date(briefings).isoformat(),
        "briefings": [],
    }
    # ``safe_json(data)`` with the records in it, each written on its own (escaping is character by character, so
    # the bytes are the same): a resident build process keeps them, and writes again only the changed ones.
    global _records
    kept, made = _records, {}
    records = []
    for briefing in briefings:
        ids = actor_ids(briefing.article.slug)
        known = kept.get(id(briefing)) if kept is not None else None
        if known is None or known[0] is not briefing or (known[1] is not ids and known[1] != ids):
            known = (briefing, ids, _safe_json_text(index_record(briefing, ids)))
        made[id(briefing)] = known
        records.append(known[2])
    if kept is not None:
        _records = made
    head = _safe_json_text(data)
    return (head.removesuffix("[]}") + "[" + ",".join(records) + "]}\n").encode("utf-8")


# In a resident build process (``keep_records``): the last ``briefings_json``'s records as JSON, by briefing (the
# same objects from build to build: ``build.keep_outlines``), with the site ids they were written with.
_records: dict[int, tuple[Briefing, Mapping[str, str], str]] | None = None


def keep_records() -> None:
    """Keep each build's records of ``briefings.json`` in this process for its next build."""
    global _records
    if _records is None:
        _records = {}
