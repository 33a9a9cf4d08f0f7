"""Search stems of a phrase, and whether a phrase names a body.

The archive indexes ``stems_of`` its texts; facets use ``phrase_key`` so that "облыс әкімі", "Облыс әкімі"
and "облыстың әкімі" are one entry, and ``is_body`` so that the organisation facet lists bodies
("Қаржы министрлігі", "аудандық мәслихат", "АҚФ"), not places or posts ("аудан", "Премьер-министр").
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from kznlp.resources import casefold, read_table
from kznlp.text.morph import search_stem, split_case

SEARCH_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
ABBREVIATION = re.compile(r"[^\W\d_a-z]{2,6}")  # ҚР, АҚФ, ІІМ: a body's initials, all capitals

# Stems cached per word: the same words recur across documents, queries and bulk loads.
cached_stem = lru_cache(maxsize=200_000)(search_stem)


def stems_of(text: str) -> str:
    """The stemmed shadow text FTS indexes: "Сағынтаевтың әкімі" -> "сағынтаев әкім"."""
    return " ".join(cached_stem(w) for w in SEARCH_WORD.findall(text or ""))


@lru_cache(maxsize=65_536)  # facets key the same few thousand positions and organisations on every page
def phrase_key(phrase: str) -> str:
    """One key for a phrase in any case and ending.

    >>> phrase_key("Облыс әкімі") == phrase_key("облыс әкімі") == phrase_key("облыстың әкімі")
    True
    """
    return stems_of(phrase)


@cache
def _body_heads() -> frozenset[str]:
    return frozenset(casefold(form) for row in read_table("body_heads.tsv") for form in row)


@lru_cache(maxsize=65_536)
def is_body(name: str) -> bool:
    """Whether ``name`` names a body (its last word is a body's head noun, or initials), not a place or a post.

    >>> [is_body(n) for n in ("Қаржы министрлігі", "облыс әкімдігінің басқармасы", "АҚФ", "аудан", "Премьер-министр")]
    [True, True, True, False, False]
    """
    words = SEARCH_WORD.findall(name or "")
    if not words:
        return False
    last = words[-1]
    return bool(ABBREVIATION.fullmatch(last) and last.isupper()) or split_case(casefold(last))[0] in _body_heads()
