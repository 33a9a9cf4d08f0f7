"""Page furniture: lines that belong to a page's chrome, not to its article ("Басып шығару", share and
print buttons, view counters, photo credits).  The rules are data (``resources/kk/furniture.tsv``); HTML
paragraphs and plain-text lines are both filtered by ``is_furniture``."""

from __future__ import annotations

import re
from functools import cache

from kznlp.resources import read_table

CREDIT_MAX_CHARS = 150


@cache
def _rules() -> tuple[re.Pattern, re.Pattern]:
    lines = [p for kind, p, *_ in read_table("furniture.tsv") if kind == "line"]
    credits = [p for kind, p, *_ in read_table("furniture.tsv") if kind == "credit"]
    whole = re.compile(r"\s*(?:" + "|".join(f"(?:{p})" for p in lines) + r")\s*[.:!]?\s*", re.I)
    start = re.compile(r"\s*(?:" + "|".join(f"(?:{p})" for p in credits) + ")", re.I)
    return whole, start


def is_furniture(line: str) -> bool:
    """Whether a line (an HTML paragraph or a line of plain text) is page furniture.

    >>> is_furniture("Басып шығару"), is_furniture("Оқылды: 48"), is_furniture("Фото: Солтан Жексенбеков / Kazinform")
    (True, True, True)
    >>> is_furniture("Басып шығару ісі дамып келеді: облыста үш баспахана ашылды.")
    False
    """
    whole, start = _rules()
    if whole.fullmatch(line):
        return True
    return len(line) < CREDIT_MAX_CHARS and bool(start.match(line))


def drop_furniture(text: str) -> str:
    """``text`` without its furniture lines (line breaks of the rest kept)."""
    return "\n".join(line for line in text.split("\n") if not is_furniture(line))
