"""A small, fast YAML emitter for briefing front matter.

PyYAML's representer walks every node in Python and dominated the build's time: a long
article's front matter holds thousands of spans. Front matter is plain data (mappings,
lists, strings, numbers, booleans, null), so it is written directly: block mappings and
lists, one flow mapping per line for small records (a mention, a span), strings always
double-quoted with JSON escapes, which are valid YAML. ``yaml.safe_load`` reads it back
to the same data (a property test checks this).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

# Characters YAML will not take raw inside a double-quoted scalar (or would fold as line breaks).
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_RESERVED = {"null", "true", "false", "yes", "no", "on", "off", "y", "n"}  # YAML 1.1 reads these as non-strings
FLOW_WIDTH = 160


def _string(value: str) -> str:
    quoted = json.dumps(value, ensure_ascii=False)
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
    return text if _PLAIN_KEY.match(text) and text.casefold() not in _RESERVED else _string(text)


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
