"""Word accuracy of the transliteration back to Cyrillic, per alphabet.

1. Round trip: Cyrillic Kazakh text (``../shared/data/press_more`` 101–120, held out from the word
   list; ``--docs`` for others) is written in each alphabet by its official table
   (``kznlp.text.translit.from_cyrillic``), converted back with the alphabet chosen automatically
   (``--forced`` uses the known one), and compared word by word with the original (case-folded, ё = е).
2. Real texts: the Latin and Arabic-script pages ``press_more`` 121–150 against a careful Cyrillic
   reading of a few of them (``tests/fixtures/translit/*.tsv``: the original excerpt and its reading).

    python scripts/eval_translit.py [--shared ../shared] [--docs 101-120] [--forced] [--errors 10]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kznlp.text.translit import ALPHABETS, from_cyrillic, transliterate  # noqa: E402

WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
CYRILLIC_WORD = re.compile(r"[а-яёәғқңөұүһі]", re.I)
PURE_CYRILLIC = re.compile(r"[а-яёәғқңөұүһі]+(?:-[а-яёәғқңөұүһі]+)*")
READINGS = ROOT / "tests" / "fixtures" / "translit"


def words(text: str) -> list[str]:
    return [w.casefold().replace("ё", "е") for w in WORD.findall(text)]


def compare(reference: str, converted: str, errors: Counter) -> tuple[int, int]:
    ref, out = words(reference), words(converted)
    if len(ref) != len(out):  # rare: a dropped letter joined or split words; align by difflib
        import difflib

        right = sum(b.size for b in difflib.SequenceMatcher(a=ref, b=out, autojunk=False).get_matching_blocks())
        return right, sum(1 for a in ref if PURE_CYRILLIC.fullmatch(a))
    right = total = 0
    for a, b in zip(ref, out):
        if not PURE_CYRILLIC.fullmatch(a):
            continue  # a Latin name or a Latin letter typed for a Cyrillic one in the original
        total += 1
        if a == b:
            right += 1
        else:
            errors[(a, b)] += 1
    return right, total


def docs_range(spec: str) -> list[int]:
    first, _, last = spec.partition("-")
    return list(range(int(first), int(last or first) + 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--docs", default="101-120", help="Cyrillic press_more documents for the round trip")
    parser.add_argument("--forced", action="store_true", help="convert back with the known alphabet")
    parser.add_argument("--errors", type=int, default=8, help="most frequent errors to show per alphabet")
    args = parser.parse_args()
    press = args.shared / "data" / "press_more"
    texts = []
    for n in docs_range(args.docs):
        text = (press / f"{n:03d}.txt").read_text("utf-8").split("\n", 2)[2]
        # only Cyrillic Kazakh words count (Latin brand names in the page are not part of the test)
        texts.append("\n".join(line for line in text.split("\n") if CYRILLIC_WORD.search(line)))
    print(f"Round trip on press_more {args.docs} ({sum(len(words(t)) for t in texts)} words), alphabet "
          f"{'forced' if args.forced else 'chosen automatically'}:")
    print(f"{'alphabet':10} {'words':>7} {'accuracy':>9}  chosen  most frequent errors (original -> back)")
    for name in ALPHABETS:
        errors: Counter = Counter()
        right = total = 0
        chosen: Counter = Counter()
        for text in texts:
            written = from_cyrillic(text, name)
            back = transliterate(written, name if args.forced else "auto")
            chosen[back.alphabet] += 1
            r, t = compare(text, back.text, errors)
            right, total = right + r, total + t
        shown = ", ".join(f"{a}->{b}" + (f" ×{c}" if c > 1 else "") for (a, b), c in errors.most_common(args.errors))
        picked = "/".join(f"{k}" + (f"×{v}" if len(chosen) > 1 else "") for k, v in chosen.most_common())
        print(f"{name:10} {total:7d} {100 * right / total:8.2f}%  {picked:6}  {shown}")
    print()
    print("Real pages against a careful Cyrillic reading (tests/fixtures/translit):")
    print(f"{'file':26} {'alphabet':9} {'words':>6} {'accuracy':>9}  errors (reading -> ours)")
    per_script: dict[str, list[int]] = {}
    for path in sorted(READINGS.glob("*.tsv")):
        original, reading, url = _reading(path)
        back = transliterate(original)
        errors = Counter()
        r, t = compare(reading, back.text, errors)
        script = "arab" if back.alphabet == "arab" else "latn"
        per_script.setdefault(script, [0, 0])
        per_script[script][0] += r
        per_script[script][1] += t
        shown = ", ".join(f"{a}->{b}" for (a, b), _ in errors.most_common(args.errors))
        print(f"{path.name:26} {back.alphabet or '-':9} {t:6d} {100 * r / t:8.2f}%  {shown}")
    for script, (r, t) in per_script.items():
        print(f"{'all ' + script:26} {'':9} {t:6d} {100 * r / t:8.2f}%")


def _reading(path: Path) -> tuple[str, str, str]:
    """A fixture: '# url' line, then 'original<TAB>reading' lines (one paragraph each)."""
    url, originals, readings = "", [], []
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("#"):
            url = url or line.lstrip("# ").strip()
            continue
        if "\t" in line:
            a, b = line.split("\t", 1)
            originals.append(a)
            readings.append(b)
    return "\n".join(originals), "\n".join(readings), url


if __name__ == "__main__":
    main()
