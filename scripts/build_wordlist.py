"""Build ``kznlp/resources/kk/word_frequencies.tsv``: Cyrillic Kazakh word forms and their counts, and
``person_names.tsv``: the words of people's names.

The transliterator decides ambiguous letters (2021 "i" = и or й, "h" = х or һ, Arabic-script vowels
without a hamza, ...) with this list and a character model estimated from it.

Sources (all Cyrillic Kazakh, read from ``../shared``; only the word counts are shipped):
  data/text/*.txt                      akorda.kz speeches and news, kk.wikipedia articles, primeminister.kz
                                       and economy.gov.kz news (CC BY-SA 4.0 / CC BY-SA / site texts)
  data/press_more/001.txt … 100.txt   Kazakh press and government pages (site texts)
  data/kaznerd/IOB2_valid.txt          KazNERD sentences (news and Wikipedia-style text, CC BY 4.0;
                                       --no-kaznerd leaves them out)
press_more 101–120 are held out: ``scripts/eval_translit.py`` measures on them.
Person names (first names, surnames, patronymics in any case form) from the PERSON spans of
  data/kaznerd/IOB2_valid.txt          KazNERD (Yeshpanov, Khassanov & Varol, LREC 2022; CC BY 4.0)

    python scripts/build_wordlist.py [--shared ../shared] [--min-count 1]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "kznlp" / "resources" / "kk" / "word_frequencies.tsv"
NAMES_OUT = ROOT / "kznlp" / "resources" / "kk" / "person_names.tsv"
WORD = re.compile(r"[а-яёәғқңөұүһі]+(?:-[а-яёәғқңөұүһі]+)*")
# Latin letters typed for Kazakh Cyrillic ones inside Cyrillic words (press_more 016, 023, ...)
LOOKALIKE = str.maketrans({"i": "і", "ə": "ә", "c": "с", "o": "о", "e": "е", "a": "а", "p": "р", "x": "х"})
CYR = re.compile(r"[а-яёәғқңөұүһі]")
MIXED = re.compile(r"[a-zə]*[а-яёәғқңөұүһі][a-zа-яёәғқңөұүһіə]*")
HELD_OUT = range(101, 121)


WORD_CASED = re.compile(r"[А-ЯЁӘҒҚҢӨҰҮҺІа-яёәғқңөұүһі]+(?:-[А-ЯЁӘҒҚҢӨҰҮҺІа-яёәғқңөұүһі]+)*")
CASED_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def words(text: str):
    text = text.lower()
    text = MIXED.sub(lambda m: m.group(0).translate(LOOKALIKE), text)
    for w in WORD.findall(text):
        yield w.replace("ё", "е")


def capitals(text: str, seen: Counter, upper: Counter) -> None:
    """Count, for words not at a sentence start, how often each is written with a capital (names)."""
    for match in CASED_WORD.finditer(text):
        before = text[:match.start()].rstrip(" «\"(")
        if not before or before[-1] in ".!?…\n:":
            continue
        word = match.group(0)
        if not WORD.fullmatch(word.lower()) or (len(word) > 1 and word.isupper()):
            continue
        key = word.lower().replace("ё", "е")
        seen[key] += 1
        upper[key] += word[0].isupper()


def kaznerd_text(path: Path) -> str:
    """The sentences of a CoNLL (IOB2) file, one a line, tokens joined by spaces."""
    sentences, tokens = [], []
    for line in path.read_text("utf-8").splitlines() + [""]:
        parts = line.split()
        if len(parts) == 2:
            tokens.append(parts[0])
        elif tokens:
            sentences.append(" ".join(tokens))
            tokens = []
    return "\n".join(sentences)


def person_names(path: Path) -> Counter:
    """The words of the PERSON spans of a CoNLL (IOB2) file, lower case, ё = е."""
    names: Counter[str] = Counter()
    for line in path.read_text("utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].endswith("-PERSON"):
            word = parts[0].lower().replace("ё", "е")
            if WORD.fullmatch(word) and len(word) > 1:
                names[word] += 1
    return names


def write_names(shared: Path) -> None:
    names = person_names(shared / "data" / "kaznerd" / "IOB2_valid.txt")
    lines = [
        "# Words of people's names (first names, surnames, patronymics, with their case endings), Cyrillic,",
        "# with counts: the PERSON spans of KazNERD (data/kaznerd/IOB2_valid.txt; Yeshpanov, Khassanov & Varol,",
        "# LREC 2022; CC BY 4.0).  Built by scripts/build_wordlist.py.  The transliterator reads a name with a",
        "# character model of these and of the capitalised words of word_frequencies.tsv.",
        "# word\tcount",
    ]
    rows = [f"{w}\t{c}" for w, c in sorted(names.items(), key=lambda x: (-x[1], x[0]))]
    NAMES_OUT.write_text("\n".join(lines + rows) + "\n", "utf-8")
    print(f"{NAMES_OUT.relative_to(ROOT)}: {len(rows)} name words")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--min-count", type=int, default=1)
    parser.add_argument("--no-kaznerd", action="store_true", help="leave the KazNERD sentences out of the counts")
    args = parser.parse_args()
    counts: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    upper: Counter[str] = Counter()
    sources = sorted((args.shared / "data" / "text").glob("*.txt"))
    # nor the documents of the extraction benchmark's held-out part (corpora/gold/press_more/SPLIT.tsv):
    # the held-out sites stay unseen by every component
    split = (ROOT / "corpora" / "gold" / "press_more" / "SPLIT.tsv").read_text("utf-8").splitlines()[1:]
    benchmark_held_out = {int(row.split("\t")[0]) for row in split if row.split("\t")[1] == "heldout"}
    sources += [args.shared / "data" / "press_more" / f"{n:03d}.txt" for n in range(1, 121)
                if n not in HELD_OUT and n not in benchmark_held_out]
    for path in sources:
        text = path.read_text("utf-8")
        if path.parent.name == "press_more":
            text = text.split("\n", 1)[1]  # the source URL
        counts.update(words(text))
        if not path.name.endswith(".lower.txt"):  # true-case sources
            capitals(text, seen, upper)
    if not args.no_kaznerd:
        text = kaznerd_text(args.shared / "data" / "kaznerd" / "IOB2_valid.txt")
        counts.update(words(text))
        capitals(text, seen, upper)
    kept = [(w, c) for w, c in counts.most_common() if c >= args.min_count and len(w) >= 1]
    lines = [
        "# Cyrillic Kazakh word forms with their counts, for deciding ambiguous letters in transliteration.",
        "# Built by scripts/build_wordlist.py from ../shared/data/text (akorda.kz, kk.wikipedia CC BY-SA 4.0,",
        "# primeminister.kz and economy.gov.kz news from the NLP-KazNU corpus, CC BY-SA), the tune documents of press_more",
        "# 001-100 (site texts), and the KazNERD sentences (data/kaznerd/IOB2_valid.txt, CC BY 4.0); press_more 101-120",
        "# held out for scripts/eval_translit.py.  Only counts are shipped.",
        f"# {len(kept)} forms from {sum(counts.values())} words.",
        "# capitals: how often in a hundred the word is written with a capital inside a sentence (names;",
        "# Arabic script has no case), where true-case text has it.",
        "# word\tcount\tcapitals",
    ]
    rows = [f"{w}\t{c}" + (f"\t{round(100 * upper[w] / seen[w])}" if seen[w] else "") for w, c in kept]
    OUT.write_text("\n".join(lines + rows) + "\n", "utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(kept)} forms, {OUT.stat().st_size // 1024} KiB")
    write_names(args.shared)


if __name__ == "__main__":
    main()
