"""Decisions and their action items.

A decision is a sentence with a trigger from ``resources/kk/decision_triggers.tsv`` ("шешім
қабылдады", "тапсырды", "тапсырамын", ...).  When the sentence ends with a colon, its actions are
the list items that follow (dashes, bullets, "1)", "1."); otherwise an instruction sentence is
its own single action.  Each action gets its responsible bodies or officials, a frequency and a
deadline (resolved against the publication date where it can be).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from functools import cache

from kznlp.records import Action, Decision, Entity, Official
from kznlp.resources import casefold, read_table
from kznlp.text.dates import month_of
from kznlp.text.morph import split_case
from kznlp.text.segment import LIST_ITEM, line_spans, sentence_spans
from kznlp.text.words import word_spans

QUOTES = "«»\"“”„'"
NP_SEPARATORS = {",", "және", "мен", "бен", "пен"}
DATE_DEADLINE = re.compile(r"(?:(\d{4})\s*жылғы\s+)?(\d{1,2})\s+([^\W\d_]+)\s+дейін", re.I)


@cache
def _triggers() -> tuple[tuple[re.Pattern, str], ...]:
    rows = []
    for stem, kind in read_table("decision_triggers.tsv"):
        words = [re.escape(w) for w in stem.split()]
        rows.append((re.compile(r"(?<!\w)" + r"\w*\s+".join(words) + r"\w*", re.I), kind))
    return tuple(rows)


@cache
def _frequencies() -> tuple[tuple[str, str], ...]:
    return tuple(sorted(((casefold(p), code) for p, code in read_table("frequencies.tsv")),
                        key=lambda r: -len(r[0])))


@cache
def _deadline_rules() -> tuple[tuple[re.Pattern, str], ...]:
    return tuple((re.compile(p, re.I), rule) for p, rule in read_table("deadlines.tsv"))


@cache
def _responsible_markers() -> frozenset[str]:
    return frozenset(casefold(row[0]) for row in read_table("responsible_markers.tsv"))


@cache
def _maker_bodies() -> tuple[str, ...]:
    return tuple(row[0] for row in read_table("decision_makers.tsv"))


def find_frequency(text: str) -> str | None:
    folded = casefold(text)
    for phrase, code in _frequencies():
        if re.search(r"(?<!\w)" + re.escape(phrase), folded):
            return code
    return None


def find_deadline(text: str, published: date | None) -> str | None:
    """ISO date when the phrase and the publication date allow, else the phrase itself.

    >>> find_deadline("жыл соңына дейін ұсыну", date(2024, 3, 5))
    '2024-12-31'
    >>> find_deadline("1 наурызға дейін", date(2024, 11, 20))
    '2025-03-01'
    >>> find_deadline("келесі отырысқа дейін", None)
    'келесі отырысқа дейін'
    """
    for match in DATE_DEADLINE.finditer(text):
        month = month_of(match[3])
        if month is None:
            continue
        day = int(match[2])
        year = int(match[1]) if match[1] else (published.year if published else None)
        if year is None:
            return match[0]
        if not match[1] and published and (month, day) < (published.month, published.day):
            year += 1  # "1 наурызға дейін" said in November means next March
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return match[0]
    for pattern, rule in _deadline_rules():
        match = pattern.search(text)
        if not match:
            continue
        if rule == "keep" or published is None and not rule.startswith("year_end"):
            return match[0]
        if rule == "end_of_year":
            return date(published.year, 12, 31).isoformat()
        if rule == "end_of_month":
            return date(published.year, published.month,
                        calendar.monthrange(published.year, published.month)[1]).isoformat()
        if rule == "end_of_quarter":
            last = ((published.month - 1) // 3 + 1) * 3
            return date(published.year, last, calendar.monthrange(published.year, last)[1]).isoformat()
        if rule.startswith("year_end:"):
            return date(int(match[int(rule.split(":")[1])]), 12, 31).isoformat()
        if rule.startswith("days:"):
            count = int(rule.split(":")[1])
            if match.groups():
                count *= int(match[1])
            return (published + timedelta(days=count)).isoformat()
    return None


def _normalise_np(words: list[str]) -> str | None:
    """A responsible body from the words before a marker: quotes off, genitive off the last word."""
    words = [w for w in words if w not in QUOTES]
    if not words:
        return None
    stem, case = split_case(words[-1])
    if case in ("genitive", "dative"):
        words[-1] = stem
    return " ".join(words)


def _responsible(text: str) -> list[str]:
    """Bodies or officials named before "жетекшілігімен", "жауапты", ... in an action."""
    spans = word_spans(text)
    words = [text[s:e] for s, e in spans]
    found: list[str] = []
    for i, word in enumerate(words):
        if casefold(word) not in _responsible_markers():
            continue
        groups: list[list[str]] = [[]]
        j = i - 1
        in_quote = False
        while j >= 0:
            w = words[j]
            if w in QUOTES:
                in_quote = not in_quote
                groups[-1].insert(0, w)
            elif in_quote:
                groups[-1].insert(0, w)
            elif casefold(w) in NP_SEPARATORS:
                groups.append([])
            elif split_case(w)[1] in (None, "genitive") and w[:1].isalnum():
                groups[-1].insert(0, w)
            else:
                break
            j -= 1
        for group in reversed(groups):
            name = _normalise_np(_trim_np(group))
            if name and name not in found:
                found.append(name)
    return found


def _trim_np(words: list[str]) -> list[str]:
    """Drop lower-case leading words that are not part of a name ("бірлесіп", adverbs)."""
    while words and words[0][:1].islower() and split_case(words[0])[1] is None and len(words) > 2:
        words = words[1:]
    return words


def _maker(text: str, sentence: tuple[int, int], trigger_start: int, officials: list[Official],
           speaker: str | None, first_person: bool) -> str | None:
    s, _ = sentence
    in_sentence = [(m.start, o.name) for o in officials for m in o.mentions if s <= m.start < trigger_start]
    if in_sentence:
        return max(in_sentence)[1]  # the official named closest before the trigger
    before = text[s:trigger_start]
    for body in _maker_bodies():
        if re.search(r"(?<!\w)" + re.escape(body), before, re.I):
            return body
    return speaker if first_person else None


def _item_text(text: str, start: int, end: int) -> tuple[str, int, int]:
    marker = LIST_ITEM.match(text, start)
    if marker:
        start = marker.end()
    while end > start and text[end - 1] in ";.,":
        end -= 1
    return text[start:end].strip(), start, end


def _list_items(text: str, after: int) -> list[tuple[int, int]]:
    """Lines right after ``after`` that are list items; stop at the first line that is not."""
    items = []
    for s, e in line_spans(text):
        if s < after:
            continue
        if LIST_ITEM.match(text, s):
            items.append((s, e))
        elif items or s > after + 2:
            break
    return items


def _action(text: str, start: int, end: int, published: date | None, dative_responsible: bool,
            people: list[tuple[int, int, str]]) -> Action:
    body, s, e = _item_text(text, start, end)
    responsible = _responsible(body)
    if not responsible and dative_responsible:
        responsible = _dative_addressees(text, s, e, people)
    return Action(body, tuple(responsible), find_frequency(body), find_deadline(body, published), s, e)


def _dative_addressees(text: str, start: int, end: int, people: list[tuple[int, int, str]]) -> list[str]:
    """"Үкіметке ... тапсырды": bodies or officials named in the dative are responsible.

    An official's mention in the dative gives the official's name; other dative noun phrases
    count when they start with a capital ("Қаржы министрлігіне"), and never reach into a person.
    """
    out: list[str] = []
    spans = [(start + s, start + e) for s, e in word_spans(text[start:end])]
    for i, (s, e) in enumerate(spans):
        word = text[s:e]
        stem, case = split_case(word)
        if case != "dative" or len(stem) <= 2:
            continue
        person = next((name for ps, pe, name in people if ps <= s < pe), None)
        if person:
            out.append(person)
            continue
        group = [stem]
        j = i - 1
        while j >= 0:
            ws, we = spans[j]
            left = text[ws:we]
            if any(ps <= ws < pe for ps, pe, _ in people) or split_case(left)[1] not in (None, "genitive") \
                    or not left[:1].isupper() or _is_position_word(left):
                break
            group.insert(0, left)
            j -= 1
        if group[0][:1].isupper() and " ".join(group) not in out:
            out.append(" ".join(group))
    return out


def _is_position_word(word: str) -> bool:
    from kznlp.extract.officials import position_heads

    return casefold(word) in position_heads()


def find_decisions(text: str, officials: list[Official], entities: list[Entity] | None = None, *,
                   published: date | None = None) -> list[Decision]:
    speaker = officials[0].name if officials else None
    people = [(m.start, m.end, o.name) for o in officials for m in o.mentions]
    decisions: list[Decision] = []
    consumed_until = -1
    for sentence in sentence_spans(text):
        s, e = sentence
        if s < consumed_until:
            continue
        chunk = text[s:e]
        hits = [(m.start(), m.group(0), kind) for pattern, kind in _triggers() if (m := pattern.search(chunk))]
        if not hits:
            continue
        offset, trigger, kind = min(hits)
        first_person = casefold(trigger).endswith(("мын", "мін", "мыз", "міз"))
        maker = _maker(text, sentence, s + offset, officials, speaker, first_person)
        actions: list[Action] = []
        if chunk.rstrip().endswith(":"):
            items = _list_items(text, e)
            actions = [_action(text, a, b, published, False, people) for a, b in items]
            if items:
                consumed_until = items[-1][1]
        elif kind == "instruction":
            actions = [_action(text, s, e, published, True, people)]
        decisions.append(Decision(maker, chunk, s, e, tuple(actions)))
    return decisions
