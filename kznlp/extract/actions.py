"""The action gate: rules propose sentences that may hold an action item, a learned model decides.

Cue words (``resources/kk/action_cues.tsv``: тапсыр-, жүкте-, қажет, керек, тиіс, jussives in
-сын/-сін, imperatives in -ңыздар, сөгіс, тағайында-, …) propose candidate sentences. Each is
scored by a logistic regression over the shipped encoder's mean-pooled sentence vector and the cue
flags (``models/kk-actions``, trained by ``scripts/train_actions.py`` on the tune part of the gold
corpus). The decision rules' running-text sentences are kept only when the gate agrees (their lists after
"шешім қабылдады:" always); candidates the rules missed and the gate accepts become new decisions, their action read by
``decisions.action_from_sentence``.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Sequence

import numpy as np

from kznlp.records import Decision, Official
from kznlp.resources import read_table
from kznlp.text.segment import LIST_ITEM, sentence_spans

DEFAULT_GATE = Path(__file__).resolve().parents[2] / "models" / "kk-actions"
MAX_SENTENCE_CHARS = 1200


@cache
def cues() -> tuple[tuple[re.Pattern, str], ...]:
    return tuple((re.compile(r"(?<!\w)" + pattern, re.I), kind) for pattern, kind in read_table("action_cues.tsv"))


@dataclass(frozen=True, slots=True)
class Candidate:
    start: int
    end: int
    cue_start: int  # the cue that governs the sentence: its last one
    cue_end: int
    cue_kind: str  # "formula", "own" or "by_order" (action_cues.tsv)
    flags: tuple[float, ...]  # one per cue pattern, then a few layout flags


def candidates(text: str) -> list[Candidate]:
    """Sentences (and list items) with at least one cue word."""
    out = []
    for s, e in sentence_spans(text):
        chunk = text[s:e]
        if len(chunk) > MAX_SENTENCE_CHARS:
            continue
        found = [(m.start(), m.end(), kind, k) for k, (pattern, kind) in enumerate(cues())
                 for m in pattern.finditer(chunk)]
        if not found:
            continue
        flags = [0.0] * len(cues())
        for _, _, _, k in found:
            flags[k] = 1.0
        found = [f for f in found if not any(o[0] <= f[0] and f[1] < o[1] for o in found)]  # inside a longer cue
        before = text[max(0, s - 3):s].rstrip()
        flags += [float(bool(LIST_ITEM.match(chunk)) and chunk[:1] in "-–—•0123456789"), float(before.endswith(":")),
                  float("«" in chunk or "»" in chunk or "“" in chunk), min(len(chunk.split()), 60) / 60.0,
                  float(sum(ch.isupper() for ch in chunk) > 0.6 * sum(ch.isalpha() for ch in chunk))]
        # Kazakh puts the main verb last: the last cue is the one that governs the sentence
        cue_start, cue_end, kind, _ = max(found, key=lambda f: (f[0], f[2] != "own"))  # a formula wins a tie
        out.append(Candidate(s, e, s + cue_start, s + cue_end, kind, tuple(flags)))
    return out


def encoder_vectors(tagger, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
    """Mean-pooled, L2-normalised last hidden states of the NER model's encoder, one row per text."""
    import torch

    if not texts:
        return np.zeros((0, tagger.model.config.hidden_size), dtype=np.float32)
    base = tagger.model.base_model
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths share a batch: less padding
    out = np.zeros((len(texts), tagger.model.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for k in range(0, len(order), batch_size):
            chunk = order[k:k + batch_size]
            enc = tagger.tokenizer([texts[i] for i in chunk], truncation=True, max_length=128, padding=True,
                                   return_tensors="pt")
            hidden = base(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state.float()
            mask = enc["attention_mask"].unsqueeze(-1).float()
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            out[chunk] = torch.nn.functional.normalize(pooled, dim=-1).numpy()
    return out


def encoder_fingerprint(tagger) -> str:
    """Which encoder the gate was trained on: vocabulary size, width and a few embedding values."""
    emb = tagger.model.base_model.embeddings.word_embeddings.weight.detach()
    return f"{emb.shape[0]}x{emb.shape[1]}:" + ",".join(f"{float(v):.4f}" for v in emb[100, :4])


class ActionGate:
    """Scores candidate sentences with the shipped logistic regression."""

    def __init__(self, path: str | Path = DEFAULT_GATE):
        config = json.loads((Path(path) / "gate.json").read_text("utf-8"))
        self.weights = np.asarray(config["weights"], dtype=np.float32)
        self.bias = float(config["bias"])
        self.keep = float(config["keep_threshold"])
        self.add = float(config["add_threshold"])
        self.fingerprint = config["encoder_fingerprint"]
        self.model_only_add = float(config.get("model_only_add_threshold", self.add))
        self.use_rules = True

    @classmethod
    def load_for(cls, tagger, path: str | Path = DEFAULT_GATE) -> "ActionGate | None":
        """The gate, or None where it is missing or was trained on another encoder (then rules alone)."""
        if not (Path(path) / "gate.json").exists():
            return None
        gate = cls(path)
        return gate if gate.fingerprint == encoder_fingerprint(tagger) else None

    def probabilities(self, vectors: np.ndarray, found: Sequence[Candidate], ruled: Sequence[bool]) -> np.ndarray:
        if not found:
            return np.zeros(0)
        x = feature_matrix(vectors, found, ruled)
        return 1.0 / (1.0 + np.exp(-(x @ self.weights + self.bias)))


def feature_matrix(vectors: np.ndarray, found: Sequence[Candidate], ruled: Sequence[bool]) -> np.ndarray:
    """Encoder vector, cue and layout flags, and whether a decision rule fired on the sentence."""
    flags = np.asarray([c.flags + (float(r),) for c, r in zip(found, ruled)], dtype=np.float32)
    return np.concatenate([vectors, flags], axis=1)


def _spans(decision: Decision) -> list[tuple[int, int]]:
    """The decision's sentence and its actions' spans (list items lie after the sentence)."""
    return [(decision.start, decision.end)] + [(a.start, a.end) for a in decision.actions if a.start >= 0]


def _overlapping(found: Sequence[Candidate], starts: list[int], start: int, end: int) -> list[int]:
    """Indices of the candidates overlapping ``[start, end)``. Candidates are sentences in text order and
    do not overlap, so a binary search over their starts finds them: linear in sentences on long texts."""
    k = max(0, bisect.bisect_right(starts, start) - 1)
    out = []
    while k < len(found) and found[k].start < end:
        if start < found[k].end:
            out.append(k)
        k += 1
    return out


def ruled_by(found: Sequence[Candidate], decisions: Sequence[Decision]) -> list[bool]:
    """Whether a decision rule fired on each candidate sentence."""
    starts = [c.start for c in found]
    ruled = [False] * len(found)
    for decision in decisions:
        for s, e in _spans(decision):
            for k in _overlapping(found, starts, s, e):
                ruled[k] = True
    return ruled


def gate_decisions(text: str, decisions: Sequence[Decision], found: Sequence[Candidate], probs: np.ndarray,
                   people: list[Official], *, keep: float, add: float, use_rules: bool = True,
                   published: date | None = None) -> list[Decision]:
    """Rule decisions the gate keeps, plus decisions for accepted candidates the rules did not cover."""
    from kznlp.extract.decisions import SentenceContext, action_from_sentence, jaccard_words

    starts = [c.start for c in found]
    out: list[Decision] = []
    if use_rules:
        for decision in decisions:
            scores = [float(probs[k]) for s, e in _spans(decision) for k in _overlapping(found, starts, s, e)]
            listed = decision.text.rstrip().endswith(":") and decision.actions  # "шешім қабылдады: 1) … 2) …"
            if not scores or max(scores) >= keep or listed:
                out.append(decision)
    covered = ruled_by(found, out)
    context = SentenceContext.of(text, people)
    seen = [a.text for d in out for a in d.actions]
    for k, (candidate, p) in enumerate(zip(found, probs)):
        if p < add or covered[k]:
            continue
        made = action_from_sentence(text, candidate.start, candidate.end, candidate.cue_start, candidate.cue_end,
                                    candidate.cue_kind, people, published=published, context=context)
        if made is None:
            continue
        # the headline repeated in the lead is one action (compared with the last few found)
        fresh = tuple(a for a in made.actions if not any(jaccard_words(a.text, t) >= 0.6 for t in seen[-20:]))
        if fresh:
            out.append(replace(made, actions=fresh))
            seen.extend(a.text for a in fresh)
    return sorted(out, key=lambda d: d.start)


def apply_gate(gate: ActionGate, tagger, text: str, decisions: Sequence[Decision], people: list[Official], *,
               published: date | None = None) -> list[Decision]:
    found = candidates(text)
    vectors = encoder_vectors(tagger, [text[c.start:c.end] for c in found])
    probs = gate.probabilities(vectors, found, ruled_by(found, decisions))
    return gate_decisions(text, decisions, found, probs, people, keep=gate.keep, add=gate.add,
                          use_rules=gate.use_rules, published=published)

