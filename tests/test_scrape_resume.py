"""A crawl killed with SIGKILL mid-way resumes with --resume: nothing stored is fetched again, nothing is stored
twice, nothing is missing.  Also the CLI's JSON log and the demo command."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from scrape_support import KAZAKH, article_html, serve

ROOT = Path(__file__).resolve().parents[1]
N = 24


def _site(root: Path) -> None:
    for i in range(N):
        (root / "news").mkdir(parents=True, exist_ok=True)
        (root / "news" / f"release-{i:03d}-ukimet-otyrysy.html").write_text(
            article_html(f"Үкімет отырысы №{i}", f"{i}-хабарлама. " + KAZAKH), "utf-8")
    urls = "".join(f"<url><loc>/news/release-{i:03d}-ukimet-otyrysy.html</loc><lastmod>2026-01-{1 + i % 28:02d}"
                   "</lastmod></url>" for i in range(N))
    (root / "sitemap.xml").write_text('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                                      f'sitemap/0.9">{urls}</urlset>', "utf-8")


def _command(url: str, db: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "kznlp.cli", "crawl", url + "/sitemap.xml", "--db", str(db), "--no-extract",
            "--json", "--delay", "0.05", "--timeout", "5", *extra]


def test_kill_9_then_resume(tmp_path):
    site = tmp_path / "site"
    _site(site)
    db = tmp_path / "crawl.db"
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    with serve(site) as server:
        process = subprocess.Popen(_command(server.url, db), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   cwd=ROOT, env=env)
        stored = 0
        for line in process.stdout:
            if json.loads(line)["event"] == "stored":
                stored += 1
                if stored == 6:
                    os.kill(process.pid, signal.SIGKILL)
                    break
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL
        with sqlite3.connect(db) as conn:
            before = {row[0] for row in conn.execute("SELECT url FROM documents")}
        assert 6 <= len(before) < N
        server.requests.clear()
        resumed = subprocess.run(_command(server.url, db, "--resume"), capture_output=True, cwd=ROOT, env=env,
                                 timeout=120)
        assert resumed.returncode == 0, resumed.stderr.decode()
        refetched = {server.url + p for p in server.requests}
    with sqlite3.connect(db) as conn:
        urls = [row[0] for row in conn.execute("SELECT url FROM documents")]
        assert len(urls) == len(set(urls)) == N  # nothing twice, nothing missing
        assert conn.execute("SELECT count(*) FROM crawl_frontier WHERE status = 'pending'").fetchone() == (0,)
        assert conn.execute("SELECT count(DISTINCT doc_id) FROM crawl_articles").fetchone() == (N,)
    assert not (before & refetched)  # nothing already stored was fetched again
    assert "/sitemap.xml" not in {p for p in refetched}  # the sitemap was read before the kill


def test_demo_crawl_without_extraction(tmp_path):
    db = tmp_path / "demo.db"
    result = subprocess.run([sys.executable, "-m", "kznlp.cli", "crawl", "--demo", "--no-extract", "--json", "--db",
                             str(db)], capture_output=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr.decode()
    events = [json.loads(line) for line in result.stdout.decode().splitlines()]
    summary = events[-1]
    assert summary["event"] == "summary" and summary["stored"] == 8 and summary["errors"] == 0
    assert any(e["event"] == "blocked" and "/private/" in e["url"] for e in events)  # robots.txt
    with sqlite3.connect(db) as conn:
        dates = dict(conn.execute("SELECT url, published FROM documents").fetchall())
    assert {k.rsplit("/", 1)[1]: v for k, v in dates.items()}["nazarbayev-address-2020.html"] == "2020-03-20"


def test_crawl_errors_are_one_red_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "kznlp.cli", "crawl", "--source", "nosuchsite", "--db",
                             str(tmp_path / "x.db")], capture_output=True, cwd=ROOT, timeout=60)
    assert result.returncode == 1
    err = result.stderr.decode().strip()
    assert len(err.splitlines()) == 1 and "nosuchsite" in err and "Traceback" not in err
