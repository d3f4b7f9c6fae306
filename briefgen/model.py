"""The immutable values that flow between briefgen's stages.

read -> :class:`Article`; extract -> :class:`Extraction`; compose -> :class:`Briefing`.
Every extracted fact carries a character span into ``Article.text`` (the analysed text),
so pages can link a fact to its evidence and scorers can compare spans.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

ActorKind = Literal["person", "org", "place"]
ParagraphKind = Literal["paragraph", "heading"]


@dataclass(frozen=True, slots=True)
class Span:
    """Half-open character range ``[start, end)`` into ``Article.text``."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"invalid span [{self.start}, {self.end})")

    def slice(self, text: str) -> str:
        return text[self.start : self.end]

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One block of the article: its span in ``Article.text`` and where it starts in the file."""

    kind: ParagraphKind
    span: Span
    source_line: int  # 1-based line in the source file


@dataclass(frozen=True, slots=True)
class Article:
    """What a reader returns: one article, independent of its input format."""

    source_path: Path  # relative to the content folder
    slug: str
    title: str
    date: dt.date | None
    text: str  # the analysed body text; paragraphs separated by blank lines
    paragraphs: tuple[Paragraph, ...]
    byline: str | None = None
    sources: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    draft: bool = False
    url: str | None = None
    title_derived: bool = False  # the title was taken from the lead, not given
    format: str = "text"
    # A digest of the file it was read from (its path in the content folder and its bytes), when a build's reads
    # (``readers.memo``) give one: what the article is made from, so its digest for the pages made from it
    # (``digest.Fingerprints``) need not encode it whole again. Anything that makes an article otherwise leaves it "".
    source_digest: str = field(default="", compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Mention:
    """A stretch of text that refers to an actor."""

    span: Span
    text: str
    kind: Literal["name", "pronoun", "nominal"] = "name"


@dataclass(frozen=True, slots=True)
class Actor:
    """A person, organisation or place, with every mention merged."""

    id: str  # stable slug of the canonical name
    name: str  # canonical name, e.g. "Donald Trump"
    kind: ActorKind
    mentions: tuple[Mention, ...]
    roles: tuple[tuple[str, Span], ...] = ()  # role text as given, and where
    salience: float = 0.0
    description: str | None = None  # from the editor's registry


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct or partial quotation and who it is attributed to.

    ``speaker`` is the mention the text attributes the quote to (it may be a pronoun);
    ``actor_id`` is the actor that mention resolves to. Both are None when the text
    names nobody: an unattributed quote is reported as such, never guessed.
    """

    span: Span  # including the quotation marks
    text: str  # the words inside the marks
    kind: Literal["direct", "partial"]
    speaker: Mention | None
    actor_id: str | None
    cue: str | None  # the reporting verb, e.g. "said"
    cue_span: Span | None
    sentence: Span  # the sentence (or sentences) the quote stands in
    confidence: float = 1.0


TimexType = Literal["DATE", "TIME", "DURATION", "SET"]


@dataclass(frozen=True, slots=True)
class TimeExpression:
    """A time expression, TIMEX3-style: ``value`` like 2025-08-08, 2021-06, 2025-W31, P2D.

    ``date`` is the first calendar day the value denotes, when it denotes one; None when
    unresolved (no article date) or not a point in time.
    """

    span: Span
    text: str
    type: TimexType
    value: str | None
    date: dt.date | None
    granularity: Literal["day", "week", "month", "quarter", "season", "year", "decade", "other"] | None
    sentence: Span
    is_deadline: bool = False
    deadline_cue: str | None = None  # "deadline", "slated for", "by" ...
    tense: Literal["past", "present", "future"] | None = None
    event: str | None = None  # a short description of what happens then
    actor_id: str | None = None
    conflict: str | None = None  # a conflicting reading, reported not picked
    confidence: float = 1.0


# A file name's control characters (a line break, an escape code), shown escaped ("\x1b") rather than sent to the
# terminal that prints the problem.
_PATH_CONTROL = re.compile("[\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Problem:
    """A diagnostic: an error or warning tied to a file and, where known, a line."""

    level: Literal["error", "warning"]
    message: str
    path: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = _PATH_CONTROL.sub(lambda c: repr(c.group())[1:-1], self.path) if self.path else "briefgen"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.level}: {self.message}"


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything extracted from one article."""

    actors: tuple[Actor, ...] = ()
    quotes: tuple[Quote, ...] = ()
    timeline: tuple[TimeExpression, ...] = ()
    sentences: tuple[Span, ...] = ()
    problems: tuple[Problem, ...] = ()
    failed: tuple[str, ...] = ()  # names of extractors that failed on this article


@dataclass(frozen=True, slots=True)
class Briefing:
    """A composed briefing: the article, its extraction, and its Markdown document."""

    article: Article
    extraction: Extraction
    summary: str
    markdown: str  # front matter + body, as written next to the page
    # the digest of the actors.yml entries its extraction can depend on (cache.RegistryScope.of); "": not known
    registry_scope: str = field(default="", compare=False)

    @property
    def front_matter(self) -> dict[str, object]:
        """The data its Markdown's front matter holds (``compose.front_matter``), made when asked for: its details
        JSON is made of it, a template may show it."""
        from briefgen.compose import front_matter  # compose builds on this module

        return front_matter(self.article, self.extraction, self.summary)
