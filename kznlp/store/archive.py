"""The SQLite archive: open, save a processed Document atomically, search with Kazakh stems."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from kznlp.errors import ArchiveError
from kznlp.records import Document
from kznlp.resources import casefold
from kznlp.store.schema import migrate
from kznlp.text.morph import search_stem

WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
CHILD_TABLES = ("entities", "positions", "mentions", "figures", "actions", "decisions")


def stems_of(text: str) -> str:
    """The stemmed shadow text FTS indexes: "Сағынтаевтың әкімі" -> "сағынтаев әкім"."""
    return " ".join(search_stem(w) for w in WORD.findall(text or ""))


def open_archive(path: str | Path, *, readonly: bool = False) -> sqlite_utils.Database:
    """Open (creating and migrating unless ``readonly``) an archive database."""
    path = Path(path)
    try:
        if readonly:
            if not path.exists():
                raise ArchiveError(f"{path}: no such archive")
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            db = sqlite_utils.Database(conn)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite_utils.Database(path)
            db.execute("PRAGMA journal_mode=WAL")
            migrate(db)
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as error:
        raise ArchiveError(f"{path}: not a kznlp archive ({error})") from None
    return db


def _official_id(conn: sqlite3.Connection, name: str) -> int:
    key = casefold(name)
    row = conn.execute("SELECT id FROM officials WHERE name_key = ?", (key,)).fetchone()
    if row:
        return row[0]
    return conn.execute("INSERT INTO officials (name, name_key) VALUES (?, ?)", (name, key)).lastrowid


def save_document(db: sqlite_utils.Database, doc: Document, *, source: str | None = None,
                  script: str | None = None, canonical_url: str | None = None) -> None:
    """Store a document and its extraction in one transaction, replacing an earlier version."""
    conn = db.conn
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    digest = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
    try:
        with conn:
            for table in CHILD_TABLES:
                conn.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc.doc,))
            conn.execute("DELETE FROM documents WHERE id = ?", (doc.doc,))
            conn.execute(
                "INSERT INTO documents (id, url, canonical_url, source, title, published, language, script, text,"
                " content_hash, processed_at, stems) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (doc.doc, doc.url, canonical_url or doc.url, source, doc.title, doc.published, doc.language,
                 script, doc.text, digest, now, stems_of(f"{doc.title or ''} {doc.text}")))
            conn.executemany("INSERT INTO entities (doc_id, label, text, start, end) VALUES (?,?,?,?,?)",
                             [(doc.doc, e.label, e.text, e.start, e.end) for e in doc.entities])
            for official in doc.officials:
                oid = _official_id(conn, official.name)
                organisations = list(official.organisations) + [None] * len(official.positions)
                conn.executemany(
                    "INSERT INTO positions (official_id, doc_id, position, organisation) VALUES (?,?,?,?)",
                    [(oid, doc.doc, p, organisations[i]) for i, p in enumerate(official.positions)])
                conn.executemany(
                    "INSERT INTO mentions (official_id, doc_id, text, start, end) VALUES (?,?,?,?,?)",
                    [(oid, doc.doc, m.text, m.start, m.end) for m in official.mentions])
            conn.executemany(
                "INSERT INTO figures (doc_id, text, value, unit, qualifier, subject, start, end)"
                " VALUES (?,?,?,?,?,?,?,?)",
                [(doc.doc, f.text, f.value, f.unit, f.qualifier, f.subject, f.start, f.end) for f in doc.figures])
            for decision in doc.decisions:
                did = conn.execute("INSERT INTO decisions (doc_id, maker, text, start, end) VALUES (?,?,?,?,?)",
                                   (doc.doc, decision.maker, decision.text, decision.start, decision.end)).lastrowid
                conn.executemany(
                    "INSERT INTO actions (decision_id, doc_id, text, responsible, frequency, deadline, start, end,"
                    " stems) VALUES (?,?,?,?,?,?,?,?,?)",
                    [(did, doc.doc, a.text, json.dumps(list(a.responsible), ensure_ascii=False), a.frequency,
                      a.deadline, a.start, a.end, stems_of(a.text + " " + " ".join(a.responsible)))
                     for a in decision.actions])
    except sqlite3.Error as error:
        raise ArchiveError(f"could not store {doc.doc}: {error}") from None


def fts_query(query: str) -> str | None:
    """A safe FTS5 query: every word stemmed, quoted and matched as a prefix; AND between them.

    >>> fts_query('әкімдерге AND (')
    '"әкім"* AND "and"*'
    >>> fts_query('"') is None
    True
    """
    terms = [search_stem(w) for w in WORD.findall(query)[:32]]
    terms = [t.replace('"', '""') for t in terms if t]
    if not terms:
        return None
    return " AND ".join(f'"{t}"*' for t in terms)


@dataclass(frozen=True, slots=True)
class SearchHit:
    doc_id: str
    title: str | None
    published: str | None
    snippet: str
    decisions: tuple[dict, ...]


def _snippet(text: str, query: str, width: int = 160) -> str:
    """A window of the original text around the first word whose stem matches a query stem."""
    stems = {search_stem(w) for w in WORD.findall(query)}
    for match in WORD.finditer(text):
        stem = search_stem(match.group(0))
        if any(stem.startswith(s) for s in stems if s):
            start = max(0, match.start() - width // 2)
            end = min(len(text), match.end() + width // 2)
            return ("…" if start else "") + text[start:match.start()] + "[" + match.group(0) + "]" \
                + text[match.end():end] + ("…" if end < len(text) else "")
    return text[:width] + ("…" if len(text) > width else "")


def search(db: sqlite_utils.Database, query: str, *, limit: int = 20) -> list[SearchHit]:
    """Documents matching ``query`` (BM25 order) with their decisions and actions."""
    match = fts_query(query)
    if match is None:
        return []
    rows = db.execute(
        "SELECT d.id, d.title, d.published, d.text FROM documents_fts f JOIN documents d ON d.rowid = f.rowid"
        " WHERE documents_fts MATCH ? ORDER BY bm25(documents_fts) LIMIT ?", (match, limit)).fetchall()
    hits = []
    for doc_id, title, published, text in rows:
        decisions = []
        for did, maker, dtext in db.execute("SELECT id, maker, text FROM decisions WHERE doc_id = ? ORDER BY start",
                                            (doc_id,)).fetchall():
            actions = [{"text": t, "responsible": json.loads(r or "[]"), "frequency": f, "deadline": d}
                       for t, r, f, d in db.execute(
                           "SELECT text, responsible, frequency, deadline FROM actions WHERE decision_id = ?"
                           " ORDER BY start", (did,)).fetchall()]
            decisions.append({"maker": maker, "text": dtext, "actions": actions})
        hits.append(SearchHit(doc_id, title, published, _snippet(text, query), tuple(decisions)))
    return hits
