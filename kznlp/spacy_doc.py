"""A processed Document as a spaCy ``Doc``: the container other spaCy tools expect.

spaCy has no Kazakh language class, so the vocabulary is ``spacy.blank("xx")``'s and the words
are kznlp's own (KazNERD-style) word split.  Entities go to ``doc.ents``; officials, figures,
decisions and actions go to span groups, with the records themselves in ``doc.user_data``.
"""

from __future__ import annotations

from functools import cache

from kznlp.records import Document
from kznlp.text.words import word_spans


@cache
def _blank():
    import spacy

    return spacy.blank("xx")


def to_spacy(document: Document):
    """``doc.ents`` = entities; ``doc.spans`` groups "officials", "figures", "decisions", "actions"."""
    from spacy.tokens import Doc
    from spacy.util import filter_spans

    text = document.text
    spans = word_spans(text)
    words = [text[s:e] for s, e in spans]
    spaces = [spans[i + 1][0] > e if i + 1 < len(spans) else False for i, (_, e) in enumerate(spans)]
    doc = Doc(_blank().vocab, words=words, spaces=spaces)

    def span(start: int, end: int, label: str):
        # character offsets of the original text -> token span; text outside any word is dropped
        return doc.char_span(_shift(spans, start), _shift(spans, end), label=label, alignment_mode="expand")

    doc.ents = filter_spans([s for e in document.entities if (s := span(e.start, e.end, e.label)) is not None])
    doc.spans["officials"] = [s for o in document.officials for m in o.mentions
                              if (s := span(m.start, m.end, o.name)) is not None]
    doc.spans["figures"] = [s for f in document.figures if (s := span(f.start, f.end, f.unit or "number"))]
    doc.spans["decisions"] = [s for d in document.decisions if (s := span(d.start, d.end, d.maker or "decision"))]
    doc.spans["actions"] = [s for d in document.decisions for a in d.actions
                            if a.start >= 0 and (s := span(a.start, a.end, a.frequency or "action"))]
    doc.user_data["kznlp"] = document
    return doc


def _shift(spans: list[tuple[int, int]], offset: int) -> int:
    """Map a character offset of the original text to the rebuilt Doc's text (spaces collapse)."""
    rebuilt = 0
    for i, (s, e) in enumerate(spans):
        if offset <= s:
            return rebuilt
        if offset <= e:
            return rebuilt + offset - s
        rebuilt += e - s + (1 if i + 1 < len(spans) and spans[i + 1][0] > e else 0)
    return rebuilt
