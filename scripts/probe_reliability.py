"""Reliability probe: real processes against a real archive and a server on 127.0.0.1; prints case -> outcome.

    python scripts/probe_reliability.py [--seconds 8]

Cases (issue 11):
  writer+search      a process replacing documents in a loop while this process searches (search and
                     search_page), `kznlp search --json` runs and `kznlp serve` answers /api/search and /
  first-open race    rounds of four processes opening one new archive at the same instant
  kill -9 in open    a process killed at a random moment of its first open of a new archive, then reopened
  gzip bomb          `kznlp crawl` of a 4 MB .xml.gz sitemap holding 4 GiB: the peak RSS of the crawler
  dripping server    `kznlp crawl --timeout 3` of a page sent one byte a second, and another page of that host

Nothing leaves 127.0.0.1.  The exit status is 1 when a case fails.  About two minutes on two loaded cores.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ENV = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONWARNINGS="ignore", HF_HUB_OFFLINE="1")

from kznlp.records import Action, Decision, Document  # noqa: E402
from kznlp.store import queries  # noqa: E402
from kznlp.store.archive import open_archive, save_document, search  # noqa: E402
from kznlp.store.schema import SCHEMA_VERSION  # noqa: E402

DOCUMENTS = 300
DECISION = "Аудан әкімдері жол жөндеу жұмысын тапсырды."


def document(i: int, version: int = 0) -> Document:
    text = f"Алматы қаласының әкімі кеңес өткізді, хабар {i}, нұсқа {version}. {DECISION} Жұмыс апта сайын тексеріледі."
    start = text.index(DECISION)
    action = text.index("жол жөндеу")
    return Document(doc=f"probe-{i:04d}", text=text, language="kk", title=f"Әкім хабары {i}",
                    published=f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
                    decisions=(Decision(None, DECISION, start, start + len(DECISION),
                                        (Action("жол жөндеу", ("аудан әкімдері",), "weekly", None, action,
                                                action + len("жол жөндеу")),)),))


WRITER = f"""
import random, sys, time
sys.path.insert(0, {str(ROOT)!r})
sys.argv[0] = "writer"
from scripts.probe_reliability import document, DOCUMENTS
from kznlp.store.archive import open_archive, save_document
db = open_archive(sys.argv[1])
stop = time.monotonic() + float(sys.argv[2])
saves = 0
print("ready", flush=True)
while time.monotonic() < stop:
    save_document(db, document(random.randrange(DOCUMENTS), saves), source="probe")
    saves += 1
print(saves, flush=True)
"""


def python(code: str, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], env=ENV, cwd=ROOT, text=True, **kwargs)


def kznlp(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kznlp.cli", *args], env=ENV, cwd=ROOT, text=True, **kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- cases --------------------------------------------------------------------------------------------------------
def writer_and_searches(work: Path, seconds: float) -> tuple[bool, str]:
    import httpx

    path = work / "busy.db"
    db = open_archive(path)
    for i in range(DOCUMENTS):
        save_document(db, document(i), source="probe")
    db.conn.close()
    port = free_port()
    server_log = (work / "serve.log").open("w")
    server = kznlp("serve", "--db", str(path), "--port", str(port), stdout=server_log, stderr=server_log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(base + "/api/").status_code == 200:
                break
        time.sleep(0.1)
    writer = python(WRITER, str(path), str(seconds + 3), stdout=subprocess.PIPE)
    assert writer.stdout.readline() == "ready\n"
    failures: dict[str, int] = {"in-process": 0, "cli": 0, "serve": 0}
    counts = dict.fromkeys(failures, 0)
    samples: list[str] = []
    stop = time.monotonic() + seconds

    def cli_loop() -> None:
        while time.monotonic() < stop:
            run = kznlp("search", "әкім", "--db", str(path), "--json", "--limit", "50",
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            out, err = run.communicate(timeout=60)
            counts["cli"] += 1
            if run.returncode != 0 or "Traceback" in err or len(out.splitlines()) != 50:
                failures["cli"] += 1
                samples.append(f"cli: rc {run.returncode} {err.strip()[-120:]}")

    def serve_loop() -> None:
        with httpx.Client(base_url=base, timeout=30) as http:
            while time.monotonic() < stop:
                for url in ("/api/search?q=әкім", "/?q=әкім&page=2", "/api/search?q=хабар&source=probe"):
                    counts["serve"] += 1
                    try:
                        status = http.get(url).status_code
                    except httpx.HTTPError as error:
                        status = type(error).__name__
                    if status != 200:
                        failures["serve"] += 1
                        samples.append(f"serve {url}: {status}")

    threads = [threading.Thread(target=cli_loop), threading.Thread(target=serve_loop)]
    for thread in threads:
        thread.start()
    reader = open_archive(path, readonly=True)
    while time.monotonic() < stop:
        for read in (lambda: search(reader, "әкім", limit=50), lambda: queries.search_page(reader, "әкім")["hits"]):
            counts["in-process"] += 1
            try:
                hits = read()
                assert hits and all(h.decisions for h in hits), "a hit without its decision"
            except Exception as error:  # noqa: BLE001 - every failure is counted
                failures["in-process"] += 1
                samples.append(f"in-process: {type(error).__name__}: {error}")
    for thread in threads:
        thread.join()
    saves = int(writer.stdout.readline() or 0)
    writer.wait(timeout=30)
    server.send_signal(signal.SIGINT)
    server.wait(timeout=30)
    server_log.close()
    detail = ", ".join(f"{k} {failures[k]}/{counts[k]} failed" for k in failures) + f"; {saves} saves meanwhile"
    ok = not any(failures.values()) and all(counts.values()) and saves > 0
    return ok, detail + (f"; e.g. {samples[0]}" if samples else "")


OPENER = """
import sys, time
from kznlp.store.archive import open_archive
start = float(sys.argv[2])
while time.time() < start:
    pass
print(open_archive(sys.argv[1]).execute("PRAGMA user_version").fetchone()[0])
"""


def first_open_race(work: Path, rounds: int = 5, openers: int = 4) -> tuple[bool, str]:
    failed, errors = 0, []
    for n in range(rounds):
        path = work / f"race-{n}.db"
        start = time.time() + 1.5
        procs = [python(OPENER, str(path), str(start), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for _ in range(openers)]
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            if proc.returncode != 0 or out.strip() != str(SCHEMA_VERSION):
                failed += 1
                errors.append(err.strip().splitlines()[-1] if err.strip() else out)
        check = sqlite3.connect(path)
        if check.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            failed += 1
            errors.append(f"{path.name}: integrity check failed")
        check.close()
    detail = f"{rounds * openers - failed}/{rounds * openers} opens succeeded in {rounds} rounds of {openers}"
    return not failed, detail + (f"; e.g. {errors[0]}" if errors else "")


KILLED = """
import sys
from kznlp.store.archive import open_archive
print("opening", flush=True)
open_archive(sys.argv[1])
print("opened", flush=True)
"""


def kill_during_open(work: Path, kills: int = 10) -> tuple[bool, str]:
    # how long a first open takes here, to aim the kills inside it
    times = []
    for n in range(2):
        proc = python(KILLED, str(work / f"timing-{n}.db"), stdout=subprocess.PIPE)
        proc.stdout.readline()
        started = time.monotonic()
        proc.stdout.readline()
        times.append(time.monotonic() - started)
        proc.wait()
    window = max(times)
    inside, bad = 0, []
    rng = random.Random(11)
    for n in range(kills):
        path = work / f"killed-{n}.db"
        proc = python(KILLED, str(path), stdout=subprocess.PIPE)
        proc.stdout.readline()
        time.sleep(rng.uniform(0.0, window))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        inside += "opened" not in out
        try:
            db = open_archive(path)
            assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            save_document(db, document(n), source="probe")
            assert [h.doc_id for h in search(db, "хабар")] == [f"probe-{n:04d}"]
            db.conn.close()
        except Exception as error:  # noqa: BLE001
            bad.append(f"kill {n}: {type(error).__name__}: {error}")
    detail = (f"{kills - len(bad)}/{kills} reopened and usable; {inside} of the kills landed inside the open "
              f"(a first open takes {window * 1000:.0f} ms here)")
    return not bad and inside > 0, detail + (f"; e.g. {bad[0]}" if bad else "")


# -- a hostile server ---------------------------------------------------------------------------------------------
def gzip_bomb(gib: int = 4) -> bytes:
    """A gzip sitemap holding ``gib`` GiB (gzip members of blank space): about 4 MB for 4 GiB."""
    head = gzip.compress(b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                         b"<url><loc>/news/bomb-1-2</loc></url>")
    blank = gzip.compress(b" " * (16 << 20), compresslevel=9)
    return head + blank * (gib * 64) + gzip.compress(b"</urlset>")


ARTICLE = ("<html><head><title>Жаңалық</title></head><body><article><h1>Жаңалық</h1>"
           + "".join(f"<p>Мемлекет басшысы Үкіметке бір ай ішінде бағдарлама әзірлеуді тапсырды, хабар {i}.</p>"
                     for i in range(8)) + "</article></body></html>").encode()


class Hostile(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    bomb = b""

    def do_GET(self):  # noqa: N802 - http.server's name
        path = self.path.split("?")[0]
        if path == "/robots.txt":
            return self.reply(b"User-agent: *\nAllow: /\n", "text/plain")
        if path == "/bomb.xml.gz":
            return self.reply(self.bomb, "application/x-gzip")
        if path == "/news/plain-page-1":
            return self.reply(ARTICLE, "text/html; charset=utf-8")
        if path == "/news/drip-page-1":  # one byte a second, for a minute
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(ARTICLE)))
            self.end_headers()
            with contextlib.suppress(OSError):
                for byte in ARTICLE[:60]:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(1.0)
            self.close_connection = True
            return None
        return self.reply(b"not found", "text/plain", 404)

    def reply(self, body: bytes, content_type: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002
        pass


@contextlib.contextmanager
def hostile_server():
    from kznlp.scrape.demo import serve_locally

    Hostile.bomb = gzip_bomb()
    with serve_locally(Hostile, name="hostile-server") as base_url:
        yield base_url


def crawl(work: Path, name: str, *args: str) -> tuple[int, list[dict], float, float]:
    """``kznlp crawl --json`` in a child: exit status, its events, peak RSS (MB) and wall seconds."""
    started = time.monotonic()
    proc = kznlp("crawl", *args, "--db", str(work / f"{name}.db"), "--no-extract", "--json", "--delay", "0.01",
                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.read()
    proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return proc.returncode, events, usage.ru_maxrss / 1024, time.monotonic() - started


def bomb_sitemap(work: Path, base: str) -> tuple[bool, str]:
    code, events, peak, _ = crawl(work, "bomb", base + "/bomb.xml.gz", "--retries", "0")
    errors = [e["detail"] for e in events if e["event"] == "error"]
    capped = any("cap" in (e or "") for e in errors)
    ok = code == 0 and capped and peak < 600
    return ok, f"peak RSS {peak:.0f} MB for {len(Hostile.bomb) / 1e6:.1f} MB holding 4 GiB; " + (
        f"refused: {errors[0]}" if errors else "not refused")


def dripping(work: Path, base: str) -> tuple[bool, str]:
    code, events, _, wall = crawl(work, "drip", base + "/news/drip-page-1", base + "/news/plain-page-1",
                                  "--timeout", "3", "--retries", "0")
    errors = [e["detail"] for e in events if e["event"] == "error"]
    stored = [e["url"] for e in events if e["event"] == "stored"]
    summary = next((e for e in events if e["event"] == "summary"), {})
    fetching = summary.get("elapsed", wall)
    ok = code == 0 and any("timed out" in (e or "") for e in errors) and stored and fetching < 8
    return ok, (f"crawl took {fetching:.1f} s (the page drips for 60 s); drip: {errors[0] if errors else 'no error'}; "
                f"other page of the host stored: {bool(stored)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0, help="how long the writer+search case runs")
    parser.add_argument("--only", nargs="*", type=int, help="run only these cases (1-5, in the order above)")
    args = parser.parse_args()
    rows = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kznlp-probe-") as tmp, hostile_server() as base:
        work = Path(tmp)
        cases = [("writer+search (in-process, CLI, serve)", lambda: writer_and_searches(work, args.seconds)),
                 ("first-open race", lambda: first_open_race(work)),
                 ("kill -9 during first open", lambda: kill_during_open(work)),
                 ("gzip-bomb sitemap", lambda: bomb_sitemap(work, base)),
                 ("dripping server, --timeout 3", lambda: dripping(work, base))]
        for number, (name, case) in enumerate(cases, 1):
            if args.only and number not in args.only:
                continue
            t = time.monotonic()
            try:
                ok, detail = case()
            except Exception as error:  # noqa: BLE001 - a case that breaks is a failure, not the end
                ok, detail = False, f"{type(error).__name__}: {error}"
            rows.append((name, "ok" if ok else "FAIL", f"{time.monotonic() - t:.0f} s", detail))
            print(f"  {name}: {'ok' if ok else 'FAIL'}", file=sys.stderr, flush=True)
    width = max(len(r[0]) for r in rows)
    print(f"{'case':<{width}}  outcome  time  detail")
    for name, outcome, took, detail in rows:
        print(f"{name:<{width}}  {outcome:<7}  {took:>4}  {detail}")
    print(f"{sum(r[1] == 'ok' for r in rows)}/{len(rows)} cases ok in {time.monotonic() - started:.0f} s")
    return 0 if all(r[1] == "ok" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
