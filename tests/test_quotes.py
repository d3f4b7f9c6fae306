"""Quotations: finding them by their marks, attributing them to a speaker, resolving pronouns."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from spacy.tokens import Doc

from briefgen.extract.actors import extract_actors
from briefgen.extract.quotes import extract_quotes
from briefgen.extract.quotes_marks import find_quote_spans
from briefgen.model import Actor, Mention, Quote, Span

Parse = Callable[[str], Doc]
SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_19bf21a25ff5d78b.txt"
SEED_TEXT = (
    "A senior White House official said on Wednesday that planning for a face-to-face session is “well advanced.” "
    "If it happens, it would mark the first encounter between sitting U.S. and Russian presidents since Joe Biden "
    "met Putin in Geneva in June 2021, eight months before Russia’s full-scale invasion.\n"
    "Trump told European leaders in a conference call that he hopes to meet Putin first and then stage a three-way "
    "session with Ukrainian President Volodymyr Zelensky, the New York Times reported. “There’s a good chance there "
    "will be a meeting very soon,” he told reporters.\n"
    "Press secretary Karoline Leavitt said Moscow “expressed its desire” for talks and Trump is open to meeting both "
    "Putin and Zelensky.\n"
    "Sanctions deadline\n"
    "The diplomatic push comes two days before Trump’s deadline for Russia to accept a peace plan or face new "
    "penalties. After envoy Steve Witkoff met Putin on Wednesday—a discussion Trump called “great progress” but not "
    "a breakthrough—the White House said secondary sanctions on countries trading with Russia are still slated for "
    "Friday.\n"
    "Trump’s frustration over stalled peace efforts has already produced a 25% surcharge on Indian imports because "
    "of New Delhi’s purchases of Russian oil. “One of the next could be China,” he said, signaling possible tariffs "
    "similar to those announced against India.\n"
    "Kremlin aide Yuri Ushakov described the Witkoff talks as “useful and constructive” and said signals on Ukraine "
    "were exchanged, but he withheld details until Witkoff briefs Trump.\n"
    "Zelensky, in his nightly address, said pressure “works,” yet cautioned against “deception in the details.”\n"
    "Air-strike pause floated\n"
    "Bloomberg and Russia’s The Bell reported that the Kremlin may propose a mutual pause in airstrikes, an idea "
    "first aired by Belarusian leader Alexander Lukashenko. While short of the full ceasefire sought by Kyiv and "
    "Washington, it could ease pressure after Russia’s heaviest aerial assaults of the war—strikes that Trump last "
    "week called “disgusting.”\n"
)


def hand_actors(text: str, *people: str, orgs: tuple[str, ...] = ()) -> tuple[Actor, ...]:
    """Actors built by hand: every occurrence of each name is a mention."""
    actors = []
    for name, kind in [(p, "person") for p in people] + [(o, "org") for o in orgs]:
        mentions = tuple(Mention(Span(m.start(), m.end()), name) for m in re.finditer(rf"\b{re.escape(name)}\b", text))
        actors.append(Actor(id=name.lower().replace(" ", "-"), name=name, kind=kind, mentions=mentions))  # type: ignore[arg-type]
    return tuple(actors)


def quotes_of(parse: Parse, text: str, *people: str, orgs: tuple[str, ...] = ()) -> tuple[Quote, ...]:
    return extract_quotes(parse(text), hand_actors(text, *people, orgs=orgs))


def summary(quote: Quote) -> tuple[str, str | None, str | None]:
    return quote.text, quote.speaker.text if quote.speaker else None, quote.actor_id


# ---------------------------------------------------------------- marks (no parse)

MARKS = [
    ('He said "we will win" today.', ['"we will win"']),
    ("He said “we will win” today.", ["“we will win”"]),
    ("''We will win,'' he said.", ["''We will win,''"]),
    ("“A plan,” she said, “is ‘not enough’ here.”", ["“A plan,”", "“is ‘not enough’ here.”"]),
    ("“It's unusual,“ said Larry Noble.", ["“It's unusual,“"]),  # a closing mark typed backwards
    ('<tweet author="@x" date="May 1">Go</tweet> "Real one," he said.', ['"Real one,"']),
    ("“They wore “Settle For Hillary” shirts,” she said.", ["“They wore “Settle For Hillary” shirts,”"]),
    ("“A first one, he said. “And a second.”", ["“A first one, he said.", "“And a second.”"]),
    ("Prices rose 5'' overnight, it's said.", []),
    ("No quotes at all here.", []),
]


@pytest.mark.parametrize(("text", "expected"), MARKS)
def test_marks(text: str, expected: list[str]) -> None:
    assert [q.span.slice(text) for q in find_quote_spans(text)] == expected


def test_unterminated_quote_is_bounded_by_its_paragraph() -> None:
    text = "He said “this never closes.\n\nThe next paragraph is the reporter's. " + "More text. " * 300
    spans = find_quote_spans(text)
    assert [q.span.slice(text) for q in spans] == ["“this never closes."]
    assert not spans[0].closed


def test_unterminated_quote_in_one_long_line_is_cut() -> None:
    text = "He said “" + "This runs on. " * 400
    (span,) = find_quote_spans(text)
    assert span.span.end - span.span.start <= 1500


def test_quote_continued_across_paragraphs_is_one_chain() -> None:
    text = "Smith said:\n\n“First paragraph of the quote.\n\n“Second paragraph, and the end.”\n\nAfter."
    first, second = find_quote_spans(text)
    assert first.span.slice(text) == "“First paragraph of the quote."
    assert second.span.slice(text) == "“Second paragraph, and the end.”"
    assert first.chain == second.chain and not first.closed and second.closed


# ---------------------------------------------------------------- attribution

ATTRIBUTION = [
    (  # "said X" inversion
        "“We are not going anywhere,” said Senator Bob Smith.",
        ("Bob Smith",),
        [("We are not going anywhere,", "Bob Smith", "bob-smith")],
    ),
    (  # "X said:" before
        "Jane Doe said: “The numbers do not add up at all.”",
        ("Jane Doe",),
        [("The numbers do not add up at all.", "Jane Doe", "jane-doe")],
    ),
    (  # according to
        "“The talks will resume in March,” according to Maria Lopez.",
        ("Maria Lopez",),
        [("The talks will resume in March,", "Maria Lopez", "maria-lopez")],
    ),
    (  # the rest of a quotation split by "he said"; the speaker is the pronoun
        "Tom Baker arrived late. “I was delayed,” he said. “The roads were closed for hours.”",
        ("Tom Baker",),
        [("I was delayed,", "he", "tom-baker"), ("The roads were closed for hours.", "he", "tom-baker")],
    ),
    (  # a paragraph of nothing but quotation carries the previous speaker
        "“We will appeal the ruling,” Ann Lee told reporters.\n\n“It was wrong from the very start.”",
        ("Ann Lee",),
        [
            ("We will appeal the ruling,", "Ann Lee", "ann-lee"),
            ("It was wrong from the very start.", "Ann Lee", "ann-lee"),
        ],
    ),
    (  # a paragraph introduced by a colon
        "In a statement, Governor Paul Reed said:\n\n“Our state will not back down from this fight.”",
        ("Paul Reed",),
        [("Our state will not back down from this fight.", "Paul Reed", "paul-reed")],
    ),
    (  # a quotation continued across paragraphs, attributed in its last piece
        "“The first part of what I want to say is this.\n\n“And the second part is here,” Carl Otto said.",
        ("Carl Otto",),
        [
            ("The first part of what I want to say is this.", "Carl Otto", "carl-otto"),
            ("And the second part is here,", "Carl Otto", "carl-otto"),
        ],
    ),
    (  # manner-of-speaking verb not in any list
        "“Go back to your seat,” Trump barked at the reporter.",
        ("Trump",),
        [("Go back to your seat,", "Trump", "trump")],
    ),
    (  # an organisation speaks
        "“We regret the error and have corrected it,” the Daily Planet said in a statement.",
        (),
        [("We regret the error and have corrected it,", "Daily Planet", "daily-planet")],
    ),
    (  # a relative pronoun is the speaker mention; the actor is its antecedent
        "The bill was backed by Mike Lee, who declared, “It is time to unite behind it.”",
        ("Mike Lee",),
        [("It is time to unite behind it.", "who", "mike-lee")],
    ),
    (  # an unattributed quotation: no speaker, not a guess
        "The crowd outside waited in the rain for hours.\n\n“Nobody knows what happens next in this town.”",
        (),
        [("Nobody knows what happens next in this town.", None, None)],
    ),
]


@pytest.mark.parametrize(("text", "people", "expected"), ATTRIBUTION)
def test_attribution(parse: Parse, text: str, people: tuple[str, ...], expected: list[tuple]) -> None:
    orgs = ("Daily Planet",) if "Daily Planet" in text else ()
    assert [summary(q) for q in quotes_of(parse, text, *people, orgs=orgs)] == expected


NOT_QUOTES = [
    "Critics call it the “gig economy” and move on.",  # scare quotes
    "She appeared on “Saturday Night Live” last week.",  # a title
    "He starred in “The Day of the Donald Trump Show” for years.",  # a Title Case title
    "The so-called “reform” was dropped.",
]


@pytest.mark.parametrize("text", NOT_QUOTES)
def test_scare_quotes_and_titles_are_left_out(parse: Parse, text: str) -> None:
    assert quotes_of(parse, text) == ()


def test_spans_and_sentence(parse: Parse) -> None:
    text = "Intro sentence here. “We will win this,” Ann Lee said. Outro."
    (quote,) = quotes_of(parse, text, "Ann Lee")
    assert quote.span.slice(text) == "“We will win this,”"
    assert quote.text == "We will win this,"
    assert quote.kind == "direct"
    assert quote.cue == "said" and quote.cue_span is not None and quote.cue_span.slice(text) == "said"
    assert quote.sentence.slice(text).startswith("“We will win") and quote.sentence.slice(text).endswith("said.")
    assert quote.speaker is not None and quote.speaker.span.slice(text) == "Ann Lee"
    assert 0.0 <= quote.confidence <= 1.0


# ---------------------------------------------------------------- coreference


def test_pronoun_prefers_previous_speaker_over_nearer_name(parse: Parse) -> None:
    text = (
        "“Prices will fall,” Mary Jones said on Monday. Analysts at the bank met Peter Long later.\n\n"
        "“They will fall soon,” she said."
    )
    quotes = quotes_of(parse, text, "Mary Jones", "Peter Long")
    assert [summary(q) for q in quotes] == [
        ("Prices will fall,", "Mary Jones", "mary-jones"),
        ("They will fall soon,", "she", "mary-jones"),
    ]


def test_pronoun_uses_clear_gender(parse: Parse) -> None:
    text = "Mrs. Ann Hall met Mr. Bob Stone on Monday. “The deal is done,” he said."
    (quote,) = quotes_of(parse, text, "Ann Hall", "Bob Stone")
    assert summary(quote) == ("The deal is done,", "he", "bob-stone")


def test_pronoun_without_antecedent_keeps_the_mention_only(parse: Parse) -> None:
    (quote,) = quotes_of(parse, "“We are done here,” he said.")
    assert summary(quote) == ("We are done here,", "he", None)


def test_pronoun_link_from_the_actor_list_is_the_fallback(parse: Parse) -> None:
    text = "“It is over,” he said. Bob Stone left."
    he = text.index("he said")
    stone = text.index("Bob Stone")
    mentions = (Mention(Span(stone, stone + 9), "Bob Stone"), Mention(Span(he, he + 2), "he", "pronoun"))
    (quote,) = extract_quotes(parse(text), (Actor("bob-stone", "Bob Stone", "person", mentions),))
    assert summary(quote) == ("It is over,", "he", "bob-stone")


# ---------------------------------------------------------------- the seed article

SEED_EXPECTED = [
    ("“well advanced.”", "A senior White House official", None),
    ("“There’s a good chance there will be a meeting very soon,”", "he", "Trump"),
    ("“expressed its desire”", "Karoline Leavitt", "Karoline Leavitt"),
    ("“great progress”", "Trump", "Trump"),
    ("“One of the next could be China,”", "he", "Trump"),
    ("“useful and constructive”", "Yuri Ushakov", "Yuri Ushakov"),
    ("“works,”", "Zelensky", "Zelensky"),
    ("“deception in the details.”", "Zelensky", "Zelensky"),
    ("“disgusting.”", "Trump", "Trump"),
]


def test_seed_quotes(parse: Parse) -> None:
    text = SEED.read_text(encoding="utf-8") if SEED.is_file() else SEED_TEXT
    doc = parse(text)
    actors = extract_actors(doc)
    quotes = extract_quotes(doc, actors)
    by_id = {a.id: a for a in actors}
    got = []
    for q in quotes:
        assert q.speaker is not None, q
        actor = by_id.get(q.actor_id or "")
        assert q.speaker.text == q.speaker.span.slice(text)
        got.append((q.span.slice(text), q.speaker.text, actor.name if actor else None))
    for (quote, speaker, actor), (got_quote, got_speaker, got_actor) in zip(SEED_EXPECTED, got, strict=True):
        assert (got_quote, got_speaker) == (quote, speaker)
        assert actor is None or actor in (got_actor or ""), (quote, got_actor)
    kinds = {q.span.slice(text): q.kind for q in quotes}
    assert kinds["“expressed its desire”"] == "partial"
    assert kinds["“One of the next could be China,”"] == "direct"


def test_a_surname_the_tagger_missed_speaks_for_the_full_name(parse: Parse) -> None:
    """spaCy tags "Maria Okafor" but not "Okafor" after the quotation: the quote is still hers, on her actor page."""
    from briefgen.extract import extract_doc

    text = (
        "Maria Okafor, the union's general secretary, said the strike had been suspended for two weeks. "
        '"This is a pause, not a settlement," Okafor said after the first session.'
    )
    (quote,) = extract_doc(parse(text), None).quotes
    assert quote.speaker is not None and quote.speaker.text == "Okafor"
    assert quote.actor_id == "maria-okafor"
