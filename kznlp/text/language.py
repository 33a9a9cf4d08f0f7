"""Which language and script a text is in: Kazakh (Cyrillic or 2021 Latin), Russian, English.

Kazakh Cyrillic has nine letters Russian lacks (ә ғ қ ң ө ұ ү һ і); a handful of them per hundred
letters is decisive.  Kazakh Latin (2021) has its own diacritics (á ǵ ń ó ú ş ı).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KAZAKH_CYRILLIC = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
KAZAKH_LATIN = set("áǵńóúşıÁǴŃÓÚŞİ")
KAZAKH_WORDS = {"және", "бойынша", "үшін", "деп", "бұл", "осы", "мен", "жылы", "туралы"}
RUSSIAN_WORDS = {"и", "в", "не", "на", "что", "с", "по", "это", "для", "как", "из", "года"}
ENGLISH_WORDS = {"the", "and", "of", "to", "in", "is", "for", "that", "with", "on"}
WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # "kk", "ru", "en", "und"
    script: str  # "cyrl", "latn", "arab", "und"


def detect_language(text: str, *, sample: int = 20000) -> Language:
    """Guess from the first ``sample`` characters.

    >>> detect_language("Алматы қаласының әкімі шешім қабылдады.")
    Language(code='kk', script='cyrl')
    >>> detect_language("Президент поручил правительству подготовить программу.")
    Language(code='ru', script='cyrl')
    """
    head = text[:sample]
    cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in head)
    latin = sum(ch.isascii() and ch.isalpha() for ch in head) + sum(ch in KAZAKH_LATIN for ch in head)
    arabic = sum("\u0600" <= ch <= "\u06ff" for ch in head)
    if max(cyrillic, latin, arabic) < 10:
        return Language("und", "und")
    words = [w.lower() for w in WORD.findall(head)]
    if arabic > max(cyrillic, latin):
        return Language("kk", "arab")  # Kazakh Arabic script (tote jazu) is the only one we expect
    if cyrillic >= latin:
        kazakh_letters = sum(ch in KAZAKH_CYRILLIC for ch in head)
        kazakh_words = sum(w in KAZAKH_WORDS for w in words)
        russian_words = sum(w in RUSSIAN_WORDS for w in words)
        if kazakh_letters >= max(2, 0.01 * cyrillic) or kazakh_words > russian_words:
            return Language("kk", "cyrl")
        return Language("ru", "cyrl")
    if sum(ch in KAZAKH_LATIN for ch in head) >= max(2, 0.005 * latin):
        return Language("kk", "latn")
    if sum(w in ENGLISH_WORDS for w in words) >= max(1, len(words) // 50):
        return Language("en", "latn")
    return Language("und", "latn")
