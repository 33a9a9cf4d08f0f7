"""Kazakh in Latin (2021, 2018, 2017 alphabets and the digraph spelling of some sites) and in Arabic
script (төте жазу) to Cyrillic, with a map from every character of the result back to the original.

The alphabets are tables in ``kznlp/resources/kk/alphabet_*.tsv``.  A letter with more than one
reading (2021 "i" = и or й, "h" = х or һ, 2018 "ı" = и or й, Arabic ى = ы or і) is decided per word
by the Cyrillic word list ``word_frequencies.tsv``: the known word wins, otherwise the spelling a
character model of that list likes best ("Smaiylov" -> "Смайылов", not "Смаиылов").

>>> transliterate("Qazaqstan Respublikasynyñ Ükımetı").text
'Қазақстан Республикасының Үкіметі'
>>> t = transliterate("Premer-Mınıstr Kárim Másimov Qostanaıǵa keldi.")
>>> t.text, t.alphabet
('Премьер-Министр Кәрім Мәсімов Қостанайға келді.', '2018')
>>> t.original_span(25, 36)  # "Қостанайға" in the original
(24, 35)
"""

from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, lru_cache

from kznlp.resources import read_table

LATIN_ALPHABETS = ("2021", "2018", "2017", "digraph")
ALPHABETS = LATIN_ALPHABETS + ("arab",)
APOSTROPHES = "'’ʼ`´"
ACUTE = "\u0301"
# Cyrillic letters that stand in for Latin ones inside Latin words ("Iаǵnı" with a Cyrillic а, "О́ńir")
LOOKALIKES = str.maketrans("аеорсухіАЕОРСХІ", "aeopcyxiAEOPCXI")
CYRILLIC_LOOKALIKES = set("аеорсухіАЕОРСХІ")
BACK, FRONT = "аоұы", "әөүі"
ARABIC_VOWELS = set("اوۇى")
ARABIC_FRONT_MARKERS = set("كگەک")
HAMZA = set("ءٴ")

LATIN_WORD = re.compile(r"(?:[^\W\d_]|\u0301)(?:[^\W\d_]|\u0301|['’ʼ`´])*")
ROMAN = re.compile(r"[IVXLCDM]+")
ARABIC_WORD = re.compile(r"[\u0621-\u063a\u0641-\u064a\u0674\u0679-\u06d5]+")
from kznlp.text.script import URLISH  # noqa: E402  (URLs and addresses are never converted)


@dataclass(frozen=True)
class Alphabet:
    name: str
    readings: dict[str, tuple[str, ...]]  # grapheme -> Cyrillic readings, most likely first
    spelling: dict[str, str]  # Cyrillic letter -> its official grapheme
    longest: int
    ranks: dict[str, tuple[int, ...]] = field(default_factory=dict)  # grapheme -> rank of each reading

    @property
    def arabic(self) -> bool:
        return self.name == "arab"


@cache
def alphabet(name: str) -> Alphabet:
    if name not in ALPHABETS:
        raise ValueError(f"unknown alphabet {name!r}; one of {', '.join(ALPHABETS)}")
    readings: dict[str, tuple[str, ...]] = {}
    ranks: dict[str, tuple[int, ...]] = {}
    spelling: dict[str, str] = {}
    for row in read_table(f"alphabet_{name}.tsv"):
        key = row[0]
        # readings joined by "=" are equally likely ("I" in 2018: і or и, as often at a word's start)
        groups = row[1].split() if len(row) > 1 else []
        options = tuple(o for group in groups for o in group.split("="))
        if key != "∅":
            readings[key] = options or ("",)
            ranks[key] = tuple(r for r, group in enumerate(groups) for _ in group.split("=")) or (0,)
        for letter in (row[2].split() if len(row) > 2 else ()):
            spelling.setdefault(letter, "" if key == "∅" else key)
    return Alphabet(name, readings, spelling, max(len(k) for k in readings), ranks)


@cache
def _fallback() -> dict[str, tuple[str, ...]]:
    """Any Latin letter some alphabet reads: a 2021 "ş" in a 2018 text is still ш."""
    out: dict[str, tuple[str, ...]] = {}
    for name in LATIN_ALPHABETS:
        for key, options in alphabet(name).readings.items():
            if len(key) == 1:
                out.setdefault(key, options[:1])
    return out


# -- the word list and a character model of it ---------------------------------------------------
ORDER = 4


@dataclass
class Lexicon:
    """Cyrillic word forms with counts, and a character ``ORDER``-gram model estimated from them."""

    counts: dict[str, int]
    capitals: dict[str, int] = field(default_factory=dict)  # word -> % written with a capital mid-sentence
    grams: dict[str, float] = field(default_factory=dict)
    contexts: dict[str, float] = field(default_factory=dict)

    def __post_init__(self):
        grams: dict[str, float] = defaultdict(float)
        for word, count in self.counts.items():
            weight = 1.0 + math.log(count)
            padded = "^" * (ORDER - 1) + word + "$"
            for i in range(ORDER - 1, len(padded)):
                for n in range(1, ORDER + 1):
                    grams[padded[i - n + 1:i + 1]] += weight
        contexts: dict[str, float] = defaultdict(float)
        kinds: dict[str, int] = defaultdict(int)  # distinct characters seen after each context
        for gram, weight in grams.items():
            contexts[gram[:-1]] += weight
            kinds[gram[:-1]] += 1
        self.grams, self.contexts, self.kinds = dict(grams), dict(contexts), dict(kinds)
        self.total = contexts[""]

    @classmethod
    def from_table(cls, name: str = "word_frequencies.tsv") -> "Lexicon":
        rows = [row for row in read_table(name) if len(row) > 1]
        return cls({row[0]: int(row[1]) for row in rows}, {row[0]: int(row[2]) for row in rows if len(row) > 2})

    def capitalised(self, word: str) -> bool:
        """Whether true-case text writes ``word`` (or, unknown, its longest known beginning: a name with a
        case ending) with a capital."""
        word = word.lower()
        if word in self.capitals:
            return self.capitals[word] >= 50
        if SURNAME.search(word):
            return True
        for end in range(len(word) - 1, 2, -1):
            if word[:end] in self.counts:
                return self.capitals.get(word[:end], 0) >= 50 and len(word) - end <= 5
        return False

    def char_logp(self, history: str, char: str) -> float:
        """Witten-Bell interpolation over the last ``ORDER - 1`` characters."""
        p = (self.grams.get(char, 0.0) + 0.5) / (self.total + 50.0)
        for n in range(1, ORDER):
            context = history[-n:]
            if len(context) < n:
                break
            seen = self.contexts.get(context)
            if not seen:
                break
            kinds = self.kinds[context]
            p = (self.grams.get(context + char, 0.0) + kinds * p) / (seen + kinds)
        return math.log(p)

    def score(self, word: str, history: str = "^^^", final: bool = True) -> float:
        total = 0.0
        for char in word:
            total += self.char_logp(history, char)
            history += char
        if final:
            total += self.char_logp(history, "$")
            count = self.counts.get(word.strip("^"))
            if count:
                total += 8.0 + math.log(count)
        return total


SURNAME = re.compile(r"^[^\W\d_]{2,}(?:ов|ев|ин|ұлы|қызы)(?:а|ы|ке|қа|ға|ге|тың|тің|ның|нің|ты|ті|ны|ні|та|те|мен|пен|бен|на|не"
                     r"|дан|ден|тан|тен|нан|нен|қа|ға)?$")


@cache
def lexicon() -> Lexicon:
    return Lexicon.from_table()


@cache
def person_names() -> frozenset[str]:
    """The words of people's names: ``person_names.tsv`` and ``name_stems.tsv``."""
    return frozenset(row[0] for name in ("person_names.tsv", "name_stems.tsv") for row in read_table(name))


@cache
def name_counts() -> dict[str, int]:
    """Counts of the words of people's names: ``person_names.tsv``, ``name_stems.tsv`` and the words
    ``word_frequencies.tsv`` writes with a capital at least half the time (names of people and places)."""
    lex = lexicon()
    counts: dict[str, int] = defaultdict(int)
    for row in read_table("person_names.tsv"):
        if len(row) > 1:
            counts[row[0]] += int(row[1])
    for row in read_table("name_stems.tsv"):
        counts[row[0]] += 1
    for word, count in lex.counts.items():
        if lex.capitals.get(word, 0) >= 50:
            counts[word] += count
    return dict(counts)


@cache
def name_lexicon() -> Lexicon:
    """A character model of people's names: ``person_names.tsv``, ``name_stems.tsv`` and the words
    ``word_frequencies.tsv`` writes with a capital (names of people and places).  Kazakh names spell differently from common
    words: a name begins with И, hardly ever with І ("Itqusov" -> "Итқұсов", while "Ishki" -> "Ішкі");
    "-иулла-" is frequent in them ("Halıýllın" -> "Халиуллин", while "bıýdjet" -> "бюджет")."""
    return Lexicon(name_counts())


UNWRITTEN = set("ьъэ")  # letters the Arabic-script table does not write (ь, ъ) or writes as another (э as е)


@cache
def arabic_names() -> dict[str, str]:
    """Names with a letter Arabic script does not write, by their Arabic spelling: the words of
    ``person_names.tsv``, ``name_stems.tsv`` and those ``word_frequencies.tsv`` writes with a capital ("ەلدار" -> "эльдар",
    "كۋل" -> "куль").  The character model cannot spell them back, so an unknown reading gives way to them."""
    out: dict[str, tuple[int, str]] = {}
    for word, count in name_counts().items():
        if not UNWRITTEN & set(word) or len(word) < 3:
            continue
        key = _normalise(from_cyrillic(word, "arab"))[0]
        if key not in out or count > out[key][0]:
            out[key] = (count, word)
    return {key: word for key, (_, word) in out.items()}


# -- one word --------------------------------------------------------------------------------------
BEAM = 12


def _graphemes(word: str, table: Alphabet) -> list[list[tuple[int, tuple[str, ...], bool]]]:
    """For each position of ``word``: the graphemes starting there as (length, readings, upper)."""
    fallback = _fallback() if not table.arabic else {}
    out: list[list[tuple[int, tuple[str, ...], bool]]] = []
    for i in range(len(word)):
        here = []
        for n in range(min(table.longest, len(word) - i), 0, -1):
            piece = word[i:i + n]
            if piece in table.readings:
                options = table.readings[piece]
                here.append((n, tuple(o.lower() for o in options), piece[:1].isupper() or piece[:1] in "İ"))
                continue
            lower = piece.lower()
            if lower in table.readings:
                here.append((n, table.readings[lower], piece[:1].isupper()))
            elif n == 1 and lower in fallback:
                here.append((1, fallback[lower], piece.isupper()))
        if not here:
            char = word[i]
            here.append((1, (char.lower(),), char.isupper()))
        out.append(here)
    return out


HARMONY_PENALTY = 3.0  # a vowel against the word's hamza or markers: only a known word pays it back


def _vowel_filter(word: str) -> set[str] | None:
    """Arabic script: which vowel readings a word favours (a hamza makes it front; no marker, back)."""
    if any(ch in HAMZA for ch in word):
        return set(FRONT)
    if any(ch in ARABIC_FRONT_MARKERS for ch in word):
        return None
    return set(BACK)


# Letters whose reading depends on their neighbours, beyond the alphabet tables:
# - 2018 "ń" / 2021 "ñ", "ŋ" before a consonant is also "нг": site converters write the "нг" of a loanword
#   so ("monıtorıńti" -> "мониторингті"); the word list and the character model decide, as for any letter.
# - Arabic script writes the glide of a vowel before the surname ending -ев/-ева as ي ("بالايەۆا",
#   "تاجىبايەۆ"), which Cyrillic does not write: "Балаева", "Тәжібаев" (no Cyrillic word has "Vйев").
NG_LETTERS = {"ń", "ñ", "ŋ", "Ń", "Ñ", "Ŋ"}
LATIN_VOWELS = set("aáäeéiıíİIoóöuúüūýyAÁÄEÉIİOÓÖUÚÜŪÝY")
ARABIC_GLIDE_VOWELS = set("اوۇىەه")


def _context_options(word: str, i: int, n: int, options: tuple[str, ...],
                     table: Alphabet) -> tuple[tuple[str, int], ...]:
    """``options`` for the grapheme ``word[i:i + n]`` with their ranks, and the readings its neighbours
    allow added."""
    piece = word[i:i + n]
    ranks = table.ranks.get(piece) or table.ranks.get(piece.lower()) or ()
    ranked = tuple(zip(options, ranks if len(ranks) == len(options) else range(len(options))))
    if table.arabic:
        if piece == "ي" and 0 < i and word[i - 1] in ARABIC_GLIDE_VOWELS and word[i + 1:i + 3] == "ەۆ":
            return (("", 0),) + tuple((o, r + 1) for o, r in ranked)
        return ranked
    if piece in NG_LETTERS and i + 1 < len(word) and word[i + 1].isalpha() and word[i + 1] not in LATIN_VOWELS:
        return ranked + (("нг", len(ranked)),)
    return ranked


def decode_word(word: str, name: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A word of one alphabet in Cyrillic, and for each Cyrillic character the ``(start, end)`` of
    the grapheme it comes from (relative to ``word``)."""
    return _decode_word(word, name)


@lru_cache(maxsize=100_000)
def _decode_word(word: str, name: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    _, out, pieces = _readings(word, name)[0]
    return _render(word, out, pieces)


@lru_cache(maxsize=100_000)
def _readings(word: str, name: str) -> tuple[tuple[float, str, tuple], ...]:
    """The readings of ``word`` (score, lower-case Cyrillic, pieces), best first."""
    table = alphabet(name)
    lex = lexicon()
    graphemes = _graphemes(word, table)
    allowed = _vowel_filter(word) if table.arabic else None
    # hypotheses at each position: (score, lowercase output, pieces [(out_len, start, end, upper)])
    beams: list[list[tuple[float, str, tuple]]] = [[] for _ in range(len(word) + 1)]
    beams[0] = [(0.0, "", ())]
    for i in range(len(word)):
        beams[i].sort(key=lambda h: -h[0])
        for score, out, pieces in beams[i][:BEAM]:
            for n, options, upper in graphemes[i]:
                vowel = allowed is not None and word[i] in ARABIC_VOWELS
                for option, rank in _context_options(word, i, n, options, table):
                    history = ("^^^" + out)[-(ORDER - 1):]
                    gain = lex.score(option, history, final=False) - 1.5 * rank
                    if vowel and option not in allowed:
                        gain -= HARMONY_PENALTY
                        if i and word[i - 1] in HAMZA:
                            gain -= HARMONY_PENALTY  # the vowel right after the hamza: front, whatever follows
                    beams[i + n].append((score + gain, out + option, pieces + ((len(option), i, i + n, upper),)))
    finals = [(score + lex.char_logp(("^^^" + out)[-(ORDER - 1):], "$")
               + (8.0 + math.log(lex.counts[out]) if out in lex.counts else 0.0), out, pieces)
              for score, out, pieces in beams[len(word)]]
    finals.sort(key=lambda h: -h[0])
    if _name_shaped(word, finals, table):
        finals = _as_name(finals)
    if table.arabic and finals and finals[0][1] not in lex.counts and word in arabic_names():
        # a name with a letter Arabic script does not write ("ەلدار" is "Эльдар", not "елдар")
        finals.insert(0, (finals[0][0] + 1.0, arabic_names()[word], ((len(arabic_names()[word]), 0, len(word), False),)))
    kept, seen = [], set()
    for final in finals:  # the best few distinct readings (the cache holds 100,000 words)
        if final[1] not in seen and len(kept) < READINGS_KEPT:
            seen.add(final[1])
            kept.append(final)
    return tuple(kept)


def _render(word: str, out: str, pieces: tuple) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A reading with the case of ``word``, and the span of ``word`` each of its characters comes from."""
    all_caps = sum(ch.isupper() for ch in word) > 1 and not any(ch.islower() for ch in word)
    text, spans, pos, pending = [], [], 0, None
    for length, start, end, upper in pieces:
        piece = out[pos:pos + length]
        pos += length
        if not piece:
            pending = start if pending is None else pending  # a hamza: it belongs to the next letter
            continue
        if all_caps:
            piece = piece.upper()
        elif upper:
            piece = piece[0].upper() + piece[1:]
        text.append(piece)
        spans.extend([(start if pending is None else pending, end)] * len(piece))
        pending = None
    if pending is not None and spans:
        spans[-1] = (spans[-1][0], len(word))
    return "".join(text), tuple(spans)


READINGS_KEPT = 8
NAME_MARGIN = 6.0  # readings this close to the best are weighed again as names
NAME_WEIGHT = 0.9  # the name model's share in the mixture that weighs them


def _name_shaped(word: str, finals: list, table: Alphabet) -> bool:
    """Whether a word unknown to the word list looks like a surname (a capital in Latin script, a surname
    ending in some close reading): its readings are then weighed by the name model."""
    best_score, best = finals[0][0], finals[0][1]
    if best in lexicon().counts:
        return False
    if not table.arabic and (not word[:1].isupper() or word.isupper()):
        return False
    close = [out for score, out, _ in finals if score >= best_score - NAME_MARGIN]
    return len(set(close)) > 1 and any(SURNAME.search(out) for out in close)


def _as_name(finals: list) -> list:
    """The readings close to the best, the word list's character model swapped for the name model's."""
    lex, names = lexicon(), name_lexicon()
    best_score = finals[0][0]
    close, seen = [], set()
    for score, out, pieces in finals:
        if score < best_score - NAME_MARGIN or out in seen:
            continue
        seen.add(out)
        close.append((score - _char_score(out, lex) + _char_score(out, lex, names), out, pieces))
    return sorted(close, key=lambda h: -h[0])


def _char_score(word: str, lex: Lexicon, names: Lexicon | None = None) -> float:
    """log P(word) by the character model of ``lex`` or, with ``names``, of the mixture of the two."""
    total, history = 0.0, "^" * (ORDER - 1)
    for char in word + "$":
        p = math.exp(lex.char_logp(history, char))
        if names is not None:
            p = (1 - NAME_WEIGHT) * p + NAME_WEIGHT * math.exp(names.char_logp(history, char))
        total += math.log(p)
        history = (history + char)[-(ORDER - 1):]
    return total


# -- whole texts -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Transliteration:
    """``text`` in Cyrillic; ``starts[i]``/``ends[i]``: the span in ``original`` of ``text[i]``'s source."""

    text: str
    original: str
    alphabet: str | None  # None: nothing was converted
    starts: tuple[int, ...] = ()
    ends: tuple[int, ...] = ()

    @property
    def changed(self) -> bool:
        return self.alphabet is not None and self.text != self.original

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``original`` that ``text[start:end]`` was converted from."""
        if not self.starts:
            return start, end
        n = len(self.text)
        if start >= end:
            point = self.starts[start] if start < n else len(self.original)
            return point, point
        return self.starts[min(start, n - 1)], self.ends[min(end, n) - 1]


def _normalise(word: str) -> tuple[str, list[int]]:
    """Compose a letter with a following combining acute (also a Cyrillic "О́"), Cyrillic lookalikes
    next to it made Latin; typographic apostrophes made "'"; and for each character its index in ``word``."""
    out, index = [], []
    for i, ch in enumerate(word):
        if ch == ACUTE and out:
            out[-1] = unicodedata.normalize("NFC", out[-1].translate(LOOKALIKES) + ACUTE)
            continue
        out.append("'" if ch in APOSTROPHES else ch)
        index.append(i)
    return "".join(out), index


def _latin_letters(word: str) -> int:
    return sum(1 for ch in word if ch.isalpha() and ord(ch) < 0x0250 or "\u1e00" <= ch <= "\u1eff")


def convert(text: str, name: str, *, spans: list[tuple[int, int]] | None = None) -> Transliteration:
    """Convert the words of one alphabet in ``text`` (only inside ``spans`` when given) to Cyrillic;
    everything else (digits, punctuation, URLs, words of another script) is kept as it is."""
    table = alphabet(name)
    pattern = ARABIC_WORD if table.arabic else LATIN_WORD
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    last = 0
    skip = [m.span() for m in URLISH.finditer(text)] if not table.arabic else []
    regions = spans if spans is not None else [(0, len(text))]

    def keep(upto: int) -> None:
        nonlocal last
        if upto > last:
            piece = text[last:upto]
            if table.arabic:
                piece = "".join(table.readings.get(ch, (ch,))[0] if not ch.isalpha() and ch in table.readings
                                else ch for ch in piece)
            out.append(piece)
            starts.extend(range(last, upto))
            ends.extend(range(last + 1, upto + 1))
            last = upto

    words: list[tuple[int, str, str, list[int]]] = []  # (start, word, normalised word, its indexes)
    for region_start, region_end in regions:
        for match in pattern.finditer(text, region_start, region_end):
            word = match.group(0)
            if any(s <= match.start() < e for s, e in skip):
                continue
            if not table.arabic:
                if _latin_letters(word) == 0:
                    continue
                if sum(1 for ch in word if "\u0400" <= ch <= "\u04ff" and ch not in CYRILLIC_LOOKALIKES) > len(word) // 2:
                    continue  # a Cyrillic word with a Latin lookalike in it (not "іrі": Cyrillic і for Latin i)
                if name != "2017":
                    word = word.rstrip("'’ʼ`´")
                if ROMAN.fullmatch(word) and (len(word) > 1 or name == "2021" and text[match.end():match.end() + 1] != "."):
                    continue  # a Roman numeral ("XVI sessiiasy", "I toqsan"), not an initial ("M.Mūhtarov")
            normal, index = _normalise(word if table.arabic else word.translate(LOOKALIKES))
            words.append((match.start(), word, normal, index))
    readings = _first_names(text, words, name)
    for (start, word, normal, index), (reading, pieces) in zip(words, readings):
        keep(start)
        cyrillic, spans_ = _render(normal, reading, pieces)
        out.append(cyrillic)
        for s, e in spans_:
            starts.append(start + index[s])
            ends.append(start + (index[e] if e < len(index) else len(word)))
        last = start + len(word)
    keep(len(text))
    result = "".join(out)
    return Transliteration(result, text, name, tuple(starts), tuple(ends))


FIRST_NAME_MARGIN = 10.0  # how much worse than the best reading a first name may score and still be taken


def _known_name(word: str) -> bool:
    lex = lexicon()
    return word in name_lexicon().counts and (word not in lex.counts or lex.capitals.get(word, 0) >= 50)


def _first_names(text: str, words: list, name: str) -> list[tuple[str, tuple]]:
    """The reading of each word; right before a surname, a known first name rather than the common word
    the same letters spell ("ايدا بالايەۆا" is "Аида Балаева", while "ايدا" alone is "айда")."""
    table = alphabet(name)
    lex = lexicon()
    options = [_readings(normal, name) for _, _, normal, _ in words]
    chosen = [(o[0][1], o[0][2]) for o in options]
    for i in range(len(words) - 1):
        (start, word, normal, _), (next_start, _next_word, next_normal, _) = words[i], words[i + 1]
        between = text[start + len(word):next_start]
        best = chosen[i][0]
        if between.strip() or not SURNAME.search(chosen[i + 1][0]) or _known_name(best):
            continue
        if not table.arabic and not (normal[:1].isupper() and next_normal[:1].isupper()):
            continue
        if best not in lex.counts:
            continue  # unknown: already weighed as a name, if it looks like one
        top = options[i][0][0]
        for score, reading, pieces in options[i]:
            if score >= top - FIRST_NAME_MARGIN and _known_name(reading):
                chosen[i] = (reading, pieces)
                break
    return chosen


MIN_KNOWN = 0.2  # a Latin text whose best reading finds fewer of its words in the word list is not Kazakh


def choose_alphabet(text: str, *, sample: int = 300, min_known: float = 0.0) -> str | None:
    """The alphabet ``text`` is written in: Arabic script if most letters are; else the Latin alphabet
    whose reading of a sample of words finds most of them in the word list (None: no Latin words, or
    fewer than ``min_known`` of them known in any reading: English, say)."""
    arabic = sum(1 for ch in text if "\u0600" <= ch <= "\u06ff")
    latin_words = [m.group(0) for m in LATIN_WORD.finditer(URLISH.sub(" ", text))
                   if _latin_letters(m.group(0)) >= 3]
    if arabic > sum(len(w) for w in latin_words):
        return "arab"
    if not latin_words:
        return None
    words = list(dict.fromkeys(latin_words))[:sample]
    counts = lexicon().counts
    best, best_hits = "2021", -1.0
    for name in LATIN_ALPHABETS:
        hits = 0.0
        for word in words:
            normal, _ = _normalise(word)
            if name != "2017":
                normal = normal.rstrip("'")
            cyrillic = decode_word(normal, name)[0].lower()
            hits += cyrillic in counts
        if hits > best_hits:
            best, best_hits = name, hits
    return best if best_hits >= min_known * len(words) else None


def transliterate(text: str, alphabet_name: str | None = "auto") -> Transliteration:
    """``text`` in Cyrillic.  ``alphabet_name``: ``auto`` (chosen from the text), one of ``ALPHABETS``,
    or None (no conversion).  Arabic-script words are converted in any case when the alphabet is auto."""
    if alphabet_name is None or alphabet_name == "cyrl":
        return Transliteration(text, text, None)
    if alphabet_name == "auto":
        from kznlp.text.script import script_spans

        spans = script_spans(text)
        latin = [(s, e) for s, e, script in spans if script == "latn"]
        arabic = [(s, e) for s, e, script in spans if script == "arab"]
        if not latin and not arabic:
            return Transliteration(text, text, None)
        result = Transliteration(text, text, None)
        names = []
        if arabic:
            result, names = truecase(convert(text, "arab", spans=arabic)), ["arab"]
        if latin:
            name = choose_alphabet("\n".join(text[s:e] for s, e in latin), min_known=MIN_KNOWN)
            if name is None:  # Latin, but not Kazakh
                return Transliteration(result.text, text, "+".join(names) or None, result.starts, result.ends)
            shifted = [(_new_offset(result, s), _new_offset(result, e)) for s, e in latin]
            second = convert(result.text, name, spans=shifted)
            result = _compose(result, second) if names else second
            names.append(name)
        return Transliteration(result.text, text, "+".join(names), result.starts, result.ends)
    result = convert(text, alphabet_name)
    return truecase(result) if alphabet_name == "arab" else result


def _new_offset(tr: Transliteration, original: int) -> int:
    """Where offset ``original`` of the original text lands in ``tr.text``."""
    if not tr.starts:
        return original
    return bisect_right(tr.starts, original - 1) if original else 0


def _compose(first: Transliteration, second: Transliteration) -> Transliteration:
    """``second`` converted ``first.text``: map its offsets through ``first`` to the original."""
    starts = tuple(first.starts[s] if s < len(first.starts) else len(first.original) for s in second.starts)
    ends = tuple(first.ends[e - 1] if 0 < e <= len(first.ends) else len(first.original) for e in second.ends)
    return Transliteration(second.text, first.original, second.alphabet, starts, ends)


SENTENCE_START = re.compile(r"(?:^|[.!?…]\s+|\n\s*|[«\"(]|^\s*[-–—]\s*|\n\s*[-–—]\s*)$")


ABBREVIATIONS = {"млн", "млрд", "трлн", "мың", "жж", "мин", "см", "км", "га", "тг", "т.б", "т.с.с", "ж.т.б"}


def truecase(tr: Transliteration) -> Transliteration:
    """Capitals for the words converted from Arabic script (it has none): a sentence's first word, an
    initial ("е.жамаубаев" -> "Е.Жамаубаев"), and names, as the word list writes them.  Latin lookalikes
    left inside the words ("бiрқатар" with a Latin i) are made Cyrillic first, so the word list knows them."""
    from kznlp.text.script import fix_lookalikes

    tr = Transliteration(fix_lookalikes(tr.text), tr.original, tr.alphabet, tr.starts, tr.ends)
    text = list(tr.text)
    lex = lexicon()
    abbreviated = {m.start() + k for m in re.finditer(r"(?<![^\W\d_])(?:[^\W\d_]\.){2,}", tr.text)
                   if m.group(0).rstrip(".").lower() in ABBREVIATIONS for k in range(0, len(m.group(0)), 2)}
    for match in re.finditer(r"[^\W\d_]+", tr.text):
        start, end = match.span()
        source = tr.original[tr.starts[start]:tr.ends[end - 1]] if tr.starts else ""
        if not source or not any("\u0600" <= ch <= "\u06ff" for ch in source):
            continue
        word = match.group(0)
        before = tr.text[max(0, start - 3):start]
        initial = end < len(text) and text[end] == "." and end - start == 1
        if start in abbreviated:
            continue  # "т.б.": an abbreviation, not initials
        previous = re.search(r"((?:[^\W\d_]+\.)*[^\W\d_]+)\.\s*$", tr.text[max(0, start - 12):start])
        if previous and previous.group(1).lower() in ABBREVIATIONS and not lex.capitalised(word):
            continue
        if (SENTENCE_START.search(tr.text[max(0, start - 4):start]) or initial or
                before.endswith(".") and start >= 2 and tr.text[start - 2].isalpha() and
                (start < 3 or not tr.text[start - 3].isalpha()) or lex.capitalised(word) and not cut(word)):
            text[start] = text[start].upper()
    _capitalise_names(tr, text, lex)
    for match in DATELINE.finditer(tr.text):  # "ҚОНАЕВ. KAZINFORM": the place of a dateline, in capitals
        start, end = match.span(1)
        if any("\u0600" <= ch <= "\u06ff" for ch in tr.original[tr.starts[start]:tr.ends[end - 1]]):
            text[start:end] = tr.text[start:end].upper()
    return Transliteration("".join(text), tr.original, tr.alphabet, tr.starts, tr.ends)


# a news agency's dateline at a line's start: the place, a full stop, the agency's name in capitals
DATELINE = re.compile(r"(?:^|(?<=\n))[ \t]*([^\W\d_]+(?:-[^\W\d_]+)?)\.[ \t]+(?:[A-Z]{4,}|[А-ЯӘҒҚҢӨҰҮҺІ]{4,})\b")


def cut(word: str) -> bool:
    """An unknown word that begins a common word of the word list, cut off (a page ends "басшысы
    ветерин"): no name."""
    word, lex = word.lower(), lexicon()
    if word in lex.counts or len(word) < 5:
        return False
    common = _common_words()
    for other in common[bisect_left(common, word):][:20]:
        if not other.startswith(word):
            break
        if len(other) >= len(word) + 3:
            return True
    return False


@cache
def _common_words() -> list[str]:
    """The word list's words true-case text writes in lower case, sorted (for their beginnings)."""
    lex = lexicon()
    return sorted(w for w, c in lex.counts.items() if c >= 2 and w in lex.capitals and lex.capitals[w] < 50)


def _capitalise_names(tr: Transliteration, text: list[str], lex: Lexicon) -> None:
    """First names: an unknown word after a position ("әкімі бегзат Болатбеков"), and a word the word list
    does not know as a common one, or knows as a name, right before a surname ("құмар Ақсақалов",
    "серік Мақашұлы")."""
    from kznlp.resources import word_set

    cues = word_set("name_cues.tsv")
    words = [m for m in re.finditer(r"[^\W\d_]+", tr.text)
             if tr.starts and any("\u0600" <= ch <= "\u06ff" for ch in tr.original[tr.starts[m.start()]:tr.ends[m.end() - 1]])]

    def common(word: str, strict: bool = False) -> bool:
        """Known as a common word: written in lower case inside sentences, or frequent (``strict``:
        before a surname, only a word true-case text writes in lower case, or a very frequent one)."""
        word = word.lower()
        if word not in lex.counts or lex.capitals.get(word, 0) >= 50:
            return False
        return word in lex.capitals or lex.counts[word] >= (10 if strict else 2)

    names = person_names()

    def first_name_of(i: int) -> bool:
        """``words[i]`` is a known first name (a common word too: "берік", "еркін") and the word after it
        is no common word: "депутат еркін әбіл"."""
        if i + 1 >= len(words) or tr.text[words[i].end():words[i + 1].start()].strip():
            return False
        return words[i].group(0).lower() in names and not common(words[i + 1].group(0)) and \
            words[i + 1].group(0).lower() not in cues

    named = set()
    for i, (before, word) in enumerate(zip(words, words[1:]), 1):
        if tr.text[before.end():word.start()].strip():
            continue  # punctuation between them
        if (before.group(0).lower() in cues or before.start() in named) and \
                (not common(word.group(0)) and not cut(word.group(0)) or before.start() not in named and first_name_of(i)) and \
                word.group(0).lower() not in cues:
            text[word.start()] = text[word.start()].upper()
            if before.start() not in named:
                named.add(word.start())  # a first name; the surname may follow
    for before, word in zip(words, words[1:]):
        if tr.text[before.end():word.start()].strip():
            continue
        first, surname = before.group(0).lower(), word.group(0).lower()
        if before.group(0).lower() in cues or not text[before.start()].islower():
            continue
        if SURNAME.search(surname) and (not common(first, strict=True) or first in names or lex.capitals.get(first, 0) >= 10) \
                or text[word.start()].isupper() and lex.capitalised(surname) and first in names and lex.capitals.get(first, 0) >= 10:
            # a first name before a surname, or a known one before a word the word list writes as a name
            # ("бекет Әліпқалиев": "бекет" is written with a capital now and then; "берік Уәли")
            text[before.start()] = text[before.start()].upper()


def latin_to_cyrillic(text: str) -> str:
    """Latin-script Kazakh (any alphabet, chosen from the text) in Cyrillic; other text passes through.

    >>> latin_to_cyrillic("boiynşa")
    'бойынша'
    """
    name = choose_alphabet(text)
    return convert(text, name).text if name and name != "arab" else text


def title_to_cyrillic(title: str | None, alphabet_name: str | None = "auto") -> str | None:
    """A page title in Cyrillic (titles of Latin and Arabic-script pages are converted too)."""
    from kznlp.text.script import detect_script

    if not title or alphabet_name is None or detect_script(title) == "cyrl":
        return title
    return transliterate(title, alphabet_name).text


def to_cyrillic(text: str) -> str:
    """A query or a title in any script, in Cyrillic."""
    return transliterate(text).text


# -- Cyrillic to each alphabet (to measure the converters) ------------------------------------------
def from_cyrillic(text: str, name: str) -> str:
    """Cyrillic Kazakh written in alphabet ``name`` by its official table (the reverse of ``convert``)."""
    table = alphabet(name)

    def word(match: re.Match) -> str:
        w = match.group(0)
        all_caps = len(w) > 1 and w.isupper()
        pieces = []
        for ch in w:
            if ch in table.spelling:
                pieces.append(table.spelling[ch])
                continue
            low = ch.lower()
            latin = table.spelling.get(low, ch)
            if ch != low and latin:
                latin = latin.upper() if all_caps else latin[0].upper() + latin[1:]
            pieces.append(latin)
        out = "".join(pieces)
        if table.arabic and any(ch in FRONT for ch in w.lower()) and not any(ch in "екгэ" for ch in w.lower()):
            out = "ء" + out
        return out

    return re.sub(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]+", word, text)
