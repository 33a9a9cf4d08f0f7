"""The shipped NER model through ``kznlp.ner``: label mapping, long documents, CoNLL helpers."""

from __future__ import annotations

import json

import pytest

from kznlp.ner.decode import viterbi_iob2
from kznlp.ner.labels import IOB2_TAGS, KAZNERD_CLASSES
from kznlp.ner.metrics import entity_scores, iob2_spans
from kznlp.ner.tagger import map_label


@pytest.mark.parametrize("name, tag", [
    ("B-PER", "B-PERSON"), ("I-ORG", "I-ORGANISATION"), ("B-LOC", "B-LOCATION"), ("O", "O"),
    ("B-PERSON", "B-PERSON"), ("I-POSITION", "I-POSITION"), ("B-SOMETHING", "O"),
])
def test_map_label(name, tag):
    assert map_label(name) == tag


def test_iob2_spans_strict():
    assert iob2_spans(["B-PERSON", "I-PERSON", "O", "I-GPE", "B-GPE"]) == [("PERSON", 0, 2), ("GPE", 4, 5)]


def test_entity_scores_micro():
    rows, micro = entity_scores([["B-PERSON", "I-PERSON", "O", "B-GPE"]], [["B-PERSON", "I-PERSON", "O", "O"]])
    assert micro.precision == 1.0 and micro.recall == 0.5
    assert {r.label: r.f1 for r in rows} == {"GPE": 0.0, "PERSON": 1.0}


def test_viterbi_never_starts_with_inside():
    import numpy as np

    scores = np.full((2, len(IOB2_TAGS)), -10.0)
    scores[0, IOB2_TAGS.index("I-PERSON")] = 0.0  # best alone, but invalid at the start
    scores[0, IOB2_TAGS.index("B-PERSON")] = -1.0
    scores[1, IOB2_TAGS.index("I-PERSON")] = 0.0
    path = [IOB2_TAGS[i] for i in viterbi_iob2(scores, IOB2_TAGS)]
    assert path == ["B-PERSON", "I-PERSON"]


def test_shipped_model_has_kaznerd_labels(nlp):
    config = json.loads((nlp.tagger.source and __import__("pathlib").Path(nlp.tagger.source) / "config.json")
                        .read_text("utf-8"))
    assert {map_label(v)[2:] for v in config["id2label"].values()} - {""} == set(KAZNERD_CLASSES)


def test_twenty_thousand_word_document_is_tagged_whole(nlp, reference_text):
    """20,000 words in one document: nothing is truncated at the model's 512-token limit; every copy
    of the release inside it gets exactly the entities the release gets alone."""
    unit = reference_text.rstrip() + "\n"
    copies = 20_000 // len(unit.split()) + 1
    long_text = unit * copies
    assert len(long_text.split()) >= 20_000
    (alone,) = nlp.tagger.tag([unit])
    (entities,) = nlp.tagger.tag([long_text])
    expected = [(e.label, e.start + k * len(unit), e.end + k * len(unit)) for k in range(copies) for e in alone]
    assert [(e.label, e.start, e.end) for e in entities] == expected
    assert entities[-1].start > len(long_text) - len(unit)  # the end of the document was reached


def test_a_sentence_longer_than_the_model_limit_is_cut_into_overlapping_windows(nlp, reference_text):
    """A 20,000-word run-on "sentence" (full stops turned into commas): every word is covered, no
    window exceeds the model's limit, windows overlap by ``stride`` pieces, and every word is read
    somewhere with at least 10 words of context on each side of it."""
    unit = reference_text.replace(".", ",").replace("\n", " ") + " "
    long_text = unit * (20_000 // len(unit.split()) + 1)
    tagger = nlp.tagger
    words = long_text.split()
    pieces = tagger._piece_counts(words)
    windows = tagger._windows(0, [range(len(words))], pieces)
    assert len(windows) > 100
    best = [0.0] * len(words)
    for before, after in zip(windows, windows[1:]):
        assert sum(pieces[i] for i in set(before.words) & set(after.words)) >= tagger.stride
    for window in windows:
        assert sum(pieces[i] for i in window.words) <= tagger.max_tokens - 2
        for word, weight in zip(window.words, window.weights):
            best[word] = max(best[word], weight)
    assert min(best) >= 10
    (entities,) = tagger.tag([long_text])
    assert entities and entities[-1].start > len(long_text) - len(unit)
    for e in entities:
        assert long_text[e.start:e.end] == e.text


def test_served_precision_follows_the_cpu_flags_not_a_timing(nlp):
    from kznlp.ner.tagger import cpu_flags, fastest_precision, precision_for

    assert nlp.tagger.precision == fastest_precision() == precision_for(cpu_flags())
    assert precision_for(frozenset({"avx2", "avx512f", "avx512_bf16", "avx512_vnni"})) == "bf16"
    assert precision_for(frozenset({"avx2", "avx512f", "avx512_vnni"})) == "int8"
    assert precision_for(frozenset({"avx", "avx2", "fma"})) == "fp32"
    assert precision_for(frozenset()) == "fp32"


def test_the_same_text_gets_the_same_entities_under_cpu_load(nlp, reference_text):
    """The served precision must not flip when other processes load the CPU (it once did, by timing)."""
    import multiprocessing

    from kznlp.ner.tagger import NerTagger

    idle = nlp.tagger.tag([reference_text])
    stop = multiprocessing.Event()
    burners = [multiprocessing.Process(target=_burn, args=(stop,), daemon=True) for _ in range(2)]
    for p in burners:
        p.start()
    try:
        loaded_tagger = NerTagger()
        loaded = loaded_tagger.tag([reference_text])
    finally:
        stop.set()
        for p in burners:
            p.join(5)
    assert loaded_tagger.precision == nlp.tagger.precision
    assert loaded == idle


def _burn(stop) -> None:
    while not stop.is_set():
        sum(i * i for i in range(10_000))


@pytest.mark.parametrize("precision", ["int8", "fp32"])
def test_every_precision_finds_the_same_people_and_positions(nlp, reference_text, precision):
    """bf16, int8 and fp32 run the same weights: the release's people and positions do not change."""
    from kznlp.ner.tagger import NerTagger

    def key(entities):
        return [(e.label, e.start, e.end) for e in entities if e.label in ("PERSON", "POSITION")]

    (served,) = NerTagger(precision="bf16").tag([reference_text])
    (other,) = NerTagger(precision=precision).tag([reference_text])
    assert key(served) and key(other) == key(served)


def test_unknown_precision_is_a_clear_error():
    from kznlp.errors import ModelError
    from kznlp.ner.tagger import NerTagger

    with pytest.raises(ModelError, match="unknown precision 'fp8'"):
        NerTagger(precision="fp8")


def test_conll_round_trip(tmp_path):
    from kznlp.ner.conll import TaggedSentence, read_conll, write_conll

    sentences = [TaggedSentence(("Бақытжан", "Сағынтаев", "келді"), ("B-PERSON", "I-PERSON", "O")),
                 TaggedSentence(("«", "Nur", "Otan", "»"), ("O", "B-ORGANISATION", "I-ORGANISATION", "O"))]
    path = tmp_path / "two.conll"
    write_conll(path, sentences)
    assert read_conll(path) == sentences
    assert not list(tmp_path.glob("*.tmp"))
