"""The render cache: each briefing body's HTML, ``.briefgen/render.sqlite`` beside the extraction cache.

Parsing a briefing's Markdown (every sentence, mention and quote of its source text is a
``[text]{#id .class}`` span) is most of the cost of rendering its page. The HTML only depends
on the body text and on the renderer (markdown-it-py, its plugins, ``briefgen/markdown.py``, and
``briefgen/body_html.py``, which writes the body's HTML as markdown-it would without parsing it),
so it is kept under a digest of both and reused whenever a page must be rendered again (a
template or code change, a clean build of an existing site). Like Sphinx's doctree cache it
is derived data: each row carries a checksum of its HTML, a row that fails it is dropped and
rendered again, and a file that is not a readable database is set aside and rebuilt — never
trusted. It holds one row per briefing: the body its page was last rendered from.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import logging
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path

import briefgen.body_html
import briefgen.markdown
from briefgen.config import SiteConfig
from briefgen.markdown import render_markdown

SCHEMA = 1
FLUSH_EVERY = 200
log = logging.getLogger(__name__)


@functools.cache
def renderer_digest() -> str:
    """What a body's HTML depends on besides its text: the renderer's packages, briefgen's setup of it and
    ``body_html`` (which writes the body's HTML as markdown-it would: a fix to it must not find old rows)."""
    digest = hashlib.sha256()
    for package in ("markdown-it-py", "mdit-py-plugins"):
        try:
            version = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            version = "?"
        digest.update(f"{package}={version}\x00".encode())
    for module in (briefgen.markdown, briefgen.body_html):  # the renderer's setup, and the source text's own
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def render_cache_path(config: SiteConfig) -> Path:
    return config.root / ".briefgen" / "render.sqlite"


def body_key(body: str) -> str:
    digest = hashlib.sha256(renderer_digest().encode())
    digest.update(body.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _checksum(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8", "surrogatepass")).hexdigest()


class RenderCache:
    """A briefing's body text -> HTML, read and filled during one build; every failure degrades to rendering."""

    def __init__(self, path: Path, slugs: Iterable[str] | None = None) -> None:
        """``slugs``: the site's briefings; rows of any other are dropped when the cache closes (None: none are)."""
        self.path = path
        self.slugs = None if slugs is None else set(slugs)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db: sqlite3.Connection | None = self._open()
        self.fresh: list[tuple[str, str, str, str]] = []
        self.hits = self.misses = 0

    def __enter__(self) -> RenderCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _open(self) -> sqlite3.Connection | None:
        try:
            return self._connect()
        except sqlite3.DatabaseError as exc:
            log.warning("render cache %s unusable (%s); rebuilding it", self.path, exc)
            for suffix in ("", "-wal", "-shm"):
                candidate = Path(str(self.path) + suffix)
                if candidate.exists():
                    candidate.replace(Path(f"{self.path}.corrupt{suffix}"))
            try:
                return self._connect()
            except sqlite3.DatabaseError as again:
                log.warning("render cache %s cannot be made (%s); rendering without it", self.path, again)
                return None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is not None and row[0] != str(SCHEMA):
                raise sqlite3.DatabaseError(f"render cache schema {row[0]}, expected {SCHEMA}")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA),))
            db.execute(
                "CREATE TABLE IF NOT EXISTS bodies "
                "(slug TEXT PRIMARY KEY, key TEXT NOT NULL, html TEXT NOT NULL, checksum TEXT NOT NULL)"
            )
            db.commit()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def html(self, slug: str, body: str, render: Callable[[str], str] = render_markdown) -> str:
        """The body's HTML: from the cache when the briefing's row is for this body and sound, else rendered.

        ``render`` must make ``render_markdown``'s HTML (``body_html`` does, faster): the key is the body alone.
        """
        key = body_key(body)
        found = self._get(slug, key)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        html = render(body)
        self.fresh.append((slug, key, html, _checksum(html)))
        if len(self.fresh) >= FLUSH_EVERY:
            self._flush()
        return html

    def _get(self, slug: str, key: str) -> str | None:
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT html, checksum FROM bodies WHERE slug=? AND key=?", (slug, key)).fetchone()
        except sqlite3.DatabaseError as exc:
            log.warning("render cache read failed (%s); rendering", exc)
            return None
        if row is None:
            return None
        html, checksum = row
        if not isinstance(html, str) or _checksum(html) != checksum:
            self._run("DELETE FROM bodies WHERE slug=?", [(slug,)])
            return None
        return html

    def _run(self, statement: str, rows: list[tuple[str, ...]]) -> None:
        if self.db is None or not rows:
            return
        try:
            self.db.executemany(statement, rows)
            self.db.commit()
        except sqlite3.DatabaseError as exc:
            log.warning("render cache write failed (%s)", exc)

    def _flush(self) -> None:
        self._run("INSERT OR REPLACE INTO bodies VALUES (?, ?, ?, ?)", self.fresh)
        self.fresh.clear()

    def _prune(self, slugs: set[str]) -> None:
        if self.db is None:
            return
        try:
            stored = [row[0] for row in self.db.execute("SELECT slug FROM bodies")]
        except sqlite3.DatabaseError as exc:
            log.warning("render cache read failed (%s)", exc)
            return
        self._run("DELETE FROM bodies WHERE slug=?", [(slug,) for slug in stored if slug not in slugs])

    def close(self) -> None:
        if self.db is None:
            return
        self._flush()
        if self.slugs is not None:
            self._prune(self.slugs)
        self.db.close()
        self.db = None
