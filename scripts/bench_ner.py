"""Words per second and peak memory of the shipped NER model on the real press releases.

    python scripts/bench_ner.py [--model PATH] [--threads 2] [--repeat 3] [--precision auto|bf16|int8|fp32]

Prints the words tagged, the best-of-N wall time, words/s and the peak RSS of this process.
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
    parser.add_argument("--model", default=None)
    parser.add_argument("--press", type=Path, default=ROOT.parent / "shared" / "data" / "press")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--precision", default="auto", help="auto (as served), bf16, int8 or fp32")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    from kznlp.cli import _quiet_libraries
    from kznlp.ner.tagger import NerTagger
    from kznlp.text.words import word_spans

    _quiet_libraries()
    texts = [p.read_text("utf-8") for p in sorted(args.press.glob("*.txt"))]
    words = sum(len(word_spans(t)) for t in texts)
    tagger = NerTagger(args.model, precision=args.precision)
    tagger.tag(texts[:1])  # warm-up
    best = float("inf")
    for _ in range(args.repeat):
        started = time.perf_counter()
        tagger.tag(texts)
        best = min(best, time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"model {tagger.source} ({tagger.precision}), {args.threads} threads")
    print(f"{len(texts)} documents, {words} words, best of {args.repeat}: {best:.2f} s")
    print(f"words/s {words / best:.0f}")
    print(f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
