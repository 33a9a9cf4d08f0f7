"""Precision, recall and F1 of extraction against the hand-annotated gold sets, with bootstrap intervals.

    python scripts/eval_extract.py                 # tune part (per document) and held-out part (totals only)
    python scripts/eval_extract.py --part tune --details     # gold and predicted records of tune documents
    python scripts/eval_extract.py --part legacy   # corpora/gold/*.json, the older set earlier rules were tuned on
    python scripts/eval_extract.py --agreement     # second independent annotation against the first (10 docs)
    python scripts/eval_extract.py --script latn   # tune documents in Latin alphabets: same output as Cyrillic?
    python scripts/eval_extract.py --funnel        # where action items are lost (totals per part)

Parts: ``tune`` and ``heldout`` are corpora/gold/press_more/*.json split by site
(corpora/gold/press_more/SPLIT.tsv, scripts/split_gold.py); ``legacy`` is corpora/gold/*.json. The
held-out part is printed as totals only and refuses ``--details``: rules and models are changed by
looking at tune errors, and the held-out part says whether the change generalises. Documents are read
as ``kznlp process FILE`` reads them (source URL line, dateline). Intervals: 95 % percentile bootstrap
over documents (1,000 resamples, seed 0) of the micro F1.

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


def same_action(a: str, b: str) -> bool:
    """Two action texts of one item: their stemmed words overlap by Jaccard >= 0.5."""
    return jaccard(a, b) >= 0.5


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


def score_document(gold: dict, doc: dict) -> Scores:
    """Counts of one document; ``doc`` is kznlp's JSON output (or another annotation in gold format)."""
    scores = Scores()

    def add(name: str, tp: int, fp: int, fn: int) -> None:
        scores.fields[name].add(tp, fp, fn)

    g_off, p_off = gold["officials"], doc["officials"]
    official_pairs = match(g_off, p_off, lambda g, p: same_person(g["name"], p["name"]))
    add("officials", len(official_pairs), len(p_off) - len(official_pairs), len(g_off) - len(official_pairs))
    gold_positions = [(gi, pos) for gi, g in enumerate(g_off) for pos in g.get("positions", [])]
    to_gold = {pi: gi for gi, pi in official_pairs}
    pred_positions = [(to_gold.get(pi, -1 - pi), pos) for pi, p in enumerate(p_off) for pos in p.get("positions", [])]
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
    p_act = [(di, a) for di, d in enumerate(doc["decisions"]) for a in d.get("actions", [])]
    action_pairs = match(g_act, p_act, lambda g, p: same_action(g[1]["text"], p[1]["text"]))
    add("actions", len(action_pairs), len(p_act) - len(action_pairs), len(g_act) - len(action_pairs))
    to_gold_action = {pi: gi for gi, pi in action_pairs}
    gold_resp = [(gi, r) for gi, (_, a) in enumerate(g_act) for r in a.get("responsible", [])]
    pred_resp = [(to_gold_action.get(pi, -1 - pi), r) for pi, (_, a) in enumerate(p_act) for r in a.get("responsible", [])]
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
    return scores


GOLD = ROOT / "corpora" / "gold"
PARTS = ("tune", "heldout", "legacy")


def errors(gold: dict, doc: dict) -> list[str]:
    """Missed (-) and spurious (+) officials, figures and actions of one document, for --errors."""
    lines = []

    def diff(kind, g_items, p_items, same, show):
        pairs = match(g_items, p_items, same)
        lines.extend(f"  - {kind}: {show(g_items[gi])}" for gi in sorted(set(range(len(g_items))) - {g for g, _ in pairs}))
        lines.extend(f"  + {kind}: {show(p_items[pi])}" for pi in sorted(set(range(len(p_items))) - {p for _, p in pairs}))

    diff("official", gold["officials"], doc["officials"], lambda g, p: same_person(g["name"], p["name"]),
         lambda o: f"{o['name']} {o.get('positions', [])}")
    diff("figure", gold["figures"], doc["figures"],
         lambda g, p: abs(float(g["value"]) - float(p["value"])) <= 1e-6 * max(1.0, abs(float(g["value"])))
         and g.get("unit") == p.get("unit"), lambda f: f"{f['text']!r} {f['value']} {f.get('unit')}")
    g_act = [a for d in gold["decisions"] for a in d["actions"]]
    p_act = [a for d in doc["decisions"] for a in d.get("actions", [])]
    diff("action", g_act, p_act, lambda g, p: same_action(g["text"], p["text"]),
         lambda a: f"{a['text'][:120]!r} resp={a.get('responsible')}")
    return lines


def split_rows() -> dict[str, dict[str, str]]:
    """``SPLIT.tsv`` by gold id ("press_more_001"): the document's part, site and script."""
    lines = (GOLD / "press_more" / "SPLIT.tsv").read_text("utf-8").splitlines()
    header = lines[0].split("\t")
    rows = [dict(zip(header, line.split("\t"))) for line in lines[1:]]
    return {f"press_more_{row['doc']}": row for row in rows}


def load_part(part: str) -> list[dict]:
    if part == "legacy":
        return [json.loads(p.read_text("utf-8")) for p in sorted(GOLD.glob("*.json"))]
    split = split_rows()
    return [json.loads(p.read_text("utf-8")) for p in sorted((GOLD / "press_more").glob("[0-9]*.json"))
            if split.get(f"press_more_{p.stem}", {}).get("part") == part]


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


def predict(pipeline, golds: list[dict]) -> list[dict]:
    """kznlp's output for each gold document, read the way ``kznlp process FILE`` reads it."""
    from kznlp.pipeline import read_document

    out, processed = [], {}
    for gold in golds:
        source = ROOT / gold["source"]
        if gold.get("range") is None and "press_more" in gold["source"]:
            prepared = read_document(source, doc_id=gold["id"])
            out.append(pipeline.process(prepared.text, doc_id=prepared.doc, title=prepared.title,
                                        published=prepared.published, url=prepared.url).to_dict())
            continue
        key = (gold["source"], gold.get("published"))
        if key not in processed:
            text = source.read_text("utf-8")
            processed[key] = pipeline.process(text, doc_id=gold["id"], published=gold.get("published")).to_dict()
        start, end = gold.get("range") or (0, len(processed[key]["text"]))
        out.append(within(processed[key], start, end))
    return out


def total(per_doc: list[Scores]) -> Scores:
    scores = Scores()
    for doc in per_doc:
        for name, count in doc.fields.items():
            scores.fields[name].add(count.tp, count.fp, count.fn)
    return scores


def bootstrap(per_doc: list[Scores], name: str, rounds: int = 1000, seed: int = 0) -> tuple[float, float]:
    """95 % percentile interval of the micro F1 of ``name`` over documents resampled with replacement."""
    import random

    rng = random.Random(seed)
    counts = [doc.fields[name] for doc in per_doc]
    f1s = []
    for _ in range(rounds):
        sample = Count()
        for count in rng.choices(counts, k=len(counts)):
            sample.add(count.tp, count.fp, count.fn)
        f1s.append(sample.prf[2])
    f1s.sort()
    return f1s[int(0.025 * rounds)], f1s[int(0.975 * rounds) - 1]


def print_totals(title: str, per_doc: list[Scores]) -> None:
    scores = total(per_doc)
    print(title)
    print(f"{'field':<18}{'precision':>10}{'recall':>10}{'f1':>8}{'95% CI':>16}{'tp':>6}{'fp':>6}{'fn':>6}")
    for name, count in scores.fields.items():
        p, r, f = count.prf
        low, high = bootstrap(per_doc, name)
        print(f"{name:<18}{p:>10.3f}{r:>10.3f}{f:>8.3f}   [{low:.3f}, {high:.3f}]{count.tp:>6}{count.fp:>6}{count.fn:>6}")
    print()


def action_funnel(golds: list[dict], predicted: list[dict]) -> dict[str, int]:
    """Totals of where gold action items are lost and where false ones come from.

    A gold item sits in the sentence that holds most of its stems (at least 0.6 of them); a candidate
    is a sentence with a cue word (kznlp.extract.actions.candidates).
    """
    from kznlp.extract.actions import candidates
    from kznlp.text.segment import sentence_spans

    counts = dict.fromkeys(("gold", "matched", "in_no_sentence", "in_no_candidate", "candidate_gave_nothing",
                            "wrong_extent", "predicted", "false_in_a_gold_sentence", "false_elsewhere"), 0)
    for gold, doc in zip(golds, predicted):
        text = doc.get("text") or ""
        sentences = sentence_spans(text) if text else []
        found = candidates(text) if text else []
        g_act = [a for d in gold["decisions"] for a in d["actions"]]
        p_act = [a for d in doc["decisions"] for a in d.get("actions", [])]
        pairs = match(g_act, p_act, lambda g, p: same_action(g["text"], p["text"]))
        matched_gold, matched_pred = {g for g, _ in pairs}, {p for _, p in pairs}

        sentence_stems = [set(stems(text[s:e])) for s, e in sentences]

        def home(action_text: str) -> tuple[int, int] | None:
            target = set(stems(action_text))
            best, where = 0.0, None
            for (s, e), words in zip(sentences, sentence_stems):
                share = len(target & words) / max(1, len(target))
                if share > best:
                    best, where = share, (s, e)
            return where if best >= 0.6 else None

        homes = [home(a["text"]) for a in g_act]
        for k, where in enumerate(homes):
            counts["gold"] += 1
            if k in matched_gold:
                counts["matched"] += 1
            elif where is None:
                counts["in_no_sentence"] += 1
            elif not any(c.start < where[1] and where[0] < c.end for c in found):
                counts["in_no_candidate"] += 1
            elif any(p.get("start", -1) < where[1] and where[0] < p.get("end", -1) for p in p_act):
                counts["wrong_extent"] += 1
            else:
                counts["candidate_gave_nothing"] += 1
        for k, p in enumerate(p_act):
            counts["predicted"] += 1
            if k in matched_pred:
                continue
            in_gold = any(w and p.get("start", -1) < w[1] and w[0] < p.get("end", -1) for w in homes)
            counts["false_in_a_gold_sentence" if in_gold else "false_elsewhere"] += 1
    return counts


def print_by_script(golds: list[dict], per_doc: list[Scores]) -> None:
    """Totals' F1 for the documents written in each script (SPLIT.tsv), when there is more than one."""
    split = split_rows()
    groups: dict[str, list[Scores]] = {}
    for gold, scores in zip(golds, per_doc):
        groups.setdefault(split.get(gold["id"], {}).get("script", "cyrl"), []).append(scores)
    if len(groups) < 2:
        return
    fields = ("officials", "positions", "figures", "actions", "decision_maker")
    print(f"{'by script':<18}{'docs':>6}" + "".join(f"{f:>16}" for f in fields))
    for script in sorted(groups):
        totals = total(groups[script]).fields
        print(f"{script:<18}{len(groups[script]):>6}" + "".join(f"{totals[f].prf[2]:>16.3f}" for f in fields))
    print()


def same_in_script(script: str, part: str) -> None:
    """scripts/eval_scripts.py on the part's Cyrillic documents: converted to each alphabet of ``script``,
    they must give the officials, figures and actions the Cyrillic originals give."""
    import eval_scripts

    from kznlp.text.translit import LATIN_ALPHABETS

    parts = list(PARTS) if part == "all" else [part]
    split = split_rows()
    files = [str(ROOT / g["source"]) for p in parts for g in load_part(p)
             if g.get("range") is None and split.get(g["id"], {}).get("script", "cyrl") == "cyrl"]
    alphabets = list(LATIN_ALPHABETS) if script == "latn" else ["arab"]
    print(f"{'/'.join(parts)}: Cyrillic documents written in {script}")
    sys.argv = ["eval_scripts.py", *files, "--alphabets", *alphabets]
    eval_scripts.main()


def agreement() -> None:
    """Second independent annotation (press_more_double/) scored against the first read (press_more_double/first/)."""
    folder = GOLD / "press_more_double"
    pairs = [(json.loads((folder / "first" / p.name).read_text("utf-8")), json.loads(p.read_text("utf-8")))
             for p in sorted(folder.glob("[0-9]*.json")) if (folder / "first" / p.name).exists()]
    if not pairs:
        sys.exit(f"no doubly annotated documents in {folder}")
    print_totals(f"agreement: {len(pairs)} documents annotated twice, independently "
                 "(second annotation scored against the first)", [score_document(a, b) for a, b in pairs])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=PARTS + ("all",), default=None,
                        help="one part; default: tune with per-document F1, then held-out totals")
    parser.add_argument("--model", default=None)
    parser.add_argument("--actions", choices=("gate", "rules", "model"), default="gate",
                        help="action items from the rules with the learned gate (default), rules alone, or the gate alone")
    parser.add_argument("--details", action="store_true", help="print gold and predicted records per document")
    parser.add_argument("--errors", action="store_true", help="list missed (-) and spurious (+) records per document")
    parser.add_argument("--agreement", action="store_true", help="inter-annotator agreement, no model")
    parser.add_argument("--funnel", action="store_true",
                        help="where action items are lost, in totals per part (no sentence, no candidate, "
                             "candidate without output, wrong extent; false positives with and without a gold item)")
    parser.add_argument("--script", choices=("latn", "arab"),
                        help="the Cyrillic documents of the part (default tune) written in that script's alphabets "
                             "(latn: 2021, 2018, 2017, digraph): F1 of their extraction against the Cyrillic run")
    args = parser.parse_args()
    if args.agreement:
        return agreement()
    if args.script:
        return same_in_script(args.script, args.part or "tune")
    parts = ["tune", "heldout"] if args.part is None else list(PARTS) if args.part == "all" else [args.part]
    if (args.details or args.errors) and "heldout" in parts:
        sys.exit("--details and --errors are for the tune and legacy parts: the held-out part is scored in totals only")

    from kznlp.cli import _quiet_libraries
    from kznlp.pipeline import Pipeline

    _quiet_libraries()
    pipeline = Pipeline(args.model, actions=args.actions)
    print(f"actions: {args.actions}" + ("" if args.actions == "rules" or pipeline.action_gate else " (no gate for this model: rules)"))
    for part in parts:
        golds = load_part(part)
        if not golds:
            print(f"{part}: no gold documents\n")
            continue
        predicted = predict(pipeline, golds)
        per_doc = [score_document(gold, doc) for gold, doc in zip(golds, predicted)]
        print_totals(f"{part}: {len(golds)} documents", per_doc)
        print_by_script(golds, per_doc)
        if args.funnel:
            print(f"{part}: action funnel " + ", ".join(f"{k} {v}" for k, v in action_funnel(golds, predicted).items()) + "\n")
        if part == "heldout":
            continue
        print(f"{'document':<28}{'officials':>10}{'figures':>10}{'actions':>10}")
        for gold, doc, scores in zip(golds, predicted, per_doc):
            f1 = {k: scores.fields[k].prf[2] for k in ("officials", "figures", "actions")}
            print(f"{gold['id']:<28}{f1['officials']:>10.3f}{f1['figures']:>10.3f}{f1['actions']:>10.3f}")
            if args.errors:
                print("\n".join(errors(gold, doc)))
            if args.details:
                print(json.dumps({"id": gold["id"], "gold": {k: gold[k] for k in ("officials", "figures", "decisions")},
                                  "predicted": {k: doc[k] for k in ("officials", "figures", "decisions")}},
                                 ensure_ascii=False)[:6000])
        print()


if __name__ == "__main__":
    main()
