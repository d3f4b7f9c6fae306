"""A small, fast YAML emitter for briefing front matter.

PyYAML's representer walks every node in Python and dominated the build's time: a long
article's front matter holds thousands of spans. Front matter is plain data (mappings,
lists, strings, numbers, booleans, null), so it is written directly: block mappings and
lists, one flow mapping per line for small records (a mention, a span), strings always
double-quoted with JSON escapes, which are valid YAML. ``yaml.safe_load`` reads it back
to the same data (a property test checks this).

A briefing's own front matter (``compose.front_matter``) has a known shape: ``dump_briefing_front_matter``
writes it straight from the model, record by record, to the very text ``dump_front_matter`` makes of it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from json.encoder import encode_basestring
from typing import TypeVar

from briefgen.model import Actor, Article, Extraction, Mention, Quote, Span, TimeExpression

# Characters YAML will not take raw inside a double-quoted scalar (or would fold as line breaks).
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # whole key: fullmatch ("$" would let "A\n" through)
_RESERVED = {"null", "true", "false", "yes", "no", "on", "off", "y", "n"}  # YAML 1.1 reads these as non-strings
FLOW_WIDTH = 160
_R = TypeVar("_R")


def _string(value: str) -> str:
    quoted = encode_basestring(value)  # what json.dumps(value, ensure_ascii=False) returns, without its set-up
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return _string(str(value))
        text = repr(value)
        return text.replace("e", ".0e", 1) if "e" in text and "." not in text else text  # YAML 1.1 wants a dot
    return _string(str(value))


def _key(key: object) -> str:
    text = str(key)
    return text if _PLAIN_KEY.fullmatch(text) and text.casefold() not in _RESERVED else _string(text)


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _flow(value: Mapping[object, object]) -> str | None:
    """``{a: 1, b: "x"}`` when every value is a scalar and the line stays short."""
    if not all(_is_scalar(v) for v in value.values()):
        return None
    text = "{" + ", ".join(f"{_key(k)}: {_scalar(v)}" for k, v in value.items()) + "}"
    return text if len(text) <= FLOW_WIDTH else None


def _emit(value: object, indent: int, out: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, Mapping):
        for key, item in value.items():
            _emit_entry(f"{pad}{_key(key)}:", item, indent, out)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for item in value:
            _emit_item(item, indent, out)
    else:
        out.append(pad + _scalar(value))


def _emit_entry(head: str, item: object, indent: int, out: list[str]) -> None:
    if _is_scalar(item):
        out.append(f"{head} {_scalar(item)}")
    elif isinstance(item, Mapping):
        flow = _flow(item) if item else "{}"
        if flow is not None:
            out.append(f"{head} {flow}")
        else:
            out.append(head)
            _emit(item, indent + 2, out)
    elif isinstance(item, Sequence):
        if not item:
            out.append(f"{head} []")
        else:
            out.append(head)
            _emit(item, indent, out)
    else:
        out.append(f"{head} {_scalar(item)}")


def _emit_item(item: object, indent: int, out: list[str]) -> None:
    pad = " " * indent
    if isinstance(item, Mapping) and item:
        flow = _flow(item)
        if flow is not None:
            out.append(f"{pad}- {flow}")
            return
        inner: list[str] = []
        _emit(item, indent + 2, inner)
        inner[0] = f"{pad}- {inner[0][indent + 2 :]}"
        out.extend(inner)
    elif isinstance(item, Sequence) and not isinstance(item, str) and item:
        inner = []
        _emit(item, indent + 2, inner)
        inner[0] = f"{pad}- {inner[0][indent + 2 :]}"
        out.extend(inner)
    elif isinstance(item, Mapping):
        out.append(f"{pad}- {{}}")
    elif isinstance(item, Sequence) and not isinstance(item, str):
        out.append(f"{pad}- []")
    else:
        out.append(f"{pad}- {_scalar(item)}")


def dump_front_matter(data: Mapping[str, object]) -> str:
    """YAML text for ``data`` (ending in a newline), keys in the given order."""
    out: list[str] = []
    _emit(data, 0, out)
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- a briefing's front matter, written directly


_quoted = functools.lru_cache(maxsize=1 << 16)(_string)  # kinds, ids, names and mention texts repeat


def _text(value: object) -> str:
    """``_scalar`` of a field that holds a string (or None)."""
    if type(value) is str:
        return _quoted(value)
    return "null" if value is None else _scalar(value)


def _span_flow(span: Span) -> str:
    return f"{{start: {span.start}, end: {span.end}}}"


def _span_entry(key: str, span: Span | None, pad: str, out: list[str]) -> None:
    """``key: {start: N, end: N}`` (or null), as ``_emit_entry`` writes a span record."""
    if span is None:
        out.append(f"{pad}{key}: null")
        return
    flow = _span_flow(span)
    if len(flow) <= FLOW_WIDTH:
        out.append(f"{pad}{key}: {flow}")
    else:
        out += [f"{pad}{key}:", f"{pad}  start: {span.start}", f"{pad}  end: {span.end}"]


@functools.lru_cache(maxsize=1 << 16)
def _mention_head(text: str, kind: str) -> str:
    return f"{{text: {_text(text)}, kind: {_text(kind)}, start: "


def _mention_flow(mention: Mention) -> str:
    span = mention.span
    return f"{_mention_head(mention.text, mention.kind)}{span.start}, end: {span.end}}}"


def _mention_entry(head: str, mention: Mention, pad: str, out: list[str]) -> None:
    """A mention record ``{text, kind, start, end}``: ``head`` is ``"- "`` (a list item) or ``"speaker: "``."""
    flow = _mention_flow(mention)
    if len(flow) <= FLOW_WIDTH:
        out.append(f"{pad}{head}{flow}")
        return
    span, more = mention.span, pad + "  "
    lines = [f"text: {_text(mention.text)}", f"kind: {_text(mention.kind)}", f"start: {span.start}", f"end: {span.end}"]
    if head == "- ":
        out += [f"{pad}- {lines[0]}", *(more + line for line in lines[1:])]
    else:
        out += [f"{pad}{head.rstrip()}", *(more + line for line in lines)]


def _strings(key: str, values: Sequence[object], out: list[str]) -> None:
    if not values:
        out.append(f"{key}: []")
        return
    out.append(f"{key}:")
    out += [f"- {_text(v)}" for v in values]


def _actor(actor: Actor, out: list[str]) -> None:
    out += [f"- id: {_text(actor.id)}", f"  name: {_text(actor.name)}", f"  kind: {_text(actor.kind)}"]
    if actor.roles:
        out.append("  roles:")
        for text, span in actor.roles:
            quoted = _text(text)
            flow = f"{{text: {quoted}, start: {span.start}, end: {span.end}}}"
            if len(flow) <= FLOW_WIDTH:
                out.append(f"  - {flow}")
            else:
                out += [f"  - text: {quoted}", f"    start: {span.start}", f"    end: {span.end}"]
    else:
        out.append("  roles: []")
    out += [f"  salience: {_scalar(round(actor.salience, 3))}", f"  description: {_text(actor.description)}"]
    if actor.mentions:
        out.append("  mentions:")
        for mention in actor.mentions:
            flow = _mention_flow(mention)
            if len(flow) <= FLOW_WIDTH:
                out.append(f"  - {flow}")
            else:
                _mention_entry("- ", mention, "  ", out)
    else:
        out.append("  mentions: []")


def _quote(quote: Quote, out: list[str]) -> None:
    out += [f"- text: {_text(quote.text)}", f"  kind: {_text(quote.kind)}", f"  start: {quote.span.start}",
            f"  end: {quote.span.end}"]  # fmt: skip
    speaker = quote.speaker
    if speaker is None:
        out.append("  speaker: null")
    else:
        _mention_entry("speaker: ", speaker, "  ", out)
    out += [f"  actor: {_text(quote.actor_id)}", f"  cue: {_text(quote.cue)}"]
    _span_entry("cue_span", quote.cue_span, "  ", out)
    _span_entry("sentence", quote.sentence, "  ", out)
    out.append(f"  confidence: {_scalar(round(quote.confidence, 3))}")


def _timex(timex: TimeExpression, out: list[str]) -> None:
    out += [
        f"- text: {_text(timex.text)}",
        f"  start: {timex.span.start}",
        f"  end: {timex.span.end}",
        f"  type: {_text(timex.type)}",
        f"  value: {_text(timex.value)}",
        f"  date: {_text(timex.date.isoformat() if timex.date else None)}",
        f"  granularity: {_text(timex.granularity)}",
        f"  tense: {_text(timex.tense)}",
        f"  deadline: {_scalar(timex.is_deadline)}",
        f"  cue: {_text(timex.deadline_cue)}",
        f"  event: {_text(timex.event)}",
        f"  actor: {_text(timex.actor_id)}",
        f"  conflict: {_text(timex.conflict)}",
    ]
    _span_entry("sentence", timex.sentence, "  ", out)
    out.append(f"  confidence: {_scalar(round(timex.confidence, 3))}")


def _records(key: str, records: Sequence[_R], write: Callable[[_R, list[str]], None], out: list[str]) -> None:
    if not records:
        out.append(f"{key}: []")
        return
    out.append(f"{key}:")
    for record in records:
        write(record, out)


def dump_briefing_front_matter(article: Article, extraction: Extraction, summary: str, generator: str) -> str:
    """``dump_front_matter`` of a briefing's front matter (``compose.front_matter``), written from the model.

    The generic emitter walks the data record by record and asks of every value what it is; here each record's
    shape is known, so its lines are written directly (and every string is escaped once): the same text, byte for
    byte (a property test compares the two), several times faster.
    """
    out = [
        f"title: {_text(article.title)}",
        f"date: {_text(article.date.isoformat() if article.date else None)}",
        f"slug: {_text(article.slug)}",
        f"byline: {_text(article.byline)}",
    ]
    _strings("sources", article.sources, out)
    _strings("tags", article.tags, out)
    out.append(f"source_file: {_text(article.source_path.as_posix())}")
    _records("actors", extraction.actors, _actor, out)
    _records("quotes", extraction.quotes, _quote, out)
    _records("timeline", extraction.timeline, _timex, out)
    if extraction.sentences:
        out.append("sentences:")
        out += [f"- {flow}" if len(flow := _span_flow(s)) <= FLOW_WIDTH else f"- start: {s.start}\n  end: {s.end}"
                for s in extraction.sentences]  # fmt: skip
    else:
        out.append("sentences: []")
    _strings("failed", extraction.failed, out)
    _strings("problems", [p.message for p in extraction.problems], out)
    out += [f"summary: {_text(summary)}", f"generator: {_text(generator)}"]
    return "\n".join(out) + "\n"
