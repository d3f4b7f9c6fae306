"""The persistent extraction cache: ``.briefgen/cache.sqlite`` at the site root.

Keyed by the article text's hash, its date, the extractor version, the model's recorded
weights and the actor registry: an unchanged article is never extracted twice, and any
change to what extraction depends on misses the cache. Each row carries a checksum of its
data; a row that fails it, or does not decode, is dropped and re-extracted. A cache file
that is not a readable database is set aside and rebuilt — never trusted.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import msgspec

from briefgen import collector
from briefgen.codec import encode
from briefgen.model import Extraction
from briefgen.registry import Registry

SCHEMA = 1
ROWS = "(key TEXT PRIMARY KEY, data TEXT NOT NULL, checksum TEXT NOT NULL)"
log = logging.getLogger(__name__)


def extractor_code_digest() -> str:
    """A hash of the extractors' own source, so any change to them misses the cache by itself."""
    import briefgen.extract
    import briefgen.nlp

    digest = hashlib.sha256()
    package = Path(briefgen.extract.__file__).parent
    for path in [Path(briefgen.nlp.__file__), *sorted(package.rglob("*.py"))]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def extraction_settings(registry: Registry | None) -> str:
    """What extraction depends on besides the text and date."""
    from briefgen.extract import EXTRACTOR_VERSION
    from briefgen.nlp import MODEL_SHA256

    parts = {
        "extractor": EXTRACTOR_VERSION,
        "code": extractor_code_digest(),
        "model": hashlib.sha256(json.dumps(MODEL_SHA256, sort_keys=True).encode()).hexdigest(),
        "registry": encode(registry) if registry else None,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def cache_key(text: str, date: dt.date | None, settings: str) -> str:
    digest = hashlib.sha256()
    for part in (settings, date.isoformat() if date else "-", text):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


@functools.cache
def _decoder() -> msgspec.json.Decoder[Extraction]:
    """JSON straight into the typed dataclasses, checked against their hints: nothing else can be built."""
    return msgspec.json.Decoder(Extraction)


class ExtractionCache:
    """A small key → Extraction store; every failure degrades to a cache miss."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is not None and row[0] != str(SCHEMA):
                db.close()
                raise sqlite3.DatabaseError(f"cache schema {row[0]}, expected {SCHEMA}")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA),))
            db.execute(f"CREATE TABLE IF NOT EXISTS extractions {ROWS}")
            db.commit()
            return db
        except sqlite3.DatabaseError as exc:
            log.warning("extraction cache %s unusable (%s); rebuilding it", self.path, exc)
            aside = self.path.with_name(self.path.name + ".corrupt")
            for suffix in ("", "-wal", "-shm"):
                candidate = Path(str(self.path) + suffix)
                if candidate.exists():
                    candidate.replace(Path(str(aside) + suffix))
            db = sqlite3.connect(self.path, timeout=30)
            db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
            db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA),))
            db.execute(f"CREATE TABLE extractions {ROWS}")
            db.commit()
            return db

    def present(self, keys: Iterable[str]) -> set[str]:
        """The keys that have a row (not yet checked: :meth:`get_many` may still drop a bad one)."""
        wanted = list(dict.fromkeys(keys))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            try:
                rows = self.db.execute(f"SELECT key FROM extractions WHERE key IN ({marks})", chunk).fetchall()
            except sqlite3.DatabaseError:
                return found
            found.update(row[0] for row in rows)
        return found

    def get_many(self, keys: Iterable[str]) -> dict[str, Extraction]:
        wanted = list(dict.fromkeys(keys))
        found: dict[str, Extraction] = {}
        bad: list[str] = []
        with collector.paused():  # some 300 objects per article and no cycles
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                try:
                    rows = self.db.execute(f"SELECT key, data, checksum FROM extractions WHERE key IN ({marks})", chunk)
                    rows = rows.fetchall()
                except sqlite3.DatabaseError as exc:
                    log.warning("extraction cache read failed (%s); extracting again", exc)
                    return found
                for key, data, checksum in rows:
                    if hashlib.sha256(data.encode("utf-8")).hexdigest() != checksum:
                        bad.append(key)
                        continue
                    try:
                        found[key] = _decoder().decode(data)
                    except (msgspec.DecodeError, ValueError, TypeError, KeyError):
                        bad.append(key)
        if bad:
            self.db.executemany("DELETE FROM extractions WHERE key=?", [(k,) for k in bad])
            self.db.commit()
        return found

    def put_many(self, items: Iterable[tuple[str, Extraction]]) -> None:
        rows = []
        for key, extraction in items:
            data = json.dumps(encode(extraction), ensure_ascii=False, separators=(",", ":"))
            rows.append((key, data, hashlib.sha256(data.encode("utf-8")).hexdigest()))
        try:
            self.db.executemany("INSERT OR REPLACE INTO extractions VALUES (?, ?, ?)", rows)
            self.db.commit()
        except sqlite3.DatabaseError as exc:
            log.warning("extraction cache write failed (%s)", exc)

    def close(self) -> None:
        self.db.close()
