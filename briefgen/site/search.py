"""Search without a server: a Pagefind index of the rendered pages.

The build indexes its staging folder (the new site, before it is published), and the
bundle comes back file by file to be published under ``pagefind/``; an in-memory site
(``render_site``) is written to a temporary folder first. Only elements marked ``data-pagefind-body`` (briefings, actor
pages) are indexed; result URLs keep ``index.html`` so they work on any static host.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath

from briefgen.config import SiteConfig

BUNDLE = "pagefind"


class SearchIndexError(RuntimeError):
    """Pagefind could not index the site."""


def pagefind_command() -> list[str]:
    """The Pagefind binary of ``pagefind[bin]``, run through its Python wrapper."""
    return [sys.executable, "-m", "pagefind"]


def _write_pages(files: Mapping[str, bytes], folder: Path) -> int:
    count = 0
    for path, data in sorted(files.items()):
        pure = PurePosixPath(path)
        if pure.suffix != ".html" or pure.is_absolute() or ".." in pure.parts:
            continue
        target = folder.joinpath(*pure.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        count += 1
    return count


def _run_pagefind(site: Path, bundle: Path, config: SiteConfig) -> None:
    language = (config.language or "en").split("-")[0].lower()
    command = [
        *pagefind_command(),
        "--site",
        str(site),
        "--output-path",
        str(bundle),
        "--keep-index-url",
        "--force-language",
        language,
        "--silent",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexError(f"cannot run pagefind: {exc}") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise SearchIndexError(f"pagefind failed (exit {result.returncode}): {' / '.join(detail)}")


def search_index_files(files: Mapping[str, bytes], config: SiteConfig) -> dict[str, bytes]:
    """The Pagefind bundle for the rendered ``files``, keyed ``pagefind/...``."""
    try:
        with tempfile.TemporaryDirectory(prefix="briefgen-pagefind-") as tmp:
            site = Path(tmp) / "site"
            site.mkdir()
            if _write_pages(files, site) == 0:
                return {}
            return dict(index_folder(site, config))
    except OSError as exc:  # a full or unwritable temporary folder fails the build, it does not crash it
        raise SearchIndexError(f"cannot index the pages: {exc}") from exc


def index_folder(site: Path, config: SiteConfig) -> Iterator[tuple[str, bytes]]:
    """The Pagefind bundle for the pages in ``site``, file by file, keyed ``pagefind/...``.

    The bundle is made in a temporary folder outside ``site``; nothing is written into ``site``.
    """
    try:
        if not any(site.rglob("*.html")):
            return
        with tempfile.TemporaryDirectory(prefix="briefgen-pagefind-") as tmp:
            bundle = Path(tmp) / BUNDLE
            _run_pagefind(site, bundle, config)
            for path in sorted(bundle.rglob("*")):
                if path.is_file():
                    yield f"{BUNDLE}/{path.relative_to(bundle).as_posix()}", path.read_bytes()
    except OSError as exc:  # a full or unwritable temporary folder fails the build, it does not crash it
        raise SearchIndexError(f"cannot index the pages: {exc}") from exc
