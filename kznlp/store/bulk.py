"""Fast bulk loading of many Documents (``kznlp batch --db``, imports, benchmarks): the rows ``save_document`` writes.

One transaction per batch, one ``executemany`` for its new documents, officials' ids kept in memory and a
word-level stem cache (news text repeats its vocabulary, so most words are stemmed once); the other
rows are ``save_document``'s own (``insert_facts``).  A document the archive already knows (its id, its
origin, or its text: the same release by another path) goes through ``save_document`` itself, after the
batch, so its identity rules hold: an existing id is an error unless ``replace=True``.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from datetime import datetime, timezone

import sqlite_utils

from kznlp.errors import ArchiveError
from kznlp.records import Document
from kznlp.resources import casefold
from kznlp.store.archive import insert_facts, result_hash, save_document, stems_of
from kznlp.text.plain import content_keys

Item = tuple[Document, str | None] | tuple[Document, str | None, str | None]


def bulk_insert(db: sqlite_utils.Database, docs: Iterable[Item], *, batch_size: int = 2000,
                replace: bool = False) -> int:
    """Insert ``(document, source)`` or ``(document, source, origin)`` items; returns how many were stored."""
    conn = db.conn
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    officials = dict(conn.execute("SELECT name_key, id FROM officials").fetchall())
    identity = "document_keys" in db.table_names()  # schema 5 on; older archives (in migration tests) lack it
    count, batch = 0, []

    def flush() -> None:
        nonlocal batch
        try:
            with conn:
                known = _write(conn, batch, officials, now, replace, identity)
        except sqlite3.Error as error:
            raise ArchiveError(f"bulk insert failed: {error}") from None
        for doc, source, origin in known:  # after the batch's transaction: save_document opens its own
            save_document(db, doc, source=source, origin=origin)
        officials.update(conn.execute("SELECT name_key, id FROM officials").fetchall())
        batch = []

    for item in docs:
        doc, source, origin = (*item, None)[:3]
        batch.append((doc, source, origin))
        count += 1
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return count


def _write(conn: sqlite3.Connection, batch: list[tuple[Document, str | None, str | None]],
           officials: dict[str, int], now: str, replace: bool = False, identity: bool = True) -> list:
    """Insert the batch's new documents; returns the ones the archive already knows (for ``save_document``)."""
    fresh, known, ids, keys_seen = [], [], set(), set()
    for doc, source, origin in batch:
        keys = content_keys(doc.text, doc.title) if identity else ()
        stored = conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc.doc,)).fetchone() is not None
        if stored and not replace:
            raise sqlite3.IntegrityError(f"UNIQUE constraint failed: documents.id ({doc.doc})")
        marks = ",".join("?" * len(keys))
        held = (stored or doc.doc in ids or keys_seen.intersection(keys)
                or (identity and conn.execute(f"SELECT 1 FROM document_keys WHERE key IN ({marks})", keys).fetchone())
                or (identity and origin
                    and conn.execute("SELECT 1 FROM document_origins WHERE origin = ?", (origin,)).fetchone()))
        (known if held else fresh).append((doc, source, origin))
        if not held:
            ids.add(doc.doc)
            keys_seen.update(keys)
            if identity:
                conn.executemany("INSERT INTO document_keys (key, doc_id) VALUES (?, ?)", [(k, doc.doc) for k in keys])
    present = {row[1] for row in conn.execute("PRAGMA table_info(documents)")}  # older schemas lack some
    rows = [{"id": d.doc, "url": d.url, "canonical_url": d.url, "source": source, "title": d.title,
             "published": d.published, "language": d.language, "script": d.script, "text": d.text,
             "content_hash": hashlib.sha256(d.text.encode("utf-8")).hexdigest(), "processed_at": now,
             "stems": stems_of(f"{d.title or ''} {d.text}"), "original_text": d.original, "origin": origin,
             "result_hash": result_hash(d, source, d.script, None, origin)}
            for d, source, origin in fresh]
    columns = [c for c in (rows[0] if rows else ()) if c in present]
    if rows:
        conn.executemany(f"INSERT INTO documents ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                         [tuple(row[c] for c in columns) for row in rows])
    if identity:
        conn.executemany("INSERT INTO document_origins (origin, doc_id, source, added_at) VALUES (?,?,?,?)",
                         [(origin, d.doc, source, now) for d, source, origin in fresh if origin])

    def official_id(name: str) -> int:
        key = casefold(name)
        if key not in officials:
            officials[key] = conn.execute("INSERT INTO officials (name, name_key) VALUES (?, ?)",
                                          (name, key)).lastrowid
        return officials[key]

    for d, _source, _origin in fresh:
        insert_facts(conn, d, official_id)
    return known
