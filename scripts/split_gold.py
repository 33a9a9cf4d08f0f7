"""Split the press_more development corpus by site into a tune part and a held-out part.

    python scripts/split_gold.py [--press-more ../shared/data/press_more] [--seed 2026] [--min-held-out 40]

Documents are grouped by site (registered domain; mirrors of one outlet are one site), the groups are
shuffled with a fixed seed and taken into the held-out part until it holds at least ``--min-held-out``
Cyrillic documents. Sites of the older gold set (corpora/gold/*.json, tuned on by earlier sessions)
are never held out. Writes corpora/gold/press_more/SPLIT.tsv: ``doc  part  site  script``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]

# Hosts of one outlet under two registered domains.
SAME_SITE = {"sputniknews.kz": "sputnik.kz"}


def site_of(url: str) -> str:
    host = (urlsplit(url.strip()).hostname or "").rstrip(".")
    labels = host.split(".")
    domain = ".".join(labels[-2:]) if len(labels) >= 2 else host
    return SAME_SITE.get(domain, domain)


def script_of(number: int) -> str:
    # press_more/README.md: 001-120 Cyrillic, 121-140 Latin, 141-150 Arabic script.
    return "cyrl" if number <= 120 else "latn" if number <= 140 else "arab"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--press-more", type=Path, default=ROOT.parent / "shared" / "data" / "press_more")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--min-held-out", type=int, default=40)
    parser.add_argument("--out", type=Path, default=ROOT / "corpora" / "gold" / "press_more" / "SPLIT.tsv")
    args = parser.parse_args()

    files = sorted(args.press_more.glob("[0-9][0-9][0-9].txt"))
    if not files:
        sys.exit(f"no NNN.txt files in {args.press_more}")
    docs = [(path.stem, site_of(path.read_text("utf-8").split("\n", 1)[0]), script_of(int(path.stem)))
            for path in files]
    tuned_sites = {site_of(json.loads(p.read_text("utf-8")).get("url") or "")
                   for p in (ROOT / "corpora" / "gold").glob("*.json")}
    tuned_sites |= {"akorda.kz", "bairaq.kz"}  # the reference release and the speeches name no URL in gold
    sites = sorted({site for _, site, _ in docs} - tuned_sites)
    random.Random(args.seed).shuffle(sites)
    held_out: set[str] = set()
    for site in sites:
        if sum(1 for _, s, script in docs if s in held_out and script == "cyrl") >= args.min_held_out:
            break
        held_out.add(site)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    lines = ["doc\tpart\tsite\tscript"]
    lines += [f"{doc}\t{'heldout' if site in held_out else 'tune'}\t{site}\t{script}" for doc, site, script in docs]
    args.out.write_text("\n".join(lines) + "\n", "utf-8")
    for part in ("tune", "heldout"):
        rows = [d for d in docs if (d[1] in held_out) == (part == "heldout")]
        by_script = {s: sum(1 for d in rows if d[2] == s) for s in ("cyrl", "latn", "arab")}
        print(f"{part:<8} {len(rows):>4} documents {by_script}, {len({d[1] for d in rows})} sites")


if __name__ == "__main__":
    main()
