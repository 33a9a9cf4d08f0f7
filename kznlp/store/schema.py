"""The archive schema, built with sqlite-utils, with a schema version and forward migrations.

Full-text search indexes a *stemmed shadow column* (``stems``): every word reduced by the same
suffix stripper the extractor uses, so "әкім" finds "әкімі", "әкімдерге", and "Сағынтаев" finds
"Сағынтаевтың".  The tokenizer keeps diacritics: unicode61's default folding would merge "й"
into "и" and so on.
"""

from __future__ import annotations

import sqlite_utils

SCHEMA_VERSION = 1
FTS_TOKENIZE = "unicode61 remove_diacritics 0"


def _v1(db: sqlite_utils.Database) -> None:
    db["documents"].create({
        "id": str, "url": str, "canonical_url": str, "source": str, "title": str, "published": str,
        "language": str, "script": str, "text": str, "content_hash": str, "processed_at": str, "stems": str,
    }, pk="id", not_null={"text", "language"})
    db["entities"].create({"id": int, "doc_id": str, "label": str, "text": str, "start": int, "end": int},
                          pk="id", foreign_keys=[("doc_id", "documents", "id")])
    db["officials"].create({"id": int, "name": str, "name_key": str}, pk="id")
    db["officials"].create_index(["name_key"], unique=True)
    db["positions"].create({"id": int, "official_id": int, "doc_id": str, "position": str, "organisation": str},
                           pk="id", foreign_keys=[("official_id", "officials", "id"), ("doc_id", "documents", "id")])
    db["mentions"].create({"id": int, "official_id": int, "doc_id": str, "text": str, "start": int, "end": int},
                          pk="id", foreign_keys=[("official_id", "officials", "id"), ("doc_id", "documents", "id")])
    db["figures"].create({"id": int, "doc_id": str, "text": str, "value": float, "unit": str, "qualifier": str,
                          "subject": str, "start": int, "end": int},
                         pk="id", foreign_keys=[("doc_id", "documents", "id")])
    db["decisions"].create({"id": int, "doc_id": str, "maker": str, "text": str, "start": int, "end": int},
                           pk="id", foreign_keys=[("doc_id", "documents", "id")])
    db["actions"].create({"id": int, "decision_id": int, "doc_id": str, "text": str, "responsible": str,
                          "frequency": str, "deadline": str, "start": int, "end": int, "stems": str},
                         pk="id", foreign_keys=[("decision_id", "decisions", "id"), ("doc_id", "documents", "id")])
    for table in ("entities", "positions", "mentions", "figures", "decisions", "actions"):
        db[table].create_index(["doc_id"])
    db["positions"].create_index(["official_id"])
    db["mentions"].create_index(["official_id"])
    db["actions"].create_index(["decision_id"])
    db["documents"].create_index(["published"])
    db["documents"].enable_fts(["title", "stems"], fts_version="FTS5", create_triggers=True,
                               tokenize=FTS_TOKENIZE)
    db["actions"].enable_fts(["stems"], fts_version="FTS5", create_triggers=True, tokenize=FTS_TOKENIZE)


MIGRATIONS = {1: _v1}


def migrate(db: sqlite_utils.Database) -> int:
    """Bring the database to ``SCHEMA_VERSION``; returns the version it was at before."""
    before = db.execute("PRAGMA user_version").fetchone()[0]
    for version in range(before + 1, SCHEMA_VERSION + 1):
        with db.conn:
            MIGRATIONS[version](db)
            db.execute(f"PRAGMA user_version = {version}")
    return before
