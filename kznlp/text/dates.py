"""Kazakh and numeric date formats: "2024 жылғы 15 қаңтар", "15 қаңтарда", "13:51, 15 Август 2025",
"15.01.2024" and ISO 8601."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
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


LOCAL_TIME = timezone(timedelta(hours=5))  # Kazakhstan (Astana, Almaty): UTC+5
_ISO_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}:?\d{2})?")


def parse_published(text: str, *, formats: tuple[str, ...] = (), default_year: int | None = None) -> date | None:
    """A publication date in local time (UTC+5): ISO datetimes with an offset are moved to UTC+5 first;
    ``formats`` (``strptime`` patterns from a site adapter) are tried before the general formats.

    >>> parse_published("2025-08-15T22:30:00+00:00")
    datetime.date(2025, 8, 16)
    >>> parse_published("2024-01-15")
    datetime.date(2024, 1, 15)
    >>> parse_published("15/01/2024 10:00", formats=("%d/%m/%Y %H:%M",))
    datetime.date(2024, 1, 15)
    """
    text = re.sub(r"\s+", " ", text or "").strip()
    if not text:
        return None
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    if (m := _ISO_DATETIME.search(text)) and m[3]:
        offset = m[3].replace("Z", "+00:00")
        if ":" not in offset:
            offset = offset[:3] + ":" + offset[3:]
        try:
            moment = datetime.fromisoformat(f"{m[1]}T{m[2]}{offset}")
        except ValueError:
            moment = None
        if moment is not None:
            return moment.astimezone(LOCAL_TIME).date()
    return parse_date(text, default_year=default_year)


_URL_YMD = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?=[/._-]|$)")  # /2021/06/24/, /2021-06-24
_URL_DMY = re.compile(r"[/_-](\d{1,2})-(\d{1,2})-((?:19|20)\d{2})(?=[/._]|$)")  # …-pysykhtaldy-14-03-2025
URL_DATE_EARLIEST = date(1991, 1, 1)


def url_date(url: str | None, *, today: date | None = None) -> date | None:
    """The publication date a page's address gives in its path ("/2021/06/24/", "/2021-06-24-…",
    "…-14-03-2025"), when it is a real date between 1991 and ``today`` (local time); None otherwise.
    The fallback for a page or release whose text and metadata give no date.

    >>> url_date("https://qagro.kz/2021/06/24/irde-sim-baj-alady")
    datetime.date(2021, 6, 24)
    >>> url_date("https://example.kz/2021/02/30/x"), url_date("https://example.kz/2099/01/01/x")
    (None, None)
    >>> url_date("https://kyzylorda-news.kz/ruhaniat/merekelik-is-sharalardy-ujymdastyru-zhumystary-pysykhtaldy-14-03-2025")
    datetime.date(2025, 3, 14)
    """
    if not url:
        return None
    from urllib.parse import urlsplit

    try:
        path = urlsplit(url.strip()).path
    except ValueError:
        return None
    today = today or datetime.now(LOCAL_TIME).date()
    found = [_safe(int(m[1]), int(m[2]), int(m[3])) for m in _URL_YMD.finditer(path)]
    found += [_safe(int(m[3]), int(m[2]), int(m[1])) for m in _URL_DMY.finditer(path)]
    for day in found:
        if day is not None and URL_DATE_EARLIEST <= day <= today:
            return day
    return None
