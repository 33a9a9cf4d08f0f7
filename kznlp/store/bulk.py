"""Fast bulk loading of many new Documents (benchmarks, imports): same rows as ``save_document``.

One transaction per batch, one ``executemany`` for its documents, officials' ids kept in memory and a
word-level stem cache (news text repeats its vocabulary, so most words are stemmed once); the other
rows are ``save_document``'s own (``insert_facts``).  Documents must be new (an existing id is an error)
unless ``replace=True``, which first deletes the rows of the batch's ids that are already stored.
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
from kznlp.store.archive import CHILD_TABLES, insert_facts, stems_of


def bulk_insert(db: sqlite_utils.Database, docs: Iterable[tuple[Document, str | None]], *,
                batch_size: int = 2000, replace: bool = False) -> int:
    """Insert ``(document, source)`` pairs; returns how many were stored."""
    conn = db.conn
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    officials = dict(conn.execute("SELECT name_key, id FROM officials").fetchall())
    count, batch = 0, []

    def flush() -> None:
        nonlocal batch
        try:
            with conn:
                _write(conn, batch, officials, now, replace)
        except sqlite3.Error as error:
            raise ArchiveError(f"bulk insert failed: {error}") from None
        batch = []

    for item in docs:
        batch.append(item)
        count += 1
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return count


def _write(conn: sqlite3.Connection, batch: list[tuple[Document, str | None]], officials: dict[str, int],
           now: str, replace: bool = False) -> None:
    if replace:
        ids = [(d.doc,) for d, _source in batch]
        for table in CHILD_TABLES:
            conn.executemany(f"DELETE FROM {table} WHERE doc_id = ?", ids)
        conn.executemany("DELETE FROM documents WHERE id = ?", ids)
    conn.executemany(
        "INSERT INTO documents (id, url, canonical_url, source, title, published, language, script, text,"
        " content_hash, processed_at, stems, original_text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(d.doc, d.url, d.url, source, d.title, d.published, d.language, d.script, d.text,
          hashlib.sha256(d.text.encode("utf-8")).hexdigest(), now, stems_of(f"{d.title or ''} {d.text}"), d.original)
         for d, source in batch])

    def official_id(name: str) -> int:
        key = casefold(name)
        if key not in officials:
            officials[key] = conn.execute("INSERT INTO officials (name, name_key) VALUES (?, ?)",
                                          (name, key)).lastrowid
        return officials[key]

    for d, _source in batch:
        insert_facts(conn, d, official_id)
