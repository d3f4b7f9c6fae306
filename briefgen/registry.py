"""The editor-maintained actor registry (``actors.yml`` at the site root).

Each entry names one actor once for the whole site, so "Trump" in every briefing
links to the same actor page::

    - name: Donald Trump
      aliases: [Trump, President Trump]
      kind: person
      role: President of the United States
      description: 47th president of the United States.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from briefgen.model import ActorKind, Problem
from briefgen.text import first_unprintable

KINDS: tuple[ActorKind, ...] = ("person", "org", "place")
ENTRY_KEYS = {"name", "aliases", "kind", "role", "description"}


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    name: str
    kind: ActorKind
    aliases: tuple[str, ...] = ()
    role: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Registry:
    entries: tuple[RegistryEntry, ...] = ()

    def lookup(self, surface: str) -> RegistryEntry | None:
        """The entry whose name or alias equals ``surface`` (case-insensitive)."""
        key = surface.casefold().strip()
        for entry in self.entries:
            if entry.name.casefold() == key or key in (a.casefold() for a in entry.aliases):
                return entry
        return None


def load_registry(path: Path) -> tuple[Registry, tuple[Problem, ...]]:
    """Read ``actors.yml``; a missing file is an empty registry."""
    if not path.is_file():
        return Registry(), ()
    shown = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        line = exc.problem_mark.line + 1 if getattr(exc, "problem_mark", None) else None
        return Registry(), (Problem("error", f"invalid YAML: {getattr(exc, 'problem', exc)}", shown, line),)
    except UnicodeDecodeError as exc:
        return Registry(), (Problem("error", f"not UTF-8 text: {exc}", shown),)
    if data is None:
        return Registry(), ()
    if not isinstance(data, list):
        return Registry(), (Problem("error", "expected a list of actors", shown, 1),)
    entries: list[RegistryEntry] = []
    problems: list[Problem] = []
    for index, item in enumerate(data, 1):
        where = f"actor #{index}"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
            problems.append(Problem("error", f"{where}: needs a 'name' string", shown))
            continue
        for key in sorted(set(item) - ENTRY_KEYS, key=str):  # YAML keys need not be text: `on:` is True
            problems.append(Problem("warning", f"{where} ({item['name']}): unknown key {key!r}", shown))
        kind = item.get("kind", "person")
        if kind not in KINDS:
            problems.append(Problem("error", f"{where}: kind must be one of {', '.join(KINDS)}", shown))
            continue
        aliases = item.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            problems.append(Problem("error", f"{where}: aliases must be a list of strings", shown))
            continue
        role, description = item.get("role"), item.get("description")
        if any(isinstance(value, (list, dict)) for value in (role, description)):
            problems.append(Problem("error", f"{where}: role and description must be text", shown))
            continue
        texts = [item["name"], *aliases, *(str(value) for value in (role, description) if value is not None)]
        odd = next((found for text in texts if (found := first_unprintable(text)) is not None), None)
        if odd is not None:
            message = f"{where} ({item['name']!r}): holds a control character ({odd})"
            problems.append(Problem("error", message, shown))
            continue
        entries.append(
            RegistryEntry(
                name=item["name"].strip(),
                kind=kind,
                aliases=tuple(a.strip() for a in aliases if a.strip()),
                role=str(role) if role is not None else None,
                description=str(description) if description is not None else None,
            )
        )
    return Registry(tuple(entries)), tuple(problems)
