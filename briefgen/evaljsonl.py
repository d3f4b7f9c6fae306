"""``briefgen extract --jsonl``: predictions in the schema of the shared evaluation data."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator

from briefgen.model import Extraction

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


def read_eval_input(lines: Iterable[str]) -> Iterator[tuple[str, str, dt.date | None]]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        obj = json.loads(line)
        dct = obj.get("dct")
        try:
            date = dt.date.fromisoformat(dct) if dct else None
        except ValueError:
            date = None
        if not isinstance(obj.get("text"), str):
            raise ValueError(f"line {number}: no 'text' string")
        yield str(obj.get("id", number)), obj["text"], date
