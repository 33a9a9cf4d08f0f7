"""Officials: a named person with the positions and organisations the text gives them.

Person mentions come from the NER model (PERSON) and from the press-release habit of initials
glued to a surname ("Б.Сағынтаев").  Mentions are linked into one official by surname (case
ending removed) and a compatible first name or initial.  A position is the phrase right before a
mention that ends in a position word (``resources/kk/positions.tsv``): "Алматы қаласының әкімі
Бақытжан Сағынтаевтың" -> "Алматы қаласының әкімі"; comma-separated chains give several.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from kznlp.records import Entity, Mention, Official
from kznlp.resources import casefold, read_table, word_set
from kznlp.text.morph import looks_like_verb, split_case, strip_case
from kznlp.text.segment import line_at
from kznlp.text.words import word_spans

UPPER = "А-ЯӘҒҚҢӨҰҮҺІЁA-Z"
LOWER = "а-яәғқңөұүһіёa-z"
NAME_WORD = rf"[{UPPER}][{LOWER}]+(?:-[{UPPER}]?[{LOWER}]+)?"  # a capitalised name word, hyphenated parts allowed
# "Б.Сағынтаев", "Б. Сағынтаев", "Қ.-Ж. Тоқаев"
INITIALS_NAME = re.compile(rf"\b[{UPPER}]\.(?:\s?-?[{UPPER}]\.)?\s?{NAME_WORD}")
SURNAME_ALONE = re.compile(rf"(?<![\w.]){NAME_WORD}")
RUSSIAN_SURNAME = re.compile(r"(ов|ев|ёв|ин|ова|ева|ёва|ина|ский|ская)$", re.I)
ADJECTIVE_ENDINGS = ("лық", "лік", "дық", "дік", "тық", "тік", "ғы", "гі", "қы", "кі", "дағы", "дегі",
                     "тағы", "тегі", "ндағы", "ндегі", "лы", "лі", "ды", "ді", "сыз", "сіз", "ші", "шы")
STOP_WORDS = {"және", "мен", "бен", "пен", "деп", "деді", "бұл", "осы", "сол", "ол", "бүгін", "кеше", "ертең",
              "толығырақ", "айта", "кету", "керек", "оған", "оның", "бүгінгі", "мұндағы", "дегендей", "тарапынан",
              "кейін", "соң",
              "да", "де", "та", "те", "ал", "бірақ", "яғни", "сондай-ақ", "тиісті", "жаңа", "қазір",
              "бойынша", "арнайы", "туралы", "үшін", "сияқты", "қатар", "сонымен"}
MAX_POSITION_WORDS = 8
# "облыстық", "қалалық": after a capitalised word, they make it a place name ("Өскемен қалалық …")
LEVEL_ADJECTIVES = ("облыстық", "аудандық", "қалалық", "ауылдық")


@cache
def position_heads() -> frozenset[str]:
    heads = set()
    for row in read_table("positions.tsv"):
        heads.update(casefold(cell) for cell in row if cell)
    return frozenset(heads)


def _is_position_head(words: list[str], end: int) -> int:
    """How many words (ending at ``end``, exclusive) form a position head, 0 when none."""
    for size in (3, 2, 1):
        if end - size < 0:
            continue
        phrase = casefold(" ".join(words[end - size:end]))
        if phrase in position_heads():
            return size
    return 0


def _modifier_ok(word: str) -> bool:
    """May ``word`` stand inside a position phrase, left of its head?"""
    if not any(ch.isalpha() for ch in word):
        return False
    if looks_like_verb(word) and not word[:1].isupper():
        return False
    if casefold(word) in STOP_WORDS or casefold(word) in position_heads():
        return False  # "Мемлекет басшысы | Қарағанды облысының әкімі": another head starts another phrase
    if word[:1].islower() and re.search(r"(?:у|ю)(?:ы|і|ын|ін)$", word):
        return False  # a verbal noun ("өтуі"): the clause before the position, not part of it
    _, case = split_case(word)
    if case == "genitive" or case is None:
        return True
    # an inflected-looking word that is really an adjective ("Қалалық", "облыстық" are caught above)
    return word.lower().endswith(ADJECTIVE_ENDINGS) and case in ("accusative",)


@dataclass
class _Person:
    first: str | None  # full first name when known
    initial: str | None
    surname: str
    patronymic: str | None = None
    mentions: list[Mention] = field(default_factory=list)
    positions: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        if self.first:
            return " ".join(p for p in (self.first, self.patronymic, self.surname) if p)
        if self.initial:
            return f"{self.initial}. {self.surname}"
        return self.surname

    def compatible(self, first: str | None, initial: str | None) -> bool:
        if self.first and first:
            return casefold(self.first) == casefold(first)
        mine = (self.first or self.initial or "")[:1]
        theirs = (first or initial or "")[:1]
        return not mine or not theirs or casefold(mine) == casefold(theirs)


def normalise_name(mention: str) -> tuple[str | None, str | None, str | None, str]:
    """``(first, initial, patronymic, surname)`` in nominative form.

    >>> normalise_name("Бақытжан Сағынтаевтың")
    ('Бақытжан', 'Б', None, 'Сағынтаев')
    >>> normalise_name("Б.Сағынтаевтың")
    (None, 'Б', None, 'Сағынтаев')
    """
    text = re.sub(r"\s+", " ", mention.strip(" ,.;:«»\"'"))
    text = re.sub(r"(?<=[а-яәғқңөұүһі])i|i(?=[а-яәғқңөұүһі])", "і", text)  # a Latin i typed for і
    initials = re.match(rf"^([{UPPER}])\.\s?(?:-?([{UPPER}])\.\s?)?", text)
    if initials:
        surname = text[initials.end():].split(" ")[-1]
        return None, initials.group(1), None, _nominative_surname(surname)
    parts = text.split(" ")
    if len(parts) == 1:
        return None, None, None, _nominative_surname(parts[0])
    # Kazakh order is first name, (patronymic), surname; the case ending sits on the last word.
    first, last = parts[0], _nominative_surname(parts[-1])
    patronymic = " ".join(parts[1:-1]) or None
    if len(parts) == 2 and RUSSIAN_SURNAME.search(first) and not RUSSIAN_SURNAME.search(last):
        first, last = last, first  # "Сағынтаев Бақытжан" (surname first, as in lists)
    return first, first[:1], patronymic, last


def _nominative_surname(word: str) -> str:
    stem = strip_case(word)
    return stem if len(stem) >= 3 else word


def _person_mentions(text: str, entities: list[Entity]) -> list[Mention]:
    """Model PERSON spans, widened to cover an initials-and-surname form they overlap ("А" + ".Нұрмухановтың")."""
    spans = [(e.start, e.end) for e in entities if e.label == "PERSON"]
    for match in INITIALS_NAME.finditer(text):
        overlapping = [sp for sp in spans if sp[0] < match.end() and match.start() < sp[1]]
        start = min([match.start()] + [sp[0] for sp in overlapping])
        end = max([match.end()] + [sp[1] for sp in overlapping])
        spans = [sp for sp in spans if sp not in overlapping] + [(start, end)]
    return [Mention(text[s:e], s, e) for s, e in sorted(spans)]


def positions_before(text: str, start: int, names: tuple[tuple[int, int], ...] = ()) -> list[tuple[str, int, int]]:
    """Position phrases (nominative) in a comma-separated chain that ends right before ``start``.

    ``names`` are the spans of person mentions: a chain never runs over another person's name.
    "Аудан әкімінің М.Мұхтаровтың": a head in the name's own case is the name's position ("аудан әкімі").
    """
    sentence_start = max(text.rfind(ch, 0, start) for ch in ".!?\n:;") + 1
    for s, e in names:
        if sentence_start <= e <= start and s < start:
            sentence_start = max(sentence_start, e)
    spans = word_spans(text[sentence_start:start])
    words = [text[sentence_start + s:sentence_start + e] for s, e in spans]
    name_case = split_case(text[start:text.find(" ", start) if text.find(" ", start) != -1 else len(text)].rstrip(",.;:"))[1]
    nominative_head = None
    if words:
        stem, case = split_case(words[-1])
        if case is not None and case == name_case and casefold(stem) in position_heads():
            nominative_head = stem
            words[-1] = stem
    positions = []
    end = len(words)
    while end > 0:
        head = _is_position_head(words, end)
        if not head:
            break
        begin = end - head
        while begin > 0 and end - begin < MAX_POSITION_WORDS:
            left = words[begin - 1]
            if left in (",", "және") and begin >= 2 and _modifier_ok(words[begin - 2]) \
                    and not _is_position_head(words, begin - 1):
                begin -= 1  # "экономика және бюджеттік жоспарлау басқармасының басшысы": coordination inside
                continue
            if casefold(left) in position_heads() and split_case(words[begin])[1] == "genitive":
                begin -= 1  # "облыс әкімі аппаратының басшысы": a head inside a longer position
                continue
            if not _modifier_ok(left) or (begin - 1 == 0 and _sentence_initial_adverbial(words[0], words[1:2])):
                break
            begin -= 1
        while begin < end - head and words[begin] in (",", "және"):
            begin += 1
        s, e = sentence_start + spans[begin][0], sentence_start + spans[end - 1][1]
        phrase = text[s:e]
        if end == len(words) and nominative_head is not None:
            phrase = text[s:sentence_start + spans[end - 1][0]] + nominative_head
        positions.append((_lower_common_start(phrase), s, e))
        if begin > 0 and words[begin - 1] in (",", "және", "—", "–", "-"):
            end = begin - 1  # "Премьер-министрдің орынбасары — Ұлттық экономика министрі Жұманғарин"
        else:
            break
    return positions[::-1]


def _sentence_initial_adverbial(word: str, following: list[str] = ()) -> bool:
    """"Жиында …" opens a sentence as an adverbial; "Түркістан облысының …" is a name (a genitive follows)."""
    if following and (split_case(following[0])[1] == "genitive" or casefold(following[0]) in LEVEL_ADJECTIVES):
        return False
    return split_case(word)[1] not in (None, "genitive")


def _lower_common_start(phrase: str) -> str:
    """"Аудан әкімі" at a sentence start -> "аудан әкімі"; names and "Мемлекет басшысы" keep capitals."""
    first = phrase.split(" ", 1)[0]
    if casefold(first) in word_set("position_levels.tsv") and first[:1].isupper() and not first.isupper():
        return phrase[:1].lower() + phrase[1:]
    return phrase


def organisation_of(position: str) -> str | None:
    """The body a position belongs to: "Алматы қаласының әкімі" -> "Алматы қаласы".

    >>> organisation_of("партияның Саяси кеңесінің мүшесі")
    'партияның Саяси кеңесі'
    >>> organisation_of("АҚФ төрағасы")
    'АҚФ'
    """
    words = position.split(" ")
    head = _is_position_head(words, len(words))
    rest = words[: len(words) - head]
    if not rest:
        return None
    stem, case = split_case(rest[-1])
    rest[-1] = stem if case == "genitive" else rest[-1]
    return " ".join(rest)


def same_person(a: str, b: str) -> bool:
    """Two names of one person, linked the way ``find_people`` links mentions: the same nominative
    surname and a compatible first name or initial."""
    first, initial, _, surname = normalise_name(a)
    other_first, other_initial, _, other_surname = normalise_name(b)
    return casefold(surname) == casefold(other_surname) and _Person(first, initial, surname).compatible(other_first, other_initial)


def find_officials(text: str, entities: list[Entity]) -> list[Official]:
    """Named people the text gives at least one position to."""
    return [p for p in find_people(text, entities) if p.positions]


def find_people(text: str, entities: list[Entity]) -> list[Official]:
    """Every named person, linked across mentions; positions may be empty."""
    people: list[_Person] = []
    found = _person_mentions(text, entities)
    names = tuple((m.start, m.end) for m in found)
    surnames_in_brackets = _stenogram_surnames(text, found)
    for k, mention in enumerate(found):
        first, initial, patronymic, surname = normalise_name(mention.text)
        if k in surnames_in_brackets:  # "Серік Мақашұлы (… министрі Жұманғарин)": first name, patronymic
            first, initial, patronymic, surname = first, initial, surname, surnames_in_brackets[k]
        if len(surname) < 2 or not surname[:1].isupper():
            continue
        key = casefold(surname)
        person = next((p for p in people if casefold(p.surname) == key and p.compatible(first, initial)), None)
        if person is None:
            person = _Person(first, initial, surname, patronymic)
            people.append(person)
        elif first and not person.first:
            person.first, person.patronymic = first, patronymic or person.patronymic
        person.mentions.append(mention)
        for position, _s, _e in positions_before(text, mention.start, names):
            if position not in person.positions:
                person.positions.append(position)
            org = organisation_of(position)
            if org and org not in person.organisations:
                person.organisations.append(org)
    _add_surname_mentions(text, people)
    people = _merge_same_person(text, people)
    _link_bare_positions(text, people)
    people = [p for p in people if p.positions or _named_as_a_person(text, p)]
    for person in people:  # "әкім" alone only where the text gives no fuller form of the post
        fuller = [p for p in person.positions if " " in p]
        person.positions = [p for p in person.positions if " " in p or not any(
            casefold(f.split()[-1])[:4] == casefold(p)[:4] for f in fuller)]
    return [Official(p.name, tuple(p.positions), tuple(p.organisations), tuple(sorted(p.mentions, key=lambda m: m.start)))
            for p in people]


def _stenogram_surnames(text: str, found: list[Mention]) -> dict[int, str]:
    """A transcript names people as "Серік Мақашұлы (Премьер-министрдің орынбасары — Ұлттық экономика
    министрі Жұманғарин)": first name and patronymic, then the post and surname in brackets. Index of
    each such first-name mention -> the surname the brackets end with."""
    out = {}
    for k, mention in enumerate(found[:-1]):
        words = mention.text.split()
        if len(words) != 2 or not PATRONYMIC.search(words[1]) or not text[mention.end:].lstrip().startswith("("):
            continue
        opening = text.index("(", mention.end)
        closing = text.find(")", opening)
        if closing == -1 or closing - opening > 200:
            continue
        inside = [m for m in found[k + 1:] if opening < m.start and m.end <= closing]
        if inside and len(inside[-1].text.split()) == 1 and not text[inside[-1].end:closing].strip():
            out[k] = normalise_name(inside[-1].text)[3]
    return out


SURNAME_ENDING = re.compile(r"(ов|ев|ёв|ин|ына|ова|ева|ина|ұлы|улы|қызы|кызы|ский|ская|енко|ук|юк)$", re.I)
NAMED_AFTER = re.compile(r"\s*(?:атында|атты|көше|даңғыл|ауыл|мектеб|округ|кент|ауданы)", re.I)
# a line with the name alone, or with a date, time and counters after it: a byline
BYLINE_LINE = re.compile(r"^\s*(?:(?:автор|фото|суреттер?|дайындаған|тілші)\s*[:—–-]?\s*)?(?:[^\W\d_]+\.?\s*){1,3}"
                         r"(?:\s*[\d.:,/]+\s*(?:[^\W\d_]{2,5}\.?)?)*\s*$", re.I)
PATRONYMIC = re.compile(r"(ұлы|улы|қызы|кызы)$", re.I)


OFFICE_LEVELS = {"region": ("облыс", "өңір", "аймақ"), "district": ("аудан",), "city": ("қала", "шаһар"),
                 "village": ("ауыл", "округ")}


def _office_of(position: str) -> str | None:
    """"Түркістан облысының әкімі" -> "region"; "ҚР Президенті" -> "head_of_state"."""
    folded = casefold(position)
    if folded in ("мемлекет басшысы", "елбасы") or (folded.endswith(("президент", "президенті")) and len(folded.split()) <= 4):
        return "head_of_state"
    words = folded.split()
    if not words or not words[-1].startswith(("әкім", "басшы")):
        return None
    if len(words) >= 2 and words[-2].startswith(("орынбасар", "аппарат")):
        return None
    for office, levels in OFFICE_LEVELS.items():
        if len(words) >= 2 and words[-2].startswith(levels):
            return office
    return None


def _link_bare_positions(text: str, people: list[_Person]) -> None:
    """Give "облыс әкімі", "өңір басшысы", "Мемлекет басшысы" used alone to the one official of that office."""
    offices: dict[str, list[_Person]] = {}
    for person in people:
        for office in {o for p in person.positions if (o := _office_of(p))}:
            offices.setdefault(office, []).append(person)
    for phrase, office in read_table("bare_positions.tsv"):
        holders = offices.get(office, [])
        if len(holders) != 1:
            continue
        for match in re.finditer(r"(?<!\w)" + re.escape(phrase) + r"\w*", text, re.I):
            last = match.group(0).split()[-1]
            before = text[max(0, match.start() - 40):match.start()].split()
            if before and split_case(before[-1])[1] == "genitive" and not before[-1].endswith((".", ",")):
                continue  # part of a longer position: "Қазақстан Республикасының Президенті", "Жамбыл ауданының әкімі"
            if split_case(last)[1] == "genitive" and casefold(last) != casefold(phrase.split()[-1]):
                continue  # "облыс әкімінің орынбасары": someone else's post
            nominative = phrase if phrase[:1].isupper() else _lower_common_start(phrase)
            if not any(casefold(nominative) == casefold(p) for p in holders[0].positions):
                holders[0].positions.append(nominative)
            break


def _merge_same_person(text: str, people: list[_Person]) -> list[_Person]:
    """"Мұхтар Оразбаев" and "Мұхтар Әуесұлы" (first name and patronymic) in one text are one person;
    so are "Дархан Сатыбалды" and a case-stripped "Дархан Сатыбал"."""
    out: list[_Person] = []
    for person in people:
        target = None
        if person.first:
            for other in out:
                if not other.first or casefold(other.first) != casefold(person.first):
                    continue
                a, b = casefold(person.surname), casefold(other.surname)
                if PATRONYMIC.search(a) or PATRONYMIC.search(b) or (min(len(a), len(b)) >= 5 and (a.startswith(b) or b.startswith(a))):
                    target = other
                    break
        if target is None:
            out.append(person)
            continue
        keep_other = not PATRONYMIC.search(casefold(target.surname)) or PATRONYMIC.search(casefold(person.surname))
        if not keep_other or (len(person.surname) > len(target.surname) and casefold(person.surname).startswith(casefold(target.surname))):
            target.surname = person.surname
        target.mentions.extend(person.mentions)
        target.positions.extend(p for p in person.positions if p not in target.positions)
        target.organisations.extend(o for o in person.organisations if o not in target.organisations)
    return out


def _named_as_a_person(text: str, person: _Person) -> bool:
    """Is a person with no position in this text really a person named in the story?

    Not a title-case or capitals word the model took for a name ("Уақыт", "KZ", "ҚОНАЕВ"), not a
    name things are named after ("К.Байсейітова атындағы"), not a byline alone on its line.
    """
    if not any(ch.isalpha() for ch in person.surname) or not re.search(r"[а-яәғқңөұүһі]", casefold(person.surname)):
        return False  # Latin letters only: a site or brand name in a Cyrillic text
    if person.surname.isupper() and not person.first:
        return False
    if not person.first and not person.initial and not SURNAME_ENDING.search(person.surname):
        return False
    story = []
    for mention in person.mentions:
        if NAMED_AFTER.match(text, mention.end):
            continue
        if BYLINE_LINE.match(line_at(text, mention.start)):
            continue
        story.append(mention)
    return bool(story)


def _add_surname_mentions(text: str, people: list[_Person]) -> None:
    """A surname alone ("Сағынтаевтың") refers to the one person known by that surname."""
    by_surname: dict[str, list[_Person]] = {}
    for person in people:
        by_surname.setdefault(casefold(person.surname), []).append(person)
    covered = [(m.start, m.end) for p in people for m in p.mentions]
    for match in SURNAME_ALONE.finditer(text):
        if any(s <= match.start() < e for s, e in covered):
            continue
        candidates = by_surname.get(casefold(_nominative_surname(match.group(0))), [])
        if len(candidates) == 1 and len(candidates[0].surname) >= 4:
            candidates[0].mentions.append(Mention(match.group(0), match.start(), match.end()))
