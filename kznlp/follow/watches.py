"""Watchlists: a saved query, official or organisation (with search filters) whose new matches are reported.

A report lists the matching documents stored after the last report (with their decisions and action
items) and marks them reported: ``watch_reported`` keeps, per watch, the ``processed_at`` of each document
version it showed, so a document stored again (reprocessed, re-crawled with changes) is new again, and
two reports in the same second miss nothing.  The first report of a watch lists every match there is.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

import sqlite_utils

from kznlp.errors import KznlpError
from kznlp.store.archive import decisions_of, fts_query, match_window, one_snapshot
from kznlp.store.filters import FREQUENCIES, Filters, check_date, filter_sql, register_functions
from kznlp.text.collate import sort_key

# A watch reads at most this many of its newest matches per report or feed: a watch that matches more
# is too broad to follow, and its oldest matches were reported long ago.
WATCH_WINDOW = 10_000
NAME = re.compile(r"[^\W][\w.-]{0,63}")
FILTER_KEYS = ("position", "source", "since", "until", "has_decisions", "frequency", "deadline")


class WatchError(KznlpError):
    """A bad watch definition or an unknown watch (one-line message for the user)."""


@dataclass(frozen=True, slots=True)
class Watch:
    name: str
    query: str | None = None
    official: str | None = None
    organisation: str | None = None
    filters: dict = field(default_factory=dict)  # FILTER_KEYS -> value
    created_at: str | None = None
    reported_at: str | None = None
    id: int | None = None

    def search_filters(self) -> Filters:
        return Filters(official=self.official, organisation=self.organisation, **self.filters)

    def describe(self) -> str:
        parts = [f"{k}={v!r}" for k, v in (("query", self.query), ("official", self.official),
                                             ("organisation", self.organisation)) if v]
        return ", ".join(parts + [f"{k}={v!r}" for k, v in self.filters.items()])

    def to_dict(self) -> dict:
        return asdict(self)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _has_tables(db: sqlite_utils.Database) -> bool:
    """A read-only open leaves an older archive unmigrated: it has no watches yet."""
    return db["watches"].exists()


def make_watch(name: str, *, query: str | None = None, official: str | None = None,
               organisation: str | None = None, **filters) -> Watch:
    """A checked watch definition (WatchError with a message otherwise)."""
    if not name or not NAME.fullmatch(name):
        raise WatchError(f"watch name {name!r}: use 1-64 letters, digits, '.', '-' or '_', starting with a letter "
                         "or digit")
    query, official, organisation = (v.strip() if v and v.strip() else None for v in (query, official, organisation))
    if not (query or official or organisation):
        raise WatchError("a watch needs --query, --official or --organisation")
    if query and fts_query(query) is None:
        raise WatchError(f"--query {query!r} has no words to search for")
    clean = {}
    for key, value in filters.items():
        if key not in FILTER_KEYS:
            raise WatchError(f"unknown watch filter {key!r}")
        if value in (None, "", False):
            continue
        if key in ("since", "until"):
            try:
                value = check_date(value, "--" + key)
            except ValueError as error:
                raise WatchError(str(error)) from None
        if key == "frequency" and value not in FREQUENCIES:
            raise WatchError(f"--frequency must be one of {', '.join(FREQUENCIES)}, not {value!r}")
        clean[key] = value
    return Watch(name, query, official, organisation, clean)


def _row_to_watch(row) -> Watch:
    wid, name, query, official, organisation, filters, created, reported = row
    return Watch(name, query, official, organisation, json.loads(filters or "{}"), created, reported, wid)


_COLUMNS = "id, name, query, official, organisation, filters, created_at, reported_at"


def add_watch(db: sqlite_utils.Database, watch: Watch) -> Watch:
    try:
        with db.conn:
            wid = db.conn.execute(
                "INSERT INTO watches (name, query, official, organisation, filters, created_at) VALUES (?,?,?,?,?,?)",
                (watch.name, watch.query, watch.official, watch.organisation,
                 json.dumps(watch.filters, ensure_ascii=False), _now())).lastrowid
    except sqlite3.IntegrityError:
        raise WatchError(f"a watch named {watch.name!r} exists already (remove it first)") from None
    return get_watch(db, watch.name) or Watch(watch.name, id=wid)


def list_watches(db: sqlite_utils.Database) -> list[Watch]:
    if not _has_tables(db):
        return []
    watches = [_row_to_watch(r) for r in db.execute(f"SELECT {_COLUMNS} FROM watches").fetchall()]
    return sorted(watches, key=lambda w: sort_key(w.name))  # in the Kazakh alphabet: "Әкімдер" after "Ауыл"


def get_watch(db: sqlite_utils.Database, name: str) -> Watch | None:
    if not _has_tables(db):
        return None
    row = db.execute(f"SELECT {_COLUMNS} FROM watches WHERE name = ?", (name,)).fetchone()
    return _row_to_watch(row) if row else None


def remove_watch(db: sqlite_utils.Database, name: str) -> None:
    watch = get_watch(db, name)
    if watch is None:
        raise WatchError(f"no watch named {name!r}")
    with db.conn:
        db.conn.execute("DELETE FROM watch_reported WHERE watch_id = ?", (watch.id,))
        db.conn.execute("DELETE FROM watches WHERE id = ?", (watch.id,))


def _matching_rowids(db: sqlite_utils.Database, watch: Watch, limit: int) -> list[int]:
    """rowids of the newest ``limit`` documents the watch matches, newest stored first."""
    register_functions(db.conn)
    filters = watch.search_filters()
    match = fts_query(watch.query or "")
    if match is None:
        where, params = filter_sql(filters)
        sql = f"SELECT d.rowid FROM documents d WHERE {where} ORDER BY d.rowid DESC LIMIT ?"
        return [r for (r,) in db.execute(sql, params + [limit]).fetchall()]
    window, params = match_window(db, match, filters, limit)
    return [r for (r,) in db.execute(window, params).fetchall()]


def _document(db: sqlite_utils.Database, rowid: int) -> dict | None:
    row = db.execute("SELECT id, title, published, source, url, processed_at FROM documents WHERE rowid = ?",
                     (rowid,)).fetchone()
    if row is None:
        return None
    doc_id, title, published, source, url, processed_at = row
    return {"doc": doc_id, "title": title, "published": published, "source": source, "url": url,
            "processed_at": processed_at, "decisions": decisions_of(db, doc_id)}


@one_snapshot
def matches(db: sqlite_utils.Database, watch: Watch, *, limit: int = 50) -> list[dict]:
    """The watch's newest matches, reported or not (what its feed shows)."""
    return [d for d in (_document(db, r) for r in _matching_rowids(db, watch, limit)) if d]


@one_snapshot
def pending(db: sqlite_utils.Database, watch: Watch) -> list[dict]:
    """The matches stored after the watch's last report (every match before its first one), newest first."""
    seen = {}
    if watch.id is not None and _has_tables(db):
        seen = dict(db.execute("SELECT doc_id, processed_at FROM watch_reported WHERE watch_id = ?",
                               (watch.id,)).fetchall())
    out = []
    for rowid in _matching_rowids(db, watch, WATCH_WINDOW):
        row = db.execute("SELECT id, processed_at FROM documents WHERE rowid = ?", (rowid,)).fetchone()
        if row and seen.get(row[0]) != row[1] and (doc := _document(db, rowid)):
            out.append(doc)
    return out


def report(db: sqlite_utils.Database, name: str | None = None) -> list[dict]:
    """``[{"watch": {...}, "documents": [...]}]`` for one watch or all, marking what it lists as reported.

    Reading the matches and marking them is one write transaction: a document stored meanwhile waits for
    it and is in the next report."""
    watches = list_watches(db)
    if name is not None:
        watches = [w for w in watches if w.name == name]
        if not watches:
            raise WatchError(f"no watch named {name!r}")
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        out = []
        now = _now()
        for watch in watches:
            docs = pending(db, watch)
            conn.executemany("INSERT OR REPLACE INTO watch_reported (watch_id, doc_id, processed_at, reported_at)"
                             " VALUES (?,?,?,?)", [(watch.id, d["doc"], d["processed_at"], now) for d in docs])
            conn.execute("UPDATE watches SET reported_at = ? WHERE id = ?", (now, watch.id))
            out.append({"watch": {**watch.to_dict(), "reported_at": now}, "documents": docs})
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return out
