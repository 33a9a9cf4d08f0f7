"""Exact-match entity scores with seqeval's strict IOB2 semantics.

A span starts only at a ``B-`` tag and continues over ``I-`` tags of the same class; a stray
``I-`` tag (no ``B-`` before it) starts no entity, as in ``seqeval`` with ``mode="strict"``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence


def iob2_spans(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """``(label, start, end)`` token spans, end exclusive."""
    spans = []
    label, start = None, 0
    for i, tag in enumerate(tags):
        prefix, _, cls = tag.partition("-")
        if label is not None and not (prefix == "I" and cls == label):
            spans.append((label, start, i))
            label = None
        if prefix == "B":
            label, start = cls, i
    if label is not None:
        spans.append((label, start, len(tags)))
    return spans


@dataclass(frozen=True, slots=True)
class ClassScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def entity_scores(gold: Iterable[Sequence[str]], predicted: Iterable[Sequence[str]]):
    """Per-class scores (sorted by label) and the micro average as ``ClassScore('micro', ...)``."""
    tp, n_pred, n_gold = Counter(), Counter(), Counter()
    for g_tags, p_tags in zip(gold, predicted, strict=True):
        g = set(iob2_spans(g_tags))
        p = set(iob2_spans(p_tags))
        for span in g:
            n_gold[span[0]] += 1
        for span in p:
            n_pred[span[0]] += 1
        for span in g & p:
            tp[span[0]] += 1
    rows = [ClassScore(c, *_prf(tp[c], n_pred[c], n_gold[c]), n_gold[c])
            for c in sorted(set(n_gold) | set(n_pred))]
    micro = ClassScore("micro", *_prf(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values())),
                       sum(n_gold.values()))
    return rows, micro
