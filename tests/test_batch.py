"""``kznlp batch``: same documents as ``process`` on both engines, the archive rows of ``save_document``,
resume after a real kill -9, rejects; and ``process``'s early input checks and progress bar (issue 15)."""

from __future__ import annotations

import json
import os
import pty
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from batch_data import write_documents
from conftest import ROOT, run_cli
from kznlp.batch.engine import BatchOptions, run_batch
from kznlp.batch.shards import read_rejects, read_rows, row_json, shards


def _jsonl(stdout: bytes) -> list[dict]:
    return [json.loads(line) for line in stdout.decode().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("releases")
    write_documents(folder, count=30)
    return folder


@pytest.fixture(scope="module")
def processed(documents) -> dict[str, dict]:
    """What ``kznlp process`` prints for each of the thirty documents."""
    result = run_cli("process", *map(str, sorted(documents.glob("*.txt"))))
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    docs = {doc["doc"]: doc for doc in _jsonl(result.stdout)}
    assert len(docs) == 30 and sum(len(d["officials"]) for d in docs.values()) > 20
    return docs


def _outputs(out: Path) -> dict[str, dict]:
    return {row["id"]: row_json(row) for row in read_rows(out)}


def _archive_rows(db: Path) -> dict[str, list]:
    """Every table's rows without the ids and times two runs number differently (officials by name)."""
    with sqlite3.connect(db) as conn:
        return {
            "documents": sorted(conn.execute(
                "SELECT id, url, canonical_url, source, origin, title, published, language, script, text, "
                "content_hash, stems, original_text, result_hash FROM documents").fetchall()),
            "entities": sorted(conn.execute("SELECT doc_id, label, text, start, end FROM entities").fetchall()),
            "officials": sorted(conn.execute("SELECT name, name_key FROM officials").fetchall()),
            "positions": sorted(conn.execute("SELECT o.name, p.doc_id, p.position, p.organisation FROM positions p "
                                             "JOIN officials o ON o.id = p.official_id").fetchall()),
            "mentions": sorted(conn.execute("SELECT o.name, m.doc_id, m.text, m.start, m.end FROM mentions m "
                                            "JOIN officials o ON o.id = m.official_id").fetchall()),
            "figures": sorted(conn.execute("SELECT doc_id, text, value, unit, qualifier, subject, start, end "
                                           "FROM figures").fetchall(), key=repr),
            "decisions": sorted(conn.execute("SELECT doc_id, maker, text, start, end FROM decisions").fetchall(),
                                key=repr),
            "actions": sorted(conn.execute(
                "SELECT d.doc_id, d.start, a.text, a.responsible, a.frequency, a.deadline, a.start, a.end, a.stems "
                "FROM actions a JOIN decisions d ON d.id = a.decision_id").fetchall(), key=repr),
            "search": conn.execute("SELECT id FROM documents WHERE rowid IN (SELECT rowid FROM documents_fts "
                                   "WHERE documents_fts MATCH 'әкім*') ORDER BY id").fetchall(),
        }


def test_local_batch_gives_process_output_and_save_document_rows(documents, processed, tmp_path):
    out, db = tmp_path / "out", tmp_path / "batch.db"
    result = run_cli("batch", str(documents), "--out", str(out), "--workers", "2", "--shard-size", "8",
                     "--db", str(db), "--json")
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    lines = _jsonl(result.stdout)
    assert lines[-1]["event"] == "summary" and lines[-1]["documents"] == 30 and lines[-1]["stored"] == 30
    assert any(line["event"] == "progress" and 0 < line["documents"] < 30 for line in lines)
    assert len(shards(out)) == 4  # 30 documents, 8 to a shard
    assert _outputs(out) == processed
    # the archive: what `process --db` (save_document) writes for the same files
    reference = tmp_path / "process.db"
    again = run_cli("process", *map(str, sorted(documents.glob("*.txt"))), "--db", str(reference))
    assert again.returncode == 0
    batch_rows, process_rows = _archive_rows(db), _archive_rows(reference)
    assert batch_rows["actions"] and batch_rows["search"]
    assert batch_rows == process_rows


@pytest.fixture(scope="module")
def ray_runtime():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
                                       "HF_HUB_OFFLINE": "1"}})
    yield ray
    ray.shutdown()


def test_ray_batch_gives_process_output(ray_runtime, documents, processed, tmp_path):
    out = tmp_path / "ray-out"
    progress = []
    stats = run_batch([str(documents)], BatchOptions(out=out, engine="ray", workers=2, shard_size=8),
                      on_progress=lambda s: progress.append(s.documents))
    assert stats.documents == 30 and stats.rejected == 0 and progress[-1] == 30
    assert len(shards(out)) == 4
    assert _outputs(out) == processed


def test_resume_after_kill_9(documents, processed, tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "kznlp.cli", "batch", str(documents), "--out", str(out), "--workers", "1",
               "--shard-size", "2", "--json"]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT,
                             env=dict(os.environ, PYTHONWARNINGS="ignore"))
    for line in child.stdout:  # kill it mid-run, after some shards are done
        event = json.loads(line)
        if event["event"] == "progress" and event["documents"] >= 6:
            break
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    time.sleep(0.5)
    before = shards(out)
    assert 3 <= len(before) < 15
    for path in before:  # every shard a reader sees is whole
        assert pq.read_table(path).num_rows == 2
    # the killed worker died with it: nothing appears after the kill
    assert shards(out) == before
    busy = run_cli("batch", str(documents), "--out", str(out))
    assert busy.returncode == 1 and "--resume" in busy.stderr.decode()
    rerun = run_cli("batch", str(documents), "--out", str(out), "--workers", "1", "--shard-size", "2", "--resume",
                    "--json")
    assert rerun.returncode == 0, rerun.stderr.decode()[-2000:]
    summary = _jsonl(rerun.stdout)[-1]
    assert summary["skipped"] == 2 * len(before) and summary["documents"] == 30 - summary["skipped"]
    assert not list(out.glob(".*.tmp"))
    ids = [i for path in shards(out) for i in pq.read_table(path, columns=["id"]).column("id").to_pylist()]
    assert len(ids) == len(set(ids)) == 30  # no duplicates
    assert _outputs(out) == processed
    nothing = run_cli("batch", str(documents), "--out", str(out), "--resume", "--json")
    assert _jsonl(nothing.stdout)[-1]["skipped"] == 30 and len(shards(out)) == len(set(shards(out)))


def test_jsonl_parquet_and_rejects(nlp, documents, tmp_path):
    texts = {path.stem: path.read_text("utf-8") for path in sorted(documents.glob("excerpt_0*-1.txt"))[:3]}
    records = [{"id": f"j-{stem}", "text": text.split("\n", 2)[-1], "title": "Тақырып", "published": "2025-01-02",
                "source": "newsroom"} for stem, text in texts.items()]
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("\n".join([json.dumps(records[0], ensure_ascii=False), "{not json",
                                json.dumps({"id": "no-text", "text": ""}), json.dumps({"text": "Мәтін бар, id жоқ"}),
                                json.dumps(records[1], ensure_ascii=False)]) + "\n", "utf-8")
    parquet = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist([records[2], {"id": "digits", "text": "12 345 %%"}]), parquet)
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.html").write_bytes(bytes(range(256)) * 40)
    (folder / "ignored.pdf").write_bytes(b"%PDF")
    out = tmp_path / "out"
    result = run_cli("batch", str(jsonl), str(parquet), str(folder), str(tmp_path / "missing.txt"), "--out", str(out))
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert "3 құжат" in result.stderr.decode() and "7 қабылданбады" in result.stderr.decode()  # Kazakh by default
    rejects = {r["id"]: r["reason"] for r in read_rejects(out)}
    assert set(rejects) == {f"{jsonl}:2", "no-text", f"{jsonl}:4", "digits", "empty", "binary",
                            str(tmp_path / "missing.txt")}
    assert "binary" in rejects["binary"] and "empty" in rejects["empty"]
    got = _outputs(out)
    for record in records:  # a record is processed as Pipeline.process would with its metadata
        expected = nlp.process(record["text"], doc_id=record["id"], title=record["title"],
                               published=record["published"]).to_dict()
        assert got[record["id"]] == expected
    assert {row["source"] for row in read_rows(out)} == {"newsroom"}
    # resume skips what was rejected too: a rejected input is not retried unless it changes
    again = run_cli("batch", str(jsonl), str(parquet), str(folder), "--out", str(out), "--resume", "--json")
    summary = _jsonl(again.stdout)[-1]
    assert summary["documents"] == 0 and summary["rejected"] == 0 and summary["skipped"] == 9  # 3 documents, 6 rejects


def test_batch_bad_arguments_fail_fast(tmp_path):
    started = time.monotonic()
    missing = run_cli("batch", str(tmp_path / "nothing"), "--out", str(tmp_path / "out"))
    assert missing.returncode == 1 and "мұндай файл" in missing.stderr.decode()
    (tmp_path / "file").write_text("x")
    not_dir = run_cli("batch", str(tmp_path / "file"), "--out", str(tmp_path / "file"))
    assert not_dir.returncode == 1 and "қалта емес" in not_dir.stderr.decode()
    engine = run_cli("batch", str(tmp_path / "file"), "--out", str(tmp_path / "o"), "--engine", "spark")
    assert engine.returncode == 1 and "local немесе ray" in engine.stderr.decode()
    assert time.monotonic() - started < 20  # no model was loaded for any of them
    assert all(len(r.stderr.decode().strip().splitlines()) == 1 for r in (missing, not_dir, engine))


def test_process_checks_inputs_before_loading_the_model(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "folder").mkdir()
    env_model = dict(os.environ, KZNLP_MODEL=str(tmp_path / "no-model"), PYTHONWARNINGS="ignore")
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "kznlp.cli", "process", str(tmp_path / "missing.txt"),
                             str(tmp_path / "folder"), str(tmp_path / "empty.txt")], capture_output=True, cwd=ROOT,
                            env=env_model, timeout=60)
    elapsed = time.monotonic() - started
    lines = result.stderr.decode().strip().splitlines()
    assert result.returncode == 1 and result.stdout == b""
    assert len(lines) == 3 and "No such file" in lines[0] and "directory" in lines[1] and "empty" in lines[2]
    assert "cannot load NER model" not in result.stderr.decode()  # the (broken) model was never touched
    assert elapsed < 5, elapsed  # 7-9 s when the model loaded first


def test_process_progress_bar_on_a_terminal_only(documents):
    files = [str(p) for p in sorted(documents.glob("*.txt"))[:3]]
    primary, secondary = pty.openpty()
    child = subprocess.Popen([sys.executable, "-m", "kznlp.cli", "process", *files], stdout=subprocess.PIPE,
                             stderr=secondary, cwd=ROOT, env=dict(os.environ, PYTHONWARNINGS="ignore", COLUMNS="120"))
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    stdout = child.stdout.read()
    assert child.wait(timeout=120) == 0
    os.close(primary)
    text = shown.decode("utf-8", "replace")
    assert "Құжаттар" in text and "/3" in text and "сөз/с" in text and "ETA" in text  # Kazakh by default
    assert len(_jsonl(stdout)) == 3  # the bar is on stderr; stdout stays JSON


def test_one_long_text_reports_words_tagged(nlp, reference_text):
    calls = []
    nlp.on_tagged = lambda done, total: calls.append((done, total))
    try:
        nlp.process(reference_text * 3)
    finally:
        nlp.on_tagged = None
    assert calls and calls[-1][0] == calls[-1][1] >= 3 * 200
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
