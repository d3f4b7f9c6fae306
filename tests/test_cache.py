"""The extraction cache: a real SQLite file; what comes out is exactly what went in, or a miss."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

from spacy.tokens import Doc

from briefgen.cache import ExtractionCache
from briefgen.extract import extract_doc
from briefgen.model import Extraction
from tests.helpers import SEED

DATE = dt.date(2025, 8, 6)


def seed_extraction(parse: Callable[[str], Doc]) -> Extraction:
    return extract_doc(parse(SEED.read_text(encoding="utf-8")), DATE)


def test_round_trip_is_exact(parse: Callable[[str], Doc], tmp_path: Path) -> None:
    extraction = seed_extraction(parse)
    cache = ExtractionCache(tmp_path / "cache.sqlite")
    cache.put_many([("k", extraction)])
    cache.close()
    again = ExtractionCache(tmp_path / "cache.sqlite").get_many(["k", "missing"])
    assert again == {"k": extraction}
    assert again["k"].quotes and again["k"].timeline and again["k"].actors


def _plant(path: Path, key: str, data: object) -> None:
    """A row with a valid checksum: as if written by someone who knew the format."""
    text = json.dumps(data)
    db = sqlite3.connect(path)
    db.execute(
        "INSERT OR REPLACE INTO extractions VALUES (?, ?, ?)", (key, text, hashlib.sha256(text.encode()).hexdigest())
    )
    db.commit()
    db.close()


def test_rows_that_do_not_fit_the_types_are_misses_and_dropped(parse: Callable[[str], Doc], tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    ExtractionCache(path).put_many([("good", seed_extraction(parse))])
    good = json.loads(sqlite3.connect(path).execute("SELECT data FROM extractions").fetchone()[0])
    wrong_type = {**good, "actors": "not a list"}
    wrong_literal = {**good, "timeline": [{**good["timeline"][0], "type": "<script>"}]}
    wrong_date = {**good, "timeline": [{**good["timeline"][0], "value": 20250806}]}
    for key, data in (("type", wrong_type), ("literal", wrong_literal), ("date", wrong_date), ("list", [1, 2])):
        _plant(path, key, data)
    cache = ExtractionCache(path)
    found = cache.get_many(["good", "type", "literal", "date", "list"])
    assert set(found) == {"good"}
    assert {row[0] for row in cache.db.execute("SELECT key FROM extractions")} == {"good"}
