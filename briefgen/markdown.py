"""The one Markdown renderer: CommonMark, raw HTML off, Pandoc-style ``{#id .class}`` attributes."""

from __future__ import annotations

import functools

from markdown_it import MarkdownIt
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin


@functools.cache
def markdown_renderer() -> MarkdownIt:
    """Raw HTML in articles is never trusted: ``html`` is off, so tags are escaped.

    Inline ``[text]{#id .class}`` spans anchor the source text; a ``{#id}`` line before a
    block (a section heading, a paragraph) gives that block its id or class.
    """
    return (
        MarkdownIt("commonmark", {"html": False, "typographer": False})
        .use(attrs_plugin, spans=True)
        .use(attrs_block_plugin)
        .enable("table")
    )


def split_front_matter(document: str) -> tuple[str, str]:
    """The YAML front matter and the body of a briefing document."""
    if document.startswith("---\n"):
        end = document.find("\n---\n", 4)
        if end != -1:
            return document[4 : end + 1], document[end + 5 :]
    return "", document


def render_markdown(body: str) -> str:
    return markdown_renderer().render(body)
