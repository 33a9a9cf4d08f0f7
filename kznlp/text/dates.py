"""Kazakh and numeric date formats: "2024 жылғы 15 қаңтар", "15 қаңтарда", "13:51, 15 Август 2025",
"15.01.2024" and ISO 8601."""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from kznlp.resources import casefold, read_table


@cache
def month_numbers() -> dict[str, int]:
    return {casefold(name): int(number) for name, number in read_table("months.tsv")}


def month_of(word: str) -> int | None:
    """Month number of a (possibly inflected) month name: "қаңтарда" -> 1, "Август" -> 8."""
    word = casefold(word)
    for name, number in month_numbers().items():
        if word.startswith(name[:-1] if name.endswith("ь") else name) and len(word) - len(name) <= 4:
            return number
    return None


_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_NUMERIC = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_YEAR_FIRST = re.compile(r"(\d{4})\s*ж(?:ылғы|ылы|\.)?\s+(\d{1,2})\s+([^\W\d_]+)")
_DAY_FIRST = re.compile(r"\b(\d{1,2})\s+([^\W\d_]+)\s*(\d{4})?")


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str, *, default_year: int | None = None) -> date | None:
    """The first date written in ``text``.

    >>> parse_date("2024 жылғы 15 қаңтар")
    datetime.date(2024, 1, 15)
    >>> parse_date("13:51, 15 Август 2025")
    datetime.date(2025, 8, 15)
    >>> parse_date("15 қаңтарда", default_year=2024)
    datetime.date(2024, 1, 15)
    """
    if m := _ISO.search(text):
        return _safe(int(m[1]), int(m[2]), int(m[3]))
    if m := _NUMERIC.search(text):
        return _safe(int(m[3]), int(m[2]), int(m[1]))
    if (m := _YEAR_FIRST.search(text)) and (month := month_of(m[3])):
        return _safe(int(m[1]), month, int(m[2]))
    for m in _DAY_FIRST.finditer(text):
        month = month_of(m[2])
        year = int(m[3]) if m[3] else default_year
        if month and year:
            return _safe(year, month, int(m[1]))
    return None
