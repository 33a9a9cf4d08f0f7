"""Body extraction against hand-checked gold bodies, side by side with trafilatura; dates; pages/s.

    python scripts/bench_extract.py [--repeat 5]

Pages and gold: ``corpora/gold_bodies/pages.json`` (page under ``tests/pages/``, gold body file, publication
date the page itself states).  Scores are token level (words, multiset overlap) per page, then averaged.
kznlp reads each page with its site adapter's selectors (``kznlp/resources/sites``), as the crawler does.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kznlp.scrape.sites import load_sites  # noqa: E402
from kznlp.text.html import NO_SELECTORS, parse_article  # noqa: E402

GOLD = ROOT / "corpora" / "gold_bodies"
PAGES = ROOT / "tests" / "pages"
WORD = re.compile(r"[^\W_]+", re.U)


def prf(predicted: str, gold: str) -> tuple[float, float, float]:
    p, g = Counter(w.casefold() for w in WORD.findall(predicted)), Counter(w.casefold() for w in WORD.findall(gold))
    overlap = sum((p & g).values())
    precision = overlap / sum(p.values()) if p else 0.0
    recall = overlap / sum(g.values()) if g else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="passes over the pages for the speed figure")
    args = parser.parse_args()
    try:
        import trafilatura
    except ImportError:
        trafilatura = None
    sites = load_sites()
    rows = json.loads((GOLD / "pages.json").read_text("utf-8"))
    pages = []
    for row in rows:
        html = (PAGES / row["page"]).read_bytes().decode("utf-8")
        site = sites.get(row["page"].split("/", 1)[0])
        gold = (GOLD / row["gold"]).read_text("utf-8")
        pages.append((row, html, site.article if site else NO_SELECTORS, gold))
    ours_scores, theirs_scores, dates_right = [], [], 0
    print(f"{'page':<44} {'kznlp P':>8} {'R':>6} {'F1':>6}   {'trafilatura P':>13} {'R':>6} {'F1':>6}   date")
    for row, html, selectors, gold in pages:
        article = parse_article(html, selectors)
        ours = prf(article.text, gold)
        ours_scores.append(ours)
        theirs = (0.0, 0.0, 0.0)
        if trafilatura is not None:
            extracted = trafilatura.extract(html, include_comments=False, include_tables=False) or ""
            theirs = prf(extracted, gold)
            theirs_scores.append(theirs)
        right = article.published == row["published"]
        dates_right += right
        name = row["page"] if len(row["page"]) <= 44 else row["page"][:41] + "..."
        print(f"{name:<44} {ours[0]:>8.3f} {ours[1]:>6.3f} {ours[2]:>6.3f}   {theirs[0]:>13.3f} {theirs[1]:>6.3f} "
              f"{theirs[2]:>6.3f}   {'ok' if right else 'WRONG'} {article.published} (gold {row['published']})")
    mean = lambda scores, i: sum(s[i] for s in scores) / len(scores) if scores else 0.0  # noqa: E731
    print(f"{'mean':<44} {mean(ours_scores, 0):>8.3f} {mean(ours_scores, 1):>6.3f} {mean(ours_scores, 2):>6.3f}   "
          f"{mean(theirs_scores, 0):>13.3f} {mean(theirs_scores, 1):>6.3f} {mean(theirs_scores, 2):>6.3f}")
    generic = [prf(parse_article(html).text, gold) for _, html, _, gold in pages]
    print(f"{'mean, generic extractor (no site selectors)':<44} {mean(generic, 0):>8.3f} {mean(generic, 1):>6.3f} "
          f"{mean(generic, 2):>6.3f}")
    started = time.perf_counter()
    for _ in range(args.repeat):
        for _, html, selectors, _ in pages:
            parse_article(html, selectors)
    ours_speed = args.repeat * len(pages) / (time.perf_counter() - started)
    theirs_speed = 0.0
    if trafilatura is not None:
        started = time.perf_counter()
        for _ in range(args.repeat):
            for _, html, _, _ in pages:
                trafilatura.extract(html)
        theirs_speed = args.repeat * len(pages) / (time.perf_counter() - started)
    print(f"speed: kznlp {ours_speed:.1f} pages/s, trafilatura {theirs_speed:.1f} pages/s (one core)")
    print(f"dates right: {dates_right}/{len(pages)}")
    f1, theirs_f1 = mean(ours_scores, 2), mean(theirs_scores, 2)
    ok = f1 >= 0.95 and f1 >= theirs_f1 and ours_speed >= 50 and dates_right == len(pages)
    print(f"F1 {f1:.4f} (trafilatura {theirs_f1:.4f}) -> {'targets met' if ok else 'targets NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
