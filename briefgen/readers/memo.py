"""Articles as the last build read them: ``.briefgen/articles.msgpack`` at the site root.

Parsing every article (YAML front matter, paragraphs, dates) took about a second of each build
at 10,000 articles, one edit or none. A build still reads every file's bytes, but an article
whose path and bytes are as they were when last parsed is decoded from here instead (about a
tenth of the time). Entries are keyed by a digest of the path and the bytes, never by a
file's size or time, so an edit is always seen. The file records the code it was written by
and a checksum of its contents: one written by other code, damaged or unreadable is not
used, and is written anew. It can be deleted at any time.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import msgspec

from briefgen.codec import path_as_text, text_as_path
from briefgen.config import records_path
from briefgen.digest import code_fingerprint
from briefgen.model import Article, Problem
from briefgen.readers import parse_article, read_source

log = logging.getLogger(__name__)

MAGIC = b"briefgen articles 1\n"
REWRITE_AFTER = 50  # files parsed again (or gone) before the memo is rewritten: see ReadMemo.save
Read = tuple[Article, tuple[Problem, ...]]


@dataclass(frozen=True, slots=True)
class _Stored:
    code: str  # briefgen's code fingerprint: the readers that parsed these
    articles: dict[str, Read]  # by the digest of each file's path and bytes


# In a resident build process (``keep_read``): each memo's last build's reads, by memo file, so the next build of
# the process does not decode the file again (some 0.3 s at 10,000 articles). Entries are keyed by path and bytes.
_kept: dict[Path, dict[str, Read]] | None = None


def keep_read() -> None:
    """Keep each build's reads in this process for its next build, rather than decoding the memo file again."""
    global _kept
    if _kept is None:
        _kept = {}


class ReadMemo:
    """What :func:`briefgen.readers.read_article` gives, for files parsed before; :meth:`save` keeps this build's."""

    def __init__(self, path: Path) -> None:
        self.path = path
        kept = _kept.get(path) if _kept is not None else None
        self.known = kept if kept is not None else self._load()
        self.used: dict[str, Read] = {}
        self.parsed = 0  # articles parsed (not found here) by this build

    def read(self, path: Path, content_dir: Path) -> Read:
        """``read_article(path, content_dir)``: decoded from the memo when the file's path and bytes are known."""
        relative, data = read_source(path, content_dir)
        digest = hashlib.blake2b(relative.as_posix().encode("utf-8", "surrogateescape"), digest_size=20)
        digest.update(b"\0")
        digest.update(data)
        key = digest.hexdigest()
        found = self.known.get(key)
        if found is None:
            article, problems = parse_article(relative, data)
            found = dataclasses.replace(article, source_digest=key), problems
            self.parsed += 1
        self.used[key] = found
        return found

    def save(self) -> None:
        """Keep what this build read (only that: entries of files gone or changed go), once enough has changed.

        Rewriting the whole memo for an edit or two costs more (39 MB at 10,000 articles, about half a second)
        than parsing those files again at the next build: the memo is rewritten once the files parsed, and the
        entries no longer read, are more than ``REWRITE_AFTER`` or a hundredth of the articles.
        """
        if _kept is not None:
            _kept[self.path] = self.used
        stale = len(self.known.keys() - self.used.keys())
        if self.known and self.parsed + stale <= max(REWRITE_AFTER, len(self.used) // 100):
            return
        payload = msgspec.msgpack.Encoder(enc_hook=path_as_text).encode(_Stored(code_fingerprint(), self.used))
        checksum = hashlib.blake2b(payload, digest_size=20).hexdigest().encode()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".articles-", dir=self.path.parent)
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(MAGIC + checksum + b"\n" + payload)
                os.replace(temporary, self.path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError as exc:  # only an optimisation: the next build parses again
            log.warning("cannot save the read articles (%s): %s", self.path, exc)

    def _load(self) -> dict[str, Read]:
        try:
            data = self.path.read_bytes()
        except OSError:
            return {}
        head, _, payload = data.partition(b"\n")
        checksum, _, payload = payload.partition(b"\n")
        if head + b"\n" != MAGIC or hashlib.blake2b(payload, digest_size=20).hexdigest().encode() != checksum:
            log.info("%s: damaged or of another format; articles are parsed again", self.path)
            return {}
        try:
            stored = msgspec.msgpack.Decoder(_Stored, dec_hook=text_as_path).decode(payload)
        except (msgspec.DecodeError, ValueError, TypeError, NotImplementedError):
            log.info("%s: cannot be decoded; articles are parsed again", self.path)
            return {}
        return stored.articles if stored.code == code_fingerprint() else {}


def memo_path(root: Path) -> Path:
    return records_path(root) / "articles.msgpack"
