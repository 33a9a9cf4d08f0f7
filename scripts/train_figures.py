"""Train the figure gate (models/kk-figures/gate.json) on the tune part of the gold corpus.

    python scripts/train_figures.py [--out models/kk-figures] [--folds 5] [--l2 0.01]

The rules (kznlp/extract/figures.py) propose figures; a proposed figure is positive when it matches
a gold figure of its document (same value and unit, as scripts/eval_extract.py scores them).
Features: the shipped encoder's hidden states on the figure's words, read in their sentence, and the
flags of kznlp.extract.figure_gate.figure_flags. Model: L2-regularised, class-balanced logistic
regression. The threshold is chosen on out-of-fold probabilities (folds grouped by site) by the
figure F1 of the tune part; the held-out part is never read here. Training data: the press_more tune
documents and the legacy gold set (corpora/gold/*.json, always in the training folds).
Deterministic; a minute or two on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import eval_extract as ev  # noqa: E402
from train_actions import fit  # noqa: E402


class _Recorder:
    """Stands in for the figure gate: keeps every figure and remembers its features."""

    def __init__(self):
        self.features = None

    def keep(self, tagger, text, figures):
        from kznlp.extract.figure_gate import feature_matrix

        self.features = feature_matrix(tagger, text, figures)
        return list(figures)


def same_figure(g: dict, p: dict) -> bool:
    return abs(float(g["value"]) - float(p["value"])) <= 1e-6 * max(1.0, abs(float(g["value"]))) \
        and g.get("unit") == p.get("unit")


def counts(gold: list[dict], predicted: list[dict], kept: np.ndarray) -> tuple[int, int, int]:
    chosen = [p for p, k in zip(predicted, kept) if k]
    tp = len(ev.match(gold, chosen, same_figure))
    return tp, len(chosen) - tp, len(gold) - tp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "models" / "kk-figures")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--l2", type=float, default=0.001)
    args = parser.parse_args()

    from kznlp.cli import _quiet_libraries
    from kznlp.extract.actions import encoder_fingerprint
    from kznlp.pipeline import Pipeline, read_document

    _quiet_libraries()
    pipeline = Pipeline(actions="rules", figures="rules")
    recorder = _Recorder()
    pipeline.figure_gate = recorder  # the pipeline calls recorder.keep where it would call the gate
    site = {row["doc"]: row["site"] for row in ev.split_rows().values()}
    examples = []  # (gold figures, predicted figures, features, labels, group)
    whole: dict[tuple, tuple] = {}
    for gold in ev.load_part("tune") + ev.load_part("legacy"):
        source = ROOT / gold["source"]
        key = (gold["source"], gold.get("published"))
        if key not in whole:
            recorder.features = None
            if gold.get("range") is None and "press_more" in gold["source"]:
                read = read_document(source, doc_id=gold["id"])
                doc = pipeline.process(read.text, doc_id=read.doc, title=read.title, published=read.published,
                                       url=read.url).to_dict()
            else:
                doc = pipeline.process(source.read_text("utf-8"), doc_id=gold["id"],
                                       published=gold.get("published")).to_dict()
            features = recorder.features if recorder.features is not None else np.zeros((0, 1), np.float32)
            whole[key] = (doc, features)
        doc, features = whole[key]
        start, end = gold.get("range") or (0, len(doc["text"]))
        inside = [k for k, f in enumerate(doc["figures"]) if start <= f["start"] < end]
        predicted = [doc["figures"][k] for k in inside]
        x = features[inside] if inside else np.zeros((0, features.shape[1] if features.ndim == 2 else 1), np.float32)
        matched = {p for _, p in ev.match(gold["figures"], predicted, same_figure)}
        y = np.asarray([k in matched for k in range(len(predicted))], dtype=np.float32)
        group = site.get(gold["id"].rsplit("_", 1)[-1], "legacy") if "press_more" in gold["source"] else "legacy"
        examples.append((gold["figures"], predicted, x, y, group))
    tune = [i for i, e in enumerate(examples) if e[4] != "legacy"]
    print(f"{len(examples)} documents ({len(tune)} tune), {sum(len(e[1]) for e in examples)} proposed figures, "
          f"{int(sum(e[3].sum() for e in examples))} matching a gold figure")

    groups = sorted({examples[i][4] for i in tune})
    fold_of = {g: k % args.folds for k, g in enumerate(np.random.default_rng(0).permutation(groups))}
    oof = [np.ones(len(e[1])) for e in examples]
    for fold in range(args.folds):
        train = [i for i, e in enumerate(examples) if e[4] == "legacy" or fold_of[e[4]] != fold]
        xs = np.concatenate([examples[i][2] for i in train if len(examples[i][1])])
        ys = np.concatenate([examples[i][3] for i in train if len(examples[i][1])])
        w, b = fit(xs, ys, args.l2)
        for i in tune:
            if fold_of[examples[i][4]] == fold and len(examples[i][1]):
                oof[i] = 1.0 / (1.0 + np.exp(-(examples[i][2] @ w + b)))

    def f1_at(threshold: float) -> ev.Count:
        total = ev.Count()
        for i in tune:
            gold, predicted, _x, _y, _g = examples[i]
            total.add(*counts(gold, predicted, oof[i] >= threshold))
        return total

    rules = f1_at(-1.0)
    print(f"tune, out of fold: rules alone     figure F1 {rules.prf[2]:.3f} (tp {rules.tp} fp {rules.fp} fn {rules.fn})")
    grid = [round(t, 2) for t in np.arange(0.05, 0.96, 0.05)]
    best = max(grid, key=lambda t: (f1_at(t).prf[2], -t))
    gated = f1_at(best)
    print(f"tune, out of fold: rules + gate    figure F1 {gated.prf[2]:.3f} (threshold {best}; "
          f"tp {gated.tp} fp {gated.fp} fn {gated.fn})")
    for t in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
        c = f1_at(t)
        print(f"  threshold {t:.2f}: F1 {c.prf[2]:.3f} (tp {c.tp} fp {c.fp} fn {c.fn})")

    xs = np.concatenate([e[2] for e in examples if len(e[1])])
    ys = np.concatenate([e[3] for e in examples if len(e[1])])
    w, b = fit(xs, ys, args.l2)
    args.out.mkdir(parents=True, exist_ok=True)
    config = {"about": "figure gate: logistic regression over the kk-ner encoder's hidden states on a proposed "
                       "figure's words and the flags of kznlp.extract.figure_gate.figure_flags; trained by "
                       "scripts/train_figures.py on the tune part of corpora/gold",
              "encoder_fingerprint": encoder_fingerprint(pipeline.tagger), "threshold": best, "l2": args.l2,
              "training_figures": int(len(ys)), "positives": int(ys.sum()),
              "out_of_fold_tune_f1": {"rules": round(rules.prf[2], 4), "gate": round(gated.prf[2], 4)},
              "bias": round(b, 6), "weights": [round(float(v), 6) for v in w]}
    tmp = args.out / "gate.json.tmp"
    tmp.write_text(json.dumps(config, ensure_ascii=False, indent=1) + "\n", "utf-8")
    tmp.replace(args.out / "gate.json")
    print(f"wrote {args.out / 'gate.json'} ({len(w)} weights)")


if __name__ == "__main__":
    main()
