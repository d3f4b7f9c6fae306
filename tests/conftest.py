"""Shared fixtures: the real spaCy pipeline, loaded once per test session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


@pytest.fixture(scope="session")
def nlp() -> Language:
    from briefgen.nlp import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def parse(nlp: Language) -> Callable[[str], Doc]:
    cache: dict[str, Doc] = {}

    def _parse(text: str) -> Doc:
        if text not in cache:
            cache[text] = nlp(text)
        return cache[text]

    return _parse


SEED_DATE = dt.date(2025, 8, 6)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from the current output")
