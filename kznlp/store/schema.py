"""The archive schema, built with sqlite-utils, with a schema version and forward migrations.

Full-text search indexes a *stemmed shadow column* (``stems``): every word reduced by the same
suffix stripper the extractor uses, so "әкім" finds "әкімі", "әкімдерге", and "Сағынтаев" finds
"Сағынтаевтың".  The tokenizer keeps diacritics: unicode61's default folding would merge "й"
into "и" and so on.
"""

from __future__ import annotations

import sqlite3
from functools import cache

import sqlite_utils

from kznlp.errors import ArchiveError

SCHEMA_VERSION = 6
FTS_TOKENIZE = "unicode61 remove_diacritics 0"
# Every query word is a stem matched as a prefix ("әкім"*).  Without a prefix index FTS5 answers a
# prefix by merging the whole doclist of every term that starts with it, however few rows are
# wanted; with one it reads a single doclist.  FTS5 uses a prefix index only for a prefix of exactly
# that many characters, so stems of 2 to 12 letters each get one (the long ones cost little).
FTS_PREFIX = "2 3 4 5 6 7 8 9 10 11 12"


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


def _v2(db: sqlite_utils.Database) -> None:
    """The crawler: its frontier, the pages it fetched, the URLs each document is known by, near-duplicates."""
    db["crawl_frontier"].create({
        "key": str, "url": str, "host": str, "kind": str, "source": str, "depth": int, "priority": int,
        "status": str, "reason": str, "hint_published": str, "hint_title": str, "attempts": int,
        "added_at": str, "updated_at": str,
    }, pk="key", not_null={"url", "host", "kind", "status"}, defaults={"status": "pending", "attempts": 0,
                                                                      "depth": 0, "priority": 2})
    db["crawl_frontier"].create_index(["status", "priority"])
    db["crawl_pages"].create({
        "key": str, "url": str, "final_url": str, "status_code": int, "content_type": str, "encoding": str,
        "etag": str, "last_modified": str, "fetched_at": str, "bytes": int, "content_hash": str, "doc_id": str,
        "html": bytes,  # zlib-compressed body, for re-extraction without fetching again
    }, pk="key")
    db["crawl_aliases"].create({"key": str, "doc_id": str}, pk="key")
    db["crawl_aliases"].create_index(["doc_id"])
    db["crawl_articles"].create({
        "doc_id": str, "source": str, "url": str, "author": str, "lead": str, "original_script": str,
        "original_text": str, "extracted": int, "simhash": int, "band0": int, "band1": int, "band2": int,
        "band3": int, "duplicate_of": str, "similarity": float, "fetched_at": str,
    }, pk="doc_id")
    for band in ("band0", "band1", "band2", "band3"):
        db["crawl_articles"].create_index([band])
    db["crawl_articles"].create_index(["duplicate_of"])
    db["crawl_runs"].create({"id": int, "started_at": str, "finished_at": str, "options": str, "stats": str},
                            pk="id")
    db["documents"].create_index(["url"])
    db["documents"].create_index(["canonical_url"])


def _v3(db: sqlite_utils.Database) -> None:
    """Search speed: ``documents_fts`` rebuilt with prefix indexes; indexes that answer the source, date
    and official filters without reading the rows (``(doc_id, official_id)`` and ``(official_id, doc_id)``
    replace the one-column indexes of mentions and positions)."""
    db.execute("DROP TABLE IF EXISTS documents_fts")  # its triggers belong to documents and stay
    db.execute(f"""CREATE VIRTUAL TABLE "documents_fts" USING FTS5 (
    "title", "stems",
    tokenize='{FTS_TOKENIZE}',
    prefix='{FTS_PREFIX}',
    content="documents"
)""")
    db.execute("INSERT INTO documents_fts (documents_fts) VALUES ('rebuild')")
    db["documents"].create_index(["source", "published"])
    for table in ("mentions", "positions"):
        db.execute(f"DROP INDEX IF EXISTS idx_{table}_doc_id")
        db.execute(f"DROP INDEX IF EXISTS idx_{table}_official_id")
        db[table].create_index(["doc_id", "official_id"])
        db[table].create_index(["official_id", "doc_id"])
    if db["sqlite_stat1"].exists():  # an analysed archive: give the planner the new indexes' statistics too
        for name in ("idx_documents_source_published", "idx_mentions_doc_id_official_id",
                     "idx_mentions_official_id_doc_id", "idx_positions_doc_id_official_id",
                     "idx_positions_official_id_doc_id"):
            db.execute(f"ANALYZE {name}")


def _v4(db: sqlite_utils.Database) -> None:
    """Kazakh in every script: ``documents.original_text`` keeps a Latin or Arabic-script text as written
    (``text`` is its Cyrillic reading, which offsets and search use); ``script`` is filled where earlier
    versions left it empty."""
    from kznlp.text.script import detect_script

    db.execute("ALTER TABLE documents ADD COLUMN original_text TEXT")
    rows = db.execute("SELECT id, text FROM documents WHERE script IS NULL").fetchall()
    db.conn.executemany("UPDATE documents SET script = ? WHERE id = ?", [(detect_script(t or ""), i) for i, t in rows])
    db["documents"].create_index(["script"])


def _v5(db: sqlite_utils.Database) -> None:
    """Document identity: ``documents.origin`` (the file path or URL a document was read from; ids of
    files with the same stem stay apart across runs), ``documents.result_hash`` (an unchanged re-run
    writes nothing), ``document_origins`` (every path and URL one release is known by) and
    ``document_keys`` (content keys: the same release read from a file and crawled is one document)."""
    from kznlp.text.plain import content_keys

    db.execute("ALTER TABLE documents ADD COLUMN origin TEXT")
    db.execute("ALTER TABLE documents ADD COLUMN result_hash TEXT")
    db["document_origins"].create({"origin": str, "doc_id": str, "source": str, "added_at": str}, pk="origin")
    db["document_origins"].create_index(["doc_id"])
    db["document_keys"].create({"key": str, "doc_id": str}, pk=("key", "doc_id"))
    db["document_keys"].create_index(["doc_id"])
    # crawled documents came from their URL; a file's path was never stored, so its origin stays unknown
    db.execute("UPDATE documents SET origin = (SELECT c.url FROM crawl_articles c WHERE c.doc_id = documents.id)"
               " WHERE id IN (SELECT doc_id FROM crawl_articles)")
    db.execute("INSERT OR IGNORE INTO document_origins (origin, doc_id, source, added_at)"
               " SELECT origin, id, source, processed_at FROM documents WHERE origin IS NOT NULL")
    rows = db.execute("SELECT id, text, title FROM documents").fetchall()
    db.conn.executemany("INSERT OR IGNORE INTO document_keys (key, doc_id) VALUES (?, ?)",
                        [(key, doc_id) for doc_id, text, title in rows for key in content_keys(text or "", title)])


def _v6(db: sqlite_utils.Database) -> None:
    """Watchlists (``kznlp.follow.watches``): a saved query, official or organisation with search filters,
    and which version of each matching document a report has already shown (``processed_at``: a document
    stored again is new again)."""
    db["watches"].create({"id": int, "name": str, "query": str, "official": str, "organisation": str,
                          "filters": str, "created_at": str, "reported_at": str},
                         pk="id", not_null={"name", "filters", "created_at"})
    db["watches"].create_index(["name"], unique=True)
    db["watch_reported"].create({"watch_id": int, "doc_id": str, "processed_at": str, "reported_at": str},
                                pk=("watch_id", "doc_id"), foreign_keys=[("watch_id", "watches", "id")])


MIGRATIONS = {1: _v1, 2: _v2, 3: _v3, 4: _v4, 5: _v5, 6: _v6}


def _objects(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    return set(conn.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall())


@cache
def made_by(version: int) -> frozenset[tuple[str, str]]:
    """``(type, name)`` of the schema objects migration ``version`` adds (found by running the
    migrations on an empty in-memory database)."""
    db = sqlite_utils.Database(memory=True)
    for earlier in range(1, version):
        MIGRATIONS[earlier](db)
    before = _objects(db.conn)
    MIGRATIONS[version](db)
    return frozenset(_objects(db.conn) - before)


def _clear_partial(db: sqlite_utils.Database, version: int) -> None:
    """Drop what an interrupted run of migration ``version`` left behind, so that it can run again.

    Older kznlp ran each statement of a migration in its own transaction (Python's sqlite3 does not wrap
    DDL), so a kill could leave some of a migration's tables without the version that says it ran; such a
    file was refused on every later open.  Those tables are only ever empty (nothing could be stored in
    an archive that would not open); one that holds rows is not ours to drop."""
    left = made_by(version) & _objects(db.conn)
    if version == 1:
        foreign = _objects(db.conn) - made_by(1)
        if foreign:
            names = ", ".join(sorted(name for _, name in foreign)[:5])
            raise ArchiveError(f"not a kznlp archive (it has tables kznlp does not make: {names})")
    virtual = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL%'")}
    shadows = {name for _, name in left if any(name.startswith(v + "_") for v in virtual)}
    for kind, name in left:
        if kind == "table" and name not in shadows and db.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone():
            raise ArchiveError(f"a half-made archive at schema version {version - 1} whose table {name} holds "
                               "rows; not repairing it")
    # triggers, then full-text tables (they drop their shadow tables), then indexes and tables
    order = lambda o: (o[0] != "trigger", o[1] not in virtual, o[0] != "index")  # noqa: E731
    for kind, name in sorted(left, key=order):
        db.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: sqlite_utils.Database) -> int:
    """Bring the database to ``SCHEMA_VERSION`` in one transaction; returns the version it was at before.

    ``BEGIN IMMEDIATE`` takes the write lock before the version is read again, so openers that race on a
    new file queue on SQLite's busy timeout and each finds the work done or does all of it; a kill rolls
    it all back.  An up-to-date archive takes no lock at all."""
    conn = db.conn
    before = schema_version(conn)
    if before >= SCHEMA_VERSION:
        return before
    conn.execute("BEGIN IMMEDIATE")
    try:
        before = schema_version(conn)
        for version in range(before + 1, SCHEMA_VERSION + 1):
            _clear_partial(db, version)
            MIGRATIONS[version](db)
        if before < SCHEMA_VERSION:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return before
