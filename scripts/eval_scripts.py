"""Extraction in every script: the same documents written in each alphabet (by its official table)
must give the officials, figures and actions the Cyrillic originals give.  F1 of one against the other
(the Cyrillic run is the reference), per alphabet.

    python scripts/eval_scripts.py                       # the demo releases in corpora/demo
    python scripts/eval_scripts.py ../shared/data/press_more/0[0-9][0-9].txt --alphabets 2021 arab

Officials are matched by name, figures by (value, unit), actions by their text (similarity >= 0.9:
a Latin brand name in a Cyrillic text comes back in Cyrillic letters).
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kznlp.text.translit import ALPHABETS, from_cyrillic  # noqa: E402


def facts(doc) -> dict[str, list]:
    return {"officials": sorted({o.name.casefold() for o in doc.officials}),
            "figures": sorted({(f.value, f.unit) for f in doc.figures}, key=str),
            "actions": [a.text.casefold() for d in doc.decisions for a in d.actions]}


def matched(reference: list, ours: list, fuzzy: bool) -> int:
    left = list(ours)
    hits = 0
    for item in reference:
        for i, other in enumerate(left):
            if item == other or fuzzy and difflib.SequenceMatcher(a=item, b=other).ratio() >= 0.9:
                hits += 1
                del left[i]
                break
    return hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--alphabets", nargs="+", default=list(ALPHABETS))
    args = parser.parse_args()
    files = args.files or sorted((ROOT / "corpora" / "demo").glob("*.txt"))
    from kznlp.pipeline import Pipeline, read_document

    nlp = Pipeline()
    docs = [read_document(path) for path in files]
    reference = [facts(d) for d in nlp.process_many([d.text for d in docs], published=[d.published for d in docs])]
    print(f"{len(docs)} documents; F1 of each alphabet's extraction against the Cyrillic one")
    print(f"{'alphabet':9} {'officials':>9} {'figures':>8} {'actions':>8} {'all':>6}")
    for name in args.alphabets:
        written = [from_cyrillic(d.text, name) for d in docs]
        ours = [facts(d) for d in nlp.process_many(written, published=[d.published for d in docs])]
        row, total = [], [0, 0, 0]
        for kind in ("officials", "figures", "actions"):
            tp = sum(matched(r[kind], o[kind], kind == "actions") for r, o in zip(reference, ours))
            n_ref = sum(len(r[kind]) for r in reference)
            n_ours = sum(len(o[kind]) for o in ours)
            total = [total[0] + tp, total[1] + n_ref, total[2] + n_ours]
            row.append(2 * tp / (n_ref + n_ours) if n_ref + n_ours else 1.0)
        row.append(2 * total[0] / (total[1] + total[2]) if total[1] + total[2] else 1.0)
        print(f"{name:9} " + " ".join(f"{v:>8.3f}" for v in row))


if __name__ == "__main__":
    main()
