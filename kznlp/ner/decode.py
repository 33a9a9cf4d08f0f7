"""BIO-constrained Viterbi decoding: the best tag path that is valid IOB2."""

from __future__ import annotations

from functools import cache

import numpy as np


@cache
def _allowed(tags: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Transition mask (from, to) and start mask: ``I-X`` may only follow ``B-X`` or ``I-X``."""
    n = len(tags)
    trans = np.ones((n, n), dtype=bool)
    start = np.ones(n, dtype=bool)
    for j, tag in enumerate(tags):
        if tag.startswith("I-"):
            start[j] = False
            cls = tag[2:]
            for i, prev in enumerate(tags):
                trans[i, j] = prev in (f"B-{cls}", f"I-{cls}")
    return trans, start


def viterbi_iob2(log_probs: np.ndarray, tags: tuple[str, ...]) -> list[int]:
    """Tag ids for a ``(length, n_tags)`` matrix of log-probabilities."""
    length = log_probs.shape[0]
    if length == 0:
        return []
    trans, start = _allowed(tags)
    penalty = np.where(trans, 0.0, -1e9)
    score = np.where(start, log_probs[0], -1e9)
    back = np.zeros((length, len(tags)), dtype=np.int64)
    for t in range(1, length):
        candidates = score[:, None] + penalty
        back[t] = candidates.argmax(0)
        score = candidates.max(0) + log_probs[t]
    path = [int(score.argmax())]
    for t in range(length - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]
