"""Which script a text is written in, per document and per paragraph: ``cyrl``, ``latn``, ``arab``,
``mixed`` (paragraphs in more than one script) or ``und`` (too few letters to tell).

URLs and e-mail addresses do not count, nor do a few Latin brand names in a Cyrillic paragraph.

>>> detect_script("Алматы қаласының әкімі шешім қабылдады.")
'cyrl'
>>> detect_script("Almaty qalasynyñ äkımı şeşım qabyldady.")
'latn'
>>> detect_script("الماتى قالاسىنىڭ اكىمى شەشىم قابىلدادى.")
'arab'
>>> detect_script("Алматы қаласының әкімі шешім қабылдады.\\nAlmaty qalasynyñ äkımı şeşım qabyldady.")
'mixed'
"""

from __future__ import annotations

import re
from functools import cache

from kznlp.records import Paragraph

SCRIPTS = ("cyrl", "latn", "arab", "mixed", "und")
URLISH = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|\b[\w-]+\.(?:kz|com|ru|org|net|qaz|info|news|tv|today)\b\S*",
                    re.I)
MIN_LETTERS = 12  # a paragraph with fewer letters takes the script of its neighbours
MIXED_SHARE = 0.1  # the smaller scripts must hold this share of the letters for a document to be mixed


def letter_script(ch: str) -> str | None:
    if not ch.isalpha():
        return None
    code = ord(ch)
    if 0x0400 <= code <= 0x052F:
        return "cyrl"
    if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0xFB50 <= code <= 0xFEFF:
        return "arab"
    if code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
        return "latn"
    return None


def letter_counts(text: str) -> dict[str, int]:
    counts = {"cyrl": 0, "latn": 0, "arab": 0}
    for ch in URLISH.sub(" ", text):
        script = letter_script(ch)
        if script:
            counts[script] += 1
    return counts


def paragraph_script(text: str) -> str:
    counts = letter_counts(text)
    total = sum(counts.values())
    if total < 3:
        return "und"
    return max(counts, key=counts.get)


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each non-blank line."""
    spans, start = [], 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            spans.append((start, end))
        start = end + 1
    return spans


def script_spans(text: str) -> list[tuple[int, int, str]]:
    """Each paragraph with its script; short ones (a byline, "Adyrna.kz Telegram") take the script of
    the nearest long paragraph before them, else after them."""
    spans = [(s, e, paragraph_script(text[s:e]), sum(letter_counts(text[s:e]).values()))
             for s, e in paragraph_spans(text)]
    out: list[tuple[int, int, str]] = []
    last = None
    for s, e, script, letters in spans:
        if script != "und" and letters >= MIN_LETTERS:
            last = script
        out.append((s, e, script if letters >= MIN_LETTERS or last is None else last))
    following = None
    for i in range(len(out) - 1, -1, -1):
        s, e, script = out[i]
        if spans[i][3] >= MIN_LETTERS and script != "und":
            following = script
        elif script == "und" and following:
            out[i] = (s, e, following)
    return out


def detect_script(text: str) -> str:
    """The document's script; ``mixed`` when paragraphs in a second script hold a real share of it."""
    totals = {"cyrl": 0, "latn": 0, "arab": 0}
    for s, e, script in script_spans(text):
        if script in totals:
            totals[script] += sum(letter_counts(text[s:e]).values())
    letters = sum(totals.values())
    if letters < 3:
        return "und"
    main = max(totals, key=totals.get)
    if letters - totals[main] >= max(MIXED_SHARE * letters, 20):
        return "mixed"
    return main


KAZAKH_ONLY = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
RUSSIAN_WORDS = {"и", "в", "не", "на", "что", "с", "по", "это", "для", "как", "из", "года", "от", "к", "о",
                 "при", "за", "также", "был", "была", "были", "его", "её", "который", "которые", "или",
                 "а", "но", "до", "у", "со", "об", "во"}
WORD = re.compile(r"[^\W\d_]+")


def paragraph_language(text: str, default: str) -> str:
    """``ru`` for a Russian paragraph in Cyrillic (no Kazakh letter at all, and Russian words or enough
    letters to be sure), else ``default``: Kazakh paragraphs without a Kazakh letter are rare and short."""
    letters = sum(1 for ch in text if "\u0400" <= ch <= "\u04ff")
    if letters < 20 or any(ch in KAZAKH_ONLY for ch in text):
        return default
    words = [w.lower() for w in WORD.findall(text)]
    if sum(w in RUSSIAN_WORDS for w in words) >= 1 or letters >= 60:
        return "ru"
    return default


def paragraphs(text: str, original_scripts: list[str] | None = None, language: str = "kk") -> tuple[Paragraph, ...]:
    """The paragraphs of a (Cyrillic) text with the script each was written in and its language."""
    spans = paragraph_spans(text)
    scripts = original_scripts or [paragraph_script(text[s:e]) for s, e in spans]
    return tuple(Paragraph(s, e, script, paragraph_language(text[s:e], language) if script in ("cyrl", "und")
                           else language) for (s, e), script in zip(spans, scripts))


WORD_LETTERS = re.compile(r"[^\W\d_]+")


@cache
def _lookalikes() -> dict[str, str]:
    from kznlp.resources import read_table

    return dict(read_table("lookalikes.tsv"))


def fix_lookalikes(text: str) -> str:
    """``text`` with the Latin lookalikes inside Cyrillic words made Cyrillic; same length, so offsets hold.

    >>> fix_lookalikes("Егiндiкөл ауданы, iPhone")
    'Егіндікөл ауданы, iPhone'
    """
    table = _lookalikes()
    chars = None
    for m in WORD_LETTERS.finditer(text):
        word = m.group()
        scripts = [letter_script(ch) for ch in word]
        latin = scripts.count("latn")
        if not latin or scripts.count("cyrl") < latin or any(s == "latn" and ch not in table for s, ch in zip(scripts, word)):
            continue
        chars = chars if chars is not None else list(text)
        for k, ch in enumerate(word, m.start()):
            chars[k] = table.get(ch, ch)
    return text if chars is None else "".join(chars)
