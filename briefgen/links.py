"""What the published site linked each briefing to: ``.briefgen/links.json`` at the site root.

A briefing's page depends on the briefing and on the site-wide ids its actors were merged under (see
``render.briefing_page``). The build records those ids, per briefing, with the site's as-of date, so a preview can
render one edited briefing's page the way the next full build will, without reading the rest of the site. The file
is removed when a build starts rendering and written again once it has published: it never describes a site other
than the one in the output folder.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from briefgen.config import SiteConfig, records_path
from briefgen.state import save_json

SCHEMA = 1


@dataclass(frozen=True, slots=True)
class BriefingLinks:
    source: str  # the article's path under the content folder, POSIX
    actor_ids: Mapping[str, str]  # the briefing's actor ids -> site-wide ids


@dataclass(frozen=True, slots=True)
class SiteLinks:
    output: str  # the output folder these links were published to (absolute)
    as_of: dt.date | None
    search: bool
    briefings: Mapping[str, BriefingLinks]  # by slug


def links_path(config: SiteConfig) -> Path:
    return records_path(config.root) / "links.json"


def save_links(config: SiteConfig, links: SiteLinks) -> None:
    data = {
        "schema": SCHEMA,
        "output": links.output,
        "as_of": links.as_of.isoformat() if links.as_of else None,
        "search": links.search,
        "briefings": {slug: [b.source, dict(b.actor_ids)] for slug, b in sorted(links.briefings.items())},
    }
    save_json(links_path(config), data)


def clear_links(config: SiteConfig) -> None:
    links_path(config).unlink(missing_ok=True)


def load_links(config: SiteConfig) -> SiteLinks | None:
    """The links of the published site; None when there are none or they cannot be read."""
    try:
        data = json.loads(links_path(config).read_text(encoding="utf-8"))
        if data.get("schema") != SCHEMA:
            return None
        return SiteLinks(
            output=str(data["output"]),
            as_of=dt.date.fromisoformat(data["as_of"]) if data["as_of"] else None,
            search=bool(data["search"]),
            briefings={
                str(slug): BriefingLinks(str(source), {str(k): str(v) for k, v in ids.items()})
                for slug, (source, ids) in data["briefings"].items()
            },
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
