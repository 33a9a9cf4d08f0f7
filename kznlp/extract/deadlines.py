"""Deadlines of action items, resolved against the publication date: the one implementation the extractor
(``find_deadline`` on each action) and the deadline tracker (``kznlp.follow.deadlines``, which reads stored
phrases again at report time) share.

Forms, tried in this order (the first that matches wins):

- a date written out: "1 қазанға дейін", "бірінші тамызға дейін", "2025 жылғы 1 наурызға дейін" (months from
  ``months.tsv``, ordinals from ``ordinals.tsv``); without a year it is the next such day after publication;
- the end of a named month: "наурыз айының соңына дейін" (this year's, or next year's when said after it);
- a span from publication: "екі апта ішінде", "он бес күн ішінде", "3 айдың ішінде" (a number in digits or
  number words from ``num_words.tsv``, a unit and a word after it from ``deadline_spans.tsv``); "соңғы бес
  жыл ішінде" is the past, not a deadline;
- the phrases of ``deadlines.tsv``: "жыл соңына дейін", "келесі жылдың соңына дейін", "2027 жылдың соңына
  дейін", "келесі отырысқа дейін" (kept as written), ...

A phrase that needs the publication date it lacks stays a phrase (``Deadline.due`` None).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from kznlp.extract.figures import number_words
from kznlp.resources import casefold, read_table
from kznlp.text.dates import month_of

DATE_DEADLINE = re.compile(r"(?:(\d{4})\s*жылғы\s+)?((?:\d{1,2})|(?:(?:он|жиырма)\s+)?[^\W\d_]+ншы|(?:(?:он|жиырма)\s+)?[^\W\d_]+нші|[^\W\d_]+інші)(?:-?[^\W\d_]*)?\s+([^\W\d_]+)\s+дейін", re.IGNORECASE)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Deadline:
    due: date | None  # None: the phrase needs a publication date (or is no date at all: "келесі отырысқа дейін")
    phrase: str  # the words it was read from


@cache
def _day_words() -> dict[str, int]:
    """Ordinals ("бесінші", ordinals.tsv) and the tens before them ("жиырма", num_words.tsv)."""
    tens = {word: value for word, (value, kind) in number_words().items() if kind == "ten"}
    return tens | {casefold(w): int(v) for w, v in read_table("ordinals.tsv")}


def _day_number(text: str) -> int | None:
    """"15", "бірінші", "жиырма бесінші" -> day of month."""
    if text.isdigit():
        return int(text)
    words = casefold(text).split()
    if not all(word in _day_words() for word in words):
        return None
    return sum(_day_words()[word] for word in words) or None


@cache
def _rules() -> tuple[tuple[re.Pattern, str], ...]:
    return tuple((re.compile(rf"(?<!\w)(?:{p})(?!\w)", re.IGNORECASE), rule) for p, rule in read_table("deadlines.tsv"))


@cache
def spans() -> dict[str, list[tuple[str, ...]]]:
    """The rows of ``deadline_spans.tsv`` by kind: "unit" (word, unit, count), "within", "past", "until"."""
    kinds: dict[str, list[tuple[str, ...]]] = {}
    for row in read_table("deadline_spans.tsv"):
        kind = row[1] if row[1] in ("within", "past", "until") else "unit"
        kinds.setdefault(kind, []).append(row)
    return kinds


def _alternatives(rows) -> str:
    return "|".join(re.escape(r[0]) for r in sorted(rows, key=lambda r: -len(r[0])))


@cache
def _span_pattern() -> re.Pattern:
    """"<number> <unit> ішінде": the number in digits (not a year: "2025 жыл ішінде") or up to three number
    words, maybe after a word of the past ("соңғы")."""
    words = _alternatives([(w,) for w, (_, kind) in number_words().items() if kind in ("unit", "ten", "hundred")])
    return re.compile(rf"(?<![\w-])(?:({_alternatives(spans()['past'])})\s+)?(\d{{1,3}}|(?:(?:{words})\s+){{1,3}})\s*"
                      rf"({_alternatives(spans()['unit'])})\w*\s+(?:{_alternatives(spans()['within'])})(?!\w)", re.IGNORECASE)


@cache
def _month_end_pattern() -> re.Pattern:
    until = _alternatives(spans()["until"])
    return re.compile(rf"(?<!\w)([^\W\d_]+)\s+айының\s+(?:соңына|аяғына)\s+(?:{until})(?!\w)", re.IGNORECASE)


def _count(words: str) -> int | None:
    """"он бес" -> 15, "12" -> 12; None for words that are no number."""
    words = words.strip()
    if words.isdigit():
        return int(words)
    values = number_words()
    total = 0
    for word in words.split():
        if casefold(word) not in values:
            return None
        value, kind = values[casefold(word)]
        total = total * value if kind == "hundred" and total else total + value
    return total or None


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day ("30 November" + 3 -> "28 February")."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _written_date(text: str, published: date | None) -> Deadline | None:
    for match in DATE_DEADLINE.finditer(text):
        month = month_of(match[3])
        day = _day_number(match[2])
        if month is None or day is None:
            continue
        year = int(match[1]) if match[1] else (published.year if published else None)
        if year is None:
            return Deadline(None, match[0])
        if not match[1] and published and (month, day) < (published.month, published.day):
            year += 1  # "1 наурызға дейін" said in November means next March
        try:
            return Deadline(date(year, month, day), match[0])
        except ValueError:
            return Deadline(None, match[0])
    return None


def _named_month_end(text: str, published: date | None) -> Deadline | None:
    for match in _month_end_pattern().finditer(text):
        month = month_of(match[1])
        if month is None:
            continue
        if published is None:
            return Deadline(None, match[0])
        year = published.year + (month < published.month)  # "наурыз айының соңына дейін" said in May
        return Deadline(_month_end(year, month), match[0])
    return None


def _span(text: str, published: date | None) -> Deadline | None:
    for match in _span_pattern().finditer(text):
        if match[1]:  # "соңғы бес жыл ішінде": the past
            continue
        count = _count(match[2])
        if not count:
            continue
        if published is None:
            return Deadline(None, match[0])
        unit = next(r for r in spans()["unit"] if casefold(match[3]) == casefold(r[0]))
        size = count * int(unit[2])
        return Deadline(published + timedelta(days=size) if unit[1] == "days" else add_months(published, size),
                        match[0])
    return None


def _phrase(text: str, published: date | None) -> Deadline | None:
    for pattern, rule in _rules():
        match = pattern.search(text)
        if not match:
            continue
        if rule.startswith("year_end:"):
            return Deadline(date(int(match[int(rule.split(":")[1])]), 12, 31), match[0])
        if rule == "keep" or published is None:
            return Deadline(None, match[0])
        if rule == "end_of_year":
            return Deadline(date(published.year, 12, 31), match[0])
        if rule == "end_of_next_year":
            return Deadline(date(published.year + 1, 12, 31), match[0])
        if rule == "end_of_month":
            return Deadline(_month_end(published.year, published.month), match[0])
        if rule == "end_of_quarter":
            return Deadline(_month_end(published.year, ((published.month - 1) // 3 + 1) * 3), match[0])
        raise ValueError(f"deadlines.tsv: unknown rule {rule!r}")
    return None


def read_deadline(text: str, published: date | None) -> Deadline | None:
    """The first deadline in ``text`` (see the module's docstring for the order), its date when it has one.

    >>> read_deadline("жұмысты екі апта ішінде аяқтау", date(2024, 3, 5))
    Deadline(due=datetime.date(2024, 3, 19), phrase='екі апта ішінде')
    >>> read_deadline("жұмысты екі апта ішінде аяқтау", None)
    Deadline(due=None, phrase='екі апта ішінде')
    >>> read_deadline("соңғы бес жыл ішінде жасалды", date(2024, 3, 5)) is None
    True
    """
    for rule in (_written_date, _named_month_end, _span, _phrase):
        if found := rule(text, published):
            return found
    return None


def find_deadline(text: str, published: date | None) -> str | None:
    """ISO date when the phrase and the publication date allow, else the phrase itself.

    >>> find_deadline("жыл соңына дейін ұсыну", date(2024, 3, 5))
    '2024-12-31'
    >>> find_deadline("1 наурызға дейін", date(2024, 11, 20))
    '2025-03-01'
    >>> find_deadline("екі апта ішінде тексеру", date(2024, 3, 5))
    '2024-03-19'
    >>> find_deadline("3 айдың ішінде әзірлеу", date(2024, 11, 30))
    '2025-02-28'
    >>> find_deadline("келесі жылдың соңына дейін аяқтау", date(2024, 3, 5))
    '2025-12-31'
    >>> find_deadline("наурыз айының соңына дейін", date(2024, 5, 10))
    '2025-03-31'
    >>> find_deadline("екі апта ішінде тексеру", None)
    'екі апта ішінде'
    >>> find_deadline("келесі отырысқа дейін", None)
    'келесі отырысқа дейін'
    >>> find_deadline("соңғы бес жыл ішінде салынды", date(2024, 3, 5)) is None
    True
    """
    found = read_deadline(text, published)
    if found is None:
        return None
    return found.due.isoformat() if found.due else found.phrase
