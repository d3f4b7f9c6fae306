"""The persistent extraction cache: ``.briefgen/cache.sqlite`` at the site root.

Keyed by the article text's hash, its date, the extractor version and the model's recorded
weights: an unchanged article is never extracted twice, and any change to what extraction
depends on misses the cache. The actor registry is not in the key: each row is stamped with
the digest of the registry it was made with and of the registry entries its text can match
(:class:`RegistryScope`), so adding an alias to ``actors.yml`` re-extracts only the articles
that hold its words. Each row carries a checksum of its data; a row that fails it, or does not
decode, is dropped and re-extracted. A cache file that is not a readable database is set
aside and rebuilt — never trusted.

A row's data is its extraction in MessagePack, decoded straight into the model's typed dataclasses: at 10,000
articles, 124 MB are read, checked and decoded in 1.3 s, where the JSON of schema 2 (167 MB) took 1.65 s. A cache
of schema 1 or 2 is upgraded in place when it is first opened (3.4 s at 10,000 articles), each row checked and
encoded again: no article is extracted again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import msgspec
from ahocorasick_rs import AhoCorasick, MatchKind

from briefgen import collector
from briefgen.codec import encode
from briefgen.model import Extraction
from briefgen.registry import Registry, RegistryEntry

SCHEMA = 3  # 3: rows hold MessagePack; 2: JSON, with the registry stamps; 1: keyed by the whole registry
log = logging.getLogger(__name__)


def registry_digest(entries: Iterable[RegistryEntry]) -> str:
    return _digest_of_encoded(_encoded_entry(entry) for entry in entries)


def _encoded_entry(entry: RegistryEntry) -> str:
    return json.dumps(encode(entry), sort_keys=True)


def _digest_of_encoded(parts: Iterable[str]) -> str:
    """The digest of the JSON list of entries encoded one by one: the same text ``json.dumps`` makes of the list."""
    return hashlib.sha256(("[" + ", ".join(parts) + "]").encode()).hexdigest()


NO_ENTRIES = registry_digest(())
STAMPS = ("registry", "scope")  # the stamp columns; a version 1 row was made with no registry
ROWS = (
    "(key TEXT PRIMARY KEY, data TEXT NOT NULL, checksum TEXT NOT NULL, "
    + ", ".join(f"{name} TEXT NOT NULL DEFAULT '{NO_ENTRIES}'" for name in STAMPS)
    + ")"
)


# The modules of briefgen's own that the extractors import (``tests/test_cache.py`` checks the list): their source is
# the extractors' too. ``slugify`` makes actor ids, and ``Registry.lookup`` finds entries.
EXTRACTOR_IMPORTS = ("briefgen.nlp", "briefgen.model", "briefgen.registry", "briefgen.text")


def extractor_code_digest() -> str:
    """A hash of the extractors' source and of what they import of briefgen's, so any change to them misses the
    cache by itself."""
    import importlib

    import briefgen.extract

    digest = hashlib.sha256()
    package = Path(briefgen.extract.__file__).parent
    imported = [Path(str(importlib.import_module(name).__file__)) for name in EXTRACTOR_IMPORTS]
    for path in [*imported, *sorted(package.rglob("*.py"))]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def extraction_settings(registry: Registry | None) -> str:
    """What extraction depends on besides the text and date; the cache's keys use it with an empty registry."""
    from briefgen.extract import EXTRACTOR_VERSION
    from briefgen.nlp import MODEL_SHA256

    parts = {
        "extractor": EXTRACTOR_VERSION,
        "code": extractor_code_digest(),
        "model": hashlib.sha256(json.dumps(MODEL_SHA256, sort_keys=True).encode()).hexdigest(),
        "registry": encode(registry) if registry else None,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def fold(text: str) -> str:
    """Case and apostrophe folding that maps each character on its own, so a substring stays a substring."""
    return text.replace("’", "'").casefold()


class RegistryScope:
    """Which entries of a registry an article's extraction can depend on, as a digest.

    The extractor uses an entry only where one of its surfaces (name or alias) names a span of the text:
    ``actors_names._match_at`` compares the surface's words with token texts, and ``actors._group`` looks the
    span's text, and its ``surface_key``, up with ``Registry.lookup``. Each way, every word of the folded surface
    is then a substring of the folded text (``fold``, ``casefold`` and ``lower`` map characters one by one, and
    neither makes nor removes white space), so an entry none of whose surfaces passes that test cannot change
    the extraction. The one exception is ``surface_key``'s place aliases ("U.S." looks up "united states"):
    entries named like an alias's target are always in scope. The digest keeps the entries' order, which
    ``lookup`` follows, and leaves out their ``role``, which only the site's actor pages show (the extractor
    copies an entry's name, kind and description). ``tests/test_cache.py`` checks these claims against the
    extractor itself.
    """

    def __init__(self, registry: Registry) -> None:
        from briefgen.extract.actors_data import PLACE_ALIASES

        targets = {value.casefold().strip() for value in PLACE_ALIASES.values()}
        self.registry = registry
        self.entries = tuple(dataclasses.replace(entry, role=None) for entry in registry.entries)
        self.encoded = [_encoded_entry(entry) for entry in self.entries]  # each entry encoded once, not per article
        self.digest = _digest_of_encoded(self.encoded)
        self.words: list[tuple[tuple[str, ...], ...]] = []  # per entry: each surface's folded words
        self.always: set[int] = set()  # entries in every article's scope (by index)
        self.by_word: dict[str, set[int]] = {}  # the entries a word is in
        for index, entry in enumerate(self.entries):
            surfaces = tuple(tuple(fold(surface).split()) for surface in (entry.name, *entry.aliases))
            self.words.append(surfaces)
            if any(surface.casefold() in targets for surface in (entry.name, *entry.aliases)) or not all(surfaces):
                self.always.add(index)
            for word in (word for words in surfaces for word in words):
                self.by_word.setdefault(word, set()).add(index)
        # every occurrence of every word, overlapping ones too, in one pass over the text (Aho-Corasick)
        self.matcher = AhoCorasick(sorted(self.by_word), matchkind=MatchKind.Standard) if self.by_word else None
        self.known: dict[str, str] = {}  # text -> its scope

    def of(self, text: str) -> str:
        """The digest of the entries ``text`` can match, in registry order (worked out once per text: the cache
        stores it with a new extraction, and the build hands it on with the briefing)."""
        if not self.entries:
            return NO_ENTRIES
        known = self.known.get(text)
        if known is None:
            known = self.known[text] = self._of(text)
        return known

    def _of(self, text: str) -> str:
        present = set(self.matcher.find_matches_as_strings(fold(text), overlapping=True) if self.matcher else ())
        candidates = self.always.union(*(self.by_word[word] for word in present))
        return _digest_of_encoded(
            self.encoded[index]
            for index in sorted(candidates)
            if index in self.always or any(all(word in present for word in words) for words in self.words[index])
        )


def cache_key(text: str, date: dt.date | None, settings: str) -> str:
    digest = hashlib.sha256()
    for part in (settings, date.isoformat() if date else "-", text):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


class DecodedRows:
    """The extractions a long-lived process decoded (or stored), by key, with the checksum of the row each is.

    A resident build process (``briefgen serve``'s) keeps them from one build to the next (:func:`keep_decoded`):
    a build then reads only the keys and checksums of the rows it wants, and decodes a row only when its checksum
    is not the one it was decoded from (about 1.5 s of an edit's build at 10,000 articles). What the last build did
    not ask for or store is let go (:meth:`forget_unused`). The next build has the very objects the last one had,
    and what is known by them (the briefings' outlines, the actor index) is made again only for what changed.
    """

    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, Extraction]] = {}  # key -> (checksum, extraction)
        self.used: set[str] = set()
        self.asked = False  # whether a build asked for rows since the last ``forget_unused``

    def keep(self, key: str, checksum: str, extraction: Extraction) -> None:
        """``extraction`` is what the row ``key``, of ``checksum``, decodes to, and this build uses it."""
        self.rows[key] = (checksum, extraction)
        self.used.add(key)

    def forget_unused(self) -> None:
        """Let go of the rows no ``get_many`` asked for (and no ``put_many`` stored) since the last call; if none was
        called (a build that found the site up to date never reads the cache), keep them all: that build says
        nothing of what the next one needs (it let go of all 10,000, which the next edit decoded again)."""
        if self.asked:
            self.rows = {key: row for key, row in self.rows.items() if key in self.used}
        self.used = set()
        self.asked = False


_decoded: DecodedRows | None = None  # set in a resident build process only


def keep_decoded() -> DecodedRows:
    """Keep the extractions this process decodes for its later builds; returns the store (one per process)."""
    global _decoded
    if _decoded is None:
        _decoded = DecodedRows()
    return _decoded


@functools.cache
def _decoder() -> msgspec.msgpack.Decoder[Extraction]:
    """MessagePack straight into the typed dataclasses, checked against their hints: nothing else can be built."""
    return msgspec.msgpack.Decoder(Extraction)


@functools.cache
def _encoder() -> msgspec.msgpack.Encoder:
    return msgspec.msgpack.Encoder()


def _packed(extraction: Extraction) -> tuple[bytes, str]:
    """A row's data and checksum for ``extraction``."""
    data = _encoder().encode(extraction)
    return data, hashlib.sha256(data).hexdigest()


def _checked(data: bytes, checksum: str, decode: Callable[[bytes], Extraction]) -> Extraction | None:
    """The extraction a row holds; None when its data fails its checksum or does not ``decode`` into the model."""
    if hashlib.sha256(data).hexdigest() != checksum:
        return None
    try:
        return decode(data)
    except (msgspec.DecodeError, ValueError, TypeError, KeyError):
        return None


def _upgrade_rows(db: sqlite3.Connection) -> None:
    """A schema 1 or 2 cache's rows (JSON) in MessagePack: each checked and decoded, then encoded again; a row that
    fails is deleted (its article is extracted again)."""
    decode_json = msgspec.json.Decoder(Extraction).decode
    updated: list[tuple[bytes, str, str]] = []
    dropped: list[tuple[str]] = []
    for key, data, checksum in db.execute("SELECT key, CAST(data AS BLOB), checksum FROM extractions"):
        extraction = _checked(data, checksum, decode_json)
        if extraction is None:
            dropped.append((key,))
            continue
        updated.append((*_packed(extraction), key))
    db.executemany("UPDATE extractions SET data=?, checksum=? WHERE key=?", updated)
    db.executemany("DELETE FROM extractions WHERE key=?", dropped)


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
            db.execute("BEGIN IMMEDIATE")  # one process at a time: another waits, then finds the cache upgraded
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is not None and row[0] not in ("1", "2", str(SCHEMA)):
                db.close()
                raise sqlite3.DatabaseError(f"cache schema {row[0]}, expected {SCHEMA}")
            db.execute(f"CREATE TABLE IF NOT EXISTS extractions {ROWS}")
            columns = {info[1] for info in db.execute("PRAGMA table_info(extractions)")}
            for name in STAMPS:
                if name not in columns:  # version 1: its rows were keyed with no registry, and are stamped so
                    db.execute(f"ALTER TABLE extractions ADD COLUMN {name} TEXT NOT NULL DEFAULT '{NO_ENTRIES}'")
            if row is not None and row[0] != str(SCHEMA):
                _upgrade_rows(db)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA),))
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

    def _rows(self, columns: str, keys: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        """``columns`` of the rows of ``keys``, asked for 500 keys at a time (SQLite caps a statement's ``?``s)."""
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            yield from self.db.execute(f"SELECT {columns} FROM extractions WHERE key IN ({marks})", chunk).fetchall()

    def present(self, texts: Mapping[str, str], scope: RegistryScope) -> dict[str, str]:
        """The keys of ``texts`` (key → article text) whose rows fit the registry (not yet checked:
        :meth:`get_many` may still drop a bad one), each with its text's scope (:meth:`RegistryScope.of`).

        A row stamped with this registry fits. A row stamped with another fits when the entries its text can match
        are the same; it is stamped with this registry, so the next build does not ask again.
        """
        found: dict[str, str] = {}
        restamp: list[str] = []
        try:
            for key, registry, within in self._rows("key, registry, scope", list(texts)):
                if registry == scope.digest:
                    found[key] = within
                elif within == scope.of(texts[key]):
                    found[key] = within
                    restamp.append(key)
        except sqlite3.DatabaseError:
            return found
        if restamp:
            self._write("UPDATE extractions SET registry=? WHERE key=?", [(scope.digest, key) for key in restamp])
        return found

    def adopt(self, wanted: Mapping[str, tuple[str, str]], scope: RegistryScope) -> dict[str, str]:
        """Copy rows to new keys: ``wanted`` maps a key to (the key a row made with ``scope``'s registry has, the
        article's text). Returns the keys given a row, each with its text's scope; the old rows stay (``--gc``)."""
        by_old = {old: (new, text) for new, (old, text) in wanted.items()}
        rows: list[tuple[str, ...]] = []
        try:
            for (old,) in self._rows("key", list(by_old)):
                new, text = by_old[old]
                rows.append((new, scope.digest, scope.of(text), old))
        except sqlite3.DatabaseError:
            return {}
        self._write(
            "INSERT OR IGNORE INTO extractions (key, data, checksum, registry, scope) "
            "SELECT ?, data, checksum, ?, ? FROM extractions WHERE key = ?",
            rows,
        )
        return {row[0]: row[2] for row in rows}

    def get_many(self, keys: Iterable[str]) -> dict[str, Extraction]:
        wanted = list(dict.fromkeys(keys))
        found: dict[str, Extraction] = {}
        bad: list[str] = []
        decoded = _decoded
        with collector.paused():  # some 300 objects per article and no cycles
            try:
                if decoded is not None:
                    decoded.asked = True
                    wanted = self._decoded_before(wanted, decoded, found)
                # As bytes, whatever a row holds (a row written as text by another program fails its checks)
                decode = _decoder().decode
                for key, data, checksum in self._rows("key, CAST(data AS BLOB), checksum", wanted):
                    extraction = _checked(data, checksum, decode)
                    if extraction is None:
                        bad.append(key)
                        continue
                    found[key] = extraction
                    if decoded is not None:
                        decoded.keep(key, checksum, extraction)
            except sqlite3.DatabaseError as exc:
                log.warning("extraction cache read failed (%s); extracting again", exc)
                return found
        if bad:
            self.db.executemany("DELETE FROM extractions WHERE key=?", [(k,) for k in bad])
            self.db.commit()
        return found

    def _decoded_before(self, wanted: list[str], decoded: DecodedRows, found: dict[str, Extraction]) -> list[str]:
        """Put in ``found`` the rows of ``wanted`` decoded before, whose checksums are still the rows'; return the
        keys left to read and decode."""
        checksums = dict(self._rows("key, checksum", wanted))
        left = []
        for key in wanted:
            known = decoded.rows.get(key)
            if known is not None and known[0] == checksums.get(key):
                found[key] = known[1]
                decoded.keep(key, *known)
                continue
            if known is not None:  # the row changed (or went): what was decoded from it is let go
                del decoded.rows[key]
            if key in checksums:
                left.append(key)
        return left

    def put_many(self, items: Iterable[tuple[str, Extraction, str]], registry: str = NO_ENTRIES) -> None:
        """Store (key, extraction, scope) rows made with the registry whose digest is ``registry``;
        ``scope`` is the digest of the entries the article's text can match (:meth:`RegistryScope.of`)."""
        rows: list[tuple[str | bytes, ...]] = []
        decoded = _decoded
        if decoded is not None:
            decoded.asked = True
        for key, extraction, within in items:
            data, checksum = _packed(extraction)
            rows.append((key, data, checksum, registry, within))
            if decoded is not None:  # what the row decodes to (``test_round_trip_is_exact``), for the next build
                decoded.keep(key, checksum, extraction)
        self._write("INSERT OR REPLACE INTO extractions VALUES (?, ?, ?, ?, ?)", rows)

    def retain(self, keys: Iterable[str]) -> int:
        """Delete every row but those of ``keys`` and compact the file; how many rows were deleted (0 when the
        database fails, as on a full disk: a warning is logged, and the rows deleted before stay deleted)."""
        try:
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS kept (key TEXT PRIMARY KEY)")
            self.db.execute("DELETE FROM kept")
            self.db.executemany("INSERT OR IGNORE INTO kept VALUES (?)", ((key,) for key in keys))
            deleted = self.db.execute("DELETE FROM extractions WHERE key NOT IN (SELECT key FROM kept)").rowcount
            self.db.commit()
            self.db.execute("VACUUM")
        except sqlite3.DatabaseError as exc:
            self.db.rollback()
            log.warning("extraction cache not collected (%s)", exc)
            return 0
        return deleted

    def _write(self, statement: str, rows: Sequence[tuple[str | bytes, ...]]) -> None:
        try:
            self.db.executemany(statement, rows)
            self.db.commit()
        except sqlite3.DatabaseError as exc:
            log.warning("extraction cache write failed (%s)", exc)

    def close(self) -> None:
        self.db.close()
