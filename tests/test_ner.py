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


def test_twenty_thousand_word_document_loses_no_entity_at_window_edges(nlp, reference_text):
    """One 20,000-word "sentence" (no full stops) must be cut into overlapping windows: every
    "Бақытжан Сағынтаев" in it, wherever a window edge falls, is one whole PERSON entity."""
    unit = reference_text.replace(".", ",").replace("\n", " ") + " "
    copies = 20_000 // len(unit.split()) + 1
    long_text = unit * copies
    assert len(long_text.split()) >= 20_000
    windows = nlp.tagger._windows(0, [range(len(long_text.split()))], [2] * len(long_text.split()))
    assert len(windows) > 100  # really windowed, not truncated
    (entities,) = nlp.tagger.tag([long_text])
    persons = [e for e in entities if e.label == "PERSON"]
    name = "Бақытжан Сағынтаев"
    start = long_text.find(name)
    occurrences = 0
    while start != -1:
        occurrences += 1
        assert any(e.start <= start and start + len(name) <= e.end for e in persons), f"at {start}"
        start = long_text.find(name, start + 1)
    assert occurrences == 2 * copies
    for e in entities:
        assert long_text[e.start:e.end] == e.text
