"""Search filters: one frozen record, turned into a SQL condition on ``documents d``.

Values come from users (CLI options, web query strings); they only ever travel as SQL parameters.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, fields, replace

from kznlp.resources import casefold

DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
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
    """``value`` if it is a date prefix (YYYY, YYYY-MM, YYYY-MM-DD), else ValueError with a message.

    >>> check_date("2024-05", "since")
    '2024-05'
    """
    if value in (None, ""):
        return None
    value = value.strip()
    if not DATE.fullmatch(value):
        raise ValueError(f"{name}: expected YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
    return value


def register_functions(conn: sqlite3.Connection) -> None:
    """``kz_fold(text)``: the casefold the archive uses for names, usable in SQL (SQLite's lower() is ASCII)."""
    conn.create_function("kz_fold", 1, lambda s: casefold(s) if isinstance(s, str) else s, deterministic=True)


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
    patterns = name_pattern(name) or ["%"]
    return ("SELECT id FROM officials WHERE " + " AND ".join("name_key LIKE ? ESCAPE '\\'" for _ in patterns),
            patterns)


def filter_sql(f: Filters, alias: str = "d") -> tuple[str, list]:
    """``(condition, params)`` for documents aliased ``alias``; ``("1", [])`` when nothing is filtered."""
    where, params = [], []
    if f.official:
        sql, args = official_ids_sql(f.official)
        where.append(f"{alias}.id IN (SELECT doc_id FROM mentions WHERE official_id IN ({sql})"
                     f" UNION SELECT doc_id FROM positions WHERE official_id IN ({sql}))")
        params += args + args
    if f.official_id is not None:
        where.append(f"{alias}.id IN (SELECT doc_id FROM mentions WHERE official_id = ?"
                     f" UNION SELECT doc_id FROM positions WHERE official_id = ?)")
        params += [int(f.official_id)] * 2
    if f.position:
        where.append(f"{alias}.id IN (SELECT doc_id FROM positions WHERE instr(kz_fold(position), ?) > 0)")
        params.append(casefold(f.position.strip()))
    if f.organisation:
        where.append(f"{alias}.id IN (SELECT doc_id FROM positions WHERE instr(kz_fold(organisation), ?) > 0"
                     f" UNION SELECT doc_id FROM actions WHERE instr(kz_fold(responsible), ?) > 0)")
        params += [casefold(f.organisation.strip())] * 2
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
