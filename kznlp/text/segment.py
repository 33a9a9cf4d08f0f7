"""Sentences and list items as character spans of the original text."""

from __future__ import annotations

import re

# A sentence ends at . ! ? … (not after a single capital initial such as "Б.") followed by a
# space and an upper-case letter, digit, dash or quote; and always at a line break.
_SENTENCE_END = re.compile(r"(?<![\s.][А-ЯӘҒҚҢӨҰҮҺІA-Z])(?<!^[А-ЯӘҒҚҢӨҰҮҺІA-Z])[.!?…]+[\"»”]?(?=\s+[\"«“(\-–—•\dА-ЯӘҒҚҢӨҰҮҺІA-Z])|\n")
LIST_ITEM = re.compile(r"[ \t]*(?:[-–—•·*▪●]|\d{1,2}[).]|[а-яәғқңөұүһі][)])\s*")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of each non-blank sentence, whitespace trimmed.

    >>> text = "Жиында Б.Сағынтаев шешім қабылдады: бәрі. Келесі сөйлем"
    >>> [text[s:e] for s, e in sentence_spans(text)]
    ['Жиында Б.Сағынтаев шешім қабылдады: бәрі.', 'Келесі сөйлем']
    """
    end = len(text) if end is None else end
    spans, begin = [], start
    for match in _SENTENCE_END.finditer(text, start, end):
        spans.append((begin, match.end()))
        begin = match.end()
    spans.append((begin, end))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
    return out


def line_at(text: str, position: int) -> str:
    r"""The whole line of ``text`` that ``position`` lies in, without its line break.

    >>> line_at("бірінші\nекінші жол\nүшінші", 10)
    'екінші жол'
    """
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return text[start:len(text) if end == -1 else end]


def line_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each non-blank line."""
    out, pos = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            s = pos + line.index(stripped[0])
            out.append((s, s + len(stripped)))
        pos += len(line) + 1
    return out
