"""Search filters: one frozen record, turned into a SQL condition on ``documents d``.

Values come from users (CLI options, web query strings); they only ever travel as SQL parameters.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, fields, replace
from datetime import datetime
from functools import lru_cache

from kznlp.resources import casefold
from kznlp.text.collate import sort_key
from kznlp.text.phrases import phrase_key

DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
DATE_FORMATS = {4: "%Y", 7: "%Y-%m", 10: "%Y-%m-%d"}
FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "annually")


@dataclass(frozen=True, slots=True)
class Filters:
    """What documents a search may return; ``None`` means no restriction."""

    official: str | None = None  # a name or part of one, any case or ending: "Сағынтаевтың"
    official_id: int | None = None  # an officials.id (facet links)
    position: str | None = None  # part of a position phrase: "әкімі"
    organisation: str | None = None
    source: str | None = None  # exact documents.source
    since: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD, inclusive
    until: str | None = None
    has_decisions: bool | None = None
    frequency: str | None = None  # an action frequency: daily, weekly, …
    deadline: str | None = None  # "any", or a date prefix an ISO deadline starts with: "2024", "2024-12"

    def active(self) -> bool:
        return any(getattr(self, f.name) not in (None, "") for f in fields(self))

    def without(self, name: str) -> Filters:
        return replace(self, **{name: None})


def check_date(value: str | None, name: str) -> str | None:
    """``value`` if it is a date prefix (YYYY, YYYY-MM, YYYY-MM-DD) of a real date, else ValueError with a
    message.

    >>> check_date("2024-05", "since")
    '2024-05'
    >>> check_date("2024-02-30", "since")
    Traceback (most recent call last):
    ValueError: since: expected YYYY, YYYY-MM or YYYY-MM-DD, got '2024-02-30'
    """
    if value in (None, ""):
        return None
    value = value.strip()
    try:
        if not DATE.fullmatch(value):
            raise ValueError(value)
        datetime.strptime(value, DATE_FORMATS[len(value)])  # a month 13 or 30 February is no date
    except ValueError:
        raise ValueError(f"{name}: expected YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}") from None
    return value


@lru_cache(maxsize=65_536)  # facets fold the same few thousand positions and organisations on every page
def _kz_fold(value):
    return casefold(value) if isinstance(value, str) else value


def _kz_key(value):
    return phrase_key(value) if isinstance(value, str) else value


def _kz_sort(value):
    return sort_key(value) if isinstance(value, str) else value


def register_functions(conn: sqlite3.Connection) -> None:
    """``kz_fold(text)``: the casefold the archive uses for names, usable in SQL (SQLite's lower() is ASCII);
    ``kz_key(text)``: a phrase's search stems, one key for it in any case and ending (``phrase_key``);
    ``kz_sort(text)``: a key that orders names in the Kazakh alphabet (``ORDER BY kz_sort(o.name)``: Ә after А,
    not after Я)."""
    conn.create_function("kz_fold", 1, _kz_fold, deterministic=True)
    conn.create_function("kz_key", 1, _kz_key, deterministic=True)
    conn.create_function("kz_sort", 1, _kz_sort, deterministic=True)


def name_pattern(name: str) -> list[str]:
    """LIKE patterns (one per word, all must match) for an official's name typed in any case and ending.

    >>> name_pattern("Сағынтаевтың")
    ['%сағынтаев%']
    """
    from kznlp.store.archive import WORD
    from kznlp.text.morph import search_stem

    return [f"%{_like_escape(search_stem(w))}%" for w in WORD.findall(name)[:8] if w]


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def official_ids_sql(name: str) -> tuple[str, list]:
    """The ids of officials whose name has every word of ``name``; none for a name without words ("\\x00")."""
    patterns = name_pattern(name)
    if not patterns:
        return "SELECT id FROM officials WHERE 0", []
    return ("SELECT id FROM officials WHERE " + " AND ".join("name_key LIKE ? ESCAPE '\\'" for _ in patterns),
            patterns)


def filter_sql(f: Filters, alias: str = "d", *, correlated: bool = False) -> tuple[str, list]:
    """``(condition, params)`` for documents aliased ``alias``; ``("1", [])`` when nothing is filtered.

    By default the official, position and organisation conditions are ``id IN (sub-select)``: SQLite
    builds the set once, and can drive a query from it (few documents).  ``correlated=True`` makes them
    ``EXISTS`` probes of that one document's rows instead, for checking documents one by one (many
    matches, the newest first) without building a set over the whole archive.
    """
    where, params = [], []
    if f.official:
        sql, args = official_ids_sql(f.official)
        if correlated:
            where.append(f"(EXISTS (SELECT 1 FROM mentions WHERE doc_id = {alias}.id AND official_id IN ({sql}))"
                         f" OR EXISTS (SELECT 1 FROM positions WHERE doc_id = {alias}.id AND official_id IN ({sql})))")
        else:
            where.append(f"{alias}.id IN (SELECT doc_id FROM mentions WHERE official_id IN ({sql})"
                         f" UNION SELECT doc_id FROM positions WHERE official_id IN ({sql}))")
        params += args + args
    if f.official_id is not None:
        if correlated:
            where.append(f"(EXISTS (SELECT 1 FROM mentions WHERE doc_id = {alias}.id AND official_id = ?)"
                         f" OR EXISTS (SELECT 1 FROM positions WHERE doc_id = {alias}.id AND official_id = ?))")
        else:
            where.append(f"{alias}.id IN (SELECT doc_id FROM mentions WHERE official_id = ?"
                         f" UNION SELECT doc_id FROM positions WHERE official_id = ?)")
        params += [int(f.official_id)] * 2
    if f.position:
        if correlated:
            where.append(f"EXISTS (SELECT 1 FROM positions WHERE doc_id = {alias}.id"
                         " AND instr(kz_key(position), ?) > 0)")
        else:
            where.append(f"{alias}.id IN (SELECT doc_id FROM positions WHERE instr(kz_key(position), ?) > 0)")
        params.append(phrase_key(f.position))  # "облыстың әкімі" finds "Облыс әкімі", as the facet groups them
    if f.organisation:
        if correlated:
            where.append(f"(EXISTS (SELECT 1 FROM positions WHERE doc_id = {alias}.id"
                         " AND instr(kz_key(organisation), ?) > 0)"
                         f" OR EXISTS (SELECT 1 FROM actions WHERE doc_id = {alias}.id"
                         " AND instr(kz_key(responsible), ?) > 0))")
        else:
            where.append(f"{alias}.id IN (SELECT doc_id FROM positions WHERE instr(kz_key(organisation), ?) > 0"
                         f" UNION SELECT doc_id FROM actions WHERE instr(kz_key(responsible), ?) > 0)")
        params += [phrase_key(f.organisation)] * 2
    if f.source:
        where.append(f"{alias}.source = ?")
        params.append(f.source)
    if f.since:
        where.append(f"{alias}.published >= ?")
        params.append(f.since)
    if f.until:
        where.append(f"{alias}.published <= ?")
        params.append(f.until + "\uffff")  # "2024-05" includes every day of May
    if f.has_decisions is not None:
        where.append(("" if f.has_decisions else "NOT ") + f"EXISTS (SELECT 1 FROM decisions x WHERE x.doc_id = {alias}.id)")
    if f.frequency:
        where.append(f"EXISTS (SELECT 1 FROM actions a WHERE a.doc_id = {alias}.id AND a.frequency = ?)")
        params.append(f.frequency)
    if f.deadline:
        if f.deadline == "any":
            where.append(f"EXISTS (SELECT 1 FROM actions a WHERE a.doc_id = {alias}.id AND a.deadline IS NOT NULL)")
        else:
            where.append(f"EXISTS (SELECT 1 FROM actions a WHERE a.doc_id = {alias}.id AND a.deadline >= ?"
                         f" AND a.deadline <= ?)")
            params += [f.deadline, f.deadline + "\uffff"]
    return (" AND ".join(where) or "1"), params


def documents_bound(conn: sqlite3.Connection, f: Filters, cap: int) -> int | None:
    """An upper bound on how many documents pass ``f``, from indexes alone, when one of at most ``cap``
    is found (``None``: more, or not known without reading documents).

    Source and dates are counted on ``documents(source, published)`` / ``documents(published)``; an
    official on ``mentions``/``positions(official_id, doc_id)``.  The other filters give no bound.  Each
    count stops after ``cap + 1`` index entries.
    """
    if f.source or f.since or f.until:
        where, params = filter_sql(Filters(source=f.source, since=f.since, until=f.until))
        n = conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM documents d WHERE {where} LIMIT ?)",
                         params + [cap + 1]).fetchone()[0]
        if n <= cap:
            return n
    for value, by_name in ((f.official, True), (f.official_id, False)):
        if value is None or value == "":
            continue
        sql, args = official_ids_sql(value) if by_name else ("?", [int(value)])
        n = 0
        for table in ("mentions", "positions"):
            n += conn.execute(f"SELECT count(*) FROM (SELECT DISTINCT doc_id FROM {table}"
                              f" WHERE official_id IN ({sql}) LIMIT ?)", args + [cap + 1 - n]).fetchone()[0]
            if n > cap:
                break
        if n <= cap:
            return n
    return None
