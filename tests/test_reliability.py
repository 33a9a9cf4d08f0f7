"""The archive under concurrent use and kills, with real processes on a real SQLite file: a writer replacing a
document while a search reads it, first opens racing on a new file, kill -9 during a first open, and a
half-made archive left by an older kznlp."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from archive_data import build_archive
from conftest import ROOT
from kznlp.errors import ArchiveError
from kznlp.store import queries
from kznlp.store.archive import open_archive, search
from kznlp.store.schema import MIGRATIONS, SCHEMA_VERSION

ENV = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tests")]), PYTHONWARNINGS="ignore")

WRITER = """
import sys
import threading
from archive_data import almaty
from kznlp.store.archive import open_archive, save_document
db = open_archive(sys.argv[1])
print("ready", flush=True)
for line in sys.stdin:
    save_document(db, almaty(), source="bairaq")  # delete and insert: the document gets a new rowid
    print("saved", flush=True)
"""


def _python(code: str, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], env=ENV, cwd=ROOT, text=True, **kwargs)


@pytest.fixture()
def writer(tmp_path):
    """An archive and a writer process that replaces its document "almaty" each time it is asked."""
    path = build_archive(tmp_path / "archive.db")
    proc = _python(WRITER, str(path), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdout.readline() == "ready\n"
    yield path, proc
    proc.stdin.close()
    proc.wait(timeout=30)


def _replace_after_ranking(db, proc) -> dict:
    """Have the writer replace the document between the ranking statement (the first with MATCH) and
    the next statement of the same read: the moment a writer hit at random before."""
    state = {"ranked": False, "replaced": False}

    def trace(sql: str) -> None:
        if state["replaced"]:
            return
        if "MATCH" in sql:
            state["ranked"] = True
        elif state["ranked"]:
            state["replaced"] = True
            proc.stdin.write("replace\n")
            proc.stdin.flush()
            proc.stdout.readline()

    db.conn.set_trace_callback(trace)
    return state


@pytest.mark.parametrize("read", [
    lambda db: search(db, "Сағынтаев"),
    lambda db: queries.search_page(db, "Сағынтаев")["hits"],
], ids=["search", "search_page"])
def test_search_reads_one_snapshot_while_a_writer_replaces_the_hit(writer, read):
    path, proc = writer
    db = open_archive(path, readonly=True)
    state = _replace_after_ranking(db, proc)
    hits = read(db)
    assert state["replaced"]
    assert [h.doc_id for h in hits] == ["almaty"]
    assert hits[0].decisions and hits[0].decisions[0]["actions"]  # the hit's rows from the same snapshot
    db.conn.set_trace_callback(None)
    assert [h.doc_id for h in search(db, "Сағынтаев")] == ["almaty"]  # and the next read sees the new one


OPENER = """
import sys, time
from kznlp.store.archive import open_archive
start = float(sys.argv[2])
while time.time() < start:
    pass
db = open_archive(sys.argv[1])
print(db.execute("PRAGMA user_version").fetchone()[0])
"""


def test_concurrent_first_opens_wait_and_succeed(tmp_path):
    for attempt in range(2):
        path = tmp_path / f"new-{attempt}.db"
        start = time.time() + 1.5  # every process past its imports, then all open at the same instant
        procs = [_python(OPENER, str(path), str(start), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for _ in range(4)]
        results = [proc.communicate(timeout=60) for proc in procs]
        assert [proc.returncode for proc in procs] == [0] * 4, [err[-300:] for _, err in results]
        assert [out.strip() for out, _ in results] == [str(SCHEMA_VERSION)] * 4
        db = open_archive(path)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 30


def test_first_open_waits_while_another_opener_holds_the_write_lock(tmp_path):
    """The switch to WAL does not use SQLite's busy handler: an opener that met another one's write lock on
    a new file failed at once with "database is locked" (1 of 20 racing opens in the probe)."""
    path = tmp_path / "new.db"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another opener, before its switch to WAL
    release = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    release.start()
    try:
        started = time.monotonic()
        db = open_archive(path)
        assert time.monotonic() - started >= 0.4
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        release.join()
        other.close()


KILLED = """
import sys, time
from kznlp.store import schema
from kznlp.store.archive import open_archive
first = schema.MIGRATIONS[1]

def stop_after_first(db):  # the whole of migration 1 is done; its version is not yet written
    first(db)
    print("inside", flush=True)
    time.sleep(60)

schema.MIGRATIONS[1] = stop_after_first
open_archive(sys.argv[1])
"""


def test_kill_during_the_first_open_leaves_a_file_that_opens(tmp_path):
    path = tmp_path / "killed.db"
    proc = _python(KILLED, str(path), stdout=subprocess.PIPE)
    assert proc.stdout.readline() == "inside\n"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    db = open_archive(path)
    assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    from archive_data import almaty
    from kznlp.store.archive import save_document

    save_document(db, almaty(), source="bairaq")
    assert [h.doc_id for h in search(db, "әкімдерге")] == ["almaty"]


@pytest.mark.parametrize("version", [0, 1])
def test_half_made_archive_from_an_older_version_is_repaired(tmp_path, version):
    """What the older first open left when killed inside migration ``version + 1``: some of its tables
    (each statement was its own transaction) and user_version still ``version``.  It was refused on every
    open ("table documents already exists")."""
    import sqlite_utils

    path = tmp_path / "half.db"
    old = sqlite_utils.Database(path)
    if version == 0:  # migration 1 killed before its last tables: no actions, no actions_fts
        MIGRATIONS[1](old)
        for name in ("actions_fts", "actions"):
            old.execute(f"DROP TABLE {name}")
    else:  # migration 1 done, migration 2 killed after its first table
        MIGRATIONS[1](old)
        old.execute("PRAGMA user_version = 1")
        old["crawl_frontier"].create({"key": str, "url": str}, pk="key")
    old.conn.close()
    db = open_archive(path)
    assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    assert "prefix=" in db["documents_fts"].schema and "hint_published" in db["crawl_frontier"].columns_dict
    assert db["actions_fts"].exists()
    from archive_data import almaty
    from kznlp.store.archive import save_document

    save_document(db, almaty(), source="bairaq")
    assert [h.doc_id for h in search(db, "Сағынтаевтың")] == ["almaty"]


def test_a_database_that_is_not_an_archive_is_still_refused(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE documents (x)")
        conn.execute("CREATE TABLE invoices (y)")
        conn.execute("INSERT INTO documents VALUES (1)")
    with pytest.raises(ArchiveError, match="not a kznlp archive"):
        open_archive(path)
    with sqlite3.connect(path) as conn:  # untouched
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (2,)
