"""Site configuration: ``briefgen.yml`` at the site root, plain data with a declared schema.

Every error and warning is collected and reported together, each with the file and line;
unknown keys are warned about (``--strict`` turns warnings into failures).
"""

from __future__ import annotations

import dataclasses
import os
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from briefgen.model import Problem
from briefgen.text import first_unprintable

CONFIG_NAME = "briefgen.yml"


def records_path(root: Path) -> Path:
    """``.briefgen`` in the site folder: the build's records (its caches, state and lock), outside the output."""
    return root / ".briefgen"


@dataclass(frozen=True, slots=True)
class SiteConfig:
    root: Path
    """The site folder (holding briefgen.yml); other paths are relative to it."""
    title: str = "Briefings"
    """The site's name, shown in every page header and the feed."""
    description: str = "Briefings: who said what, and what is coming."
    """One line for the home page, the feed and search engines."""
    base_url: str = ""
    """Absolute URL the site is published at (for the feed and sitemap); pages use relative links."""
    language: str = "en"
    """BCP 47 language of the articles and pages."""
    timezone: str = "UTC"
    """IANA zone the articles' dates are in (deadline calendar entries)."""
    content_dir: str = "content"
    """Folder of articles, relative to the site root."""
    output_dir: str = "site"
    """Folder the site is written to, relative to the site root."""
    templates_dir: str = "templates"
    """Folder of templates overriding the defaults, relative to the site root."""
    recent_count: int = 20
    """How many briefings the home page lists."""
    actor_page_size: int = 50
    """How many briefings each page of an actor covers (newest first; further pages at actors/<id>/page/<n>/)."""
    list_page_size: int = 100
    """How many briefings each page of the archive and of a tag lists (further pages at .../page/<n>/)."""
    feed_count: int = 50
    """How many of the newest briefings the Atom feed carries (readers poll it: it stays small at any size)."""

    @property
    def content_path(self) -> Path:
        return self.root / self.content_dir

    @property
    def output_path(self) -> Path:
        return self.root / self.output_dir

    @property
    def templates_path(self) -> Path:
        return self.root / self.templates_dir

    @property
    def root_files_path(self) -> Path:
        """``templates/root``: files copied to the top of the site as they are (CNAME, robots.txt, .nojekyll)."""
        return self.templates_path / "root"

    def root_file_names(self) -> frozenset[str]:
        """The names ``templates/root`` puts at the top of the site."""
        try:
            return frozenset(entry.name for entry in os.scandir(self.root_files_path))
        except OSError:
            return frozenset()


FIELDS = {f.name: f for f in dataclasses.fields(SiteConfig) if f.name != "root"}
ALIASES = {"base-url": "base_url", "url": "base_url", "content": "content_dir", "output": "output_dir",
           "templates": "templates_dir", "lang": "language"}  # fmt: skip


def _key_lines(text: str) -> dict[str, int]:
    """The line of each top-level key, from the YAML node tree."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 for k, _ in node.value}


def _check_value(name: str, value: Any, shown: str, line: int | None) -> tuple[Any, Problem | None]:
    default = FIELDS[name].default
    if isinstance(default, int) and not isinstance(default, bool):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            return default, Problem("error", f"'{name}' must be a positive whole number", shown, line)
        return value, None
    if not isinstance(value, str):
        return default, Problem("error", f"'{name}' must be text", shown, line)
    odd = first_unprintable(value)
    if odd is not None:
        message = f"'{name}' holds a control character ({odd}), which no page or feed can hold"
        return default, Problem("error", message, shown, line)
    if name == "title" and not value.strip():
        return default, Problem(
            "error", "'title' must not be empty: it names the site in every page and the feed", shown, line
        )
    if name == "timezone":
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return default, Problem(
                "error", f"unknown timezone {value!r} (use an IANA name like Europe/Warsaw)", shown, line
            )
    if name.endswith("_dir"):
        path = Path(value)
        if path.is_absolute() or ".." in path.parts or not value.strip():
            return default, Problem("error", f"'{name}' must be a folder inside the site", shown, line)
    if name == "base_url" and value and not value.startswith(("http://", "https://", "/")):
        return value, Problem("warning", "'base_url' should be an absolute URL (https://...)", shown, line)
    return value, None


def site_folder_problem(root: Path) -> Problem | None:
    """The error for a site folder that is not there (or is a file), or whose records folder (``.briefgen``, the
    caches and the build's lock) is a file; None when a build can use it."""
    if not root.is_dir():
        state = "is not a folder" if os.path.lexists(root) else "does not exist"
        return Problem("error", f"the site folder {state}", str(root))
    records = records_path(root)
    if os.path.lexists(records) and not records.is_dir():
        return Problem("error", "is a file where the build keeps its records (a folder): move it away", str(records))
    return None


def load_config(root: Path) -> tuple[SiteConfig, tuple[Problem, ...]]:
    """Read and validate ``briefgen.yml``; a missing file means the defaults. A site folder that is not there is an
    error (a mistyped path made a folder of that name with an empty site in it)."""
    missing = site_folder_problem(root)
    if missing is not None:
        return SiteConfig(root=root), (missing,)
    path = root / CONFIG_NAME
    if not path.is_file():
        return SiteConfig(root=root), ()
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = yaml.safe_load(text)
    except UnicodeDecodeError as exc:
        return SiteConfig(root=root), (Problem("error", f"not UTF-8 text: {exc.reason}", shown),)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        message = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return SiteConfig(root=root), (Problem("error", f"invalid YAML: {message}", shown, line),)
    if data is None:
        return SiteConfig(root=root), ()
    if not isinstance(data, dict):
        return SiteConfig(root=root), (Problem("error", "expected a mapping of settings", shown, 1),)
    lines = _key_lines(text)
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in data.items():
        name = ALIASES.get(str(key), str(key))
        line = lines.get(str(key))
        if name not in FIELDS:
            known = ", ".join(sorted(FIELDS))
            problems.append(Problem("warning", f"unknown setting {key!r} (known: {known})", shown, line))
            continue
        checked, problem = _check_value(name, value, shown, line)
        if problem is not None:
            problems.append(problem)
        values[name] = checked
    config = SiteConfig(root=root, **values)
    conflict = folder_conflict(config, config.output_path, "the output folder")
    if conflict is not None:
        keys = ["output_dir", *(alias for alias, name in ALIASES.items() if name == "output_dir")]
        problems.append(Problem("error", conflict, shown, next((lines[k] for k in keys if k in lines), None)))
        config = dataclasses.replace(config, output_dir=FIELDS["output_dir"].default)
    return config, tuple(problems)


def folder_conflict(config: SiteConfig, folder: Path, what: str) -> str | None:
    """Why ``folder`` cannot take a site briefgen writes whole (``what``: "the output folder"); None when it can.

    Publishing swaps the whole folder for the new site, and a later build empties the old one, so the folder must
    not be, nor hold, the site folder, its articles, its templates or the build's records (``.briefgen``); nor may it
    lie among the articles or the templates, where the next build would read the site's pages as articles or
    templates. Folders are compared as they are on disk, symbolic links followed.
    """
    target = _real(folder)
    kept = {
        "the site folder": config.root,
        "the content folder": config.content_path,
        "the templates folder": config.templates_path,
        "the build's records (.briefgen)": records_path(config.root),
    }
    for name, path in kept.items():
        real = _real(path)
        if real == target:
            return f"{what} {folder} is {name}, which a build would delete: it replaces {what} whole"
        if real.is_relative_to(target):
            return f"{what} {folder} holds {name}, which a build would delete: it replaces {what} whole"
    for name in ("the content folder", "the templates folder"):
        if target.is_relative_to(_real(kept[name])):
            return f"{what} {folder} is inside {name}: the next build would read the site as its own input"
    return None


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))
