"""The SQLite archive: atomic replacement, Kazakh-aware search, hostile queries."""

from __future__ import annotations

import sqlite3

import pytest

from kznlp.errors import ArchiveError
from kznlp.store.archive import fts_query, open_archive, save_document, search


@pytest.fixture()
def archive(tmp_path, reference_doc):
    db = open_archive(tmp_path / "archive.db")
    save_document(db, reference_doc)
    return db


@pytest.mark.parametrize("query", ["әкім", "әкімі", "әкімдерге", "Сағынтаев", "Сағынтаевтың", "сағынтаевқа",
                                   "Алматы қаласының", "кеңес"])
def test_inflected_queries_find_the_release(archive, query):
    hits = search(archive, query)
    assert [h.doc_id for h in hits] == ["bairaq_nur_otan_almaty"]
    assert "[" in hits[0].snippet


@pytest.mark.parametrize("query", ['әкім AND (', '"', "*", "NEAR(", "x" * 10_000, "әкім " * 2000, "'; DROP TABLE"])
def test_hostile_queries_never_raise(archive, query):
    search(archive, query)


def test_saving_twice_replaces_rows(archive, reference_doc):
    save_document(archive, reference_doc)
    counts = {t: archive.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("documents", "officials", "decisions", "actions", "figures", "mentions")}
    assert counts["documents"] == 1 and counts["decisions"] == 1 and counts["actions"] == 5
    assert counts["officials"] == 1 and counts["figures"] == 4
    assert counts["mentions"] == len(reference_doc.officials[0].mentions)
    assert [h.doc_id for h in search(archive, "мониторинг")] == ["bairaq_nur_otan_almaty"]


def test_failed_save_leaves_nothing_half_written(archive, reference_doc):
    from dataclasses import replace

    from kznlp.records import Figure

    broken = replace(reference_doc, doc="broken", figures=(Figure("x", object(), None, None, None, 0, 1),))
    with pytest.raises(ArchiveError):
        save_document(archive, broken)
    assert archive.execute("SELECT count(*) FROM documents WHERE id = 'broken'").fetchone() == (0,)
    assert archive.execute("SELECT count(*) FROM decisions WHERE doc_id = 'broken'").fetchone() == (0,)


def test_schema_version_and_wal(archive, tmp_path):
    from kznlp.store.schema import SCHEMA_VERSION

    assert archive.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    assert archive.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    open_archive(tmp_path / "archive.db")  # reopening migrates nothing and keeps data
    assert archive.execute("SELECT count(*) FROM documents").fetchone() == (1,)


def test_not_an_archive(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ArchiveError):
        open_archive(junk)
    with pytest.raises(ArchiveError):
        open_archive(tmp_path / "missing.db", readonly=True)


def test_readonly_archive_refuses_writes(archive, tmp_path, reference_doc):
    from dataclasses import replace

    readonly = open_archive(tmp_path / "archive.db", readonly=True)
    with pytest.raises((ArchiveError, sqlite3.OperationalError)):  # a change (the same document again writes nothing)
        save_document(readonly, replace(reference_doc, title="Жаңа тақырып"))


def test_fts_query_quotes_everything():
    assert fts_query("әкімдерге") == '"әкім"*'
    assert fts_query('" OR 1=1 --') == '"or"* AND "1"* AND "1"*'


def _v2_archive(path):
    """An archive as schema version 2 wrote it (the same migrations, stopped at 2), with documents."""
    import sqlite_utils

    from archive_data import DOCUMENTS, many_documents
    from kznlp.store.bulk import bulk_insert
    from kznlp.store.schema import MIGRATIONS

    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode=WAL")
    for version in (1, 2):
        with db.conn:
            MIGRATIONS[version](db)
            db.execute(f"PRAGMA user_version = {version}")
    bulk_insert(db, [(make(), source) for source, make in DOCUMENTS.values()])  # writes version-1 columns only
    bulk_insert(db, many_documents(300))
    db.execute("ANALYZE")
    db.conn.commit()
    db.conn.close()


def test_migration_2_to_3_keeps_data_and_search(tmp_path):
    from archive_data import almaty
    from kznlp.store.filters import Filters

    path = tmp_path / "v2.db"
    _v2_archive(path)
    tables = ("documents", "officials", "positions", "mentions", "decisions", "actions", "entities")
    queries = [("әкімдерге", Filters()), ('"аудан әкімдері"', Filters()), ("Сағын*", Filters()),
               ("жол", Filters(official="Бектенов")), ("әкім", Filters(source="kazinform", since="2019")),
               ("тасқыны", Filters(has_decisions=False))]
    old = open_archive(path, readonly=True)  # read-only: nothing migrates
    assert old.execute("PRAGMA user_version").fetchone() == (2,)
    counts = {t: old.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    before = [[(h.doc_id, h.score) for h in search(old, q, filters=f, limit=50)] for q, f in queries]
    old.conn.close()

    from kznlp.store.schema import SCHEMA_VERSION

    db = open_archive(path)
    assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    assert "prefix='2 3 4 5 6 7 8 9 10 11 12'" in db["documents_fts"].schema
    assert db["documents"].detect_fts() == "documents_fts"  # what datasette looks for
    indexes = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()}
    assert {"idx_documents_source_published", "idx_mentions_doc_id_official_id",
            "idx_positions_official_id_doc_id"} <= indexes and "idx_mentions_doc_id" not in indexes
    assert {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables} == counts
    db.execute("INSERT INTO documents_fts (documents_fts, rank) VALUES ('integrity-check', 1)")
    assert [[(h.doc_id, h.score) for h in search(db, q, filters=f, limit=50)] for q, f in queries] == before
    assert any(before)

    # the old triggers feed the new index: replacing a document and adding one
    save_document(db, almaty(), source="bairaq")
    from dataclasses import replace

    save_document(db, replace(almaty(), doc="almaty-2", title="Жаңа құжат"), source="bairaq")
    db.execute("INSERT INTO documents_fts (documents_fts, rank) VALUES ('integrity-check', 1)")
    assert {h.doc_id for h in search(db, "Сағынтаевтың", limit=1000)} >= {"almaty", "almaty-2"}
    assert [h.doc_id for h in search(db, "жаңа")] == ["almaty-2"]
    assert open_archive(path).execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)  # nothing left


def test_migration_4_to_5_gives_identity_to_an_old_archive(tmp_path):
    """An archive written by schema 4 (no origins) upgrades in place: content keys for its documents, the
    crawled ones' URL as their origin; a file's old row is adopted by the same text and never overwritten by
    another."""
    import sqlite_utils
    from dataclasses import replace

    from archive_data import DOCUMENTS, almaty, farming
    from kznlp.store.bulk import bulk_insert
    from kznlp.store.schema import MIGRATIONS, SCHEMA_VERSION

    path = tmp_path / "v4.db"
    old = sqlite_utils.Database(path)
    for version in (1, 2, 3, 4):
        with old.conn:
            MIGRATIONS[version](old)
            old.execute(f"PRAGMA user_version = {version}")
    bulk_insert(old, [(make(), source) for source, make in DOCUMENTS.values()])
    with old.conn:
        old.execute("INSERT INTO crawl_articles (doc_id, source, url) VALUES ('astana', 'kazinform', ?)",
                    ("https://kazinform.kz/news/astana-2",))
    old.conn.close()

    db = open_archive(path)
    assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    assert db.execute("SELECT count(DISTINCT doc_id) FROM document_keys").fetchone() == (len(DOCUMENTS),)
    assert dict(db.execute("SELECT id, origin FROM documents").fetchall())["astana"] == "https://kazinform.kz/news/astana-2"
    assert db.execute("SELECT doc_id FROM document_origins").fetchall() == [("astana",)]
    # "almaty" was processed from a file before origins were kept: the same text from a path adopts it
    assert save_document(db, almaty(), source="bairaq", origin="/data/almaty.txt") == "almaty"
    # another file whose stem is also "farming" but whose text differs: stored beside it, not over it
    other = replace(farming(), text="Басқа мәтін: облыста жаңа мектеп ашылды.")
    stored = save_document(db, other, source="file", origin="/elsewhere/farming.txt")
    assert stored.startswith("farming-") and db.execute("SELECT count(*) FROM documents").fetchone() == (5,)
    assert db.execute("SELECT text FROM documents WHERE id = 'farming'").fetchone() == (farming().text,)
    # and again: that file updates its own document
    assert save_document(db, replace(other, text=other.text + " Тағы бір."), source="file",
                         origin="/elsewhere/farming.txt") == stored
    assert db.execute("SELECT count(*) FROM documents").fetchone() == (5,)
