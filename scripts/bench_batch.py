"""Throughput of batch extraction: serial ``kznlp process`` against ``kznlp batch`` on both engines.

    python scripts/bench_batch.py                      # 2,000 documents of ~150 words (about an hour on 2 cores)
    python scripts/bench_batch.py --docs 200 --words 100   # a quick run

Documents are recombined from the real releases bundled in ``corpora/demo`` and ``corpora/site/articles``
(and ``../shared/data/press`` when it is there): each is a random run of whole paragraphs, so the text is
real Kazakh news prose and no two documents are the same.  Each configuration runs as a real command in a
child process, model loading included, on the same files: documents/s, words/s, peak memory (the RSS of
the whole process tree, Ray's workers included, sampled every 0.2 s) and the ratios to serial ``process``
and to one document at a time through the model (how ``process`` read many files before issue 14).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kznlp.pipeline import read_document  # noqa: E402

SOURCES = [ROOT / "corpora" / "demo", ROOT / "corpora" / "site" / "articles", ROOT.parent / "shared" / "data" / "press"]


def paragraphs() -> list[str]:
    found = []
    for folder in SOURCES:
        for path in sorted(folder.glob("*.*")) if folder.is_dir() else ():
            if path.suffix.lower() not in (".txt", ".html", ".htm"):
                continue
            text = read_document(path).text
            found += [p.strip() for p in text.split("\n") if len(p.split()) >= 8 and not p.startswith("http")]
    return found


def write_documents(folder: Path, count: int, words: int, seed: int = 13) -> int:
    """``count`` text files of about ``words`` words each; returns the total word count."""
    pool, rng, total = paragraphs(), random.Random(seed), 0
    for n in range(count):
        start = rng.randrange(len(pool))
        taken, size = [], 0
        while size < words:
            paragraph = pool[(start + len(taken)) % len(pool)]
            taken.append(paragraph)
            size += len(paragraph.split())
        (folder / f"doc{n:05d}.txt").write_text("\n\n".join(taken) + "\n", "utf-8")
        total += size
    return total


# How ``kznlp process`` read many files before issue 14: one process, the model loaded once, each file
# through the model alone (no batching across files); the same JSON lines on stdout.
ONE_AT_A_TIME = """
import json, sys
from kznlp.cli import _quiet_libraries
from kznlp.pipeline import Pipeline
_quiet_libraries()
pipeline = Pipeline()
for path in sys.argv[1:]:
    print(json.dumps(pipeline.process_file(path).to_dict(), ensure_ascii=False))
"""


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo += children.get(current, [])
    return total


def measure(command: list[str], env: dict) -> tuple[float, int]:
    """Wall seconds and peak tree RSS of a command (which must succeed)."""
    started = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss(child.pid))
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = child.communicate()
    stop.set()
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({child.returncode}): {err.decode()[-2000:]}")
    return time.monotonic() - started, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--words", type=int, default=150, help="about this many words per document")
    parser.add_argument("--skip-ray", action="store_true")
    args = parser.parse_args()
    cli = [sys.executable, "-m", "kznlp.cli"]
    env = dict(os.environ, PYTHONWARNINGS="ignore", KZNLP_LANG="en")
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        words = write_documents(docs, args.docs, args.words)
        files = sorted(str(p) for p in docs.glob("*.txt"))
        print(f"{args.docs} documents, {words:,} words; {os.cpu_count()} cores", flush=True)
        runs = [("process (serial)", cli + ["process", *files]),
                ("one document at a time", [sys.executable, "-c", ONE_AT_A_TIME, *files])]
        for workers in (1, 2):
            runs.append((f"batch --engine local --workers {workers}",
                         cli + ["batch", str(docs), "--out", f"{tmp}/local{workers}", "--workers", str(workers)]))
        if not args.skip_ray:
            runs.append(("batch --engine ray --workers 2",
                         cli + ["batch", str(docs), "--out", f"{tmp}/ray", "--engine", "ray", "--workers", "2"]))
        print(f"{'configuration':<36}{'seconds':>9}{'docs/s':>9}{'words/s':>9}{'peak MB':>9}{'× serial':>10}"
              f"{'× one by one':>14}")
        times = {}
        for name, command in runs:
            seconds, peak = measure(command, env)
            times[name] = seconds
            serial, single = times["process (serial)"], times.get("one document at a time")
            print(f"{name:<36}{seconds:>9.1f}{args.docs / seconds:>9.2f}{words / seconds:>9.0f}"
                  f"{peak / 2**20:>9.0f}{serial / seconds:>10.2f}" + (f"{single / seconds:>14.2f}" if single else ""),
                  flush=True)


if __name__ == "__main__":
    main()
