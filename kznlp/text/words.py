"""Splitting text into words the way KazNERD does: punctuation apart, hyphenated suffixes kept."""

from __future__ import annotations

import re

# Order matters: decimals and dates before plain words, so "1,6" and "15.01.2024" stay whole.
WORD = re.compile(
    r"\d+(?:[.,]\d+)+(?:-[^\W_]+)?"  # 1,6  15.01.2024  9,7-ге
    r"|%(?:-[^\W_]+)?"  # %  %-ға
    r"|[а-яёәғқңөұүһі]{3,}(?=\d)"  # "ішінде13": a lost space, two words (not "G4", "A320")
    r"|[^\W_]+(?:[-'’][^\W_]+)*"  # words, Wi-Fi-ға, 2017-нші, сондай-ақ
    r"|\S"  # any other single character
)


def word_spans(text: str) -> list[tuple[int, int]]:
    """Character ``(start, end)`` of each word in ``text``.

    >>> [("Б.Сағынтаев, 3 мыңға"[s:e]) for s, e in word_spans("Б.Сағынтаев, 3 мыңға")]
    ['Б', '.', 'Сағынтаев', ',', '3', 'мыңға']
    """
    return [m.span() for m in WORD.finditer(text)]
