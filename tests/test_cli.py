"""The ``kznlp`` command end to end, in child processes, with good and bad input."""

from __future__ import annotations

import json
import resource
import sqlite3

import pytest

from conftest import REFERENCE, ROOT, run_cli

RUSSIAN = ("Президент Казахстана Касым-Жомарт Токаев поручил правительству до конца года подготовить "
           "программу развития регионов. Об этом сообщила пресс-служба Акорды.")


def _jsonl(stdout: bytes) -> list[dict]:
    return [json.loads(line) for line in stdout.decode("utf-8").splitlines() if line.strip()]


def test_process_prints_jsonl_and_stores(tmp_path):
    db = tmp_path / "archive.db"
    result = run_cli("process", str(REFERENCE), "--db", str(db))
    assert result.returncode == 0, result.stderr.decode()
    (doc,) = _jsonl(result.stdout)
    assert doc["doc"] == "bairaq_nur_otan_almaty" and doc["language"] == "kk"
    assert [o["name"] for o in doc["officials"]] == ["Бақытжан Сағынтаев"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM documents").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM actions").fetchone() == (5,)
    # processing again replaces the rows instead of duplicating them
    again = run_cli("process", str(REFERENCE), "--db", str(db), "--format", "json")
    assert again.returncode == 0
    assert json.loads(again.stdout)[0]["doc"] == "bairaq_nur_otan_almaty"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM actions").fetchone() == (5,)
        assert conn.execute("SELECT count(*) FROM officials").fetchone() == (1,)
    found = run_cli("search", "әкімдерге", "--db", str(db), "--json")  # inflected query, stem "әкім"
    assert found.returncode == 0
    hits = _jsonl(found.stdout)
    assert hits and hits[0]["doc"] == "bairaq_nur_otan_almaty"
    assert len(hits[0]["decisions"][0]["actions"]) == 5


def test_stdin_and_html(tmp_path):
    result = run_cli("process", "-", stdin=REFERENCE.read_bytes())
    assert result.returncode == 0
    assert _jsonl(result.stdout)[0]["doc"].startswith("stdin-")
    page = ROOT / "corpora" / "demo" / "akorda_sample.html"
    html = run_cli("process", str(page))
    assert html.returncode == 0, html.stderr.decode()
    doc = _jsonl(html.stdout)[0]
    assert doc["title"].startswith("Мемлекет басшысы Қасым-Жомарт Тоқаевтың")
    assert doc["url"].startswith("https://akorda.kz/kz/")
    assert "<p" not in doc["text"] and "Құрметті форумға қатысушылар!" in doc["text"]


@pytest.mark.parametrize("content, message", [
    (b"", "empty input"),
    (b"   \n\n  ", "empty input"),
    (bytes(range(256)) * 40, "binary"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(500), "binary"),
])
def test_unusable_input_is_one_line_and_nonzero(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    db = tmp_path / "a.db"
    result = run_cli("process", str(path), "--db", str(db))
    assert result.returncode == 1
    assert result.stdout == b""
    err = result.stderr.decode().strip()
    assert len(err.splitlines()) == 1 and message in err and "Traceback" not in err
    with sqlite3.connect(db) as conn:  # nothing half-written
        assert conn.execute("SELECT count(*) FROM documents").fetchone() == (0,)


class _NoEntities:
    """A stand-in for the NER model: these tests are about inputs, ids and warnings, not entities."""

    def tag(self, texts):
        return [[] for _ in texts]


@pytest.fixture()
def quick_cli(monkeypatch):
    """``kznlp process`` run in this process on the real pipeline, with no model to load."""
    from typer.testing import CliRunner

    import kznlp.pipeline
    from kznlp.cli import app

    real = kznlp.pipeline.Pipeline
    monkeypatch.setattr(kznlp.pipeline, "Pipeline", lambda model=None: real(tagger=_NoEntities(), actions="rules", figures="rules"))
    runner = CliRunner()
    return lambda *args, stdin=None: runner.invoke(app, list(args), input=stdin)


def test_one_id_per_input_and_input_defects_as_warnings(tmp_path, quick_cli):
    """Two files with one stem keep both documents; one stray byte, NULs past 8 kB: kept, with a warning on
    stderr and in the JSON; an emoji-only file is no text."""
    reference = REFERENCE.read_bytes()
    for folder, body in (("a", reference), ("b", RUSSIAN.encode())):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "report.txt").write_bytes(body)
    middle = reference.index("Алматы".encode(), len(reference) // 2)
    (tmp_path / "broken.txt").write_bytes(reference[:middle] + b"\xff" + reference[middle:])
    english = b"The council met on Monday and the minister spoke about the budget for the region. " * 110
    (tmp_path / "nul.txt").write_bytes(english + b"\x00\x00\x00" + english[:200])
    (tmp_path / "emoji.txt").write_text("😀🎉👍 " * 30, "utf-8")
    db = tmp_path / "a.db"
    names = ["a/report.txt", "b/report.txt", "broken.txt", "nul.txt", "emoji.txt"]
    result = quick_cli("process", *[str(tmp_path / n) for n in names], "--db", str(db))
    assert result.exit_code == 1  # the emoji file
    assert "emoji.txt: no text in it" in result.stderr
    assert "broken.txt: 1 invalid UTF-8 byte sequence replaced" in result.stderr
    assert "nul.txt: 3 NUL characters removed" in result.stderr
    docs = {d["doc"]: d for d in _jsonl(result.stdout.encode())}
    assert set(docs) == {"a/report", "b/report", "broken", "nul"}
    assert docs["a/report"]["language"] == "kk" and docs["b/report"]["language"] == "ru"
    assert docs["broken"]["warnings"] == ["1 invalid UTF-8 byte sequence replaced with U+FFFD"]
    assert docs["broken"]["language"] == "kk" and "\ufffd" in docs["broken"]["text"]
    assert docs["a/report"]["warnings"] == []
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM documents").fetchone() == (4,)
        assert conn.execute("SELECT count(*) FROM documents WHERE instr(text, char(0))").fetchone() == (0,)
    again = quick_cli("process", str(tmp_path / "broken.txt"), "--db", str(db))  # a re-run replaces its rows
    assert again.exit_code == 0 and _jsonl(again.stdout.encode())[0]["doc"] == "broken"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM documents").fetchone() == (4,)


def test_two_stdin_runs_are_two_documents(tmp_path, quick_cli):
    db = tmp_path / "a.db"
    runs = [quick_cli("process", "-", "--db", str(db), stdin=text.encode())
            for text in (RUSSIAN, RUSSIAN + " Второй текст.", RUSSIAN)]  # the third: the first again
    ids = [_jsonl(r.stdout.encode())[0]["doc"] for r in runs]
    assert ids[0] != ids[1] and ids[0] == ids[2] and all(i.startswith("stdin-") for i in ids)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM documents").fetchone() == (2,)


def test_missing_file_and_bad_model(tmp_path):
    result = run_cli("process", str(tmp_path / "nope.txt"))
    assert result.returncode == 1 and "nope.txt" in result.stderr.decode()
    bad = run_cli("process", str(REFERENCE), "--model", str(tmp_path))
    assert bad.returncode == 1
    assert "cannot load NER model" in bad.stderr.decode() and "Traceback" not in bad.stderr.decode()


def test_kz1048_kazakh_is_decoded(tmp_path):
    path = tmp_path / "kz1048.txt"
    path.write_bytes(REFERENCE.read_text("utf-8").encode("kz1048"))
    result = run_cli("process", str(path))
    assert result.returncode == 0, result.stderr.decode()
    doc = _jsonl(result.stdout)[0]
    release, furniture = REFERENCE.read_text("utf-8").rstrip().rsplit("\n", 1)
    assert furniture == "Басып шығару" and doc["text"].rstrip() == release  # the print button is dropped
    assert [o["name"] for o in doc["officials"]] == ["Бақытжан Сағынтаев"]


def test_cp1251_russian_gets_ru_and_no_kazakh_extraction(tmp_path):
    path = tmp_path / "ru.txt"
    path.write_bytes(RUSSIAN.encode("cp1251"))
    result = run_cli("process", str(path))
    assert result.returncode == 0, result.stderr.decode()
    doc = _jsonl(result.stdout)[0]
    assert doc["text"] == RUSSIAN and doc["language"] == "ru"
    assert doc["entities"] == doc["officials"] == doc["figures"] == doc["decisions"] == []


def test_half_megabyte_text_in_bounded_memory(tmp_path):
    """A 512 KB Kazakh text (six model blocks) goes through the whole pipeline; every copy of the release in
    it gives the decisions the release gives alone, and peak memory stays far below its expansion.
    (512 KB, not 5 MB: on a 2-core CPU without bf16 units the model tags about 1,500 words/s, and the
    suite must stay under 10 minutes; throughput is measured by scripts/bench_pipeline.py.)"""
    base = REFERENCE.read_text("utf-8") + "\n"
    text = (base * (512 * 1024 // len(base.encode("utf-8")) + 1))
    path = tmp_path / "huge.txt"
    path.write_text(text, "utf-8")
    assert path.stat().st_size >= 512 * 1024
    single = run_cli("process", str(REFERENCE))
    per_copy = len(_jsonl(single.stdout)[0]["decisions"])
    db = tmp_path / "huge.db"
    result = run_cli("process", str(path), "--db", str(db), timeout=900)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    doc = _jsonl(result.stdout)[0]
    copies = text.count("төмендегідей шешім қабылдады")
    assert per_copy >= 1 and len(doc["decisions"]) == copies * per_copy
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert peak_mb < 3000, f"peak RSS {peak_mb:.0f} MB"


def test_ner_eval_last_line(tmp_path):
    conll = ROOT / "corpora" / "kaznerd" / "valid_first150.conll"  # 150 KazNERD sentences, CC BY 4.0
    result = run_cli("ner-eval", str(conll))
    assert result.returncode == 0, result.stderr.decode()
    lines = result.stdout.decode().strip().splitlines()
    assert lines[-1].startswith("F1 0.") and len(lines[-1]) == len("F1 0.0000")
    assert float(lines[-1].split()[1]) > 0.6
    assert any(line.startswith("PERSON") for line in lines)


def test_ner_eval_rejects_an_unknown_precision(tmp_path):
    conll = tmp_path / "one.conll"
    conll.write_text("Астана B-GPE\n\n", "utf-8")
    result = run_cli("ner-eval", str(conll), "--precision", "fp8")
    assert result.returncode == 1
    assert result.stderr.decode().strip().count("\n") == 0 and "unknown precision" in result.stderr.decode()


ARCHIVE_TABLES = ("documents", "entities", "officials", "positions", "mentions", "figures", "decisions", "actions",
                  "document_origins", "document_keys")


def _archive_rows(db) -> dict[str, list]:
    with sqlite3.connect(db) as conn:
        return {t: sorted(map(repr, conn.execute(f"SELECT * FROM {t}").fetchall())) for t in ARCHIVE_TABLES}


def test_demo_builds_archive_and_summary(tmp_path):
    db = tmp_path / "demo.db"
    result = run_cli("demo", "--db", str(db))
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode()
    assert "Бақытжан Сағынтаев" in out and "Алматы қаласының әкімі" in out
    assert "Апта сайын" in out and "Іздеу" in out and "Лауазым иелері" in out  # Kazakh by default
    assert "демо сайт шарланды: 8 мақала сақталды" in out  # through the real crawler, on 127.0.0.1
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM crawl_articles").fetchone() == (8,)
        # each release is one document: 7 of the 11 bundled files are releases the site also has
        ids = [row[0] for row in conn.execute("SELECT id FROM documents")]
        assert len(ids) == 12 and not any("127.0.0.1" in i for i in ids), ids
        assert conn.execute("SELECT count(*) FROM documents WHERE source = 'demo'").fetchone() == (8,)
        assert not any(":" in s.split(".")[-1] for (s,) in conn.execute("SELECT DISTINCT source FROM documents"))
        # the file and the crawled page are both places the release was found
        merged = conn.execute("SELECT d.id, d.title FROM document_origins o JOIN documents d ON d.id = o.doc_id"
                              " WHERE o.origin LIKE '%excerpt_01.txt'").fetchone()
        assert merged[0].startswith("demo:") and merged[1].startswith("Үкімет басшысы министрлер мен әкімдерге")
        assert conn.execute("SELECT count(*) FROM document_origins WHERE doc_id = ?", (merged[0],)).fetchone()[0] >= 3
        # a text file's title is its headline, its source the host of the URL it starts with
        assert conn.execute("SELECT title, source FROM documents WHERE id = 'excerpt_08'").fetchone() == (
            "Кезекті сессия отырысы өтті", "gov.kz")
    hits = run_cli("search", "Бектенов", "--db", str(db), "--json").stdout.decode().splitlines()
    titles = [json.loads(line)["title"] for line in hits]
    assert titles and len(titles) == len(set(titles)), titles  # no pairs
    before = _archive_rows(db)
    again = run_cli("demo", "--db", str(db))  # a rerun on the same archive changes nothing
    assert again.returncode == 0, again.stderr.decode()
    assert "демо сайт шарланды: 0 мақала сақталды" in again.stdout.decode()
    assert _archive_rows(db) == before


def test_every_command_has_help():
    for command in ("process", "demo", "search", "ner-eval"):
        result = run_cli(command, "--help")
        assert result.returncode == 0 and b"Usage" in result.stdout


def test_same_stem_files_in_separate_runs_never_overwrite(tmp_path, quick_cli):
    """a/report.txt and b/report.txt processed in separate runs into one archive: two documents; the same
    file again keeps its id and writes nothing when it is unchanged."""
    db = tmp_path / "a.db"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = tmp_path / "a" / "report.txt", tmp_path / "b" / "report.txt"
    first.write_text("Алматы қаласының әкімі Ерболат Досаев жиын өткізді.", "utf-8")
    second.write_text("Астана қаласының әкімі Жеңіс Қасымбек жиын өткізді.", "utf-8")

    def process(path) -> str:
        result = quick_cli("process", str(path), "--db", str(db))
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)["doc"]  # the id it is stored under

    def rows():
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT id, origin, text, result_hash, processed_at FROM documents ORDER BY id").fetchall()

    assert process(first) == "report"
    before = rows()
    assert [(i, o) for i, o, *_ in before] == [("report", str(first.resolve()))]
    other = process(second)  # another run, another file with the same stem
    assert other.startswith("report-") and len(other) == len("report-") + 8
    assert process(first) == "report"  # the same file again: its own id, and nothing written
    after = rows()
    assert after[0] == before[0] and len(after) == 2
    assert {o: t for _, o, t, *_ in after} == {str(first.resolve()): first.read_text("utf-8"),
                                              str(second.resolve()): second.read_text("utf-8")}
    second.write_text("Астана қаласының әкімі Жеңіс Қасымбек кеңес өткізді.", "utf-8")
    assert process(second) == other and len(rows()) == 2  # a changed file updates its own document
