"""The figure gate: rules propose figures, a learned model decides which a reader would count.

``figures.find_figures`` reads every number it can (digits and number words, units, qualifiers).
Many are not facts a reader wants: a bare "2" in "2 мәселе талқыланды", an age, a house number, a
count the rules could not rule out. Each proposed figure is scored by a logistic regression over the
shipped encoder's hidden states on the figure's own words (read in their sentence, so the vector
carries the context) and a few flags (unit, number word, qualifier, subject, suffix, title line).
``models/kk-figures/gate.json`` is trained by ``scripts/train_figures.py`` on the tune part of the gold
corpus; figures scoring below its threshold are dropped.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from kznlp.records import Figure
from kznlp.text.segment import sentence_spans

DEFAULT_GATE = Path(__file__).resolve().parents[2] / "models" / "kk-figures"
CONTEXT_CHARS = 300  # each side of a figure: a long sentence is cut around it
UNIT_GROUPS = {  # unit codes in a few groups the flags tell apart
    "percent": "share", "KZT": "money", "USD": "money", "EUR": "money", "RUB": "money", "CNY": "money",
    "person": "people",
}


@dataclass(frozen=True, slots=True)
class _Window:
    start: int
    end: int
    members: tuple[int, ...]  # indices of the figures read in this window


def figure_flags(text: str, figure: Figure) -> tuple[float, ...]:
    """Rule-side features of one proposed figure."""
    group = UNIT_GROUPS.get(figure.unit or "", "other" if figure.unit else "none")
    line_start = text.rfind("\n", 0, figure.start) + 1
    first_line = text.find("\n") == -1 or figure.start < text.find("\n")
    number_word = not any(ch.isdigit() for ch in figure.text)
    value = abs(float(figure.value))
    return (
        float(group == "none"), float(group == "money"), float(group == "share"), float(group == "people"),
        float(group == "other"), float(number_word), float(figure.qualifier is not None),
        float(bool(figure.subject)), float("-" in figure.text), float(value < 10), float(value < 100),
        float(value >= 1000), float(float(figure.value) != int(float(figure.value))), float(first_line),
        float(not text[line_start:figure.start].strip()),
    )


def _windows(text: str, spans: Sequence[tuple[int, int]]) -> list[_Window]:
    """The sentence of each span, cut to CONTEXT_CHARS each side; spans of one sentence share it."""
    sentences = sentence_spans(text)
    starts = [s for s, _ in sentences]
    groups: dict[tuple[int, int], list[int]] = {}
    for k, (start, end) in enumerate(spans):
        i = bisect.bisect_right(starts, start) - 1
        s, e = sentences[i] if i >= 0 and start < sentences[i][1] else (start, end)
        s, e = max(s, start - CONTEXT_CHARS), min(max(e, end), end + CONTEXT_CHARS)
        groups.setdefault((max(0, s), min(len(text), e)), []).append(k)
    return [_Window(s, e, tuple(members)) for (s, e), members in groups.items()]


def figure_vectors(tagger, text: str, figures: Sequence[Figure], batch_size: int = 32) -> np.ndarray:
    """Mean of the encoder's last hidden states over each figure's sub-words, L2-normalised."""
    return span_vectors(tagger, text, [(f.start, f.end) for f in figures], batch_size)


def span_vectors(tagger, text: str, spans: Sequence[tuple[int, int]], batch_size: int = 32) -> np.ndarray:
    """Mean of the encoder's last hidden states over the sub-words of each span of ``text``, read in its
    sentence, L2-normalised: one row per span."""
    import torch

    width = tagger.model.config.hidden_size
    out = np.zeros((len(spans), width), dtype=np.float32)
    windows = _windows(text, spans)
    base = tagger.model.base_model
    with torch.inference_mode():
        for k in range(0, len(windows), batch_size):
            chunk = windows[k:k + batch_size]
            enc = tagger.tokenizer([text[w.start:w.end] for w in chunk], truncation=True, max_length=160,
                                   padding=True, return_tensors="pt", return_offsets_mapping=True)
            offsets = enc.pop("offset_mapping").numpy()
            hidden = base(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state
            hidden = hidden.float().numpy()
            for row, window in enumerate(chunk):
                for index in window.members:
                    s, e = spans[index][0] - window.start, spans[index][1] - window.start
                    inside = (offsets[row, :, 1] > s) & (offsets[row, :, 0] < e) & (offsets[row, :, 1] > 0)
                    if not inside.any():  # cut off by truncation: the whole window stands in
                        inside = enc["attention_mask"][row].numpy().astype(bool)
                    vector = hidden[row, inside].mean(0)
                    out[index] = vector / max(float(np.linalg.norm(vector)), 1e-6)
    return out


N_FLAGS = len(figure_flags("1", Figure("1", 1, None, None, None, 0, 1)))


def feature_matrix(tagger, text: str, figures: Sequence[Figure]) -> np.ndarray:
    """Encoder vector and flags of each proposed figure, one row each."""
    if not figures:
        return np.zeros((0, tagger.model.config.hidden_size + N_FLAGS), dtype=np.float32)
    flags = np.asarray([figure_flags(text, f) for f in figures], dtype=np.float32)
    return np.concatenate([figure_vectors(tagger, text, figures), flags], axis=1)


class FigureGate:
    """Scores proposed figures with the shipped logistic regression."""

    def __init__(self, path: str | Path = DEFAULT_GATE):
        config = json.loads((Path(path) / "gate.json").read_text("utf-8"))
        self.weights = np.asarray(config["weights"], dtype=np.float32)
        self.bias = float(config["bias"])
        self.threshold = float(config["threshold"])
        self.fingerprint = config["encoder_fingerprint"]

    @classmethod
    def load_for(cls, tagger, path: str | Path = DEFAULT_GATE) -> "FigureGate | None":
        """The gate, or None where it is missing or was trained on another encoder (then rules alone)."""
        from kznlp.extract.actions import encoder_fingerprint

        if getattr(tagger, "model", None) is None or not (Path(path) / "gate.json").exists():
            return None  # a stand-in tagger without an encoder, or no gate: the rules alone
        gate = cls(path)
        return gate if gate.fingerprint == encoder_fingerprint(tagger) else None

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        if not len(features):
            return np.zeros(0)
        return 1.0 / (1.0 + np.exp(-(features @ self.weights + self.bias)))

    def keep(self, tagger, text: str, figures: Sequence[Figure]) -> list[Figure]:
        probs = self.probabilities(feature_matrix(tagger, text, figures))
        return [f for f, p in zip(figures, probs) if p >= self.threshold]
