"""What the last successful build published: ``.briefgen/state.json`` at the site root.

It records, per output file, its size and modification time and (for pages) the digest of
the inputs it was made from, plus a fingerprint of every input of the build. A build whose
inputs all match, over an output folder that still matches, has nothing to do; otherwise
pages whose digest matches are kept rather than rendered again. Anything unexpected in the
file (another version, a different output folder, bad JSON) means an empty state: the
build then renders everything, which is always correct.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.config import SiteConfig
from briefgen.digest import render_fingerprint
from briefgen.model import Problem

VERSION = 1


@dataclass(frozen=True, slots=True)
class OutputFile:
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


def state_path(config: SiteConfig) -> Path:
    return config.root / ".briefgen" / "state.json"


def load_state(config: SiteConfig) -> BuildState:
    try:
        data = json.loads(state_path(config).read_text(encoding="utf-8"))
        if data.get("version") != VERSION or data.get("output") != str(config.output_path.absolute()):
            return BuildState()
        files = {path: OutputFile(int(v[0]), int(v[1]), v[2]) for path, v in data["files"].items()}
        problems = tuple(Problem(p[0], p[1], p[2], p[3]) for p in data["problems"])
        return BuildState(data["inputs"], data["output"], files, problems, tuple(data["counts"]))  # type: ignore[arg-type]
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return BuildState()


def save_state(config: SiteConfig, state: BuildState) -> None:
    data = {
        "version": VERSION,
        "inputs": state.inputs,
        "output": state.output,
        "counts": list(state.counts),
        "problems": [[p.level, p.message, p.path, p.line] for p in state.problems],
        "files": {path: [f.size, f.mtime_ns, f.digest] for path, f in sorted(state.files.items())},
    }
    save_json(state_path(config), data)


def save_json(path: Path, data: object) -> None:
    """Write ``data`` as compact JSON at ``path`` atomically: written aside, then renamed over."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    temporary.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
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
    """Every input of a build by name, size and modification time, with code, templates and settings."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(render_fingerprint(config).encode())
    digest.update(options.encode())
    for path in (config.root / "briefgen.yml", config.root / "actors.yml", *article_paths):
        try:
            info = os.stat(path)
            digest.update(f"{path}\x1f{info.st_size}\x1f{info.st_mtime_ns}\x1e".encode("utf-8", "surrogateescape"))
        except OSError:
            digest.update(f"{path}\x1fmissing\x1e".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()
