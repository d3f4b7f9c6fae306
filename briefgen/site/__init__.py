"""Site-wide views over all briefings: actors merged across briefings, deadlines, feeds, search.

Each module is a plain function from the composed briefings (and the config) to values
or file bytes; ``briefgen.render.render_site`` puts them together. Nothing here reads the
clock: every date comes from the articles or from ``SOURCE_DATE_EPOCH``.
"""
