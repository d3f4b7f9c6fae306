"""Lossless JSON encoding of briefgen's frozen dataclasses (for the cache and worker processes).

Decoding is driven by the dataclasses' type hints, so nothing in a cache file can make
briefgen build an object of any other type (unlike pickle).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import types
import typing
from pathlib import Path
from typing import Any


def path_as_text(value: object) -> object:
    """msgspec's ``enc_hook``: a ``Path`` as its POSIX text (msgspec writes every other value of the model)."""
    if isinstance(value, Path):
        return value.as_posix()
    raise NotImplementedError(type(value).__name__)


def text_as_path(kind: type, value: Any) -> Any:
    """msgspec's ``dec_hook``: :func:`path_as_text` undone."""
    if kind is Path:
        return Path(value)
    raise NotImplementedError(kind.__name__)


def encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Path):
        return value.as_posix()
    return value


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def decode(tp: Any, data: Any) -> Any:
    """Rebuild a value of type ``tp`` from :func:`encode`'s output; raise ValueError when it does not fit."""
    return _decoder(tp)(data)


Decoder = typing.Callable[[Any], Any]


@functools.cache
def _decoder(tp: Any) -> Decoder:
    """A decoding function for ``tp``, built once per type from its hints (decoding a cache is hot)."""
    origin = typing.get_origin(tp)
    if tp is Any or tp is object:
        return lambda data: data
    if origin in (typing.Union, types.UnionType):
        return _union_decoder(typing.get_args(tp))
    if origin is typing.Literal:
        allowed = frozenset(typing.get_args(tp))

        def literal(data: Any) -> Any:
            if data not in allowed:
                raise ValueError(f"{data!r} is not one of {sorted(map(str, allowed))}")
            return data

        return literal
    if origin is tuple:
        return _tuple_decoder(typing.get_args(tp))
    if origin is dict:

        def mapping(data: Any) -> Any:
            if not isinstance(data, dict):
                raise ValueError("expected a mapping")
            return dict(data)

        return mapping
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass_decoder(tp)
    return _scalar_decoder(tp)


def _union_decoder(options: tuple[Any, ...]) -> Decoder:
    nullable = type(None) in options
    decoders = [_decoder(o) for o in options if o is not type(None)]

    def union(data: Any) -> Any:
        if data is None and nullable:
            return None
        for decoder in decoders:
            try:
                return decoder(data)
            except (ValueError, TypeError, KeyError):
                continue
        raise ValueError(f"{data!r} fits none of {options}")

    return union


def _tuple_decoder(args: tuple[Any, ...]) -> Decoder:
    if len(args) == 2 and args[1] is Ellipsis:
        item = _decoder(args[0])

        def sequence(data: Any) -> Any:
            if not isinstance(data, list):
                raise ValueError("expected a list")
            return tuple(item(v) for v in data)

        return sequence
    items = [_decoder(a) for a in args]

    def fixed(data: Any) -> Any:
        if not isinstance(data, list) or len(data) != len(items):
            raise ValueError("tuple length differs")
        return tuple(decoder(v) for decoder, v in zip(items, data, strict=True))

    return fixed


def _dataclass_decoder(cls: type) -> Decoder:
    hints = _hints(cls)
    fields = [(f.name, _decoder(hints[f.name])) for f in dataclasses.fields(cls)]

    def instance(data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError(f"expected a mapping for {cls.__name__}")
        return cls(**{name: decoder(data[name]) for name, decoder in fields if name in data})

    return instance


def _scalar_decoder(tp: Any) -> Decoder:
    if tp is dt.date:
        return lambda data: dt.date.fromisoformat(data)
    if tp is Path:
        return lambda data: Path(data)
    if tp is float:

        def number(data: Any) -> Any:
            if isinstance(data, bool) or not isinstance(data, int | float):
                raise ValueError(f"{data!r} is not a number")
            return float(data)

        return number

    def exact(data: Any) -> Any:
        if type(data) is not tp:
            raise ValueError(f"{data!r} is not a {tp}")
        return data

    return exact
