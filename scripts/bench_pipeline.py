"""Words per second and peak memory of the whole pipeline (``process``), model and rules timed apart.

    python scripts/bench_pipeline.py [--threads 2] [--repeat 3] [--actions gate|rules|model] [FILE...]

Inputs: the real press releases in ../shared/data/press and the bundled corpora/demo releases
(or the files given). Model time is the NER tagger plus the action and figure gates' encoder passes;
rules time is everything else in ``process`` (officials, figures, decisions, the gates' arithmetic). Best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--actions", choices=("gate", "rules", "model"), default="gate")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    from kznlp.cli import _quiet_libraries
    from kznlp.extract import actions as actions_module
    from kznlp.extract import figure_gate as figure_gate_module
    from kznlp.pipeline import Pipeline, read_document

    _quiet_libraries()
    files = args.files or sorted((ROOT.parent / "shared" / "data" / "press").glob("*.txt")) + sorted(
        (ROOT / "corpora" / "demo").glob("*.txt"))
    docs = [read_document(path) for path in files]
    words = sum(len(d.text.split()) for d in docs)
    pipeline = Pipeline(actions=args.actions)
    model_seconds = [0.0]

    def timed(function):
        def wrapper(*a, **k):
            started = time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                model_seconds[0] += time.perf_counter() - started
        return wrapper

    pipeline.tagger.tag = timed(pipeline.tagger.tag)
    actions_module.encoder_vectors = timed(actions_module.encoder_vectors)
    figure_gate_module.span_vectors = timed(figure_gate_module.span_vectors)
    pipeline.process("Жылу беру маусымы басталды.")  # warm-up
    best = None
    for _ in range(args.repeat):
        model_seconds[0] = 0.0
        started = time.perf_counter()
        list(pipeline.process_many([d.text for d in docs], published=[d.published for d in docs]))
        total = time.perf_counter() - started
        if best is None or total < best[0]:
            best = (total, model_seconds[0])
    total, model = best
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(docs)} documents, {words} words, {args.threads} threads, NER precision {pipeline.tagger.precision}, "
          f"actions {args.actions}{'' if pipeline.action_gate or args.actions == 'rules' else ' (no gate)'}")
    print(f"best of {args.repeat}: {total:.2f} s  ->  {words / total:,.0f} words/s")
    print(f"model (NER + gate encoders) {model:.2f} s ({words / model:,.0f} words/s), rules {total - model:.2f} s")
    print(f"peak RSS {peak:,.0f} MB")


if __name__ == "__main__":
    main()
