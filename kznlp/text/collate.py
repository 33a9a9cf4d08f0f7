"""Sorting names and labels in the order of the Kazakh alphabet (А Ә Б В Г Ғ Д … І Ь Э Ю Я), not in code
point order (which puts Ә Ғ Қ Ң Ө Ұ Ү Һ І after Я).  The order is data (``resources/kk/collation.tsv``).

``sort_key`` gives a string whose code point order is the Kazakh order, so one key serves both Python
(``sorted(names, key=sort_key)``) and SQLite (``ORDER BY kz_sort(name)``, registered by
``kznlp.store.filters.register_functions``: SQLite compares strings by code point).
"""

from __future__ import annotations

import unicodedata
from functools import cache, lru_cache

from kznlp.resources import read_table

_SEPARATOR = 0x20  # between the letters' key and the text itself, which breaks ties (case): below every weight
_SPACE, _PUNCTUATION, _DIGIT, _LETTER, _OTHER = 0x100, 0x200, 0x300, 0x400, 0x10000  # _OTHER: past the surrogates


@cache
def _weights() -> dict[str, int]:
    weights: dict[str, int] = {}
    for rank, (letter, *same) in enumerate(read_table("collation.tsv")):
        for spelling in (letter, *(same[0].split() if same else ())):
            weights.setdefault(spelling, _LETTER + rank)
    return weights


def _weight(char: str) -> int:
    if (weight := _weights().get(char)) is not None:
        return weight
    if char.isspace():
        return _SPACE
    if char.isdigit() and char.isascii():
        return _DIGIT + ord(char)
    if not char.isalnum():
        return _PUNCTUATION + min(ord(char), 0xFF)  # "-", "«", "." before digits and letters
    return min(_OTHER + ord(char), 0x10FFFF)  # other scripts, in code point order, after all listed letters


@lru_cache(maxsize=65_536)
def sort_key(text: str | None) -> str:
    """A key that sorts ``text`` in Kazakh alphabetical order: letters case-insensitively first, then the
    text itself (so "ақ" and "Ақ" keep one order); None and "" first.

    >>> sorted(["Құмар", "Олжас", "Әбілқайыр", "Ілияс", "Алтай", "Ғалым", "Ерлан", "Яна", "Үміт", "Ұлан"], key=sort_key)
    ['Алтай', 'Әбілқайыр', 'Ғалым', 'Ерлан', 'Құмар', 'Олжас', 'Ұлан', 'Үміт', 'Ілияс', 'Яна']
    >>> sorted(["Kazinform", "Қазақпарат", "Абай"], key=sort_key)
    ['Абай', 'Қазақпарат', 'Kazinform']
    """
    if not text:
        return ""
    folded = unicodedata.normalize("NFC", text).casefold()
    return "".join(chr(_weight(c)) for c in folded) + chr(_SEPARATOR) + text
