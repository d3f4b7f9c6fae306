"""What the last successful build published: ``.briefgen/state.json`` at the site root.

It records, per output file, its size and modification time and (for pages) the digest of
the inputs it was made from, plus a fingerprint of every input of the build. A build whose
inputs all match, over an output folder that still matches, has nothing to do; otherwise
pages whose digest matches are kept rather than rendered again. Anything unexpected in the
file (another version, a different output folder, bad JSON) means an empty state: the
build then renders everything, which is always correct.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import msgspec

from briefgen.config import SiteConfig, records_path
from briefgen.digest import render_fingerprint
from briefgen.model import Problem

VERSION = 1


class OutputFile(msgspec.Struct, frozen=True, array_like=True):
    """A published file as the build left it; in the state file, ``[size, mtime_ns, digest]``."""

    size: int
    mtime_ns: int
    digest: str | None = None  # input digest, for pages


@dataclass(frozen=True, slots=True)
class BuildState:
    inputs: str = ""
    output: str = ""
    files: dict[str, OutputFile] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    counts: tuple[int, int] = (0, 0)  # articles, pages
    spare: str | None = None  # the token the build left in the spare (``briefgen.write.Staging``)


def state_path(config: SiteConfig) -> Path:
    return records_path(config.root) / "state.json"


class _Saved(msgspec.Struct):
    """``state.json`` as :func:`save_state` writes it."""

    version: int
    inputs: str
    output: str
    counts: tuple[int, int]
    problems: list[tuple[Literal["error", "warning"], str, str | None, int | None]]
    files: dict[str, OutputFile]
    spare: str | None = None


@functools.cache
def _state_decoder() -> msgspec.json.Decoder[_Saved]:
    return msgspec.json.Decoder(_Saved)


def load_state(config: SiteConfig) -> BuildState:
    """The last build's state; an empty one when the file is missing, of another version or output folder, or not
    as :func:`save_state` writes it. Decoded straight into ``OutputFile`` values (at 10,000 articles, 47,800 of
    them: 0.19 s of a no-change build with ``json`` and a loop)."""
    try:
        saved = state_path(config).read_bytes()
    except OSError:
        return BuildState()
    try:
        data = _state_decoder().decode(saved)
    except msgspec.DecodeError:
        try:  # a path of other bytes than UTF-8 is written as JSON's "\udcxx", which only ``json`` reads back
            data = msgspec.convert(json.loads(saved), _Saved)
        except (ValueError, msgspec.ValidationError):
            return BuildState()
    if data.version != VERSION or data.output != str(config.output_path.absolute()):
        return BuildState()
    problems = tuple(Problem(*problem) for problem in data.problems)
    return BuildState(data.inputs, data.output, data.files, problems, data.counts, data.spare)


def save_state(config: SiteConfig, state: BuildState) -> None:
    data = {
        "version": VERSION,
        "inputs": state.inputs,
        "output": state.output,
        "counts": list(state.counts),
        "problems": [[p.level, p.message, p.path, p.line] for p in state.problems],
        "files": {path: [f.size, f.mtime_ns, f.digest] for path, f in sorted(state.files.items())},
        "spare": state.spare,
    }
    save_json(state_path(config), data)


def save_json(path: Path, data: object) -> None:
    """Write ``data`` as compact JSON at ``path`` atomically: written aside, then renamed over.

    Every build writes ``state.json`` and ``links.json`` (13 MB at 10,000 articles): msgspec encodes them in a sixth
    of ``json.dumps``'s time. A path of other bytes than UTF-8 (``"\\udcxx"``) can be written only escaped, which
    ``json`` does.
    """
    try:
        encoded = msgspec.json.encode(data)
    except UnicodeEncodeError:
        encoded = json.dumps(data, separators=(",", ":")).encode("ascii")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    temporary.write_bytes(encoded)
    os.replace(temporary, path)


def clear_state(config: SiteConfig) -> None:
    state_path(config).unlink(missing_ok=True)


def scan_output(
    output: Path,
    paths: Iterable[str],
    digests: Mapping[str, str | None],
    linked: Mapping[str, OutputFile] | None = None,
) -> dict[str, OutputFile]:
    """The published files as they are on disk now, with the digests they were made from.

    ``linked``: files the build kept from the previous site as ``unchanged_digests`` found them (hard links: the
    same size and time), not looked at again; 47,000 of an edit's 47,800 files at 10,000 articles.
    """
    linked = linked or {}
    found: dict[str, OutputFile] = {}
    base = os.fspath(output) + os.sep
    for path in paths:
        if (recorded := linked.get(path)) is not None and recorded.digest == digests.get(path):
            found[path] = recorded
            continue
        info = os.stat(base + path)
        found[path] = OutputFile(info.st_size, info.st_mtime_ns, digests.get(path))
    return found


def unchanged_digests(state: BuildState, output: Path) -> dict[str, str]:
    """Digests of the recorded pages whose files still stand as the last build left them."""
    kept: dict[str, str] = {}
    base = os.fspath(output) + os.sep
    for path, recorded in state.files.items():
        if recorded.digest is None:
            continue
        try:
            info = os.stat(base + path)
        except OSError:
            continue
        if info.st_size == recorded.size and info.st_mtime_ns == recorded.mtime_ns:
            kept[path] = recorded.digest
    return kept


def output_intact(state: BuildState, output: Path) -> bool:
    """Every recorded file is there as written (and nothing else was recorded missing)."""
    base = os.fspath(output) + os.sep
    try:
        for path, recorded in state.files.items():
            info = os.stat(base + path)
            if info.st_size != recorded.size or info.st_mtime_ns != recorded.mtime_ns:
                return False
    except OSError:
        return False
    return bool(state.files)


def input_fingerprint(config: SiteConfig, article_paths: Iterable[Path], options: str) -> str:
    """Every input of a build by name, size and modification time, with code, templates and settings.

    Files are named from the site's folder, so the same site built as ``.`` or by its absolute path (an editor's
    shell, a cron job) is the same inputs."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(render_fingerprint(config).encode())
    digest.update(options.encode())
    root = os.fspath(config.root) + os.sep
    for path in (config.root / "briefgen.yml", config.root / "actors.yml", *article_paths):
        name = os.fspath(path)
        shown = name[len(root) :] if name.startswith(root) else name
        try:
            info = os.stat(name)
            digest.update(f"{shown}\x1f{info.st_size}\x1f{info.st_mtime_ns}\x1e".encode("utf-8", "surrogateescape"))
        except OSError:
            digest.update(f"{shown}\x1fmissing\x1e".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()
