"""Search benchmark: an archive of N realistic documents, then p50/p95 latency of 20 typical queries.

Documents are recombined from the real releases in ``../shared/data/press`` and ``corpora/demo``:
paragraphs and sentences shuffled across releases (real Kazakh text, new combinations), with dates,
sources and URLs drawn at random.  Facts (officials with their mentions, decisions with their
actions) come from an archive the real pipeline built (``kznlp demo``, see ``--facts-db``): a fact
goes with the sentence it was found in, offsets moved along.  The NER model is never called; rows
go in through ``kznlp.store.bulk.bulk_insert`` (the same schema as ``save_document``).

    python scripts/bench_search.py                    # 100k documents into /tmp/kznlp-bench.db
    python scripts/bench_search.py --docs 5000 --db /tmp/small.db
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kznlp.records import Action, Decision, Document, Mention, Official  # noqa: E402
from kznlp.store.archive import open_archive, search  # noqa: E402
from kznlp.store.bulk import bulk_insert  # noqa: E402
from kznlp.store.filters import Filters  # noqa: E402
from kznlp.store.queries import search_page  # noqa: E402
from kznlp.text.segment import sentence_spans  # noqa: E402

SOURCES = ("akorda", "primeminister", "kazinform", "egemen", "khabar", "bairaq")
QUERIES = [
    ("әкім", {}), ("әкімдерге", {}), ("Сағынтаев", {}), ("Бектеновтің", {}), ("Премьер-министр", {}),
    ('"аудан әкімі"', {}), ("тапсырды", {}), ("бюджет қаражаты", {}), ("су тасқыны", {}),
    ("ауыл шаруашылығы", {}), ('"Үкімет отырысында"', {}), ("мектеп", {}), ("жол жөндеу", {}),
    ("Sağyntaev", {}), ("äkımderge", {}), ("денсаулық сақтау", {}), ("инвестиция*", {}),
    ("жемқорлыққа қарсы", {}), ("әкім", {"since": "2024-01-01", "source": "kazinform"}),
    ("тапсырма", {"official": "Бектенов", "has_decisions": True}),
]


@dataclass
class Sentence:
    text: str
    mentions: list[tuple[str, str, int]] = field(default_factory=list)  # (official key, mention text, offset)
    decisions: list[tuple[str | None, list[tuple[str, tuple[str, ...], str | None, str | None, int]], int]] = \
        field(default_factory=list)  # (maker, actions (text, responsible, freq, deadline, offset), offset)


def read_paragraphs(dirs: list[Path]) -> list[list[str]]:
    """Each release's paragraphs as lists of sentences; URL and date header lines dropped."""
    paragraphs = []
    for folder in dirs:
        for path in sorted(folder.glob("*.txt")):
            for line in path.read_text("utf-8").splitlines():
                line = line.strip()
                if len(line) < 40 or line.startswith(("http://", "https://", "date ")):
                    continue
                sentences = [line[s:e].strip() for s, e in sentence_spans(line)]
                sentences = [s for s in sentences if len(s) > 15]
                if sentences:
                    paragraphs.append(sentences)
    return paragraphs


def load_facts(path: Path | None):
    """Officials (name -> positions, organisations, mention texts) and decisions from a real archive."""
    if not path or not path.exists():
        return {}, []
    db = open_archive(path, readonly=True)
    officials = {}
    for oid, name in db.execute("SELECT id, name FROM officials").fetchall():
        rows = db.execute("SELECT position, organisation FROM positions WHERE official_id = ?", (oid,)).fetchall()
        mentions = {t for (t,) in db.execute("SELECT text FROM mentions WHERE official_id = ?", (oid,)).fetchall()}
        officials[name] = (tuple(dict.fromkeys(p for p, _ in rows)), tuple(dict.fromkeys(o for _, o in rows if o)),
                           sorted(mentions, key=len, reverse=True))
    decisions = []
    for did, maker, text in db.execute("SELECT id, maker, text FROM decisions").fetchall():
        actions = db.execute("SELECT text, responsible, frequency, deadline FROM actions WHERE decision_id = ?",
                             (did,)).fetchall()
        decisions.append((maker, text, actions))
    return officials, decisions


def annotate(paragraphs: list[list[str]], officials, decisions) -> list[list[Sentence]]:
    import json

    out = []
    for paragraph in paragraphs:
        sentences = []
        for text in paragraph:
            sentence = Sentence(text)
            for name, (_p, _o, mentions) in officials.items():
                taken: list[tuple[int, int]] = []
                for mention in mentions:
                    pos = text.find(mention)
                    while pos >= 0:
                        if not any(a < pos + len(mention) and pos < b for a, b in taken):
                            taken.append((pos, pos + len(mention)))
                            sentence.mentions.append((name, mention, pos))
                        pos = text.find(mention, pos + 1)
            for maker, dtext, actions in decisions:
                core = dtext.strip().rstrip(".")
                pos = text.find(core) if core else -1
                if pos < 0 and text.rstrip(".") and text.rstrip(".") in dtext:
                    pos, core = 0, text
                if pos < 0:
                    continue
                found = []
                for atext, responsible, frequency, deadline in actions:
                    apos = text.find(atext)
                    if apos >= 0:
                        found.append((atext, tuple(json.loads(responsible or "[]")), frequency, deadline, apos))
                sentence.decisions.append((maker, found, pos, core))
            sentences.append(sentence)
        out.append(sentences)
    return out


def make_document(i: int, rng: random.Random, paragraphs: list[list[Sentence]], officials) -> tuple[Document, str]:
    parts: list[Sentence | None] = []  # None = paragraph break
    for _ in range(rng.randint(2, 6)):
        if rng.random() < 0.5:
            parts += rng.choice(paragraphs)
        else:
            parts += [rng.choice(rng.choice(paragraphs)) for _ in range(rng.randint(1, 4))]
        parts.append(None)
    title = rng.choice(rng.choice(paragraphs)).text[:140]
    text, pos = [], 0
    found: dict[str, list[Mention]] = {}
    decisions = []
    for part in parts:
        if part is None:
            text.append("\n")
            pos += 1
            continue
        if text and text[-1] != "\n":
            text.append(" ")
            pos += 1
        for name, mention, offset in part.mentions:
            found.setdefault(name, []).append(Mention(mention, pos + offset, pos + offset + len(mention)))
        for maker, actions, offset, core in part.decisions:
            decisions.append(Decision(maker, core, pos + offset, pos + offset + len(core), tuple(
                Action(a, r, f, d, pos + o, pos + o + len(a)) for a, r, f, d, o in actions)))
        text.append(part.text)
        pos += len(part.text)
    body = "".join(text).strip("\n")
    doc_officials = tuple(Official(name, officials[name][0], officials[name][1], tuple(mentions))
                          for name, mentions in found.items())
    source = rng.choice(SOURCES)
    published = (date(2015, 1, 1) + timedelta(days=rng.randrange(4045))).isoformat()
    return Document(doc=f"bench-{i:06d}", text=body, language="kk", title=title, published=published,
                    url=f"https://{source}.kz/kz/news/{i}", officials=doc_officials,
                    decisions=tuple(decisions)), source


def build(db_path: Path, n: int, seed: int, facts_db: Path | None) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    paragraphs = read_paragraphs([ROOT.parent / "shared" / "data" / "press", ROOT / "corpora" / "demo"])
    officials, decisions = load_facts(facts_db)
    annotated = annotate(paragraphs, officials, decisions)
    print(f"{len(paragraphs)} paragraphs, {sum(map(len, paragraphs))} sentences from the releases; "
          f"{len(officials)} officials and {len(decisions)} decisions from {facts_db or 'nowhere'}", flush=True)
    rng = random.Random(seed)
    db = open_archive(db_path)
    db.execute("PRAGMA synchronous=OFF")
    started = time.perf_counter()

    def documents():
        for i in range(n):
            if i and i % 10_000 == 0:
                print(f"  {i} documents, {time.perf_counter() - started:.0f} s", flush=True)
            yield make_document(i, rng, annotated, officials)

    bulk_insert(db, documents(), batch_size=2000)
    for table in ("documents_fts", "actions_fts"):
        db.execute(f"INSERT INTO {table}({table}) VALUES('optimize')")
    db.execute("ANALYZE")
    db.conn.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    print(f"built {n} documents in {time.perf_counter() - started:.1f} s", flush=True)


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def measure(db_path: Path, repeats: int) -> None:
    db = open_archive(db_path, readonly=True)
    counts = db.execute("SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM officials),"
                        " (SELECT count(*) FROM decisions), (SELECT count(*) FROM actions)").fetchone()
    print("documents %d, officials %d, decisions %d, actions %d" % counts)
    search_ms, page_ms = [], []
    print(f"{'query':<48}{'hits':>8}{'search p50':>12}{'page p50':>10}")
    for query, kw in QUERIES:
        filters = Filters(**kw)
        search(db, query, filters=filters)  # warm
        own_s, own_p = [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            hits = search(db, query, limit=20, filters=filters)
            t1 = time.perf_counter()
            page = search_page(db, query, filters, limit=20)  # what the web page calls
            t2 = time.perf_counter()
            own_s.append((t1 - t0) * 1000)
            own_p.append((t2 - t1) * 1000)
        total, exact = page["total"], page["total_exact"]
        assert [h.doc_id for h in page["hits"]] == [h.doc_id for h in hits], query  # one ranking, two ways
        search_ms += own_s
        page_ms += own_p
        label = query + (" " + " ".join(f"{k}={v}" for k, v in kw.items()) if kw else "")
        shown = str(total) if exact else f"≈{total}"
        print(f"{label:<48}{shown:>8}{statistics.median(own_s):>10.1f}ms{statistics.median(own_p):>8.0f}ms"
              + ("" if hits else "  (no hits)"))
    print(f"search (top 20 with snippets and decisions): p50 {percentile(search_ms, 50):.1f} ms, "
          f"p95 {percentile(search_ms, 95):.1f} ms over {len(search_ms)} runs")
    print(f"full results page (search + count + facets, queries.search_page): p50 {percentile(page_ms, 50):.1f} ms, "
          f"p95 {percentile(page_ms, 95):.1f} ms")
    size = sum(Path(str(db_path) + s).stat().st_size for s in ("", "-wal") if Path(str(db_path) + s).exists())
    print(f"database size: {size / 1e6:.0f} MB ({db_path})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/kznlp-bench.db"))
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--facts-db", type=Path, default=None,
                        help="archive the real pipeline built (default: kznlp-demo.db, else /tmp/webdemo.db)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="measure an archive built before")
    args = parser.parse_args()
    facts = args.facts_db or next((p for p in (ROOT / "kznlp-demo.db", Path("/tmp/webdemo.db")) if p.exists()), None)
    if not args.reuse:
        build(args.db, args.docs, args.seed, facts)
    measure(args.db, args.repeats)


if __name__ == "__main__":
    main()
