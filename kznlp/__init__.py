"""kznlp: what Kazakh officials decided, with which figures, and who must do what by when.

    import kznlp
    doc = kznlp.process(text)              # a Document (dataclasses); doc.to_dict() is the JSON
    nlp = kznlp.load()                     # load the NER model once
    docs = list(nlp.process_many(texts, batch_size=8))
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kznlp.errors import ArchiveError, FetchError, InputError, KznlpError, ModelError
from kznlp.records import Action, Decision, Document, Entity, Figure, Mention, Official, Rejected

if TYPE_CHECKING:
    from kznlp.pipeline import Pipeline

__version__ = "0.1.0"
__all__ = [
    "Action", "ArchiveError", "Decision", "Document", "Entity", "FetchError", "Figure", "InputError",
    "KznlpError", "Mention", "ModelError", "Official", "Pipeline", "Rejected", "load", "process",
]

_default_pipeline = None


def load(model: str | Path | None = None, *, verbose: bool = False) -> "Pipeline":
    """A pipeline with the NER model and the action gate loaded (the shipped model unless ``model`` is
    given); about 8 s, so load once and reuse it.  Quiet unless ``verbose`` (transformers' loading bars)."""
    from kznlp.pipeline import Pipeline

    return Pipeline(model, verbose=verbose)


def process(text: str, *, doc_id: str = "doc", title: str | None = None, published: str | None = None,
            model: str | Path | None = None, alphabet: str | None = "auto", verbose: bool = False) -> Document:
    """Process one text with a pipeline loaded once per process.  Latin-script (2021, 2018, 2017
    alphabets) and Arabic-script Kazakh is converted to Cyrillic first; ``alphabet`` forces one
    (``2021``, ``2018``, ``2017``, ``digraph``, ``arab``) or, None, turns conversion off.  The first call
    loads the model (``load()``); ``verbose`` shows transformers' loading bars."""
    global _default_pipeline
    if model is not None:
        return load(model, verbose=verbose).with_alphabet(alphabet).process(text, doc_id=doc_id, title=title, published=published)
    if _default_pipeline is None:
        _default_pipeline = load(verbose=verbose)
    pipeline = _default_pipeline if alphabet == "auto" else _default_pipeline.with_alphabet(alphabet)
    return pipeline.process(text, doc_id=doc_id, title=title, published=published)


def __getattr__(name: str):
    if name == "Pipeline":
        from kznlp.pipeline import Pipeline

        return Pipeline
    raise AttributeError(name)
