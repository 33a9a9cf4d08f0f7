"""Kazakh Latin (2021 alphabet, and the 2018 acute-accent letters) to Cyrillic, from
``kznlp/resources/kk/latin_to_cyrillic.tsv``; the pipeline's rules are written for Cyrillic.

>>> latin_to_cyrillic("Qazaqstan Respublikasynyñ Ükımetı")
'Қазақстан Республикасының Үкіметі'
"""

from __future__ import annotations

import re
from functools import cache

from kznlp.resources import read_table


@cache
def _table() -> tuple[dict[str, str], re.Pattern]:
    table = {row[0]: row[1] for row in read_table("latin_to_cyrillic.tsv") if len(row) >= 2}
    keys = sorted(table, key=len, reverse=True)
    return table, re.compile("|".join(re.escape(k) for k in keys))


CYRILLIC_VOWELS = set("аәеиоөұүыіуэюяАӘЕИОӨҰҮЫІУЭЮЯ")


def latin_to_cyrillic(text: str) -> str:
    """Letter by letter, longest match first; digits, punctuation and other scripts pass through.
    "i" is both и and й in the 2021 alphabet: after a vowel it is й ("boiynşa" -> "бойынша").

    >>> latin_to_cyrillic("boiynşa")
    'бойынша'
    """
    table, pattern = _table()
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        between = text[last:match.start()]
        out.append(between)
        letter = table[match.group(0)]
        previous = between[-1:] if between else (out[-2][-1:] if len(out) > 1 else "")
        if letter in ("и", "И") and previous and previous in CYRILLIC_VOWELS:
            letter = "й" if letter == "и" else "Й"
        out.append(letter)
        last = match.end()
    out.append(text[last:])
    return "".join(out)
