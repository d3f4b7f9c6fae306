"""The fast paths against the plain code they stand in for: the same output, byte for byte, on any input."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from briefgen import __version__
from briefgen.compose import (
    SentenceLookup,
    extraction_to_data,
    front_matter,
    front_matter_text,
    outline_briefing,
    sentence_index,
)
from briefgen.config import SiteConfig
from briefgen.digest import Fingerprints, plain_digest
from briefgen.frontmatter import dump_front_matter
from briefgen.model import Actor, Article, Briefing, Extraction, Mention, Problem, Quote, Span, TimeExpression
from briefgen.registry import Registry, RegistryEntry
from briefgen.render import KeptActorPages, all_actor_pages, site_pages, sort_newest_first
from briefgen.site import actors as actors_module
from briefgen.site import deadlines as deadlines_module
from briefgen.site import feeds
from briefgen.site.actors import ActorIndex, index_actors, merge_groups
from briefgen.site.dates import as_of_date
from briefgen.site.deadlines import collect_deadlines
from briefgen.site.feeds import briefing_details_json, briefing_path, briefings_json, index_record, safe_json
from briefgen.site.views import Refs, actor_chip
from tests import actors_before
from tests.browser.sample import sample_briefings

# Derandomised in CI (the same examples every run: a red build is reproducible); random, and so exploring, elsewhere.
PROFILE = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=bool(os.environ.get("CI")),
)

# Short and long strings (a record longer than a line is written as a block), with what YAML and JSON escape.
ALPHABET = st.sampled_from(
    [*"aZ9 -_.:#'\"\\{}[],&*!|<>%@`?", "\n", "\t", "\x00", "\x7f", "\x85", "\u2028", "\u2029", "é", "“"]
)
texts = st.one_of(st.text(ALPHABET, max_size=12), st.text(ALPHABET, min_size=100, max_size=170), st.text(max_size=8))
maybe_texts = st.none() | texts
# Offsets are small, but a huge one makes even a span record too long for one line.
offsets = st.one_of(st.integers(0, 3000), st.integers(10**70, 10**80))
spans = st.tuples(offsets, offsets).map(lambda p: Span(min(p), max(p)))
numbers = st.one_of(st.floats(), st.integers(-(10**20), 10**20), st.sampled_from([0.0, -0.0, 1e-5, 1e16, 14.7775]))
dates = st.none() | st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))
mentions = st.builds(Mention, span=spans, text=texts, kind=st.sampled_from(["name", "pronoun", "nominal"]) | texts)

actors = st.builds(
    Actor,
    id=texts,
    name=texts,
    kind=st.sampled_from(["person", "org", "place"]),
    mentions=st.lists(mentions, max_size=3).map(tuple),
    roles=st.lists(st.tuples(texts, spans), max_size=2).map(tuple),
    salience=numbers,
    description=maybe_texts,
)
quotes = st.builds(
    Quote,
    span=spans,
    text=texts,
    kind=st.sampled_from(["direct", "partial"]),
    speaker=st.none() | mentions,
    actor_id=maybe_texts,
    cue=maybe_texts,
    cue_span=st.none() | spans,
    sentence=spans,
    confidence=numbers,
)
timexes = st.builds(
    TimeExpression,
    span=spans,
    text=texts,
    type=st.sampled_from(["DATE", "TIME", "DURATION", "SET"]),
    value=maybe_texts,
    date=dates,
    granularity=st.none() | st.sampled_from(["day", "week", "month", "quarter", "year"]),
    sentence=spans,
    is_deadline=st.booleans(),
    deadline_cue=maybe_texts,
    tense=st.none() | st.sampled_from(["past", "present", "future"]),
    event=maybe_texts,
    actor_id=maybe_texts,
    conflict=maybe_texts,
    confidence=numbers,
)
extractions = st.builds(
    Extraction,
    actors=st.lists(actors, max_size=3).map(tuple),
    quotes=st.lists(quotes, max_size=2).map(tuple),
    timeline=st.lists(timexes, max_size=2).map(tuple),
    sentences=st.lists(spans, max_size=3).map(tuple),
    problems=st.lists(st.builds(Problem, level=st.just("warning"), message=texts), max_size=2).map(tuple),
    failed=st.lists(texts, max_size=2).map(tuple),
)
articles = st.builds(
    Article,
    source_path=st.text(ALPHABET, min_size=1, max_size=20).map(lambda t: Path(t.replace("\x00", "") + ".txt")),
    slug=texts,
    title=texts,
    date=dates,
    text=st.just(""),
    paragraphs=st.just(()),
    byline=maybe_texts,
    sources=st.lists(texts, max_size=2).map(tuple),
    tags=st.lists(texts, max_size=2).map(tuple),
)


@PROFILE
@given(article=articles, extraction=extractions, summary=texts)
def test_front_matter_is_the_generic_emitters(article: Article, extraction: Extraction, summary: str) -> None:
    expected = dump_front_matter(front_matter(article, extraction, summary))
    assert front_matter_text(article, extraction, summary) == expected


def test_front_matter_of_the_sample_briefings() -> None:
    for briefing in sample_briefings():
        meta = front_matter(briefing.article, briefing.extraction, briefing.summary)
        expected = dump_front_matter(meta)
        assert front_matter_text(briefing.article, briefing.extraction, briefing.summary) == expected
        assert briefing.markdown.startswith(f"---\n{expected}---\n\n")


def details_as_they_were(briefing: Briefing) -> bytes:
    """briefing.json as ``json.dumps`` writes it (``safe_json``), from the data made afresh."""
    record: dict[str, object] = {
        "url": briefing_path(briefing),
        "markdown": f"briefings/{briefing.article.slug}/briefing.md",
        **extraction_to_data(briefing.article, briefing.extraction),
        "summary": briefing.summary,
        "generator": f"briefgen {__version__}",
    }
    return safe_json(record)


@PROFILE
@given(article=articles, extraction=extractions, summary=texts)
@example(  # what HTML must not see raw
    article=Article(Path("a.txt"), "a", "<b>&</b>\u2028\u2029", None, "", ()), extraction=Extraction(), summary=""
)
@example(  # every float msgspec writes unlike json.dumps
    article=Article(Path("a.txt"), "a", "a", None, "", ()),
    extraction=Extraction(
        actors=tuple(Actor(str(n), "x", "person", (), salience=n) for n in (1e16, 1e300, float("nan"))),
        timeline=(TimeExpression(Span(0, 1), "x", "DATE", None, None, None, Span(0, 1), confidence=float("-inf")),),
    ),
    summary="",
)
def test_details_json_is_json_dumps(article: Article, extraction: Extraction, summary: str) -> None:
    briefing = Briefing(article, extraction, summary, "")
    assert briefing_details_json(briefing) == details_as_they_were(briefing)


def test_details_json_of_the_sample_briefings() -> None:
    for briefing in sample_briefings():
        expected = details_as_they_were(briefing)
        assert briefing_details_json(briefing) == expected
        assert briefing_details_json(outline_briefing(briefing.article, briefing.extraction)) == expected


# Sentences as an extractor gives them (in order, apart) and any at all (overlapping, empty, out of order).
small_spans = st.tuples(st.integers(0, 30), st.integers(0, 30)).map(lambda p: Span(min(p), max(p)))
ordered_sentences = st.lists(st.integers(0, 30), max_size=12).map(
    lambda cuts: tuple(Span(a, b) for a, b in zip(sorted(cuts)[::2], sorted(cuts)[1::2], strict=False))
)
any_sentences = st.lists(small_spans, max_size=8).map(tuple)
nested_sentences = st.lists(small_spans, max_size=8).map(lambda s: tuple(sorted(s, key=lambda x: (x.start, x.end))))


@PROFILE
@given(sentences=ordered_sentences | any_sentences | nested_sentences, probes=st.lists(small_spans, max_size=10))
@example(sentences=(Span(0, 5), Span(5, 9)), probes=[Span(5, 5), Span(0, 0), Span(9, 9), Span(4, 6)])
@example(sentences=(Span(3, 3), Span(3, 3), Span(3, 8)), probes=[Span(3, 3), Span(2, 4), Span(3, 8)])
def test_sentence_lookup_is_the_scan(sentences: tuple[Span, ...], probes: list[Span]) -> None:
    extraction = Extraction(sentences=sentences)
    lookup = SentenceLookup(sentences)
    for span in probes:
        assert lookup.index(span) == sentence_index(extraction, span)


# Actors across briefings: names that merge by id, by surname (or not: ambiguous ones), by the registry.
NAMES = ["Trump", "Donald Trump", "Kim", "Kim Jong Un", "Kim Yo Jong", "Smith", "John Smith", "Anna Smith", "Putin"]
site_mentions = st.lists(st.builds(Mention, span=small_spans, text=st.sampled_from(NAMES)), max_size=2).map(tuple)
site_roles = st.lists(st.tuples(st.sampled_from(["envoy", " Envoy ", "president"]), small_spans), max_size=2).map(tuple)
site_descriptions = st.none() | st.sampled_from(["a", "b"])
site_actors = st.builds(
    Actor,
    id=st.sampled_from(["trump", "donald-trump", "kim", "x", "smith", "john-smith", "putin", "Putin!"]),
    name=st.sampled_from(NAMES),
    kind=st.sampled_from(["person", "person", "org", "place"]),
    mentions=site_mentions,
    roles=site_roles,
    salience=st.just(1.0),
    description=site_descriptions,
)


@st.composite
def site_briefing(draw: st.DrawFn, slug: str, like: Briefing | None = None) -> Briefing:
    """A briefing of a small site; ``like``: an edit of that briefing, mostly of the same date and actors (mentioned,
    given roles and described anew), with new quotes, deadlines and sentences."""
    if like is not None and draw(st.integers(0, 4)):
        actors = tuple(
            dataclasses.replace(
                a, mentions=draw(site_mentions), roles=draw(site_roles), description=draw(site_descriptions)
            )
            for a in like.extraction.actors
        )
        if draw(st.booleans()):  # as an edit that changes the actors' salience orders them
            actors = tuple(draw(st.permutations(actors)))
    else:
        actors = draw(st.lists(site_actors, max_size=4).map(tuple))
    ids = st.none() | st.sampled_from([a.id for a in actors] or ["nobody"])
    quotes = st.builds(
        Quote,
        span=small_spans,
        text=st.just("q"),
        kind=st.just("direct"),
        speaker=st.none(),
        actor_id=ids,
        cue=st.none(),
        cue_span=st.none(),
        sentence=small_spans,
    )
    deadlines = st.builds(
        TimeExpression,
        span=small_spans,
        text=st.just("t"),
        type=st.just("DATE"),
        value=st.none(),
        date=st.none(),
        granularity=st.none(),
        sentence=small_spans,
        is_deadline=st.booleans(),
        actor_id=ids,
    )
    extraction = Extraction(
        actors=actors,
        quotes=tuple(draw(st.lists(quotes, max_size=3))),
        timeline=tuple(draw(st.lists(deadlines, max_size=3))),
        sentences=draw(ordered_sentences | any_sentences),
    )
    date = draw(st.none() | st.sampled_from([dt.date(2025, 1, 1), dt.date(2025, 1, 2)]))
    if like is not None and draw(st.integers(0, 4)):
        date = like.article.date
    return Briefing(Article(Path(f"{slug}.txt"), slug, slug, date, "", ()), extraction, "", "")


@st.composite
def sites(draw: st.DrawFn) -> list[Briefing]:
    # mostly one briefing a slug, as builds make them; sometimes two sharing one
    slugs = draw(st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f"]), max_size=6, unique=draw(st.booleans())))
    return [draw(site_briefing(slug)) for slug in slugs]


registry_entries = st.builds(
    RegistryEntry,
    name=st.sampled_from(["Donald Trump", "Vladimir Putin"]),
    kind=st.just("person"),
    aliases=st.lists(st.sampled_from(NAMES), max_size=2).map(tuple),
    role=st.none() | st.just("president"),
    description=st.none() | st.just("d"),
)
registries = st.none() | st.builds(Registry, entries=st.lists(registry_entries, max_size=2).map(tuple))


def ties_by_id(index: ActorIndex) -> ActorIndex:
    """The index with each actor's company ordered by id among equals (the slow path left ties in set order)."""
    mentions = {a.id: a.mention_count for a in index.actors}
    names = {a.id: a.name.casefold() for a in index.actors}
    actors = tuple(
        dataclasses.replace(
            a, co_actors=tuple(sorted(a.co_actors, key=lambda c: (-c[1], -mentions[c[0]], names[c[0]], c[0])))
        )
        for a in index.actors
    )
    return ActorIndex(actors=actors, site_ids=index.site_ids)


@PROFILE
@given(briefings=sites(), registry=registries)
def test_actor_index_is_the_plain_ones(briefings: list[Briefing], registry: Registry | None) -> None:
    expected = ties_by_id(actors_before.index_actors(briefings, registry))
    index = index_actors(briefings, registry)
    assert index.actors == expected.actors
    assert index.site_ids == expected.site_ids
    assert merge_groups(briefings, registry) == actors_before.merge_groups(briefings, registry)


@st.composite
def edited_sites(draw: st.DrawFn) -> tuple[list[Briefing], list[Briefing]]:
    """A site, and the site after an edit of one or more of its briefings (``site_briefing``'s ``like``)."""
    before = draw(sites())
    after = list(before)
    for n in draw(st.sets(st.integers(0, len(before) - 1), max_size=3)) if before else ():
        after[n] = draw(site_briefing(before[n].article.slug, like=before[n]))
    return before, after


def assert_same_index(index: ActorIndex, expected: ActorIndex) -> None:
    assert index.actors == expected.actors
    assert index.site_ids == expected.site_ids
    for slug in {slug for slug, _ in expected.site_ids}:  # in the same order: what a briefing's links are made from
        assert list(index.ids_for(slug).items()) == list(expected.ids_for(slug).items())
    # fields left out of the comparison: what the pages read of them
    assert [(a.co_actors, a.mention_count, a.briefing_count) for a in index.actors] == [
        (a.co_actors, a.mention_count, a.briefing_count) for a in expected.actors
    ]


@PROFILE
@given(site=edited_sites(), registry=registries)
def test_an_index_made_from_the_last_one_is_the_index_made_anew(
    site: tuple[list[Briefing], list[Briefing]], registry: Registry | None
) -> None:
    """A resident build process makes the actor index of an edit from the last build's (``actors._edited``): where
    it does, the index is the one a build of its own makes, and so is the next one, made from it."""
    before, after = site
    made = actors_module._index_actors(before, registry)
    edited = actors_module._edited(made, after, registry)
    event("made from the last" if edited is not None else "made anew")
    if edited is not None:
        anew = actors_module._index_actors(after, registry)
        assert_same_index(edited.index, anew.index)
        # and what the next edit starts from is what indexing anew keeps
        assert (edited.groups, edited.places, edited.order) == (anew.groups, anew.places, anew.order)
        again = actors_module._edited(edited, before, registry)
        if again is not None:
            assert_same_index(again.index, made.index)


@st.composite
def grown_sites(draw: st.DrawFn) -> tuple[list[Briefing], list[Briefing]]:
    """A site, and the site with one more briefing first: mostly the newest (a later date, or the same and a later
    slug), sometimes not."""
    before = draw(sites())
    added = draw(site_briefing(draw(st.sampled_from(["g", "z", "a"]))))
    if draw(st.integers(0, 3)):
        added = dataclasses.replace(
            added,
            article=dataclasses.replace(
                added.article, date=draw(st.sampled_from([dt.date(2025, 1, 2), dt.date(2025, 1, 3)]))
            ),
        )
    return before, [added, *before]


@PROFILE
@given(site=grown_sites(), registry=registries, asked=st.booleans())
def test_an_index_made_from_the_last_one_with_a_newest_briefing_is_the_index_made_anew(
    site: tuple[list[Briefing], list[Briefing]], registry: Registry | None, asked: bool
) -> None:
    """A resident build process makes the actor index of a site grown by a briefing newer than all the others from
    the last build's (``actors._added``): where it does, the index is the one a build of its own makes, and so are
    the next ones made from it, an edit of the new briefing and another new one. ``asked``: the last index was
    asked for a briefing's ids (``ids_for``), whose table the new one then starts from."""
    before, after = site
    made = actors_module._index_actors(before, registry)
    if asked:
        made.index.ids_for("a")
    added = actors_module._added(made, after, registry)
    event("made from the last" if added is not None else "made anew")
    if added is None:
        return
    anew = actors_module._index_actors(after, registry)
    assert_same_index(added.index, anew.index)
    assert (added.groups, added.places, added.order, added.ranks) == (anew.groups, anew.places, anew.order, anew.ranks)
    assert (added.suffixes, added.people, added.shadowing, added.site_of) == (
        anew.suffixes,
        anew.people,
        anew.shadowing,
        anew.site_of,
    )
    edit = [dataclasses.replace(after[0], extraction=dataclasses.replace(after[0].extraction, quotes=())), *after[1:]]
    edited = actors_module._edited(added, edit, registry)
    if edited is not None:
        assert_same_index(edited.index, actors_module._index_actors(edit, registry).index)
    later = dataclasses.replace(after[0], article=dataclasses.replace(after[0].article, slug="zz"))
    grown = actors_module._added(added, [later, *after], registry)
    if grown is not None:
        assert_same_index(grown.index, actors_module._index_actors([later, *after], registry).index)


def _briefing_naming(slug: str, *people: tuple[str, str, int]) -> Briefing:
    """A briefing of ``slug`` naming persons given as (id, name, mentions)."""
    actors = tuple(
        Actor(id=i, name=name, kind="person", mentions=(Mention(Span(0, 1), name),) * n) for i, name, n in people
    )
    return Briefing(Article(Path(f"{slug}.txt"), slug, slug, None, "", ()), Extraction(actors=actors), "", "")


def test_an_edit_moving_two_actors_of_one_group_is_indexed_in_the_new_order() -> None:
    """ "Trump" and "Donald Trump" of one briefing are one actor; an edit that swaps them (their salience changed)
    is indexed from the last index, with their ids in the order indexing anew gives (``ids_for``'s)."""
    before = [
        _briefing_naming("a", ("donald-trump", "Donald Trump", 1), ("trump", "Trump", 2)),
        _briefing_naming("b", ("donald-trump", "Donald Trump", 1)),
    ]
    after = [_briefing_naming("a", ("trump", "Trump", 3), ("donald-trump", "Donald Trump", 1)), before[1]]
    edited = actors_module._edited(actors_module._index_actors(before, None), after, None)
    assert edited is not None
    anew = actors_module._index_actors(after, None)
    assert_same_index(edited.index, anew.index)
    assert list(edited.index.ids_for("a")) == ["trump", "donald-trump"]


def test_an_edit_moving_surname_suffixes_is_indexed_anew() -> None:
    """Which short name joins a full one can depend on the order the short names come in (``_merge_surnames``):
    "Un" first sees two full names it could stand for and joins neither; after "Jong Un" has joined "Kim Jong Un",
    it sees one. An edit that changes that order is indexed anew."""
    other = _briefing_naming("b", ("p", "Putin", 1))
    before = [_briefing_naming("a", ("j", "Jong Un", 1), ("u", "Un", 1), ("k", "Kim Jong Un", 1)), other]
    after = [_briefing_naming("a", ("u", "Un", 1), ("j", "Jong Un", 1), ("k", "Kim Jong Un", 1)), other]
    made, anew = actors_module._index_actors(before, None), actors_module._index_actors(after, None)
    assert len(made.index.actors) == 2 and len(anew.index.actors) == 3  # the order mattered
    assert actors_module._edited(made, after, None) is None


def test_a_resident_process_indexes_an_edit_from_the_last_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``keep_index`` (``briefgen serve``'s build process), an edit that leaves its actors as they were is
    indexed from the last index: the actors it does not name are the very objects they were, the rest as a build
    of its own makes them. So is a new article newer than the others, and an edit of it that changes its actors,
    or renames it; deleting it leaves the index it was added to. One older than the newest is indexed anew."""
    monkeypatch.setattr(actors_module, "_kept", None)
    kept = actors_module.keep_index()
    site = [
        dataclasses.replace(b, article=dataclasses.replace(b.article, slug=f"{b.article.slug}-{n}", date=day))
        for n, day in enumerate(dt.date(2025, 1, n) for n in range(1, 11))
        for b in sample_briefings(hostile=False)
    ]
    first = index_actors(site, None)
    edited = site[4]
    actor = edited.extraction.actors[0]
    fewer = dataclasses.replace(actor, mentions=actor.mentions[:1], roles=())
    site[4] = dataclasses.replace(
        edited,
        extraction=dataclasses.replace(
            edited.extraction, actors=(fewer, *edited.extraction.actors[1:]), quotes=edited.extraction.quotes[1:]
        ),
    )
    second = index_actors(site, None)
    assert kept.edits == 1
    assert_same_index(second, actors_module._index_actors(site, None).index)
    named = {second.site_id(edited.article.slug, a.id) for a in edited.extraction.actors}
    assert 0 < len(named) < len(second.actors)
    for before, after in zip(first.actors, second.actors, strict=True):
        if after.id in named:
            assert after is not before
        else:  # the same, or only its company ordered again (the edit changed some mentions)
            assert after is before or (after.appearances is before.appearances and after.co_actors != before.co_actors)
    assert index_actors(site, None) is second  # nothing changed
    newest = sort_newest_first(site)[0]
    added = dataclasses.replace(
        newest, article=dataclasses.replace(newest.article, slug="new", date=dt.date(2025, 2, 1))
    )
    grown = [added, *site]  # the order the last index had, and the newest first (as a build orders them)
    third = index_actors(grown, None)
    assert kept.edits == 2
    assert_same_index(third, actors_module._index_actors(grown, None).index)
    named = {third.site_id("new", a.id) for a in added.extraction.actors}
    for before, after in zip(second.actors, third.actors, strict=True):
        if after.id in named:
            assert after.appearances[0].briefing is added
        else:
            assert after is before or after.co_actors != before.co_actors
    # The new briefing edited as an author goes on writing it: one actor fewer, one no briefing named
    newcomer = Actor(id="zed-newname", name="Zed Newname", kind="person", mentions=(Mention(Span(0, 1), "Zed"),))
    actors_now = (*added.extraction.actors[1:], newcomer)
    rewritten = dataclasses.replace(added, extraction=dataclasses.replace(added.extraction, actors=actors_now))
    fourth = index_actors([rewritten, *site], None)
    assert kept.edits == 3
    assert_same_index(fourth, actors_module._index_actors([rewritten, *site], None).index)
    assert fourth.site_id("new", "zed-newname") == "zed-newname"
    renamed = dataclasses.replace(rewritten, article=dataclasses.replace(rewritten.article, slug="newer"))
    assert_same_index(index_actors([renamed, *site], None), actors_module._index_actors([renamed, *site], None).index)
    assert kept.edits == 4
    assert index_actors(site, None) is second  # and deleted: the index it was added to
    assert kept.edits == 5 and kept.before_newest is None
    index_actors([renamed, *site], None)  # added again
    assert kept.edits == 6 and kept.before_newest is not None
    other = [renamed, *site]
    other[3] = dataclasses.replace(other[3], extraction=dataclasses.replace(other[3].extraction, quotes=()))
    assert_same_index(index_actors(other, None), actors_module._index_actors(other, None).index)
    assert kept.edits == 7 and kept.before_newest is None  # another briefing edited: no way back to ``site``'s
    backdated = dataclasses.replace(added, article=dataclasses.replace(added.article, slug="old", date=None))
    with_old = [*other, backdated]
    assert_same_index(index_actors(with_old, None), actors_module._index_actors(with_old, None).index)
    assert kept.edits == 7


def test_actors_taking_one_id_get_it_in_the_order_of_their_keys_reprs() -> None:
    """Two actors whose ids both anchor as "putin": the one whose least key repr sorts first keeps the id. Keys of
    plain text are ordered without writing each one's repr (``actors._plain``); "!" and "#" sort before the quote,
    so these are not plain: "putin"'s least repr is its key in "a!" (its least key is the one in "a"), which sorts
    before "Putin!"'s, in "a#"."""
    found = []
    for slug, actor_id in (("a", "putin"), ("a!", "putin"), ("a#", "Putin!")):
        actor = Actor(id=actor_id, name="Putin", kind="org", mentions=())
        article = Article(Path(f"{slug}.txt"), slug, slug, None, "", ())
        found.append(Briefing(article, Extraction(actors=(actor,)), "", ""))
    expected = actors_before.index_actors(found, None)
    assert index_actors(found, None).site_ids == expected.site_ids
    assert expected.site_ids[("a", "putin")] == "putin"
    assert expected.site_ids[("a#", "Putin!")] == "putin-2"


def actor_views(briefings: list[Briefing], registry: Registry | None, size: int) -> dict[str, tuple[str, str, str]]:
    """Each actor page's key, its context and what it shows (the view ``Page.derived`` makes), digested."""
    outlines = sort_newest_first(briefings)
    actors = index_actors(outlines, registry)
    config = SiteConfig(root=Path("site"), actor_page_size=size)
    deadlines = collect_deadlines(outlines, actors)
    pages = site_pages(outlines, config, actors, deadlines, lambda b: plain_digest((b.article, b.extraction)))
    prints = Fingerprints()
    shown: dict[str, tuple[str, str, str]] = {}
    for page in pages:
        if page.template == "actor.html":
            assert page.key and page.derived is not None
            shown[page.path] = (page.key, prints.of((page.context, page.lastmod)), prints.of(page.derived()))
    return shown


@st.composite
def built_sites(draw: st.DrawFn) -> list[Briefing]:
    """A site as builds make them: one briefing a slug (a second article with a used slug is refused)."""
    slugs = draw(st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f"]), max_size=6, unique=True))
    return [draw(site_briefing(slug)) for slug in slugs]


@PROFILE
@given(briefings=built_sites(), registry=registries, size=st.integers(1, 3), data=st.data())
def test_an_actor_pages_key_stands_for_what_it_shows(
    briefings: list[Briefing], registry: Registry | None, size: int, data: st.DataObject
) -> None:
    """An edit to one briefing: every actor page whose key and context are as they were shows what it did.

    A page found unchanged by its key is kept without its view being made (``render.actor_site_pages``), so the
    key must cover all that the view is made from (with the briefings' digests covering each whole briefing).
    """
    if not briefings:
        return
    at = data.draw(st.integers(0, len(briefings) - 1))
    edited = [*briefings]
    edited[at] = data.draw(site_briefing(briefings[at].article.slug))
    before, after = actor_views(briefings, registry, size), actor_views(edited, registry, size)
    for path in before.keys() & after.keys():
        if before[path][:2] == after[path][:2]:
            assert before[path][2] == after[path][2], path


@PROFILE
@given(site=edited_sites(), registry=registries, size=st.integers(1, 2))
def test_actor_pages_planned_from_the_last_plans_are_the_pages_planned_anew(
    site: tuple[list[Briefing], list[Briefing]], registry: Registry | None, size: int
) -> None:
    """A resident build process plans an edit's actor pages from the last build's plans (``render.KeptActorPages``:
    the same object's plan stands, another's pages are planned again where their briefings changed): each page is
    the page planned anew, its path, key, context, date and what it shows."""
    before, after = site
    if len({b.article.slug for b in before}) < len(before):
        return  # builds refuse a second article with a used slug
    made = actors_module._index_actors(sort_newest_first(before), registry)
    edited = actors_module._edited(made, sort_newest_first(after), registry)
    if edited is None:
        return
    config = SiteConfig(root=Path("site"), actor_page_size=size)
    kept = KeptActorPages()

    def planned(briefings: list[Briefing], index: ActorIndex, memo: KeptActorPages | None) -> list[tuple[object, ...]]:
        outlines = sort_newest_first(briefings)
        chips = {a.id: actor_chip(a) for a in index.actors}
        digests = {id(b): plain_digest((b.article, b.extraction)) for b in outlines}
        pages = all_actor_pages(index, Refs(), chips, config, as_of_date(outlines), digests, memo, "t")
        return [(p.path, p.key, p.context, p.lastmod, p.derived() if p.derived else None) for p in pages]

    planned(before, made.index, kept)
    assert planned(after, edited.index, kept) == planned(after, edited.index, None)
    event(f"{kept.replanned} planned from the last plan")


@PROFILE
@given(site=edited_sites(), registry=registries)
def test_deadlines_collected_from_the_last_ones_are_the_deadlines_collected_anew(
    site: tuple[list[Briefing], list[Briefing]], registry: Registry | None
) -> None:
    """A resident build process takes a briefing's deadlines from the last build when the briefing and its actors'
    site ids are the very objects (``deadlines.keep_deadlines``): the site's deadlines are those collected anew, in
    the same order, and those of a briefing an edit left, with the same ids, are the same objects."""
    before, after = site
    made = actors_module._index_actors(sort_newest_first(before), registry)
    edited = actors_module._edited(made, sort_newest_first(after), registry)
    if edited is None:
        return
    with pytest.MonkeyPatch.context() as resident:
        resident.setattr(deadlines_module, "_kept", None)
        deadlines_module.keep_deadlines()
        last = collect_deadlines(sort_newest_first(before), made.index)
        now = collect_deadlines(sort_newest_first(after), edited.index)
    assert now == collect_deadlines(sort_newest_first(after), edited.index)
    kept = {id(d) for d in last}
    for deadline in now:
        slug = deadline.briefing.article.slug
        if any(deadline.briefing is b for b in before) and edited.index.ids_table(slug) is made.index.ids_table(slug):
            assert id(deadline) in kept


def test_the_registrys_role_on_an_actors_first_page_goes_when_a_briefing_on_another_gives_one() -> None:
    """No briefing gives Putin a role, so his first page shows the registry's. An edit giving him one in the
    briefing of his second page takes it off the first, whose own briefing did not change: its key changes too."""

    def briefing(slug: str, day: int, roles: tuple[tuple[str, Span], ...]) -> Briefing:
        putin = Actor(id="putin", name="Putin", kind="person", mentions=(), roles=roles)
        article = Article(Path(f"{slug}.txt"), slug, slug, dt.date(2025, 1, day), "", ())
        return Briefing(article, Extraction(actors=(putin,)), "", "")

    registry = Registry((RegistryEntry("Vladimir Putin", "person", ("Putin",), role="president"),))
    before = actor_views([briefing("a", 2, ()), briefing("b", 1, ())], registry, 1)
    after = actor_views([briefing("a", 2, ()), briefing("b", 1, (("envoy", Span(0, 0)),))], registry, 1)
    first = "actors/vladimir-putin/index.html"
    assert before[first][2] != after[first][2]
    assert before[first][0] != after[first][0]


def briefings_json_as_it_was(briefings: list[Briefing], config: SiteConfig, ids: dict[str, dict[str, str]]) -> bytes:
    """``briefings_json`` written in one piece, before its records were written one by one."""
    data = {
        "site": {
            "title": config.title,
            "description": config.description,
            "base_url": config.base_url,
            "language": config.language,
        },
        "generator": f"briefgen {__version__}",
        "as_of": as_of_date(briefings).isoformat(),
        "briefings": [index_record(b, ids.get(b.article.slug, {})) for b in briefings],
    }
    return safe_json(data)


def test_briefings_json_is_written_as_in_one_piece_and_kept_records_are_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Records written one by one, and in a resident build process kept from build to build (``keep_records``):
    the same bytes as the whole index written at once, markup and line separators escaped, after an edit too."""
    config = SiteConfig(root=Path("site"), title="Site <&> \u2028", base_url="https://example.org/")
    briefings = sample_briefings(config)
    named = briefings[0].extraction.actors[0].id
    ids = {briefings[0].article.slug: {named: "b&<"}}
    assert briefings_json(briefings, config, lambda slug: ids.get(slug, {})) == briefings_json_as_it_was(
        briefings, config, ids
    )
    monkeypatch.setattr(feeds, "_records", None)
    feeds.keep_records()
    for step in range(3):
        if step == 2:  # an edit, and a site id that changed
            briefings[1] = dataclasses.replace(
                briefings[1], article=dataclasses.replace(briefings[1].article, title="New")
            )
            ids[briefings[0].article.slug] = {named: "c"}
        written = briefings_json(briefings, config, lambda slug: ids.get(slug, {}))
        assert written == briefings_json_as_it_was(briefings, config, ids), f"step {step}"
