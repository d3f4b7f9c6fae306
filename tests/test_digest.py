"""A template's closure: the variables it refers to and a digest of the sources it is made from."""

from __future__ import annotations

import jinja2

from briefgen.digest import template_closure


def closure(templates: dict[str, str], name: str) -> tuple[frozenset[str], str]:
    return template_closure(jinja2.Environment(loader=jinja2.DictLoader(templates)), name)


SITE = {
    "base.html": "<main>{% block main %}{% endblock %}</main>{{ title }}",
    "_macros.html": "{% macro chip(x) %}<b>{{ x }}</b>{% endmacro %}",
    "page.html": "{% extends 'base.html' %}{% import '_macros.html' as m %}{% block main %}{{ m.chip(body) }}"
    "{% endblock %}",
    "other.html": "{{ other }}",
    "dynamic.html": "{% include chosen %}",
}


def test_a_templates_digest_covers_what_it_extends_and_imports_and_nothing_else() -> None:
    variables, digest = closure(SITE, "page.html")
    assert {"title", "body"} <= variables and "other" not in variables
    assert closure({**SITE, "other.html": "{{ changed }}"}, "page.html")[1] == digest
    assert closure({**SITE, "base.html": SITE["base.html"] + "!"}, "page.html")[1] != digest
    assert closure({**SITE, "_macros.html": SITE["_macros.html"] + "!"}, "page.html")[1] != digest


def test_a_template_included_by_an_expression_could_be_any_so_all_are_digested() -> None:
    _, digest = closure(SITE, "dynamic.html")
    assert closure({**SITE, "other.html": "{{ changed }}"}, "dynamic.html")[1] != digest
    assert closure({**SITE, "new.html": "new"}, "dynamic.html")[1] != digest
