"""Precision, recall and F1 of extraction against the hand-annotated gold set in corpora/gold/.

    python scripts/eval_extract.py [--gold corpora/gold] [--model PATH] [--details]

Fields: officials (by name: same surname and a compatible first name or initial), positions
(official, position) pairs, figures (value and unit), figure qualifiers and subjects (on matched
figures), actions (texts matched when their stemmed words overlap by Jaccard >= 0.5),
responsible, frequency and deadline (on matched actions), decision makers.  Per-document F1 follows.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kznlp.resources import casefold  # noqa: E402
from kznlp.text.morph import search_stem  # noqa: E402

WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


def stems(text: str | None) -> tuple[str, ...]:
    return tuple(search_stem(w) for w in WORD.findall(text or ""))


def same_phrase(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and stems(a) == stems(b)


def same_person(a: str, b: str) -> bool:
    pa, pb = stems(a), stems(b)
    if not pa or not pb or pa[-1] != pb[-1]:
        return False
    return len(pa) == 1 or len(pb) == 1 or pa[0][:1] == pb[0][:1]


def jaccard(a: str, b: str) -> float:
    sa, sb = set(stems(a)), set(stems(b))
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0


@dataclass
class Count:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp, self.fp, self.fn = self.tp + tp, self.fp + fp, self.fn + fn

    @property
    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if not self.fn else 0.0)
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def match(gold: list, predicted: list, same) -> list[tuple[int, int]]:
    """Greedy one-to-one matching: pairs (gold index, predicted index)."""
    pairs, used = [], set()
    for gi, g in enumerate(gold):
        for pi, p in enumerate(predicted):
            if pi not in used and same(g, p):
                pairs.append((gi, pi))
                used.add(pi)
                break
    return pairs


def pair_count(gold_pairs: list[tuple], predicted_pairs: list[tuple], same) -> tuple[int, int, int]:
    tp = len(match(gold_pairs, predicted_pairs, same))
    return tp, len(predicted_pairs) - tp, len(gold_pairs) - tp


@dataclass
class Scores:
    fields: dict[str, Count] = field(default_factory=lambda: {k: Count() for k in (
        "officials", "positions", "figures", "figure_qualifier", "figure_subject", "actions",
        "responsible", "frequency", "deadline", "decision_maker")})


def score_document(gold: dict, doc: dict, scores: Scores) -> dict[str, float]:
    per_doc: dict[str, Count] = {k: Count() for k in ("officials", "figures", "actions")}

    def add(name: str, tp: int, fp: int, fn: int) -> None:
        scores.fields[name].add(tp, fp, fn)
        if name in per_doc:
            per_doc[name].add(tp, fp, fn)

    g_off, p_off = gold["officials"], doc["officials"]
    official_pairs = match(g_off, p_off, lambda g, p: same_person(g["name"], p["name"]))
    add("officials", len(official_pairs), len(p_off) - len(official_pairs), len(g_off) - len(official_pairs))
    gold_positions = [(gi, pos) for gi, g in enumerate(g_off) for pos in g.get("positions", [])]
    to_gold = {pi: gi for gi, pi in official_pairs}
    pred_positions = [(to_gold.get(pi, -1 - pi), pos) for pi, p in enumerate(p_off) for pos in p["positions"]]
    add("positions", *pair_count(gold_positions, pred_positions, lambda g, p: g[0] == p[0] and same_phrase(g[1], p[1])))

    def same_figure(g, p):
        return abs(float(g["value"]) - float(p["value"])) <= 1e-6 * max(1.0, abs(float(g["value"]))) \
            and g.get("unit") == p.get("unit")

    g_fig, p_fig = gold["figures"], doc["figures"]
    figure_pairs = match(g_fig, p_fig, same_figure)
    add("figures", len(figure_pairs), len(p_fig) - len(figure_pairs), len(g_fig) - len(figure_pairs))
    for key, name in (("qualifier", "figure_qualifier"), ("subject", "figure_subject")):
        tp = sum(1 for gi, pi in figure_pairs if g_fig[gi].get(key) and (
            g_fig[gi][key] == p_fig[pi].get(key) if key == "qualifier" else same_phrase(g_fig[gi][key], p_fig[pi].get(key))))
        n_gold = sum(1 for g in g_fig if g.get(key))
        n_pred = sum(1 for p in p_fig if p.get(key))
        add(name, tp, n_pred - tp, n_gold - tp)

    g_act = [(di, a) for di, d in enumerate(gold["decisions"]) for a in d["actions"]]
    p_act = [(di, a) for di, d in enumerate(doc["decisions"]) for a in d["actions"]]
    action_pairs = match(g_act, p_act, lambda g, p: jaccard(g[1]["text"], p[1]["text"]) >= 0.5)
    add("actions", len(action_pairs), len(p_act) - len(action_pairs), len(g_act) - len(action_pairs))
    to_gold_action = {pi: gi for gi, pi in action_pairs}
    gold_resp = [(gi, r) for gi, (_, a) in enumerate(g_act) for r in a.get("responsible", [])]
    pred_resp = [(to_gold_action.get(pi, -1 - pi), r) for pi, (_, a) in enumerate(p_act) for r in a["responsible"]]
    add("responsible", *pair_count(gold_resp, pred_resp, lambda g, p: g[0] == p[0] and same_phrase(g[1], p[1])))
    for key in ("frequency", "deadline"):
        gold_vals = [(gi, a[key]) for gi, (_, a) in enumerate(g_act) if a.get(key)]
        pred_vals = [(to_gold_action.get(pi, -1 - pi), a[key]) for pi, (_, a) in enumerate(p_act) if a.get(key)]
        add(key, *pair_count(gold_vals, pred_vals, lambda g, p: g[0] == p[0] and casefold(g[1]) == casefold(p[1])))
    gold_makers = [(gi, gold["decisions"][di]["maker"]) for gi, (di, _) in enumerate(g_act)
                   if gold["decisions"][di].get("maker")]
    pred_makers = [(to_gold_action.get(pi, -1 - pi), doc["decisions"][di]["maker"]) for pi, (di, _) in enumerate(p_act)
                   if doc["decisions"][di].get("maker")]
    add("decision_maker", *pair_count(gold_makers, pred_makers,
                                      lambda g, p: g[0] == p[0] and (same_person(g[1], p[1]) or same_phrase(g[1], p[1]))))
    return {k: c.prf[2] for k, c in per_doc.items()}


def load_gold(folder: Path) -> list[dict]:
    return [json.loads(path.read_text("utf-8")) for path in sorted(folder.glob("*.json"))]


def within(doc: dict, start: int, end: int) -> dict:
    """The part of a processed document's output that lies in ``[start, end)``.

    Parts of a long speech are annotated separately, but a reader processes the whole speech (its
    title names the speaker), so we process the whole text and score each part on what falls in it.
    """
    text = doc["text"][start:end]
    officials = []
    for official in doc["officials"]:
        if any(start <= m["start"] < end for m in official["mentions"]):
            officials.append({**official, "positions": [p for p in official["positions"] if p in text]})
    return {"officials": officials,
            "figures": [f for f in doc["figures"] if start <= f["start"] < end],
            "decisions": [d for d in doc["decisions"] if start <= d["start"] < end]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=ROOT / "corpora" / "gold")
    parser.add_argument("--model", default=None)
    parser.add_argument("--details", action="store_true", help="print gold and predicted records per document")
    args = parser.parse_args()

    from kznlp.cli import _quiet_libraries
    from kznlp.pipeline import Pipeline

    _quiet_libraries()
    golds = load_gold(args.gold)
    if not golds:
        sys.exit(f"no gold files in {args.gold}")
    pipeline = Pipeline(args.model)
    scores = Scores()
    rows = []
    processed: dict[tuple[str, str | None], dict] = {}
    for gold in golds:
        key = (gold["source"], gold.get("published"))
        if key not in processed:
            text = (ROOT / gold["source"]).read_text("utf-8")
            processed[key] = pipeline.process(text, doc_id=gold["id"], published=gold.get("published")).to_dict()
        start, end = gold.get("range") or (0, len(processed[key]["text"]))
        doc = within(processed[key], start, end)
        rows.append((gold["id"], score_document(gold, doc, scores)))
        if args.details:
            print(json.dumps({"id": gold["id"], "predicted": {k: doc[k] for k in ("officials", "figures", "decisions")}},
                             ensure_ascii=False)[:4000])
    print(f"{len(golds)} gold documents in {args.gold}")
    print(f"{'field':<18}{'precision':>10}{'recall':>10}{'f1':>8}{'tp':>6}{'fp':>6}{'fn':>6}")
    for name, count in scores.fields.items():
        p, r, f = count.prf
        print(f"{name:<18}{p:>10.3f}{r:>10.3f}{f:>8.3f}{count.tp:>6}{count.fp:>6}{count.fn:>6}")
    print()
    print(f"{'document':<28}{'officials':>10}{'figures':>10}{'actions':>10}")
    for doc_id, f1 in rows:
        print(f"{doc_id:<28}{f1['officials']:>10.3f}{f1['figures']:>10.3f}{f1['actions']:>10.3f}")


if __name__ == "__main__":
    main()
