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
