"""Deadlines across briefings: upcoming and past, by date, each tied to its evidence."""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from briefgen.compose import due_order, last_day, period_part, sentence_index, timeline_points, when_label
from briefgen.digest import view
from briefgen.model import Briefing, TimeExpression
from briefgen.site.actors import ActorIndex


@view
@dataclass(frozen=True, slots=True)
class When:
    """The time a deadline names, as a list heads it: a day, or a week, month, quarter, season, year or decade."""

    first: dt.date
    last: dt.date
    label: str  # "Friday 8 August 2025", "September 2025", "week of Monday 4 August 2025", "mid-October 2025"
    machine: str  # for ``<time datetime>``: "2025-08-08", "2025-09", "2025-W32", "2025"; else the first day
    part: str = ""  # the part of the period named, as in an anchor: "", "mid", "end"

    @property
    def heading(self) -> str:
        """The label as a list's heading: "End of September 2025", "Week of Monday 4 August 2025"."""
        return self.label[:1].upper() + self.label[1:]

    @property
    def anchor(self) -> str:
        """The heading's id, past the section's: "2025-09", "2025-09-end" (one month may head two lists)."""
        return f"{self.machine}-{self.part}" if self.part else self.machine


# The TIMEX values HTML's ``datetime`` takes as they are: a month, a week, a year (a day is written from ``first``)
_MACHINE = {"month": re.compile(r"\d{4}-\d{2}"), "week": re.compile(r"\d{4}-W\d{2}"), "year": re.compile(r"\d{4}")}


def when_of(timex: TimeExpression) -> When | None:
    """When ``timex`` says a thing happens; None when it names no calendar time."""
    first, last = timex.date, last_day(timex)
    if first is None or last is None:
        return None
    pattern = _MACHINE.get(timex.granularity or "day")
    machine = timex.value if pattern is not None and timex.value and pattern.fullmatch(timex.value) else None
    part = (period_part(timex) or "").split(" ")[0]  # "end of": "end"
    return When(first, last, when_label(timex), machine or first.isoformat(), part)


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
        """The first day of the time it names."""
        return self.timex.date

    @property
    def last_day(self) -> dt.date | None:
        """The last day of the time it names: a deadline "by the end of September" has not passed until then."""
        return last_day(self.timex)

    @property
    def when(self) -> When | None:
        return when_of(self.timex)

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
    """Every deadline of every briefing, in the order they fall due (``due_order``; undated last), then by briefing
    and position.

    In a resident build process (``keep_deadlines``), a briefing's deadlines are the last build's, the very objects,
    when the briefing and its actors' site ids are (``ActorIndex.ids_table``): what is made of them can be kept by
    identity too (``site.ical``'s calendar entries and events).
    """
    kept = _kept
    fresh: dict[int, tuple[Briefing, Mapping[str, str] | None, list[tuple[tuple[object, ...], Deadline]]]] = {}
    keyed: list[tuple[tuple[object, ...], Deadline]] = []
    for briefing in briefings:
        if kept is None:
            keyed += _deadlines_of(briefing, actors)
            continue
        table = actors.ids_table(briefing.article.slug)
        found = kept.get(id(briefing))
        if found is None or found[0] is not briefing or found[1] is not table:
            found = briefing, table, _deadlines_of(briefing, actors)
        fresh[id(briefing)] = found
        keyed += found[2]
    keyed.sort(key=_due)  # stable: ties stay in the order of the briefings and their timelines
    if kept is not None:
        kept.clear()
        kept.update(fresh)
    return [deadline for _, deadline in keyed]


_due = operator.itemgetter(0)


def _deadlines_of(briefing: Briefing, actors: ActorIndex) -> list[tuple[tuple[object, ...], Deadline]]:
    """The briefing's deadlines in its timeline's order, each with the key that sorts it among the site's."""
    slug = briefing.article.slug
    seen: Counter[tuple[str | None, str]] = Counter()
    found: list[tuple[tuple[object, ...], Deadline]] = []
    for number, timex in timeline_points(briefing.extraction):
        if not timex.is_deadline:
            continue
        key = (timex.value, timex.text.casefold())
        seen[key] += 1
        deadline = Deadline(
            briefing=briefing,
            timex=timex,
            number=number,
            sentence=sentence_index(briefing.extraction, timex.span),
            actor_id=actors.site_id(slug, timex.actor_id),
            uid=deadline_uid(slug, timex, seen[key]),
        )
        found.append(((deadline.date is None, *due_order(timex), slug, timex.span.start), deadline))
    return found


# In a resident build process (``keep_deadlines``): the last build's deadlines, by briefing (``id()``), with the
# briefing and the table of its actors' site ids they were collected with
_kept: dict[int, tuple[Briefing, Mapping[str, str] | None, list[tuple[tuple[object, ...], Deadline]]]] | None = None


def keep_deadlines() -> None:
    """Keep each build's deadlines in this process for its next build (``collect_deadlines``)."""
    global _kept
    if _kept is None:
        _kept = {}


def split_deadlines(
    deadlines: Sequence[Deadline], as_of: dt.date
) -> tuple[list[Deadline], list[Deadline], list[Deadline]]:
    """Upcoming (soonest first), past (most recent first) and unresolved deadlines. A deadline is upcoming until
    the last day of the time it names: "September" is upcoming on 14 September."""
    upcoming = [d for d in deadlines if d.last_day is not None and d.last_day >= as_of]
    past = [d for d in deadlines if d.last_day is not None and d.last_day < as_of]
    past.sort(key=lambda d: due_order(d.timex), reverse=True)  # the latest due first; stable, so ties keep their order
    undated = [d for d in deadlines if d.date is None]
    return upcoming, past, undated


class Timed(Protocol):
    @property
    def when(self) -> When | None: ...


D = TypeVar("D", bound=Timed)


def group_by_when(deadlines: Sequence[D]) -> list[tuple[When | None, list[D]]]:
    """Consecutive deadlines of one time (a day, a month...), as (its ``when``, deadlines) in the given order."""
    groups: list[tuple[When | None, list[D]]] = []
    for deadline in deadlines:
        if groups and groups[-1][0] == deadline.when:
            groups[-1][1].append(deadline)
        else:
            groups.append((deadline.when, [deadline]))
    return groups
