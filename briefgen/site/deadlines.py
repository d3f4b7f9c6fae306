"""Deadlines across briefings: upcoming and past, by date, each tied to its evidence."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from briefgen.compose import sentence_index, timeline_points
from briefgen.model import Briefing, TimeExpression
from briefgen.site.actors import ActorIndex


@dataclass(frozen=True, slots=True)
class Deadline:
    """One deadline one briefing reports."""

    briefing: Briefing
    timex: TimeExpression
    number: int  # its entry in the briefing's timeline: #time-N
    sentence: int | None  # its evidence: #s-N
    actor_id: str | None  # site-wide actor id
    uid: str  # stable across builds and small edits of the article

    @property
    def date(self) -> dt.date | None:
        return self.timex.date

    @property
    def what(self) -> str:
        """What happens then: the extracted event, else the sentence it stands in."""
        text = self.timex.event or self.timex.sentence.slice(self.briefing.article.text)
        return " ".join(text.split())


def deadline_uid(slug: str, timex: TimeExpression, occurrence: int) -> str:
    """A UID from what the deadline says, not where: it survives edits elsewhere in the article."""
    key = f"{slug}\x1f{timex.value}\x1f{timex.text.casefold()}\x1f{occurrence}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def collect_deadlines(briefings: Sequence[Briefing], actors: ActorIndex) -> list[Deadline]:
    """Every deadline of every briefing, by date (undated last), then briefing and position."""
    found: list[Deadline] = []
    for briefing in briefings:
        slug = briefing.article.slug
        seen: Counter[tuple[str | None, str]] = Counter()
        for number, timex in timeline_points(briefing.extraction):
            if not timex.is_deadline:
                continue
            key = (timex.value, timex.text.casefold())
            seen[key] += 1
            found.append(
                Deadline(
                    briefing=briefing,
                    timex=timex,
                    number=number,
                    sentence=sentence_index(briefing.extraction, timex.span),
                    actor_id=actors.site_id(slug, timex.actor_id),
                    uid=deadline_uid(slug, timex, seen[key]),
                )
            )
    found.sort(key=lambda d: (d.date or dt.date.max, d.briefing.article.slug, d.timex.span.start))
    return found


def split_deadlines(
    deadlines: Sequence[Deadline], as_of: dt.date
) -> tuple[list[Deadline], list[Deadline], list[Deadline]]:
    """Upcoming (soonest first), past (most recent first) and unresolved deadlines."""
    upcoming = [d for d in deadlines if d.date is not None and d.date >= as_of]
    past = [d for d in deadlines if d.date is not None and d.date < as_of]
    past.sort(key=lambda d: d.date or dt.date.min, reverse=True)
    undated = [d for d in deadlines if d.date is None]
    return upcoming, past, undated


class Dated(Protocol):
    @property
    def date(self) -> dt.date | None: ...


D = TypeVar("D", bound=Dated)


def group_by_date(deadlines: Sequence[D]) -> list[tuple[dt.date | None, list[D]]]:
    """Consecutive deadlines on one day, as (day, deadlines) in the given order."""
    groups: list[tuple[dt.date | None, list[D]]] = []
    for deadline in deadlines:
        if groups and groups[-1][0] == deadline.date:
            groups[-1][1].append(deadline)
        else:
            groups.append((deadline.date, [deadline]))
    return groups
