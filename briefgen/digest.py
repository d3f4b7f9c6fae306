"""Input digests: what a page was made from, so an unchanged page is neither rendered nor rewritten.

A page's digest covers everything its output can depend on: briefgen's own code and the site's
settings (``settings_fingerprint``), the page's path, its template's source and those of the
templates it extends, includes or imports (``template_closure``), its context, and those shared
values these templates refer to. Equal digests mean equal bytes, because rendering is deterministic; the
build then keeps the previous file. This is how an incremental build stays byte-identical
to a clean one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import io
import pickle
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import msgspec

from briefgen import __version__
from briefgen.codec import path_as_text
from briefgen.config import SiteConfig
from briefgen.model import Actor, Article, Briefing, Extraction, Mention, Quote, Span, TimeExpression

if TYPE_CHECKING:
    import jinja2

    from briefgen.cache import RegistryScope

PACKAGE = Path(__file__).resolve().parent
MODEL_TYPES = (Actor, Article, Extraction, Mention, Quote, Span, TimeExpression)
T = TypeVar("T")


def view(cls: type[T]) -> type[T]:
    """Mark a frozen dataclass of plain values as a view: digested whole, as one encoded value.

    Walking a view field by field in Python, as the digest does with other values, took most of the time spent
    digesting a site's pages.
    """
    cls.__view__ = True  # type: ignore[attr-defined]
    return cls


def _hash(*parts: str) -> str:
    digest = hashlib.blake2b(digest_size=20)
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
    return digest.hexdigest()


# Sets and mappings in sorted order, so equal values give equal bytes in every run (string hashing varies).
_ENCODER = msgspec.msgpack.Encoder(enc_hook=path_as_text, order="deterministic")


def _encoded(value: object) -> bytes:
    """A plain value (frozen dataclasses, tuples, strings, numbers, dates) as bytes, equal for equal values.

    msgspec writes a dataclass as a map of its field names to their values, in C, without pickle's call to
    ``__reduce__`` for each object (the pages' digests pickled at 10,000 articles took seconds); the value's
    type name goes in front. Anything msgspec cannot write is pickled, without pickle's memo (with it, a string
    two fields share is written once and referred to, so equal values could pickle differently).
    """
    name = type(value).__qualname__.encode()
    try:
        return name + b"\x1f" + _ENCODER.encode(value)
    except (TypeError, NotImplementedError):
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=5)
        pickler.fast = True  # no memo; the values are trees (frozen dataclasses and tuples), never cycles
        pickler.dump(value)
        return b"pickle\x1f" + buffer.getvalue()


def plain_digest(value: object) -> str:
    """The digest of a plain value (a model object, a view): equal for equal values, in every run."""
    return hashlib.blake2b(_encoded(value), digest_size=20).hexdigest()


def sequence_digest(digests: Iterable[str]) -> str:
    """The digest of a list or tuple whose items have these digests (``Fingerprints.of``)."""
    return _hash("seq", *digests)


@functools.cache
def code_fingerprint() -> str:
    """briefgen's own source and packaged templates: a new version re-renders everything."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(__version__.encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".html", ".css", ".js", ".xml", ".txt", ".svg"):
            digest.update(path.relative_to(PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def settings_fingerprint(config: SiteConfig) -> str:
    """Code and the site's settings: what every page depends on. Its templates are digested page by page
    (``template_closure``), so a change to one template re-renders only the pages made with it, and a change to a
    static file (copied, never rendered) none."""
    settings = {f.name: getattr(config, f.name) for f in dataclasses.fields(config) if f.name != "root"}
    return _hash(code_fingerprint(), repr(sorted(settings.items())))


def render_fingerprint(config: SiteConfig) -> str:
    """Code, the site's template overrides and settings: any change to them is a change to the build's inputs."""
    parts = [settings_fingerprint(config)]
    overrides = config.templates_path
    if overrides.is_dir():
        for path in sorted(overrides.rglob("*")):
            if path.is_file():
                parts.append(path.relative_to(overrides).as_posix())
                parts.append(hashlib.blake2b(path.read_bytes(), digest_size=20).hexdigest())
    return _hash(*parts)


def template_closure(env: jinja2.Environment, name: str) -> tuple[frozenset[str], str]:
    """Every variable ``name`` refers to, through the templates it extends, includes and imports; and a digest of
    their sources as the loader finds them (the site's override, else briefgen's own). A template named by an
    expression could be any of them: then every template the loader can list is digested."""
    seen: set[str] = set()
    names: set[str] = set()
    sources: list[str] = []
    computed = False
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        source, filename, _ = env.loader.get_source(env, current)  # type: ignore[union-attr]
        sources += [current, source]
        undeclared, referenced = _analysed(env, current, source, filename)
        names |= undeclared
        computed = computed or None in referenced
        pending += [t for t in referenced if t]
    if computed:
        for other in sorted(set(env.list_templates()) - seen):
            try:
                sources += [other, env.loader.get_source(env, other)[0]]  # type: ignore[union-attr]
            except UnicodeDecodeError:  # an image, say: no template can include it
                sources += [other, ""]
    return frozenset(names), _hash(*sources)


def _analysed(
    env: jinja2.Environment, name: str, source: str, filename: str | None
) -> tuple[frozenset[str], tuple[str | None, ...]]:
    """A template's undeclared variables and the templates it names (None: one named by an expression), from its
    source: parsed once per process (``_ANALYSED``), not once for each template that extends or includes it, every
    build. Parsing is the costly part of ``template_closure``: every page template extends ``base.html`` and imports
    ``_macros.html``, and at 1,000 articles a resident build process's helper spent a fifth of an edit parsing
    them again."""
    syntax = (
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        tuple(sorted(env.extensions)),
    )
    key = (syntax, name, filename, source)
    found = _ANALYSED.get(key)
    if found is None:
        from jinja2 import TemplateSyntaxError, meta  # here: a build with nothing to do renders nothing

        tree = env.parse(source, name, filename)
        try:
            undeclared = meta.find_undeclared_variables(tree)
        except TemplateSyntaxError as exc:  # from Jinja's code generator, which names "<introspection>"
            exc.name, exc.filename = name, filename
            raise
        found = frozenset(undeclared), tuple(meta.find_referenced_templates(tree))
        if len(_ANALYSED) >= ANALYSED_KEPT:
            _ANALYSED.pop(next(iter(_ANALYSED)))  # the oldest: a process that serves many sites (the tests)
        _ANALYSED[key] = found
    return found


ANALYSED_KEPT = 256
_ANALYSED: dict[tuple[object, ...], tuple[frozenset[str], tuple[str | None, ...]]] = {}


class Fingerprints:
    """Digests of page contexts, each object digested once per build (memoised by identity).

    A briefing is digested by what it is made from: its article and, for its extraction, the
    extraction settings (extractor code, model) with the article's text and date and the entries of
    the actor registry its text can match (``scope``, see :class:`briefgen.cache.RegistryScope`),
    which determine the extraction. So the digest is known before the briefing is composed, and an
    ``actors.yml`` change renders again only the briefings it can change.
    """

    def __init__(self, extraction_settings: str = "", scope: RegistryScope | None = None) -> None:
        self.settings = extraction_settings
        self.scope = scope
        self._memo: dict[int, str] = {}
        self._keep: list[object] = []  # holds memoised objects so their ids stay unique

    def briefing(self, briefing: Briefing) -> str:
        key = id(briefing)
        if key not in self._memo:
            # read by a build: the digest of its file (``Article.source_digest``), whose reader code the settings
            # fingerprint holds; else the article itself, encoded
            article = (
                briefing.article.source_digest
                or hashlib.blake2b(_encoded(briefing.article), digest_size=20).hexdigest()
            )
            within = briefing.registry_scope or (self.scope.of(briefing.article.text) if self.scope is not None else "")
            self._memo[key] = _hash("briefing", self.settings, within, article)
            self._keep.append(briefing)
        return self._memo[key]

    def of(self, value: object) -> str:
        if value is None or isinstance(value, str | int | float | bool | dt.date | Path):
            return repr(value)
        key = id(value)
        found = self._memo.get(key)
        if found is not None:
            return found
        if isinstance(value, Briefing):
            return self.briefing(value)
        if isinstance(value, MODEL_TYPES) or getattr(type(value), "__view__", False):  # plain frozen values
            # (and the pages' views, see ``view``): encoded in C, not walked in Python
            digest = plain_digest(value)
            self._memo[key] = digest
            self._keep.append(value)
            return digest
        if isinstance(value, Mapping):
            digest = _hash("map", *(f"{self.of(k)}={self.of(v)}" for k, v in value.items()))
        elif isinstance(value, list | tuple | set | frozenset):
            items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
            digest = sequence_digest(self.of(v) for v in items)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            fields = (f"{f.name}={self.of(getattr(value, f.name))}" for f in dataclasses.fields(value))
            digest = _hash(type(value).__name__, *fields)
        else:
            digest = _hash(type(value).__name__, repr(value))
        self._memo[key] = digest
        self._keep.append(value)
        return digest
