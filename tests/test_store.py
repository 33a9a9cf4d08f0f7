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
    readonly = open_archive(tmp_path / "archive.db", readonly=True)
    with pytest.raises((ArchiveError, sqlite3.OperationalError)):
        save_document(readonly, reference_doc)


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
