"""The seed article's briefing, checked against what a careful editor reads in it.

The specific facts are asserted here; the whole Markdown briefing is also compared with
``tests/golden/seed.briefing.md``, reviewed by hand. After an intended change, regenerate it with
``python -m pytest tests/test_golden_seed.py --update-golden`` and review the diff like code.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from briefgen.compose import compose_briefing
from briefgen.extract import extract_text
from briefgen.model import Actor, Extraction
from briefgen.readers import read_article
from tests.helpers import SEED

GOLDEN = Path(__file__).parent / "golden" / "seed.briefing.md"
SEED_DATE = dt.date(2025, 8, 6)


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("content")
    path = folder / "2025-08-06-seed.txt"
    path.write_bytes(SEED.read_bytes())
    article, problems = read_article(path, folder)
    assert problems == ()
    return article, extract_text(article.text, article.date)


def actor_named(extraction: Extraction, surname: str) -> Actor:
    matches = [a for a in extraction.actors if a.name.split()[-1] == surname]
    assert len(matches) == 1, f"{surname}: {[a.name for a in matches]}"
    return matches[0]


QUOTES = [
    # (quoted passage, speaker mention as written, resolved actor surname or None)
    ("“well advanced.”", "senior White House official", None),
    ("“There’s a good chance there will be a meeting very soon,”", "he", "Trump"),
    ("“expressed its desire”", "Karoline Leavitt", "Leavitt"),
    ("“great progress”", "Trump", "Trump"),
    ("“One of the next could be China,”", "he", "Trump"),
    ("“useful and constructive”", "Yuri Ushakov", "Ushakov"),
    ("“works,”", "Zelensky", "Zelensky"),
    ("“deception in the details.”", "Zelensky", "Zelensky"),
    ("“disgusting.”", "Trump", "Trump"),
]


def test_all_nine_quotes_with_their_speakers(seed) -> None:  # type: ignore[no-untyped-def]
    article, extraction = seed
    found = [q.span.slice(article.text) for q in extraction.quotes]
    assert found == [passage for passage, _, _ in QUOTES]
    for quote, (passage, mention, surname) in zip(extraction.quotes, QUOTES, strict=True):
        assert quote.speaker is not None, passage
        assert mention in quote.speaker.text, (passage, quote.speaker.text)
        assert quote.speaker.span.slice(article.text) == quote.speaker.text
        if surname is None:
            continue
        assert quote.actor_id == actor_named(extraction, surname).id, passage


ROLES = {"Leavitt": "press secretary", "Ushakov": "kremlin aide", "Witkoff": "envoy",
         "Zelensky": "ukrainian president", "Lukashenko": "belarusian leader"}  # fmt: skip


def test_key_actors_with_roles(seed) -> None:  # type: ignore[no-untyped-def]
    article, extraction = seed
    for surname in ("Trump", "Putin", "Zelensky", "Witkoff", "Leavitt", "Ushakov", "Lukashenko", "Biden"):
        assert actor_named(extraction, surname).kind == "person"
    for surname, role in ROLES.items():
        roles = [text.casefold() for text, _ in actor_named(extraction, surname).roles]
        assert role in roles, (surname, roles)
    for _, span in actor_named(extraction, "Leavitt").roles:
        assert span.slice(article.text).casefold() == "press secretary"
    trump = actor_named(extraction, "Trump")
    assert len([m for m in trump.mentions if m.kind == "name"]) >= 7, "every 'Trump' is one person"
    top = [a.name.split()[-1] for a in extraction.actors[:3]]
    assert "Trump" in top and "Putin" in top


def test_places_and_organisations_are_not_people(seed) -> None:  # type: ignore[no-untyped-def]
    _, extraction = seed
    kinds = {a.name: a.kind for a in extraction.actors}
    for place in ("Russia", "China", "India", "Moscow", "Kyiv", "Washington", "New Delhi"):
        assert kinds.get(place) == "place", place
    for org in ("White House", "Kremlin"):
        assert kinds.get(org) == "org", org
    assert "New Delhi’s" not in kinds


def test_timeline_resolved_from_the_article_date(seed) -> None:  # type: ignore[no-untyped-def]
    _, extraction = seed
    by_text: dict[str, list] = {}
    for timex in extraction.timeline:
        by_text.setdefault(timex.text, []).append(timex)
    assert [t.date for t in by_text["Wednesday"]] == [SEED_DATE, SEED_DATE]
    [friday] = by_text["Friday"]
    assert friday.date == dt.date(2025, 8, 8) and friday.value == "2025-08-08"
    assert friday.is_deadline and friday.conflict is None
    assert [t.value for t in by_text["June 2021"]] == ["2021-06"]
    assert [t.value for t in by_text["last week"]] == ["2025-W31"]
    deadlines = [t for t in extraction.timeline if t.is_deadline]
    assert all(t.date == dt.date(2025, 8, 8) for t in deadlines if t.date)


def test_every_fact_spans_the_text(seed) -> None:  # type: ignore[no-untyped-def]
    article, extraction = seed
    for actor in extraction.actors:
        for mention in actor.mentions:
            assert mention.span.slice(article.text) == mention.text
    for timex in extraction.timeline:
        assert timex.span.slice(article.text) == timex.text
        assert timex.sentence.contains(timex.span)
    for quote in extraction.quotes:
        assert quote.sentence.contains(quote.span)


def test_golden_briefing(seed, request: pytest.FixtureRequest) -> None:  # type: ignore[no-untyped-def]
    article, extraction = seed
    markdown = compose_briefing(article, extraction).markdown
    if request.config.getoption("--update-golden"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(markdown, encoding="utf-8")
    assert GOLDEN.is_file(), "run with --update-golden once, then review tests/golden/seed.briefing.md"
    assert markdown == GOLDEN.read_text(encoding="utf-8")
