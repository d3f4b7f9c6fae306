"""The source text's Markdown as ``compose`` wrote it, paragraph by paragraph, before it was marked up beside its HTML.

``mark_up`` as it stood: the reference ``test_body_html`` holds ``body_html.source_paragraphs`` to, and the examples of
``test_compose_markdown``. Not used by briefgen itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from briefgen.compose import Mark, _escape_inline, _escape_line_start


def mark_up(text: str, start: int, end: int, marks: Iterable[Mark]) -> str:
    """Escape ``text[start:end]`` and wrap each properly nested mark in a bracketed span or link.

    A mark that crosses one already open (not nested in it) is left out rather than
    producing broken markup, and so is a mark inside a link: CommonMark links hold no links,
    and a bracketed span counts as one (the link would be shown as text). The link, back to
    its fact, is kept; e.g. a role inside "Finance Minister Kowalska" is not highlighted there.
    """
    inside = sorted(
        (m for m in marks if start <= m.span.start < m.span.end <= end), key=lambda m: (m.span.start, -m.span.end)
    )
    out: list[str] = []
    stack: list[tuple[int, str]] = []  # (end, closing markup) of open marks
    links_open = 0
    position = start

    def close_until(limit: int) -> None:
        nonlocal position, links_open
        while stack and stack[-1][0] <= limit:
            span_end, closing = stack.pop()
            links_open -= closing.startswith("](")
            out.append(_escape_inline(text[position:span_end]) + closing)
            position = span_end

    for mark in inside:
        close_until(mark.span.start)
        if links_open or (stack and mark.span.end > stack[-1][0]):
            continue
        out.append(_escape_inline(text[position : mark.span.start]) + "[")
        position = mark.span.start
        if mark.href and not links_open:
            stack.append((mark.span.end, f"]({mark.href}){{{mark.attrs}}}{mark.after}"))
            links_open += 1
        else:
            stack.append((mark.span.end, f"]{{{mark.attrs}}}{mark.after}"))
    close_until(end)
    out.append(_escape_inline(text[position:end]))
    return _escape_line_start("".join(out))
