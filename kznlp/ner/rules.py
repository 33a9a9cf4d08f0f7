"""Rule-made entities the statistical model tends to miss in press releases.

A quoted name followed by a head noun from ``resources/kk/org_heads.tsv`` is an organisation or
a project: «Nur Otan» партиясы, "Бақытты отбасы – Алматы" қоры, "Мобильді халыққа көмек" жобасы.
As in KazNERD, the entity is the name inside the quotes.
"""

from __future__ import annotations

import re
from functools import cache

from kznlp.records import Entity
from kznlp.resources import casefold, read_table
from kznlp.text.morph import split_case

OPENING = "«\"“„"
CLOSING = "»\"”“"
MAX_NAME_CHARS = 80


@cache
def _heads() -> dict[str, str]:
    return {casefold(word): label for word, label in read_table("org_heads.tsv")}


def _head_label(after: str) -> str | None:
    words = re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", after[:60])
    for size in (2, 1):
        if len(words) >= size:
            phrase = casefold(" ".join(words[:size]))
            for candidate in (phrase, split_case(phrase)[0]):
                if candidate in _heads():
                    return _heads()[candidate]
    return None


def quoted_name_entities(text: str) -> list[Entity]:
    """Entities for quoted names that a head noun right after the closing quote classifies."""
    found = []
    for close in re.finditer(rf"[{re.escape(CLOSING)}](?=\s+[^\W\d_])", text):
        label = _head_label(text[close.end():].lstrip())
        if label is None:
            continue
        # the opening quote: nearest one before that starts a word (not the closing quote of another name)
        start = close.start() - 1
        while start >= 0 and close.start() - start <= MAX_NAME_CHARS:
            ch = text[start]
            if ch in OPENING and (start == 0 or not text[start - 1].isalnum()) and start + 1 < len(text) \
                    and not text[start + 1].isspace():
                break
            if ch == "\n":
                start = -1
                break
            start -= 1
        if start < 0 or close.start() - start > MAX_NAME_CHARS:
            continue
        inner_start, inner_end = start + 1, close.start()
        while inner_end > inner_start and text[inner_end - 1].isspace():
            inner_end -= 1
        if inner_end > inner_start and (text[inner_start].isupper() or text[inner_start].isdigit()):
            found.append(Entity(label, text[inner_start:inner_end], inner_start, inner_end))
    return found


def merge_entities(model: list[Entity], rules: list[Entity]) -> list[Entity]:
    """Model entities, with rule entities replacing any they overlap (rules are precise, narrow)."""
    kept = [e for e in model if not any(r.start < e.end and e.start < r.end for r in rules)]
    return sorted(kept + rules, key=lambda e: (e.start, e.end))
