"""The extraction cache: a real SQLite file; what comes out is exactly what went in, or a miss."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest
from spacy.tokens import Doc

import briefgen.cache
from briefgen.cache import NO_ENTRIES, SCHEMA, DecodedRows, ExtractionCache, RegistryScope, fold
from briefgen.codec import encode
from briefgen.extract import extract_doc
from briefgen.model import Extraction
from briefgen.registry import Registry, RegistryEntry
from tests.helpers import SEED

DATE = dt.date(2025, 8, 6)


def seed_extraction(parse: Callable[[str], Doc]) -> Extraction:
    return extract_doc(parse(SEED.read_text(encoding="utf-8")), DATE)


def test_round_trip_is_exact(parse: Callable[[str], Doc], tmp_path: Path) -> None:
    extraction = seed_extraction(parse)
    cache = ExtractionCache(tmp_path / "cache.sqlite")
    cache.put_many([("k", extraction, NO_ENTRIES)])
    cache.close()
    again = ExtractionCache(tmp_path / "cache.sqlite").get_many(["k", "missing"])
    assert again == {"k": extraction}
    assert again["k"].quotes and again["k"].timeline and again["k"].actors


def test_a_resident_process_decodes_only_the_rows_that_changed(
    parse: Callable[[str], Doc], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``keep_decoded`` (a serve build process): a row whose checksum is the one it was decoded from is not decoded
    again; a row replaced (re-extracted) or damaged is read as any build reads it; what a build did not ask for goes,
    unless it asked for nothing."""
    decodes: list[bytes] = []
    real = msgspec.msgpack.Decoder(Extraction)

    class Spy:
        def decode(self, data: bytes) -> Extraction:
            decodes.append(data)
            return real.decode(data)

    monkeypatch.setattr(briefgen.cache, "_decoder", Spy)
    path = tmp_path / "cache.sqlite"
    extraction = seed_extraction(parse)
    shorter = dataclasses.replace(extraction, quotes=extraction.quotes[:1])
    ExtractionCache(path).put_many([("a", extraction, NO_ENTRIES), ("b", extraction, NO_ENTRIES)])  # by another
    decoded = DecodedRows()
    monkeypatch.setattr(briefgen.cache, "_decoded", decoded)
    first = ExtractionCache(path).get_many(["a", "b", "missing"])
    assert first == {"a": extraction, "b": extraction} and len(decodes) == 2
    again = ExtractionCache(path).get_many(["a", "b"])
    assert again["a"] is first["a"] and again["b"] is first["b"] and len(decodes) == 2
    ExtractionCache(path).put_many([("b", shorter, NO_ENTRIES)])  # what is stored is what its row decodes to
    stored = ExtractionCache(path).get_many(["a", "b"])
    assert stored == {"a": extraction, "b": shorter} and stored["b"] is shorter and len(decodes) == 2
    _plant(path, "a", {"actors": "not a list"})  # damaged, with a checksum that fits it: dropped, not kept
    assert ExtractionCache(path).get_many(["a", "b"]) == {"b": shorter} and len(decodes) == 3
    _plant(path, "b", dict(reversed(encode(shorter).items())))  # replaced by another process (other bytes): decoded
    assert ExtractionCache(path).get_many(["b"]) == {"b": shorter} and len(decodes) == 4
    decoded.forget_unused()
    assert set(decoded.rows) == {"b"}
    decoded.forget_unused()  # a build that read no rows (the site up to date) keeps them for the next
    assert set(decoded.rows) == {"b"}
    ExtractionCache(path).get_many([])
    decoded.forget_unused()
    assert decoded.rows == {}


def _plant(path: Path, key: str, data: object, *, as_json: bool = False) -> None:
    """A row with a valid checksum: as if written by someone who knew the format (``as_json``: schema 1 and 2's)."""
    packed = json.dumps(data).encode() if as_json else msgspec.msgpack.encode(data)
    db = sqlite3.connect(path)
    db.execute(
        "INSERT OR REPLACE INTO extractions (key, data, checksum) VALUES (?, ?, ?)",
        (key, packed.decode() if as_json else packed, hashlib.sha256(packed).hexdigest()),
    )
    db.commit()
    db.close()


def _stored(path: Path, key: str) -> dict[str, Any]:
    """The row of ``key`` as data (its MessagePack decoded, untyped)."""
    data = sqlite3.connect(path).execute("SELECT data FROM extractions WHERE key=?", (key,)).fetchone()[0]
    return msgspec.msgpack.decode(data)  # type: ignore[no-any-return]


def test_rows_that_do_not_fit_the_types_are_misses_and_dropped(parse: Callable[[str], Doc], tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    ExtractionCache(path).put_many([("good", seed_extraction(parse), NO_ENTRIES)])
    good = _stored(path, "good")
    wrong_type = {**good, "actors": "not a list"}
    wrong_literal = {**good, "timeline": [{**good["timeline"][0], "type": "<script>"}]}
    wrong_date = {**good, "timeline": [{**good["timeline"][0], "value": 20250806}]}
    for key, data in (("type", wrong_type), ("literal", wrong_literal), ("date", wrong_date), ("list", [1, 2])):
        _plant(path, key, data)
    cache = ExtractionCache(path)
    found = cache.get_many(["good", "type", "literal", "date", "list"])
    assert set(found) == {"good"}
    assert {row[0] for row in cache.db.execute("SELECT key FROM extractions")} == {"good"}


def test_a_row_of_bytes_that_are_not_text_is_a_miss_and_the_others_are_read(
    parse: Callable[[str], Doc], tmp_path: Path
) -> None:
    """Rows are checked and decoded as the bytes stored: one damaged (a bad disk, another writer) fails its checksum
    and is dropped alone, and so does one whose text is not UTF-8 though its checksum fits; the rows beside them,
    non-ASCII text included, are read as written."""
    path = tmp_path / "cache.sqlite"
    extraction = seed_extraction(parse)
    quoted = dataclasses.replace(extraction, failed=("caf\u00e9 \u201cquotes\u201d \u2014 \U0001f600",))
    ExtractionCache(path).put_many([("good", extraction, NO_ENTRIES), ("accents", quoted, NO_ENTRIES)])
    db = sqlite3.connect(path)
    stored = db.execute("SELECT data FROM extractions WHERE key='good'").fetchone()[0]
    damaged = stored.replace(b"actors", b"\xff\xfetors", 1)
    odd = stored.replace(b"Trump", b"Tr\xffmp")
    db.executemany(
        "INSERT INTO extractions (key, data, checksum) VALUES (?, ?, ?)",
        [
            ("damaged", damaged, hashlib.sha256(stored).hexdigest()),
            ("odd", odd, hashlib.sha256(odd).hexdigest()),
        ],
    )
    db.commit()
    db.close()
    cache = ExtractionCache(path)
    assert cache.get_many(["good", "damaged", "odd", "accents"]) == {"good": extraction, "accents": quoted}
    assert {row[0] for row in cache.db.execute("SELECT key FROM extractions")} == {"good", "accents"}


def entry(name: str, *aliases: str, kind: str = "person") -> RegistryEntry:
    return RegistryEntry(name, kind, aliases, description="the registry's")  # type: ignore[arg-type]


# Entries that name actors of the seed article, in the ways the extractor can meet them, and entries that do not.
IN_SEED = (
    entry("Donald Trump", "Trump"),
    entry("Kremlin", kind="org"),  # a word of "Kremlin aide"
    entry("Vladimir Putin", "PUTIN"),  # case folds
    entry("Russia\u2019s government", "Russia's", kind="org"),  # the text writes "Russia’s"
    entry("Karoline Leavitt"),
    entry("The New York Times", kind="org"),
)
NOT_IN_SEED = (
    entry("Emmanuel Macron", "Macron"),
    entry("Kremlin Palace", kind="place"),  # one word of two is there
    entry("Trumpington", kind="place"),
)
ALWAYS = (entry("United States", "America", kind="place"),)  # "U.S." looks it up through surface_key


def test_an_article_scope_is_the_entries_whose_every_word_it_holds() -> None:
    text = SEED.read_text(encoding="utf-8")
    whole = RegistryScope(Registry((*NOT_IN_SEED, *IN_SEED, *ALWAYS)))
    assert whole.of(text) == RegistryScope(Registry((*IN_SEED, *ALWAYS))).digest
    assert whole.of("Nothing here names anyone.") == RegistryScope(Registry(ALWAYS)).digest
    assert RegistryScope(Registry()).of(text) == NO_ENTRIES == RegistryScope(Registry()).digest
    # the digests are those of the entries' JSON list, as the first caches stamped them (entries encoded once)
    listed = json.dumps(encode(tuple(dataclasses.replace(e, role=None) for e in IN_SEED)), sort_keys=True)
    assert RegistryScope(Registry(IN_SEED)).digest == hashlib.sha256(listed.encode()).hexdigest()
    assert hashlib.sha256(b"[]").hexdigest() == NO_ENTRIES
    # words inside words, and overlapping ones, count: the test is on substrings, not on tokens
    parts = Registry((entry("Trump"), entry("Rump"), entry("Pet"), entry("Trumpeter")))
    assert RegistryScope(parts).of("A trumpet.") == RegistryScope(Registry(parts.entries[:3])).digest
    # the order of the entries is kept: Registry.lookup takes the first that fits
    backwards = RegistryScope(Registry((*reversed(IN_SEED), *ALWAYS)))
    assert backwards.of(text) != whole.of(text)


def test_entries_out_of_an_articles_scope_do_not_change_its_extraction(parse: Callable[[str], Doc]) -> None:
    """The claim the cache rests on, checked against the extractor: an article extracted with the whole registry
    is the same as with only the entries in its scope, and an entry out of scope alone changes nothing."""
    doc = parse(SEED.read_text(encoding="utf-8"))
    whole = Registry((*NOT_IN_SEED, *IN_SEED, *ALWAYS))
    plain = extract_doc(doc, DATE)
    assert extract_doc(doc, DATE, whole) == extract_doc(doc, DATE, Registry((*IN_SEED, *ALWAYS)))
    assert extract_doc(doc, DATE, whole) != plain
    for out in NOT_IN_SEED:
        assert extract_doc(doc, DATE, Registry((out,))) == plain, out.name
    # an entry's role is the site's, not the extraction's: it is left out of the scope
    roled = Registry(tuple(dataclasses.replace(e, role="A role") for e in (*IN_SEED, *ALWAYS)))
    assert extract_doc(doc, DATE, roled) == extract_doc(doc, DATE, whole)
    assert RegistryScope(roled).of(doc.text) == RegistryScope(whole).of(doc.text)
    # no word of "United States" or "America" is in the text, yet the entry names its "U.S."
    assert "united" not in fold(doc.text) and "america" not in fold(doc.text)
    assert extract_doc(doc, DATE, Registry(ALWAYS)) != plain
    names = {actor.name: actor for actor in extract_doc(doc, DATE, whole).actors}
    assert "Donald Trump" in names and "Trump" not in names
    assert names["Donald Trump"].description == "the registry's"


def test_a_row_fits_another_registry_when_its_scope_is_the_same(parse: Callable[[str], Doc], tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    cache = ExtractionCache(tmp_path / "cache.sqlite")
    cache.put_many([("seed", seed_extraction(parse), NO_ENTRIES)])
    assert cache.present({"seed": text, "other": "x"}, RegistryScope(Registry())) == {"seed": NO_ENTRIES}
    elsewhere = RegistryScope(Registry(NOT_IN_SEED))
    assert cache.present({"seed": text}, elsewhere) == {"seed": NO_ENTRIES}
    stamps = cache.db.execute("SELECT registry, scope FROM extractions").fetchone()
    assert stamps == (elsewhere.digest, NO_ENTRIES)  # stamped: the next build need not look at the text
    assert cache.present({"seed": text}, RegistryScope(Registry((*NOT_IN_SEED, IN_SEED[0])))) == {}
    assert cache.present({"seed": text}, RegistryScope(Registry(ALWAYS))) == {}


def test_a_version_1_cache_keeps_its_rows(parse: Callable[[str], Doc], tmp_path: Path) -> None:
    """Version 1 keyed rows by the whole registry; those made with none are the rows keyed as now, and stay."""
    path = tmp_path / "cache.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute("INSERT INTO meta VALUES ('schema', '1')")
    db.execute("CREATE TABLE extractions (key TEXT PRIMARY KEY, data TEXT NOT NULL, checksum TEXT NOT NULL)")
    db.commit()
    db.close()
    _plant(path, "seed", encode(seed_extraction(parse)), as_json=True)
    cache = ExtractionCache(path)
    text = SEED.read_text(encoding="utf-8")
    assert cache.present({"seed": text}, RegistryScope(Registry())) == {"seed": NO_ENTRIES}
    assert cache.present({"seed": text}, RegistryScope(Registry(IN_SEED))) == {}
    assert cache.get_many(["seed"]) == {"seed": seed_extraction(parse)}
    assert cache.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone() == (str(SCHEMA),)
    assert not (tmp_path / "cache.sqlite.corrupt").exists()


def test_a_schema_2_cache_is_upgraded_in_place(parse: Callable[[str], Doc], tmp_path: Path) -> None:
    """Schema 2's rows are JSON: opening the cache encodes each again (no article is extracted again); a row that
    fails its checksum or does not decode is dropped, as a build would drop it."""
    path = tmp_path / "cache.sqlite"
    ExtractionCache(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value='2' WHERE key='schema'")
    db.commit()
    db.close()
    extraction = seed_extraction(parse)
    _plant(path, "good", encode(extraction), as_json=True)
    _plant(path, "wrong", {"actors": "not a list"}, as_json=True)
    _plant(path, "damaged", encode(extraction), as_json=True)
    db = sqlite3.connect(path)
    db.execute("UPDATE extractions SET checksum='0' WHERE key='damaged'")
    db.commit()
    db.close()
    cache = ExtractionCache(path)
    assert cache.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone() == (str(SCHEMA),)
    assert [row[0] for row in cache.db.execute("SELECT key FROM extractions")] == ["good"]
    assert cache.get_many(["good"]) == {"good": extraction}
    cache.close()
    assert ExtractionCache(path).get_many(["good"]) == {"good": extraction}  # upgraded once: the rows stand


def test_the_extractor_digest_covers_every_module_the_extractors_import() -> None:
    """A change to ``slugify`` (actor ids) or ``Registry.lookup`` changes extractions: their modules are hashed with
    the extractors', so the cache is never trusted across such a change."""
    import ast

    import briefgen.extract

    package = Path(briefgen.extract.__file__).parent
    imported = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("briefgen."):
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(a.name for a in node.names if a.name.startswith("briefgen."))
    outside = {name for name in imported if not name.startswith("briefgen.extract")}
    assert outside <= set(briefgen.cache.EXTRACTOR_IMPORTS), outside - set(briefgen.cache.EXTRACTOR_IMPORTS)


def test_a_resident_process_takes_the_articles_it_kept_without_asking_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``keep_extractions`` (serve's build process, the daemon): an article that is the very object the last build
    had, under registry entries of the same digest, has the last build's extraction and scope, and the cache is not
    opened for it; an edited article (another object) is extracted, or read from the cache, as by any build; a
    registry that names someone asks the cache for every article again; a failed extraction is tried again."""
    import briefgen.pipeline as pipeline
    from briefgen.config import SiteConfig
    from briefgen.model import Article

    monkeypatch.setattr(pipeline, "_kept", None)
    pipeline.keep_extractions()
    config = SiteConfig(root=tmp_path)
    text = SEED.read_text(encoding="utf-8")

    def made(slug: str, body: str) -> Article:
        return Article(Path(f"{slug}.txt"), slug, slug, dt.date(2025, 8, 6), body, ())

    opened: list[int] = []
    real_init = ExtractionCache.__init__

    def counting(self: ExtractionCache, path: Path) -> None:
        opened.append(1)
        real_init(self, path)

    monkeypatch.setattr(ExtractionCache, "__init__", counting)

    def extract(articles: list[Article], registry: Registry | None = None) -> tuple[list[Extraction], list[str], int]:
        tally, scopes = pipeline.Tally(), []
        opened.clear()
        found = pipeline.extract_articles(articles, registry or Registry(), config, jobs=1, scopes=scopes, tally=tally)
        assert [article for article, _ in found] == articles
        return [extraction for _, extraction in found], scopes, tally.extracted

    a, b = made("a", text), made("b", "Putin said on Monday that the talks “went well”.")
    first, scopes, extracted = extract([a, b])
    assert extracted == 2 and opened
    again, kept_scopes, extracted = extract([a, b])
    assert extracted == 0 and not opened and kept_scopes == scopes
    assert again[0] is first[0] and again[1] is first[1]
    edited = made("b", "Putin said on Tuesday that the talks “went badly”.")
    now, _, extracted = extract([a, edited])
    assert extracted == 1 and opened and now[0] is first[0] and now[1] != first[1]
    putin = Registry((RegistryEntry("Vladimir Putin", "person", ("Putin",)),))
    named, named_scopes, extracted = extract([a, edited], putin)
    assert opened and named_scopes != scopes and named[1].actors[0].name == "Vladimir Putin"
    failing = dataclasses.replace(first[0], failed=("quotes",))
    monkeypatch.setattr(pipeline, "run_extraction", lambda items, *rest: [failing for _ in items])
    other = made("c", "Nothing was said.")
    assert extract([a, edited, other], putin)[0][2] is failing
    assert extract([a, edited, other], putin)[2] == 1  # tried again: a failure is neither cached nor kept
