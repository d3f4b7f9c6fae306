"""``briefgen extract --jsonl``: predictions in the schema of the shared evaluation data."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from briefgen.model import Extraction, Problem

ENTITY_TYPES = {"person": "PERSON", "org": "ORG", "place": "GPE"}


def to_eval_record(doc_id: str, text: str, extraction: Extraction) -> dict[str, object]:
    """One prediction object: named mentions, timexes and quotes with attributed speaker mentions."""
    by_id = {a.id: a for a in extraction.actors}
    entities = [
        {"start": m.span.start, "end": m.span.end, "type": ENTITY_TYPES[a.kind], "text": m.text}
        for a in extraction.actors
        for m in a.mentions
        if m.kind == "name"
    ]
    entities.sort(key=lambda e: (e["start"], e["end"]))
    timexes = [
        {"start": t.span.start, "end": t.span.end, "type": t.type, "value": t.value or "", "text": t.text}
        for t in extraction.timeline
    ]
    quotes = []
    for q in extraction.quotes:
        record: dict[str, object] = {
            "start": q.span.start,
            "end": q.span.end,
            "text": q.span.slice(text),
            "kind": q.kind,
        }
        if q.speaker is not None:
            actor = by_id.get(q.actor_id or "")
            record.update(
                speaker=actor.name if actor else q.speaker.text,
                speaker_start=q.speaker.span.start,
                speaker_end=q.speaker.span.end,
                speaker_mention=q.speaker.text,
            )
        quotes.append(record)
    return {"id": doc_id, "entities": entities, "timexes": timexes, "quotes": quotes}


def read_eval_input(lines: Iterable[str], shown: str) -> tuple[list[tuple[str, str, dt.date | None]], list[Problem]]:
    """The ``(id, text, dct)`` of each line of an evaluation file (``shown``: its name, for the problems), and the
    problems met, each with its line: a line that is not a JSON object with a ``text`` string is an error; a ``dct``
    that is not a date (YYYY-MM-DD) a warning (the document's times are then left unresolved)."""
    items: list[tuple[str, str, dt.date | None]] = []
    problems: list[Problem] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            problems.append(Problem("error", f"not JSON: {exc}", shown, number))
            continue
        if not isinstance(obj, dict):
            problems.append(Problem("error", f"expected a JSON object, not {type(obj).__name__}", shown, number))
            continue
        if not isinstance(obj.get("text"), str):
            problems.append(Problem("error", "no 'text' string", shown, number))
            continue
        dct = obj.get("dct")
        date = None
        if dct not in (None, ""):
            try:
                date = dt.date.fromisoformat(dct[:10]) if isinstance(dct, str) else None
            except ValueError:
                date = None
            if date is None:
                message = f"'dct' {dct!r} is not a date (YYYY-MM-DD): its times are left unresolved"
                problems.append(Problem("warning", message, shown, number))
        items.append((str(obj.get("id", number)), obj["text"], date))
    return items, problems
