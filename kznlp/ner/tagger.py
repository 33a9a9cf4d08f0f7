"""Serving a Hugging Face token classifier as a Kazakh NER tagger.

The text is split into words the way KazNERD is tokenised (``kznlp.text.words``), words into
sentences, and each sentence is one model input, as in training.  A sentence longer than the
model's window is cut into overlapping windows; each word takes its scores from the window in
which it sits farthest from an edge, so no entity is lost or split at a window boundary.  Tags
are decoded with BIO-constrained Viterbi and returned as character spans of the original text.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from kznlp.errors import ModelError
from kznlp.ner.decode import viterbi_iob2
from kznlp.ner.labels import IOB2_TAGS
from kznlp.ner.metrics import iob2_spans
from kznlp.records import Entity
from kznlp.resources import read_table
from kznlp.text.words import word_spans

log = logging.getLogger("kznlp")


@contextlib.contextmanager
def quiet_transformers():
    """transformers' progress bars ("Loading weights: 0%|…"), notes and warnings off while loading: a
    library says nothing on stderr unless asked (``verbose=True``); its own settings come back after."""
    import warnings

    from transformers.utils import logging as hf_logging

    verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()


DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "models" / "kk-ner"
SENTENCE_END = re.compile(r"^[.!?…]+$")


def default_model_path() -> Path:
    """``$KZNLP_MODEL`` if set, else the model shipped in ``models/kk-ner``."""
    return Path(os.environ.get("KZNLP_MODEL", DEFAULT_MODEL))


PRECISIONS = ("auto", "bf16", "int8", "fp32")


def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags (``/proc/cpuinfo``; empty where it cannot be read)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith(("flags", "Features")):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def precision_for(flags: frozenset[str]) -> str:
    """The serving precision for a CPU with these flags.

    Chosen from what the CPU has, never from a timing, so the same text gets the same entities on a
    loaded machine as on an idle one: ``bf16`` with native bfloat16 units (AVX512-BF16, AMX-BF16),
    ``int8`` with int8 dot-product units (AVX512-VNNI, AVX-VNNI), else ``fp32``. Without those units
    torch emulates both: on an AVX2-only EPYC ``torch._int_mm`` is 30x and bf16 65x slower than fp32.
    """
    if flags & {"avx512_bf16", "amx_bf16"}:
        return "bf16"
    if flags & {"avx512_vnni", "avx_vnni"}:
        return "int8"
    return "fp32"


@lru_cache(maxsize=1)
def fastest_precision() -> str:
    """:func:`precision_for` this machine's CPU."""
    return precision_for(cpu_flags())


def map_label(name: str) -> str:
    """A checkpoint's tag (``B-PER``, ``I-ORG``, ``LOC``) as a KazNERD IOB2 tag, ``O`` when unknown."""
    prefix, _, cls = name.upper().rpartition("-") if "-" in name else ("B", "", name.upper())
    if cls == "O" or not cls:
        return "O"
    aliases = {alias.upper(): target for alias, target in read_table("label_aliases.tsv")}
    cls = aliases.get(cls, cls)
    tag = f"{prefix[:1] or 'B'}-{cls}"
    return tag if tag in IOB2_TAGS else "O"


@dataclass(frozen=True, slots=True)
class _Window:
    text_index: int
    words: tuple[int, ...]  # indices into that text's word list
    weights: tuple[float, ...]  # how central each word is in this window


class NerTagger:
    """Loads a token-classification checkpoint once; ``tag(texts)`` returns entities per text."""

    def __init__(self, model: str | Path | None = None, *, max_tokens: int = 256, stride: int = 96,
                 batch_tokens: int = 8192, threads: int | None = None, precision: str = "auto",
                 constrained: bool = True, verbose: bool = False):
        import torch
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        source = str(model or default_model_path())
        if threads:
            torch.set_num_threads(threads)
        log.info("loading the NER model from %s", source)
        try:
            with contextlib.nullcontext() if verbose else quiet_transformers():
                self.tokenizer = AutoTokenizer.from_pretrained(source)
                self.model = AutoModelForTokenClassification.from_pretrained(source, dtype=torch.float32).eval()
        except (OSError, ValueError) as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise ModelError(f"cannot load NER model {source!r}: {first_line}") from None
        if not getattr(self.tokenizer, "is_fast", False):
            raise ModelError(f"{source}: a fast tokenizer (tokenizer.json) is needed for word alignment")
        if precision not in PRECISIONS:
            raise ModelError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}")
        self.precision = fastest_precision() if precision == "auto" else precision
        if self.precision == "bf16":
            self.model.to(torch.bfloat16)
        elif self.precision == "int8":
            from kznlp.ner.int8 import quantise_linears

            quantise_linears(self.model)
        labels = self.model.config.id2label
        # (model outputs x KazNERD tags) 0/1 matrix: probabilities of outputs mapped to one tag add up
        tag_of_output = [IOB2_TAGS.index(map_label(labels[i])) for i in range(len(labels))]
        self._output_to_tag = np.zeros((len(labels), len(IOB2_TAGS)))
        self._output_to_tag[np.arange(len(labels)), tag_of_output] = 1.0
        self.source = source
        self.max_tokens = max_tokens
        self.stride = stride
        self.batch_tokens = batch_tokens
        self.constrained = constrained  # BIO-constrained Viterbi; False = per-word argmax (for comparison)

    # -- preparing windows -------------------------------------------------------------------
    def _sentences(self, words: Sequence[str], breaks: Sequence[bool] = ()) -> list[range]:
        """Word ranges of sentences: after . ! ? … (not an initial's dot), and at every line break."""
        out, start = [], 0
        for i, word in enumerate(words):
            line_break = i + 1 < len(breaks) and breaks[i + 1]
            if i + 1 < len(words) and ((SENTENCE_END.match(word) and not _is_initial(words, i)) or line_break):
                out.append(range(start, i + 1))
                start = i + 1
        if start < len(words):
            out.append(range(start, len(words)))
        return out

    def _windows(self, text_index: int, units: list[range], pieces: Sequence[int]) -> list[_Window]:
        """Windows of at most ``max_tokens`` pieces; long sentences overlap by ``stride`` pieces."""
        budget = self.max_tokens - 2
        windows = []
        for sentence in units:
            idx = list(sentence)
            cum = np.cumsum([pieces[i] for i in idx])
            if cum[-1] <= budget:
                windows.append(_Window(text_index, tuple(idx), (1.0,) * len(idx)))
                continue
            start = 0
            while start < len(idx):
                base = cum[start - 1] if start else 0
                end = int(np.searchsorted(cum, base + budget, side="right"))
                end = max(end, start + 1)
                chunk = idx[start:end]
                # distance to the nearest cut inside the sentence (a sentence edge is no cut)
                weights = tuple(float(min(k + 1 if start else len(idx), len(chunk) - k if end < len(idx)
                                          else len(idx))) for k in range(len(chunk)))
                windows.append(_Window(text_index, tuple(chunk), weights))
                if end >= len(idx):
                    break
                # step back so that about `stride` pieces are seen twice
                back = end
                while back > start + 1 and cum[end - 1] - cum[back - 1] < self.stride:
                    back -= 1
                start = back
        return windows

    # -- running the model ---------------------------------------------------------------------
    def _scores(self, all_words: list[list[str]], windows: list[_Window]) -> list[np.ndarray]:
        import torch

        n_tags = len(IOB2_TAGS)
        # Probabilities of a word seen by several overlapping windows are blended, weighted by how far
        # the word sits from each window's cut: neighbours never flip between unrelated contexts.
        mass = [np.zeros((len(w), n_tags), dtype=np.float64) for w in all_words]
        weight = [np.zeros(len(w)) for w in all_words]
        order = sorted(range(len(windows)), key=lambda i: len(windows[i].words))
        batch: list[int] = []
        longest = 0

        def flush():
            inputs = [[all_words[windows[i].text_index][j] for j in windows[i].words] for i in batch]
            enc = self.tokenizer(inputs, is_split_into_words=True, truncation=True,
                                 max_length=self.max_tokens, padding=True, return_tensors="pt")
            with torch.inference_mode():
                logits = self.model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).logits
            log_probs = torch.log_softmax(logits.float(), -1).numpy()
            for row, i in enumerate(batch):
                window = windows[i]
                firsts: dict[int, int] = {}  # word -> its first piece's column
                for col, word in enumerate(enc.word_ids(row)):
                    if word is not None:
                        firsts.setdefault(word, col)
                words = np.fromiter(firsts, dtype=np.int64)
                targets = np.asarray(window.words)[words]
                w = np.asarray(window.weights)[words] ** 2
                probs = np.exp(log_probs[row, list(firsts.values())]) @ self._output_to_tag
                mass[window.text_index][targets] += w[:, None] * probs
                weight[window.text_index][targets] += w

        for i in order:
            size = len(windows[i].words) * 2 + 2  # rough pieces per word
            longest = max(longest, size)
            if batch and longest * (len(batch) + 1) > self.batch_tokens:
                flush()
                batch, longest = [], size
            batch.append(i)
        if batch:
            flush()
        out = []
        for m, w in zip(mass, weight):
            w = np.where(w > 0, w, 1.0)[:, None]
            probs = m / w
            probs[probs.sum(1) == 0, 0] = 1.0  # a word no window reached (cannot happen; never crash on it)
            out.append(np.log(np.maximum(probs, 1e-12)).astype(np.float32))
        return out

    def tag(self, texts: Sequence[str]) -> list[list[Entity]]:
        spans_per_text = [word_spans(t) for t in texts]
        words_per_text = [[t[s:e] for s, e in spans] for t, spans in zip(texts, spans_per_text)]
        windows: list[_Window] = []
        for i, words in enumerate(words_per_text):
            if not words:
                continue
            spans = spans_per_text[i]
            breaks = [k > 0 and "\n" in texts[i][spans[k - 1][1]:spans[k][0]] for k in range(len(spans))]
            windows.extend(self._windows(i, self._sentences(words, breaks), self._piece_counts(words)))
        scores = self._scores(words_per_text, windows) if windows else [np.zeros((0, 1))] * len(texts)
        out = []
        for text, spans, words, word_scores in zip(texts, spans_per_text, words_per_text, scores):
            if not words:
                out.append([])
                continue
            tags = self.decode(word_scores)
            out.append([Entity(label, text[spans[s][0]:spans[e - 1][1]], spans[s][0], spans[e - 1][1])
                        for label, s, e in iob2_spans(tags)])
        return out

    def tag_words(self, sentences: Iterable[Sequence[str]]) -> list[list[str]]:
        """IOB2 tags for pre-tokenised sentences (CoNLL evaluation)."""
        sentences = [list(s) for s in sentences]
        return [self.decode(s) if w else [] for w, s in zip(sentences, self.word_log_probs(sentences))]

    def word_log_probs(self, sentences: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Per pre-tokenised sentence, a (words x IOB2_TAGS) array of log-probabilities."""
        sentences = [list(s) for s in sentences]
        windows = []
        for i, words in enumerate(sentences):
            if words:  # a CoNLL sentence is one unit, split only when longer than a window
                windows.extend(self._windows(i, [range(len(words))], self._piece_counts(words)))
        return self._scores(sentences, windows)

    def decode(self, log_probs: np.ndarray) -> list[str]:
        """The IOB2 tags of one sentence's word scores (BIO-constrained unless ``constrained=False``)."""
        return [IOB2_TAGS[j] for j in self._decode(log_probs)]

    def _decode(self, scores: np.ndarray) -> list[int]:
        if self.constrained:
            return viterbi_iob2(scores, IOB2_TAGS)
        return [int(i) for i in scores.argmax(1)]

    def _piece_counts(self, words: Sequence[str]) -> list[int]:
        ids = self.tokenizer(list(words), add_special_tokens=False)["input_ids"]
        return [max(1, len(p)) for p in ids]


def _is_initial(words: Sequence[str], i: int) -> bool:
    """"Б." before a surname is an initial, not the end of a sentence."""
    return i > 0 and len(words[i - 1]) == 1 and words[i - 1].isupper() and words[i] == "."
