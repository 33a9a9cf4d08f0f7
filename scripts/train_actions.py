"""Train the action gate (models/kk-actions/gate.json) on the tune part of the gold corpus.

    python scripts/train_actions.py [--out models/kk-actions] [--folds 5]

Candidates are the sentences with a cue word (kznlp/resources/kk/action_cues.tsv); a candidate is
positive when a gold action item's words lie in it (stem coverage >= 0.6). Features: the shipped
encoder's mean-pooled sentence vector, the cue and layout flags, and whether a decision rule fired
on it. Model: L2-regularised logistic regression (class-balanced). The two thresholds (keep a rule
decision, add a decision the rules missed) are chosen on out-of-fold probabilities, with folds
grouped by site, by the end-to-end action-item F1 of scripts/eval_extract.py on the tune part.
The held-out part is never read here. Training data: press_more tune documents, the legacy
gold set (corpora/gold/*.json; the annotated parts of the two long speeches label their own sentences)
and the sentence-level annotations of corpora/gold/sentences/*.jsonl (each sentence read alone). Deterministic (seeded); runs in about a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import eval_extract as ev  # noqa: E402


def gold_actions(gold: dict) -> list[set[str]]:
    return [set(ev.stems(a["text"])) for d in gold["decisions"] for a in d["actions"] if ev.stems(a["text"])]


def covered(sentence: str, actions: list[set[str]]) -> bool:
    words = set(ev.stems(sentence))
    return any(len(a & words) / len(a) >= 0.6 for a in actions)


def fit(x: np.ndarray, y: np.ndarray, l2: float, epochs: int = 300) -> tuple[np.ndarray, float]:
    import torch

    torch.manual_seed(0)
    xt, yt = torch.tensor(x), torch.tensor(y, dtype=torch.float32)
    positive = max(1.0, float(yt.sum()))
    weight = torch.where(yt > 0, (len(yt) - positive) / positive, 1.0)
    w = torch.zeros(x.shape[1], requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimiser = torch.optim.LBFGS([w, b], max_iter=epochs, line_search_fn="strong_wolfe")

    def closure():
        optimiser.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(xt @ w + b, yt, weight=weight)
        loss = loss + l2 * (w * w).sum()
        loss.backward()
        return loss

    optimiser.step(closure)
    return w.detach().numpy(), float(b.detach())


def collect(pipeline, vectors=None) -> list[tuple]:
    """(gold, processed document, candidates, features, labels, site group) for every training document.

    ``vectors(tagger, texts)`` gives the sentence vectors (default: ``actions.encoder_vectors``)."""
    from kznlp.extract.actions import candidates, encoder_vectors, feature_matrix, ruled_by

    vectors = vectors or encoder_vectors
    tune, legacy = ev.load_part("tune"), ev.load_part("legacy")
    site = {row["doc"]: row["site"] for row in ev.split_rows().values()}
    docs = []  # (gold, processed document, candidates, features, labels, site group)

    def add_example(gold: dict, doc, found: list, group: str) -> None:
        x = feature_matrix(vectors(pipeline.tagger, [doc.text[c.start:c.end] for c in found]), found,
                           ruled_by(found, doc.decisions)) if found else np.zeros((0, 1))
        y = np.asarray([covered(doc.text[c.start:c.end], gold_actions(gold)) for c in found], dtype=np.float32)
        docs.append((gold, doc, found, x, y, group))

    speeches: dict[str, object] = {}
    for gold in tune + legacy:
        if gold.get("range") is not None:
            # a part of a long speech: the whole speech is processed once, the part's sentences labelled
            if gold["source"] not in speeches:
                speeches[gold["source"]] = pipeline.process((ROOT / gold["source"]).read_text("utf-8"), doc_id=gold["id"])
            doc = speeches[gold["source"]]
            start, end = gold["range"]
            add_example(gold, doc, [c for c in candidates(doc.text) if start <= c.start < end], "legacy")
            continue
        if "press_more" in gold["source"]:
            doc = pipeline.process_file(ROOT / gold["source"], doc_id=gold["id"])
        else:
            doc = pipeline.process((ROOT / gold["source"]).read_text("utf-8"), doc_id=gold["id"],
                                   published=gold.get("published"))
        add_example(gold, doc, candidates(doc.text), site.get(gold["id"].rsplit("_", 1)[-1], "legacy"))
    # sentence-level annotations (corpora/gold/sentences): each sentence is read alone by the rules
    for path in sorted((ev.GOLD / "sentences").glob("*.jsonl")):
        sources: dict[str, str] = {}
        for line in path.read_text("utf-8").splitlines():
            row = json.loads(line) if line.strip() else None
            if not row or row.get("label") not in (0, 1):
                continue
            if row["source"] not in sources:
                sources[row["source"]] = (ROOT / row["source"]).read_text("utf-8")
            sentence = sources[row["source"]][row["start"]:row["end"]]
            gold = {"decisions": [{"actions": row.get("actions", [])}]}
            add_example(gold, pipeline.process(sentence, doc_id=row["id"]), candidates(sentence), "sentences")
    reachable = sum(any(covered(d[1].text[c.start:c.end], [a]) for c in d[2]) for d in docs for a in gold_actions(d[0]))
    print(f"gold actions inside some candidate sentence: {reachable} of {sum(len(gold_actions(d[0])) for d in docs)}")
    print(f"{len(docs)} documents, {sum(len(d[2]) for d in docs)} candidate sentences, "
          f"{int(sum(d[4].sum() for d in docs))} with a gold action")

    return docs


def site_folds(docs: list[tuple], folds: int) -> dict[str, int]:
    """Tune sites dealt into folds (seeded); legacy and sentence examples are always trained on."""
    groups = sorted({d[5] for d in docs} - {"legacy", "sentences"})
    return {g: k % folds for k, g in enumerate(np.random.default_rng(0).permutation(groups))}


def end_to_end(docs: list[tuple], probabilities: list[np.ndarray], keep: float, add: float,
               use_rules: bool = True) -> ev.Count:
    """Action-item counts on the tune documents when the gate's probabilities are ``probabilities``."""
    from kznlp.extract.actions import gate_decisions

    total = ev.Count()
    for (gold, doc, found, _x, _y, group), probs in zip(docs, probabilities):
        if group in ("legacy", "sentences"):
            continue
        published = date.fromisoformat(doc.published) if doc.published else None
        decisions = gate_decisions(doc.text, doc.decisions, found, probs, list(doc.officials), keep=keep, add=add,
                                   use_rules=use_rules, published=published)
        c = ev.score_document(gold, replace(doc, decisions=tuple(decisions)).to_dict()).fields["actions"]
        total.add(c.tp, c.fp, c.fn)
    return total


def choose_thresholds(docs: list[tuple], oof: list[np.ndarray]) -> tuple[ev.Count, tuple, tuple]:
    """Rules alone, the best (F1, keep, add) for rules + model, and the best (F1, add) for the model alone."""
    rules_only = end_to_end(docs, oof, 0.0, 2.0)
    grid = [round(t, 2) for t in np.arange(0.05, 1.0, 0.05)]
    best = max(((end_to_end(docs, oof, k, a).prf[2], k, a) for k in [0.0] + grid + [1.01] for a in grid + [2.0]),
               key=lambda r: (r[0], -r[2]))
    model_only = max(((end_to_end(docs, oof, 0.0, a, use_rules=False).prf[2], a) for a in grid))
    return rules_only, best, model_only


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "models" / "kk-actions")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--l2", type=float, default=0.01)
    args = parser.parse_args()

    from kznlp.cli import _quiet_libraries
    from kznlp.extract.actions import encoder_fingerprint
    from kznlp.pipeline import Pipeline

    _quiet_libraries()
    pipeline = Pipeline(actions="rules")
    docs = collect(pipeline)
    fold_of = site_folds(docs, args.folds)
    oof: list[np.ndarray] = [np.zeros(len(d[2])) for d in docs]
    for fold in range(args.folds):
        train = [i for i, d in enumerate(docs) if d[5] in ("legacy", "sentences") or fold_of[d[5]] != fold]
        test = [i for i, d in enumerate(docs) if d[5] not in ("legacy", "sentences") and fold_of[d[5]] == fold]
        xs = np.concatenate([docs[i][3] for i in train if len(docs[i][2])])
        ys = np.concatenate([docs[i][4] for i in train if len(docs[i][2])])
        w, b = fit(xs, ys, args.l2)
        for i in test:
            if len(docs[i][2]):
                oof[i] = 1.0 / (1.0 + np.exp(-(docs[i][3] @ w + b)))

    rules_only, best, model_only = choose_thresholds(docs, oof)
    both = end_to_end(docs, oof, best[1], best[2])
    print(f"tune, out of fold: rules alone      action F1 {rules_only.prf[2]:.3f} (tp {rules_only.tp} fp {rules_only.fp} fn {rules_only.fn})")
    print(f"tune, out of fold: model alone      action F1 {model_only[0]:.3f} (add >= {model_only[1]})")
    print(f"tune, out of fold: rules + model    action F1 {both.prf[2]:.3f} (keep >= {best[1]}, add >= {best[2]}; "
          f"tp {both.tp} fp {both.fp} fn {both.fn})")

    xs = np.concatenate([d[3] for d in docs if len(d[2])])
    ys = np.concatenate([d[4] for d in docs if len(d[2])])
    w, b = fit(xs, ys, args.l2)
    args.out.mkdir(parents=True, exist_ok=True)
    config = {"about": "action gate: logistic regression over the kk-ner encoder's mean-pooled sentence vector, "
                       "cue flags (kznlp/resources/kk/action_cues.tsv), layout flags and a rule flag; "
                       "trained by scripts/train_actions.py on the tune part of corpora/gold",
              "encoder_fingerprint": encoder_fingerprint(pipeline.tagger),
              "keep_threshold": best[1], "add_threshold": best[2], "model_only_add_threshold": model_only[1],
              "l2": args.l2, "training_sentences": int(len(ys)), "positives": int(ys.sum()),
              "bias": round(b, 6), "weights": [round(float(v), 6) for v in w]}
    tmp = args.out / "gate.json.tmp"
    tmp.write_text(json.dumps(config, ensure_ascii=False, indent=1) + "\n", "utf-8")
    tmp.replace(args.out / "gate.json")
    print(f"wrote {args.out / 'gate.json'} ({len(w)} weights)")


if __name__ == "__main__":
    main()
