"""Plain-text releases: their title and the key that says two texts are the same release.

A saved release often starts with its URL, a dateline ("10:50, 02 Желтоқсан 2025 | GMT +5"), a view
counter and its headline, then the body; the same release crawled as HTML has the headline as its title
and none of the rest in its text.  ``text_title`` finds the headline (else the first sentence, cut at a
word); ``content_key`` hashes the words of the body without title and datelines, so both readings of a
release share a key."""

from __future__ import annotations

import hashlib
import re
from functools import cache

from kznlp.resources import casefold, read_table, word_set
from kznlp.text.dates import parse_date
from kznlp.text.segment import sentence_spans

TITLE_MAX_CHARS = 160
HEADLINE_MIN_CHARS = 12
DATELINE_MAX_CHARS = 60
HEAD_LINES = 6  # a headline or dateline is among this many first non-blank lines
_WORD = re.compile(r"[^\W_]+")
BYLINE_MAX_CHARS = 100  # "Автор: …", "Фото: …"
BYLINE_SENTENCE_MAX_CHARS = 80  # "Қостанай облысы, BAQ.KZ тілшісі."
_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_]*(?:-[^\W\d_]+)?\.?")


@cache
def _byline_rules() -> tuple[re.Pattern, re.Pattern, re.Pattern, tuple[str, ...]]:
    rows = read_table("bylines.tsv")

    def kind(name: str) -> str:
        return "|".join(f"(?:{p})" for k, p, *_ in rows if k == name)

    lead = re.compile(rf"\s*(?:{kind('lead')})\s*[:：—–-]", re.IGNORECASE)
    tail = re.compile(rf".*\b(?:{kind('tail')})\s*[.!]?\s*", re.IGNORECASE)
    role = re.compile(rf"\s*(?:{kind('role')})\s*[.]?\s*", re.IGNORECASE)
    return lead, tail, role, tuple(p for k, p, *_ in rows if k == "surname")


@cache
def _first_names() -> frozenset[str]:
    return frozenset(casefold(row[0]) for row in read_table("name_stems.tsv")) | word_set("person_names.tsv")


@cache
def _common_words() -> frozenset[str]:
    """Words of the language, not names: frequent and mostly in lower case, and the position words."""
    common = {casefold(word) for word, count, *capitals in read_table("word_frequencies.tsv")
              if int(count) >= 5 and (not capitals or int(capitals[0]) < 50)}
    return frozenset(common | {casefold(cell) for row in read_table("positions.tsv") for cell in row if cell})


def _is_name_line(line: str) -> bool:
    words = line.split()
    if not 2 <= len(words) <= 3 or not all(_NAME_WORD.fullmatch(w) and w[0].isupper() for w in words):
        return False
    _lead, _tail, _role, endings = _byline_rules()
    known, common = _first_names(), _common_words()
    marked = 0
    for word in words:
        folded = casefold(word.rstrip("."))
        if len(folded) == 1 and word.endswith("."):  # an initial: "Ж. Бисенғалиева"
            continue
        if not word[1:].rstrip(".").islower():
            return False  # "ҚР", "BAQ.KZ": not a person's name
        if folded in known or (len(folded) > 4 and folded.endswith(endings)):
            marked += 1
        elif folded in common:
            return False  # a word of the language ("Президент", "Жаңа"), not a name
    return marked > 0


def is_byline(line: str) -> bool:
    """Whether a line (or a sentence) names who wrote a release or took its pictures: "Автор: …", "Фото: …",
    "Қостанай облысы, BAQ.KZ тілшісі.", an author's name alone on its line ("Сәке Қанатұлы") or an author
    card's role ("Бұрынғы қызметкер").  The words are data (``resources/kk/bylines.tsv``).

    >>> is_byline("Сәке Қанатұлы"), is_byline("Қостанай облысы, BAQ.KZ тілшісі."), is_byline("Автор: Ә. Сәрсенов")
    (True, True, True)
    >>> is_byline("Жаңа басқармалар құрылады"), is_byline("Президент Путин"), is_byline("Облыс әкімінің тілшісі")
    (False, False, True)
    """
    line = line.strip()
    if not line:
        return False
    lead, tail, role, _endings = _byline_rules()
    if len(line) < BYLINE_MAX_CHARS and lead.match(line):
        return True
    if role.fullmatch(line):
        return True
    if len(line) < BYLINE_SENTENCE_MAX_CHARS and tail.fullmatch(line):
        return True
    return _is_name_line(line)


def is_dateline(line: str) -> bool:
    """A short line that is a date (and perhaps a time): "24.02.2017, 18:57", "10:50, 02 Желтоқсан 2025 | GMT +5"."""
    line = line.strip()
    if not 0 < len(line) <= DATELINE_MAX_CHARS or parse_date(line) is None:
        return False
    words = [w for w in _WORD.findall(line) if not w.isdigit()]
    return len(words) <= 4  # a month name, "GMT", "жылғы": a date, not a sentence that holds one


def _head(text: str) -> list[str]:
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    return lines[:HEAD_LINES]


def cut_at_word(text: str, limit: int = TITLE_MAX_CHARS) -> str:
    """``text`` up to ``limit`` characters, cut after a whole word, with "…" when cut.

    >>> cut_at_word("Облыс әкімдігінде өткен селекторлық кеңесте", 30)
    'Облыс әкімдігінде өткен…'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[:cut if cut > 0 else limit].rstrip(" ,;:—–-") + "…"


def text_title(text: str) -> str | None:
    """The headline of a plain-text release: the first line before the body that reads as one (short, no
    sentence after sentence, not a dateline nor a byline), else the body's first sentence (a byline
    sentence before it skipped), cut at a word.

    >>> text_title("24.02.2017, 18:57\\nБҚО-да бес мәдениет ошағы жөндеуден өтеді\\n\\nОблыстық мәслихаттың сессиясы өтті. Депутаттар жиналды.")
    'БҚО-да бес мәдениет ошағы жөндеуден өтеді'
    >>> text_title("Облыс әкімдігінде кеңес өтті. Өңір басшысы сөз сөйледі.")
    'Облыс әкімдігінде кеңес өтті.'
    """
    lines = [line for line in _head(text) if not is_dateline(line) and not is_byline(line)]
    if not lines:
        return None
    first = lines[0]
    sentences = sentence_spans(first)
    while len(sentences) > 1 and is_byline(first[slice(*sentences[0])]):  # "Қостанай облысы, BAQ.KZ тілшісі. …"
        first = first[sentences[1][0]:]
        sentences = sentence_spans(first)
    if len(lines) > 1 and HEADLINE_MIN_CHARS <= len(first) <= TITLE_MAX_CHARS and len(sentences) == 1:
        return first[:-1] if first.endswith(".") and not first.endswith("..") else first
    start, end = sentences[0] if sentences else (0, len(first))
    return cut_at_word(first[start:end])


def content_keys(text: str, title: str | None = None) -> tuple[str, ...]:
    """Keys that every reading of a release shares: hashes of its case-folded text with spacing and line
    breaks evened out (a replaced byte or another word makes another text), datelines among the
    first lines left out; and, when the text opens with its title (a text file's headline), the key of the
    rest, which is what the crawled page holds.  Two documents are one release when they share a key.

    >>> page = content_keys("Депутаттар  жиналды.\\nСессия өтті.", "Кеңес өтті")
    >>> file = content_keys("24.02.2017, 18:57\\nКеңес өтті.\\n\\nДепутаттар жиналды.\\nСессия өтті.", "Кеңес өтті")
    >>> len(page), len(file), page[0] == file[1]
    (1, 2, True)
    """
    title_words = _WORD.findall(title.casefold()) if title else None
    lines: list[list[str]] = []  # each line's case-folded tokens: spacing aside, every character counts
    first_words = None
    for number, line in enumerate(line for line in text.split("\n") if line.strip()):
        if number < HEAD_LINES and is_dateline(line):
            continue
        if first_words is None:
            first_words = _WORD.findall(line.casefold())
        lines.append(line.casefold().split())
    keys = [_key(lines)]
    if title_words and lines and first_words == title_words:
        keys.append(_key(lines[1:]))
    return tuple(keys)


def _key(lines: list[list[str]]) -> str:
    return hashlib.sha256(" ".join(w for words in lines for w in words).encode("utf-8")).hexdigest()[:32]
