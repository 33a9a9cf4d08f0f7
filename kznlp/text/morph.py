"""Kazakh suffix stripping with consonant assimilation in mind.

Kazakh inflects the last word of a noun phrase only, and an ending's first consonant agrees with
the stem's last sound (Сағынтаев-тың, Ахметов-ке, Алматы-ның, әкімі-нің).  We only strip an ending
where that agreement holds, which keeps names such as "Нұрсұлтан" (л + тан never occurs) whole.
"""

from __future__ import annotations

from functools import cache

from kznlp.resources import read_table

VOWELS = set("аәеёиоөұүыіэюя")  # "у" after a vowel acts as a consonant: бөлу-ді, Атырау-дың
SONORANTS = set("лрйу")
NASALS = set("мнң")
VOICED = set("жз")
POSSESSIVE_TAILS = ("сы", "сі", "ы", "і")


def letter_class(stem: str) -> set[str]:
    """Which assimilation classes the stem's end belongs to (a stem in -ы/-і can also be possessive)."""
    last = stem[-1].lower()
    classes = set()
    if last in VOWELS:
        classes.add("V")
        if stem.lower().endswith(POSSESSIVE_TAILS):
            classes.add("P")
    elif last in SONORANTS:
        classes.add("S")
    elif last in NASALS:
        classes.add("N")
    elif last in VOICED:
        classes.add("Z")
    elif last.isalpha():
        classes.add("T")
    return classes


@cache
def _endings(table: str, longest_first: bool = True) -> tuple[tuple[str, str, frozenset[str]], ...]:
    rows = [(end, kind, frozenset(after.split())) for end, kind, after in read_table(table)]
    return tuple(sorted(rows, key=lambda r: -len(r[0]) if longest_first else len(r[0])))


@cache
def _unsplittable() -> frozenset[str]:
    return frozenset(row[0].lower() for row in read_table("no_strip.tsv"))


def _has_vowel(text: str) -> bool:
    return any(ch.lower() in VOWELS or ch.lower() == "у" for ch in text)


def split_case(word: str, *, min_stem: int = 2) -> tuple[str, str | None]:
    """``(stem, case)`` with one case ending removed, or ``(word, None)``.

    >>> split_case("Сағынтаевтың")
    ('Сағынтаев', 'genitive')
    >>> split_case("әкіміне")
    ('әкімі', 'dative')
    >>> split_case("Нұрсұлтан")
    ('Нұрсұлтан', None)
    """
    lower = word.lower()
    if lower in _unsplittable():
        return word, None
    for ending, case, after in _endings("case_endings.tsv"):
        if not lower.endswith(ending) or len(word) - len(ending) < min_stem:
            continue
        stem = word[: -len(ending)]
        if _has_vowel(stem) and letter_class(stem) & after:
            return stem, case
    return word, None


def strip_case(word: str) -> str:
    """The word without its case ending (names keep everything else)."""
    return split_case(word)[0]


def search_stem(word: str) -> str:
    """A stem for full-text search: case, then possessive and plural endings removed.

    Shortest possessive ending first ("кеңес-і", not "кеңе-сі"): a stem that keeps a letter too
    many still matches as a prefix of the query's stem, while one cut too short would not.

    >>> [search_stem(w) for w in ("әкімдерге", "әкімі", "Сағынтаевтың", "кеңесінің")]
    ['әкім', 'әкім', 'сағынтаев', 'кеңес']
    """
    stem = split_case(word.lower(), min_stem=3)[0]
    if stem in _unsplittable():
        return stem
    for _ in range(2):
        for ending, _kind, after in _endings("plural_possessive.tsv", longest_first=False):
            rest = stem[: -len(ending)]
            if stem.endswith(ending) and len(rest) >= 3 and _has_vowel(rest) and letter_class(rest) & after:
                stem = rest
                break
        else:
            break
    return stem


@cache
def _verb_endings() -> tuple[str, ...]:
    return tuple(row[0] for row in read_table("verb_endings.tsv"))


def looks_like_verb(word: str) -> bool:
    """Does ``word`` end like a verb form (participle, converb, finite verb)?

    >>> [looks_like_verb(w) for w in ("отырған", "деді", "көрсетілді", "әкімі", "қатысып")]
    [True, True, True, False, True]
    """
    lower = word.lower()
    return len(lower) > 3 and lower.endswith(_verb_endings()) and lower not in _unsplittable()
