"""Self-training data: unlabelled Kazakh text tagged by the current model, confident sentences only.

    python scripts/pseudo_label.py --out build/pseudo/kk.conll [--model PATH] [--min-confidence 0.9]

Reads the mixed-case texts in ``../shared/data/text`` (the ``*.lower.txt`` files are skipped: the
model cannot be trusted on text without capitals), splits them into sentences and words the way
the pipeline does, tags them, and keeps a sentence only when every word's chosen tag has at least
``--min-confidence`` probability.  Prints how many sentences, words and entities were kept.
``scripts/train_ner.py --set 'extra_train=["build/pseudo/kk.conll"]'`` trains on them.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kznlp.ner.conll import TaggedSentence, write_conll  # noqa: E402
from kznlp.ner.labels import IOB2_TAGS  # noqa: E402
from kznlp.ner.metrics import iob2_spans  # noqa: E402
from kznlp.text.segment import sentence_spans  # noqa: E402
from kznlp.text.words import word_spans  # noqa: E402


def sentences_of(path: Path, min_words: int, max_words: int) -> list[list[str]]:
    out = []
    for line in path.read_text("utf-8").splitlines():
        for start, end in sentence_spans(line):
            sentence = line[start:end]
            words = [sentence[s:e] for s, e in word_spans(sentence)]
            if min_words <= len(words) <= max_words:
                out.append(words)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--text", type=Path, default=ROOT.parent / "shared" / "data" / "text")
    parser.add_argument("--out", type=Path, default=Path("build/pseudo/kk.conll"))
    parser.add_argument("--model", default=None)
    parser.add_argument("--min-confidence", type=float, default=0.9)
    parser.add_argument("--min-words", type=int, default=4)
    parser.add_argument("--max-words", type=int, default=80)
    args = parser.parse_args()

    from kznlp.cli import _quiet_libraries
    from kznlp.ner.tagger import NerTagger

    _quiet_libraries()
    tagger = NerTagger(args.model)
    sentences, seen = [], set()
    for path in sorted(args.text.glob("*.txt")):
        if path.name.endswith(".lower.txt"):
            continue
        for words in sentences_of(path, args.min_words, args.max_words):
            key = " ".join(words)
            if key not in seen:  # speeches repeat sentences; a duplicate adds nothing
                seen.add(key)
                sentences.append(words)
    started = time.perf_counter()
    scores = tagger.word_log_probs(sentences)
    kept, entities = [], Counter()
    for words, log_probs in zip(sentences, scores):
        tags = tagger.decode(log_probs)
        chosen = np.exp(log_probs[np.arange(len(tags)), [IOB2_TAGS.index(t) for t in tags]])
        if chosen.min() >= args.min_confidence:
            kept.append(TaggedSentence(tuple(words), tuple(tags)))
            entities.update(label for label, _, _ in iob2_spans(tags))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_conll(args.out, kept)
    n_words = sum(len(s.tokens) for s in kept)
    print(f"{len(sentences)} sentences tagged in {time.perf_counter() - started:.0f} s ({tagger.precision}); "
          f"kept {len(kept)} at confidence >= {args.min_confidence} ({n_words} words) -> {args.out}")
    print("entities kept: " + ", ".join(f"{label} {n}" for label, n in entities.most_common()))


if __name__ == "__main__":
    main()
