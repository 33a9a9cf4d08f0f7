"""Figures: a number (digits or Kazakh number words), its unit, qualifier and the noun it counts.

"3 мыңға жуық анаға" -> 3000, approx, subject "ана"; "1,6 трлн теңге" -> 1.6e12 KZT;
"67 пайызы" -> 67 percent.  Dates, years, times, ordinals, phone, decree and article numbers are
not figures, and neither is "бір" used as an article ("Бір ай бұрын").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from kznlp.records import Figure
from kznlp.resources import casefold, read_table, word_set
from kznlp.text.dates import month_of
from kznlp.text.morph import looks_like_verb, search_stem, split_case
from kznlp.text.segment import line_at
from kznlp.text.words import word_spans

DIGITS = re.compile(r"^\d+(?:[.,]\d+)?(?:-[^\W\d_]+)?$")  # 1300, 1,6, 500-ден
ORDINAL_SUFFIX = re.compile(r"^\d+-?(?:ші|шы|нші|ншы|інші|ыншы)", re.I)
PLACE_ADJECTIVE = re.compile(r"(?:дағы|дегі|тағы|тегі)$")
APPROX_SUFFIX = re.compile(r"(?:дей|дай|тей|тай)$")
TIME = re.compile(r"^\d{1,2}[.:]\d{2}(?:-[^\W\d_]+)?$")  # "11.00-де", "15:41"
CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b")
THOUSANDS_GROUP = re.compile(r"^\d{3}(?:[.,]\d+)?(?:-[^\W\d_]+)?$")
PHONE = re.compile(r"(?:\+\s?7|\b8)[\s(-]*\d{3,5}[\s)-]*\d{1,3}[\s-]*\d{2}[\s-]*\d{2}\b")
URL = re.compile(r"(?:https?://|www\.)\S+")
REFERENCE_BEFORE = {"№", "n", "no", "бап", "бабы", "тармақ", "тармағы"}
SUBJECT_STOP = {"және", "мен", "бен", "пен", "үшін", "бойынша", "туралы", "дейін", "астам", "жуық", "немесе", "не",
                "әрі", "яғни", "ғана", "да", "де", "та", "те"}
MAX_SUBJECT_WORDS = 3


@dataclass(frozen=True, slots=True)
class _Word:
    text: str
    start: int
    end: int

    @property
    def folded(self) -> str:
        return casefold(self.text)


@cache
def number_words() -> dict[str, tuple[int, str]]:
    return {casefold(w): (int(v), kind) for w, v, kind in read_table("num_words.tsv")}


@cache
def unit_words() -> dict[str, str]:
    return {casefold(row[0]): row[1] for row in read_table("units.tsv")}


@cache
def unit_factors() -> dict[str, float]:
    return {casefold(row[0]): float(row[2]) for row in read_table("units.tsv") if len(row) > 2}


@cache
def qualifier_words() -> dict[str, tuple[str, str]]:
    return {casefold(w): (q, where) for w, q, where in read_table("qualifiers.tsv")}


def _lemma(word: str) -> str:
    """Word without case ending and without a hyphenated suffix ("млн-нан" -> "млн")."""
    folded = casefold(word)
    if "-" in word and not word.startswith("-") and folded not in unit_words():
        folded = folded.split("-")[0]
    return split_case(folded, min_stem=1)[0]


def _number_word(word: str, *, in_number: bool = False) -> tuple[int, str] | None:
    folded = casefold(word)
    table = number_words()
    if folded in word_set("not_numbers.tsv"):
        return None
    if "-" in folded and folded not in table:
        head, _, tail = folded.partition("-")
        if not ((head in table or _lemma(head) in table) and (len(tail) <= 4 or tail in table or _lemma(tail) in table)):
            return None  # a number word only as a whole word: "алтын-валюта" is not 6; "миллиард-қа", "екі-үш" are
    if folded in table:
        return table[folded]
    lemma = _lemma(word)
    if lemma in table:
        return table[lemma]
    if in_number:  # "жиырма жетісі" (twenty-seven of them): possessive on the last number word
        for possessive in ("сы", "сі", "ы", "і"):
            if lemma.endswith(possessive) and lemma[: -len(possessive)] in table:
                return table[lemma[: -len(possessive)]]
    return None


def _inflected(word: str) -> bool:
    return _lemma(word) != casefold(word)


def _read_number(words: list[_Word], i: int) -> tuple[float, int] | None:
    """Value and number of words used, for a number starting at ``words[i]``.

    Kazakh composes numbers left to right: "үш мың бес жүз жиырма бес" = 3*1000 + 5*100 + 20 + 5.
    An inflected number word ends the number ("3 мыңға").
    """
    committed, group, used, j = 0.0, 0.0, 0, i
    if DIGITS.match(words[i].text):
        group, j, used = float(words[i].text.split("-")[0].replace(",", ".")), i + 1, 1
        # "1 300", "15 298 948,6": a space as the thousands separator, a decimal comma in the last group
        if len(words[i].text) <= 3 and words[i].text.isdigit():
            while (j < len(words) and THOUSANDS_GROUP.match(words[j].text)
                   and words[j].start == words[j - 1].end + 1 and words[j - 1].text.isdigit()):
                digits = words[j].text.split("-")[0]
                group, j, used = group * 1000 + float(digits.replace(",", ".")), j + 1, used + 1
        if _inflected(words[j - 1].text):
            return group, used
    while j < len(words):
        entry = _number_word(words[j].text, in_number=used > 0)
        if entry is None:
            break
        value, kind = entry
        if kind in ("unit", "ten"):
            if DIGITS.match(words[i].text):
                break  # "3 бес" is not a number
            group += value
        elif kind == "hundred":
            group = (group or 1) * value
        else:
            committed += (group or 1) * value
            group = 0.0
            j, used = j + 1, used + 1
            if _inflected(words[j - 1].text):
                break
            # "1 трлн 178 млрд", "1 триллион 852 миллиард": digits and a smaller scale word go on
            if (j + 1 < len(words) and DIGITS.match(words[j].text) and words[j].text.isdigit()
                    and (smaller := _number_word(words[j + 1].text, in_number=True)) and smaller[1] == "big"
                    and smaller[0] < value):
                group, j, used = float(words[j].text), j + 1, used + 1
            continue
        j, used = j + 1, used + 1
        if _inflected(words[j - 1].text):
            break
    return (committed + group, used) if used else None


def _is_bare_article(words: list[_Word], i: int, used: int) -> bool:
    """"бір" alone is usually the article "a", not the figure one."""
    return used == 1 and _lemma(words[i].text) == "бір" and not DIGITS.match(words[i].text)


def _clean_value(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 6)


def _subject(words: list[_Word], j: int) -> str | None:
    """The counted noun phrase after position ``j``: up to the first inflected word (its head)."""
    taken: list[str] = []
    k = j
    while k < len(words) and len(taken) < MAX_SUBJECT_WORDS:
        word = words[k]
        if not word.text[:1].isalpha() or word.folded in SUBJECT_STOP or word.folded in qualifier_words():
            break
        if taken and looks_like_verb(word.text):
            break
        stem, case = split_case(word.text)
        if case is None and (place := PLACE_ADJECTIVE.search(word.text)) and len(word.text) - len(place.group(0)) >= 3:
            stem, case = word.text[: place.start()], "locative"  # "жеті аудандағы" -> "аудан"
            if stem.endswith(("ын", "ін")):
                stem = stem[:-1]  # "облысындағы" -> "облысы"
        if case is not None:
            if looks_like_verb(word.text) and case == "accusative":
                break
            taken.append(stem)
            k += 1
            break
        taken.append(word.text)
        k += 1
        if word.text.lower().endswith(("ы", "і", "сы", "сі", "лар", "лер", "дар", "дер", "тар", "тер")):
            break  # possessive or plural: the head noun
    return " ".join(taken) or None


def _metadata_line(text: str, position: int) -> bool:
    """A line of fewer than three words around a number is page furniture, not a sentence."""
    return len(re.findall(r"[^\W\d_]{2,}", line_at(text, position))) < 3


def _unit_word(word: str) -> str | None:
    """The units.tsv entry a (possibly inflected, possessive or adjectival) word stands for."""
    if word.startswith("%"):
        return None if " " in word else "%"
    lemma = _lemma(word)
    for candidate in (casefold(word), lemma, lemma[:-1] if lemma.endswith(("ы", "і")) else None,
                      lemma[:-2] if lemma.endswith(("сы", "сі")) else None,
                      lemma[:-3] if lemma.endswith(("тық", "тік", "лық", "лік", "дық", "дік")) else None,
                      lemma[:-2] if lemma.endswith(("ық", "ік")) else None):
        if candidate and candidate in unit_words():
            return candidate
    return None


def _unit_of(word: str) -> str | None:
    """Unit code of a (possibly inflected or possessive) unit word: "пайызы", "теңгеге", "%-ға"."""
    entry = _unit_word(word)
    return unit_words().get(entry) if entry else None


def _lemma_text(word: str) -> str:
    stem, _ = split_case(word)
    return stem


def find_figures(text: str) -> list[Figure]:
    words = [_Word(text[s:e], s, e) for s, e in word_spans(text)]
    skipped = [m.span() for m in PHONE.finditer(text)] + [m.span() for m in URL.finditer(text)]
    figures: list[Figure] = []
    not_units = word_set("not_figure_units.tsv")  # "жылы", "бабы": a date or an article, not a figure
    i = 0
    while i < len(words):
        word = words[i]
        if ORDINAL_SUFFIX.match(word.text) or any(s <= word.start < e for s, e in skipped) \
                or (i and words[i - 1].folded in REFERENCE_BEFORE) or (i + 1 < len(words) and words[i + 1].text in (":",) and i + 2 < len(words) and DIGITS.match(words[i + 2].text)):
            i += 1
            continue
        suffix = word.text.split("-", 1)[1] if "-" in word.text else ""
        if suffix and (casefold(suffix) in not_units or _lemma(suffix) in not_units):
            i += 1  # "5-бабы", "2024-жылы"
            continue
        if word.text[:1].isdigit() and (_list_marker(text, words, i) or _in_reference_list(words, i, not_units)
                                        or TIME.match(word.text) or _dateline(text, word.start)):
            i += 1  # "1)", "2." opening a line: an item number
            continue
        reading = _read_number(words, i)
        if reading is None or _is_bare_article(words, i, reading[1]) or (i and words[i - 1].folded == "бірнеше"):
            i += 1
            continue
        value, used = reading
        j = i + used
        # a year, date, time, duration, ordinal, article number...
        nxt = words[j] if j < len(words) else None
        if nxt is not None and (_lemma(nxt.text) in not_units or nxt.folded in not_units
                                or month_of(nxt.text) is not None):
            i = j
            continue
        if used == 1 and word.text.isdigit() and len(word.text) == 4 and 1900 <= value <= 2100 \
                and (nxt is None or not _unit_of(nxt.text)):
            i = j  # "2024", "2024-2026": a year
            continue
        unit, qualifier = None, None
        if i > 0:
            before = words[i - 1].folded
            if i > 1 and f"{words[i - 2].folded} {before}" in qualifier_words():
                qualifier = qualifier_words()[f"{words[i - 2].folded} {before}"][0]
            elif before in qualifier_words() and qualifier_words()[before][1] == "before":
                qualifier = qualifier_words()[before][0]
        if nxt is not None and nxt.text == "." and j > i and words[j - 1].folded in ("млн", "млрд", "трлн"):
            j += 1  # "860,4 млрд. теңгеге"
            nxt = words[j] if j < len(words) else None
        if nxt is not None and nxt.text in ("АҚШ", "америкалық") and j + 1 < len(words) and _unit_of(words[j + 1].text):
            j += 1  # "40 млн АҚШ долларын"
            nxt = words[j]
        two_words = f"{nxt.folded} {_lemma(words[j + 1].text)}" if nxt is not None and j + 1 < len(words) else ""
        if two_words in unit_words():
            unit, j = unit_words()[two_words], j + 2  # "шаршы метр"
        elif nxt is not None and (entry := _unit_word(nxt.text)) and (code := unit_words().get(entry)):
            unit, j = code, j + 1
            value *= unit_factors().get(entry, 1.0)  # "13,3 гигаватт" -> 13300 MW
        elif nxt is not None and APPROX_SUFFIX.search(nxt.folded) and (code := _unit_of(APPROX_SUFFIX.sub("", nxt.text))):
            unit, j, qualifier = code, j + 1, qualifier or "approx"  # "10 мың теңгедей"
        if j < len(words) and words[j].folded in qualifier_words() and qualifier_words()[words[j].folded][1] == "after":
            qualifier = qualifier or qualifier_words()[words[j].folded][0]
            j += 1
            if unit is None and j < len(words) and (code := _unit_of(words[j].text)):
                unit, nxt = code, words[j]  # "10 миллионнан аса адам"
                j += 1 if code != "person" else 0
        if unit is None and _metadata_line(text, word.start):
            i = j
            continue  # "Оқылды: 48", "10:50, 02 Желтоқсан 2025 | GMT +5", a lone "0"
        end = words[j - 1].end
        if unit == "person" and nxt is not None:
            subject = _lemma_text(nxt.text)
        elif unit is None:
            subject = _subject(words, j)
        else:  # "Мәселенің 67 пайызы": what the share or sum is of, in the genitive before it
            before = words[i - 1].text if i else ""
            stem, case = split_case(before)
            subject = stem if case == "genitive" else _line_label(text, words, i)
        figures.append(Figure(text[word.start:end], _clean_value(value), unit, qualifier, subject, word.start, end))
        i = max(j, i + 1)
    return _distinct_facts(figures)


def _dateline(text: str, position: int) -> bool:
    """A short line with a clock time ("Азамат Қойшығара 02 сәу. 2024 15:41 10601"): a byline with counters."""
    line = line_at(text, position)
    return bool(CLOCK.search(line)) and len(line.split()) <= 8


def _line_label(text: str, words: list[_Word], i: int) -> str | None:
    """"кірістер – 15 298 948,6 мың теңге": a budget line's label names what the sum is."""
    if i < 2 or words[i - 1].text not in ("–", "—", "-", ":"):
        return None
    label = words[i - 2]
    line_start = text.rfind("\n", 0, label.start) + 1
    if not label.text[:1].isalpha() or text[line_start:label.start].count(" ") > 6:
        return None
    stem = search_stem(label.text)
    return stem if len(stem) >= 3 else None


def _in_reference_list(words: list[_Word], i: int, not_units: frozenset[str]) -> bool:
    """"1, 2 және 3-қосымшаларға", "5 және 6-баптар": numbers coordinated with a reference number."""
    j = i
    while j + 2 < len(words) and words[j + 1].folded in (",", "және", "мен", "бен", "пен", "-", "–") \
            and DIGITS.match(words[j + 2].text):
        j += 2
        suffix = words[j].text.split("-", 1)[1] if "-" in words[j].text else ""
        following = words[j + 1] if j + 1 < len(words) else None
        if (suffix and (casefold(suffix) in not_units or _lemma(suffix) in not_units)) or (
                following is not None and (_lemma(following.text) in not_units or following.folded in not_units)):
            return True
    return False


def _list_marker(text: str, words: list[_Word], i: int) -> bool:
    """A number that opens a line and is followed by ")" or "." is a list item's number."""
    word = words[i]
    line_start = text.rfind("\n", 0, word.start) + 1
    return (not text[line_start:word.start].strip() and i + 1 < len(words) and words[i + 1].text in (")", ".")
            and words[i + 1].start == word.end and word.text.isdigit() and len(word.text) <= 2)


def _distinct_facts(figures: list[Figure]) -> list[Figure]:
    """One figure per fact: a value and unit repeated with the same (or no) subject is mentioned again.

    The title and the lead often give the same number ("7 миллиард теңге"); a reader counts it once.
    """
    out: list[Figure] = []
    for figure in figures:
        same = next((f for f in out if f.value == figure.value and f.unit == figure.unit
                     and (f.subject == figure.subject or not f.subject or not figure.subject)
                     and (f.unit is not None or f.subject)), None)
        if same is None:
            out.append(figure)
        elif not same.subject and figure.subject:
            out[out.index(same)] = replace(same, subject=figure.subject, qualifier=same.qualifier or figure.qualifier)
    return out
