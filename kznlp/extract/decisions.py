"""Decisions and their action items.

A decision is a sentence with a trigger from ``resources/kk/decision_triggers.tsv`` ("шешім
қабылдады", "тапсырды", "тапсырамын", ...).  When the sentence ends with a colon, its actions are
the list items that follow (dashes, bullets, "1)", "1."); otherwise an instruction sentence is
its own single action.  Each action gets its responsible bodies or officials, a frequency and a
deadline (resolved against the publication date where it can be).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from datetime import date
from functools import cache

from kznlp.extract.deadlines import find_deadline
from kznlp.extract.officials import LEVEL_ADJECTIVES, position_heads, positions_before
from kznlp.records import Action, Decision, Entity, Official
from kznlp.resources import casefold, read_table, word_set
from kznlp.text.morph import looks_like_verb, split_case
from kznlp.text.segment import LIST_ITEM, line_spans, sentence_spans
from kznlp.text.words import word_spans

QUOTES = "«»\"“”„'"
# -лы/-лі/-ты/-ті/-ды/-ді adjectives look accusative ("жергілікті"); left of a dative head they can only be adjectives
ADJECTIVE_LIKE = re.compile(r"(лы|лі|ты|ті|ды|ді)$")
FIRST_PERSON = ("ммен", "мын", "мін", "мыз", "міз", "дым", "дім", "тым", "тім", "дық", "дік", "тық", "тік")
# "шешімдер қабылданады" (will be taken), "бекітілсе" (if approved): not a decision made
NOT_A_DECISION = ("нады", "неді", "са", "се", "ған", "ген", "у", "уы", "уі", "уға", "уге", "уды", "уді")
CLOSING_QUOTES = "»”\""
WORD_AT_END = re.compile(r"[^\W\d_]+$")
NP_SEPARATORS = {",", "және", "мен", "бен", "пен"}


@cache
def _triggers() -> tuple[tuple[re.Pattern, str], ...]:
    rows = []
    for stem, kind in read_table("decision_triggers.tsv"):
        words = [re.escape(w) for w in stem.split()]
        rows.append((re.compile(r"(?<!\w)" + r"\w*\s+".join(words) + r"\w*", re.I), kind))
    return tuple(rows)


@cache
def _frequencies() -> tuple[tuple[str, str], ...]:
    return tuple(sorted(((casefold(p), code) for p, code in read_table("frequencies.tsv")),
                        key=lambda r: -len(r[0])))


@cache
def _attributive_markers() -> dict[str, tuple[str, ...]]:
    """Responsible markers that are also adjectives -> the verb stems after which they stay markers."""
    return {casefold(row[0]): tuple(casefold(v) for v in row[1].split(","))
            for row in read_table("attributive_markers.tsv")}


@cache
def _maker_bodies() -> tuple[str, ...]:
    return tuple(row[0] for row in read_table("decision_makers.tsv"))


def find_frequency(text: str) -> str | None:
    folded = casefold(text)
    for phrase, code in _frequencies():
        if re.search(r"(?<!\w)" + re.escape(phrase), folded):
            return code
    return None


def _normalise_np(words: list[str]) -> str | None:
    """A responsible body from the words before a marker: quotes off, genitive off the last word."""
    words = [w for w in words if w not in QUOTES]
    if not words:
        return None
    stem, case = split_case(words[-1])
    if case in ("genitive", "dative"):
        words[-1] = stem
    return " ".join(words)


def _responsible(text: str) -> list[str]:
    """Bodies or officials named before "жетекшілігімен", "жауапты", ... in an action."""
    spans = word_spans(text)
    words = [text[s:e] for s, e in spans]
    found: list[str] = []
    attributive = _attributive_markers()
    for i, word in enumerate(words):
        if casefold(word) not in word_set("responsible_markers.tsv"):
            continue
        after = words[i + 1] if i + 1 < len(words) else ""
        if casefold(word) in attributive and after[:1].isalpha() \
                and not casefold(after).startswith(attributive[casefold(word)]):
            continue  # "жауапты мамандарға": an adjective of the next noun
        groups: list[list[str]] = [[]]
        j = i - 1
        in_quote = False
        while j >= 0:
            w = words[j]
            if w in QUOTES:
                in_quote = not in_quote
                groups[-1].insert(0, w)
            elif in_quote:
                groups[-1].insert(0, w)
            elif casefold(w) in NP_SEPARATORS:
                groups.append([])
            elif split_case(w)[1] in (None, "genitive") and w[:1].isalnum():
                groups[-1].insert(0, w)
            else:
                break
            j -= 1
        for group in reversed(groups):
            name = _normalise_np(_trim_np(group))
            if name and name not in found:
                found.append(name)
    return found


def _trim_np(words: list[str]) -> list[str]:
    """Drop lower-case leading words that are not part of a name ("бірлесіп", adverbs)."""
    while words and words[0][:1].islower() and split_case(words[0])[1] is None and len(words) > 2:
        words = words[1:]
    return words


@cache
def _role_synonyms() -> tuple[frozenset[str], ...]:
    return tuple(frozenset(casefold(cell) for cell in row) for row in read_table("role_synonyms.tsv"))


def _official_for_body(body: str, people: list[Official]) -> str | None:
    """"Президент" or "Мемлекет басшысы" -> the official the text gives that position."""
    folded = casefold(body)
    wanted = {folded}.union(*(group for group in _role_synonyms() if folded in group))
    for person in people:
        if any(any(w in casefold(p) for w in wanted) for p in person.positions):
            return person.name
    return None


def _maker(text: str, sentence: tuple[int, int], trigger_start: int, mentions: list[tuple[int, int, str]],
           people: list[Official], speaker: str | None, first_person: bool) -> tuple[str | None, int]:
    """Who decides, and where that mention ends.

    First-person triggers ("тапсырамын", "шешім қабылдадым") are the speaker's.  Otherwise the
    person named closest before the trigger, else a body ("Үкімет", mapped to its official where
    the text names one), else the person named last in the preceding sentences (the chair of the
    meeting a release reports on).
    """
    s, _ = sentence
    before = [m for m in mentions if s <= m[0] < trigger_start]
    if first_person:
        return speaker, max(before)[1] if before else s
    if before:
        start, end, name = max(before)
        return name, end
    # the body that decides is the subject, else the owner of the decision (genitive), never "Үкіметке"
    # told to act; a subject beats a genitive inside the task ("Президенттің тапсырмаларының орындалуын")
    subject = next(((body, m) for cases in ((None,), ("genitive",)) for body in _maker_bodies()
                    for m in re.finditer(r"(?<!\w)" + re.escape(body) + r"\w*", text[s:trigger_start], re.I)
                    if split_case(m.group(0))[1] in cases), None)
    if subject is not None:
        body, match = subject
        official = _official_for_body(body, people)
        return official or _body_phrase(text, s, s + match.start(), s + match.end()), s + match.end()
    earlier = [m for m in mentions if s - 600 <= m[0] < s]
    if earlier:
        return max(earlier)[2], s
    return None, s


def _body_phrase(text: str, sentence_start: int, start: int, end: int) -> str:
    """The whole name of a deciding body: "Жаңақорған ауданының мәслихаты", "Ақкөл ауданы әкімдігі".

    The body word and the proper nouns and genitives right before it, its case ending removed.
    """
    spans = [(sentence_start + a, sentence_start + b) for a, b in word_spans(text[sentence_start:start])]
    begin = start
    for a, b in reversed(spans[-4:]):
        word = text[a:b]
        if not word[:1].isalpha() or not (word[:1].isupper() or split_case(word)[1] == "genitive"
                                           or casefold(word) in LEVEL_ADJECTIVES):
            break
        if casefold(word) in word_set("clause_openers.tsv"):
            break
        begin = a
    words = text[begin:end].split()
    stem, case = split_case(words[-1])
    if case is not None:
        words[-1] = stem
    return " ".join(words)


def _item_text(text: str, start: int, end: int) -> tuple[str, int, int]:
    marker = LIST_ITEM.match(text, start)
    if marker:
        start = marker.end()
    while end > start and text[end - 1] in ";.,":
        end -= 1
    return text[start:end].strip(), start, end


def _list_items(text: str, after: int) -> list[tuple[int, int]]:
    """Lines right after ``after`` that are list items; stop at the first line that is not."""
    items = []
    for s, e in line_spans(text):
        if s < after:
            continue
        if LIST_ITEM.match(text, s):
            items.append((s, e))
        elif items or s > after + 2:
            break
    return items


def _list_action(text: str, start: int, end: int, published: date | None) -> Action:
    body, s, e = _item_text(text, start, end)
    return Action(body, tuple(_responsible(body)), find_frequency(body), find_deadline(body, published), s, e)


def _co_actors(text: str, start: int, end: int) -> list[str]:
    """"Стратегиялық жоспарлау және реформалар агенттігімен, сондай-ақ Ұлттық банкпен бірлесіп": who acts jointly."""
    region = text[start:end]
    match = re.search(r"(?<!\w)(бірлесіп|бірге)(?!\w)", region)
    if not match:
        return []
    out = []
    for part in re.split(r",\s*(?:сондай-ақ\s+)?|\s+және\s+(?=[А-ЯӘҒҚҢӨҰҮҺІ])", region[: match.start()]):
        words = part.split()
        if not words:
            continue
        stem, case = split_case(words[-1].strip("«»\""))
        if case == "instrumental":
            out.append(" ".join(w.strip("«»\"") for w in words[:-1] + [stem]))
    return out


def _running_action(text: str, sentence: tuple[int, int], trigger_start: int, maker_end: int,
                    published: date | None, people: list[tuple[int, int, str]]) -> Action | None:
    """"Премьер-министр Олжас Бектенов Торғай өңіріне қажетті қаражат бөлуді тапсырды" ->
    action "Торғай өңіріне қажетті қаражат бөлу"; responsible from the dative addressee."""
    s, e = sentence
    start = max(s, maker_end)
    addressed, content_start = _addressees(text, start, trigger_start, people)
    a, b = _instruction_clause(text, content_start, trigger_start)
    if b <= a:
        return None  # "… мамандарға бірқатар тапсырмалар жүктеді": the tasks follow in other sentences
    addressed += [c for c in _co_actors(text, content_start, a) if c not in addressed]
    clause = text[a:b]
    last = WORD_AT_END.search(clause)
    if last:
        stem, case = split_case(last.group(0))
        if case == "accusative":  # the verbal noun: "бөлуді" -> "бөлу"
            clause = clause[: last.start()] + stem
    sentence_text = text[s:e]
    responsible = _responsible(sentence_text) or addressed
    return Action(clause, tuple(responsible), find_frequency(sentence_text), find_deadline(sentence_text, published),
                  a, b)


def _mention_at(mentions: list[tuple[int, int, str]], position: int) -> tuple[int, int, str] | None:
    return next((m for m in mentions if m[0] <= position < m[1]), None)


def _addressees(text: str, start: int, end: int, people: list[tuple[int, int, str]]) -> tuple[list[str], int]:
    """Who an instruction in running text is addressed to, and where the instruction itself starts.

    The addressee is a noun phrase in the dative whose head names a body or an official
    ("Ақмола, Батыс Қазақстан, Абай және Ұлытау облыстарының әкімдеріне", "Үкіметке") or a
    person's mention in the dative ("Б. Сағынтаевқа").  Read leftwards, the phrase stops at a
    clause opener, a verb, another case, a position word or a person.
    """
    out: list[str] = []
    content_start = start
    spans = [(start + s, start + e) for s, e in word_spans(text[start:end])]
    for i, (s, e) in enumerate(spans):
        word = text[s:e]
        stem, case = split_case(word)
        if case != "dative" or len(stem) <= 2:
            continue
        person = _mention_at(people, s)
        if person:
            if person[2] not in out:
                out.append(person[2])
            content_start = max(content_start, person[1])
            continue
        if casefold(stem) not in word_set("addressee_heads.tsv"):
            continue
        words = [stem]
        j = i - 1
        while j >= 0 and len(words) < 12:
            ws, we = spans[j]
            left = text[ws:we]
            folded, left_case = casefold(left), split_case(left)[1]
            if _is_separator(left):
                words.insert(0, left)
            elif (_mention_at(people, ws) or folded in word_set("clause_openers.tsv") or looks_like_verb(left)
                  or (left_case not in (None, "genitive") and not ADJECTIVE_LIKE.search(folded)
                      and not (left_case == "accusative" and words[0].endswith(("у", "ю"))))
                  or folded in position_heads() or not left[:1].isalnum()):
                break
            else:
                words.insert(0, left)
            j -= 1
        while words and _is_separator(words[0]):
            words.pop(0)
        for phrase in distribute(words):
            if phrase not in out:
                out.append(phrase)
        content_start = max(content_start, e)
    return out, content_start


PLURAL_POSSESSIVE = re.compile(r"(?:лар|лер|дар|дер|тар|тер)(ы|і)(?=(?:ның|нің|на|не|н|нда|нде|нан|нен)?$)")


def _singular(word: str) -> str:
    """"облыстарының" -> "облысының", "әкімдері" -> "әкімі" (plural possessive to singular)."""
    return PLURAL_POSSESSIVE.sub(r"\1", word)


def _is_separator(word: str) -> bool:
    return word == "," or casefold(word) == "және"


def _split_items(words: list[str]) -> list[list[str]]:
    """Words cut at "," and "және"; an item may be empty."""
    items: list[list[str]] = [[]]
    for w in words:
        if _is_separator(w):
            items.append([])
        else:
            items[-1].append(w)
    return items


def distribute(words: list[str]) -> list[str]:
    """"Ақмола, Абай және Ұлытау облыстарының әкімдері" -> one phrase per name, in the singular.

    >>> distribute(["Ақмола", ",", "Абай", "және", "Ұлытау", "облыстарының", "әкімдері"])
    ['Ақмола облысының әкімі', 'Абай облысының әкімі', 'Ұлытау облысының әкімі']
    >>> distribute(["Қаржы", "министрлігі"])
    ['Қаржы министрлігі']
    """
    joined = re.sub(r"\s+,", ",", " ".join(words))
    # "Үкімет пен Ұлттық банк", "агенттігі мен Ұлттық банк": two bodies, not one name
    for k, w in enumerate(words):
        if casefold(w) in ("мен", "бен", "пен") and 0 < k < len(words) - 1 and words[k + 1][:1].isupper():
            return distribute(words[:k]) + distribute(words[k + 1:])
    separators = [i for i, w in enumerate(words) if _is_separator(w)]
    if not separators:
        return [joined]
    # "Алматы қаласының және Алматы облысының әкімдері": genitive items share the plural head
    if PLURAL_POSSESSIVE.search(words[-1]):
        items = _split_items(words[:-1])
        if all(item and split_case(item[-1])[1] == "genitive" for item in items):
            return [" ".join(item + [_singular(words[-1])]) for item in items]
    tail_start = max(separators) + 1
    tail = words[tail_start:]
    # the shared part: the words after the last name, starting at the first lower-case word
    shared_at = next((k for k, w in enumerate(tail) if w[:1].islower()), None)
    if shared_at is None and all(w[:1].isupper() for k, w in enumerate(words) if k - 1 in separators):
        return [" ".join(part) for part in _split_items(words) if part]  # "Үкімет, Ұлттық банк және АРРФР"
    if shared_at is None or shared_at == 0 or not PLURAL_POSSESSIVE.search(tail[shared_at]):
        return [joined]
    names = _split_items(words[:tail_start] + tail[:shared_at])
    if any(not w[:1].isupper() for name in names for w in name):
        return [joined]
    shared = [_singular(w) for w in tail[shared_at:]]
    return [" ".join(name + shared) for name in names if name]


def _instruction_clause(text: str, start: int, trigger_start: int) -> tuple[int, int]:
    """The instruction's own words: from ``start`` to the trigger, openers and tails skipped.

    A converb or participle inside ("назар аудара отырып, … күшейту үшін міндеттер қойды") closes a
    subordinate clause: the instruction starts after it.
    """
    words = [(start + s, start + e, text[start + s:start + e]) for s, e in word_spans(text[start:trigger_start])]
    breaks = [k for k, (_, _, w) in enumerate(words[:-1]) if casefold(w) in word_set("clause_breaks.tsv")]
    if breaks:
        words = words[breaks[-1] + 1:]
    # a speaker's "мен"/"біз" (I/we) opening the clause is the subject, not part of the action
    while len(words) > 2 and casefold(words[0][2]) in word_set("clause_subjects.tsv"):
        words.pop(0)
    while words and casefold(words[-1][2]) in word_set("clause_tails.tsv"):
        words.pop()
    while words and (casefold(words[0][2]) in word_set("clause_openers.tsv") or words[0][2] in ",;:–—-"):
        words.pop(0)
    while words and not words[-1][2][:1].isalnum() and words[-1][2] not in CLOSING_QUOTES:
        words.pop()
    if not words:
        return start, start
    return words[0][0], words[-1][1]


def _speaker(text: str, people: list[Official]) -> str | None:
    """Who speaks in a speech or release: the person named in the first line, else the most mentioned."""
    first_line_end = text.find("\n")
    if text.startswith("http") and first_line_end != -1:
        first_line_end = text.find("\n", first_line_end + 1)  # the line after the source URL
    first_line_end = len(text) if first_line_end == -1 else first_line_end
    titled = [(m.start, o.name) for o in people for m in o.mentions if m.start < first_line_end]
    if titled:
        return min(titled)[1]
    ranked = sorted(people, key=lambda o: -len(o.mentions))
    return ranked[0].name if ranked else None


def find_decisions(text: str, people: list[Official], entities: list[Entity] | None = None, *,
                   published: date | None = None) -> list[Decision]:
    """Decisions with their actions; ``people`` are the persons found (positions or not)."""
    speaker = _speaker(text, people)
    mentions = sorted((m.start, m.end, o.name) for o in people for m in o.mentions)
    decisions: list[Decision] = []
    seen_actions: list[str] = []
    consumed_until = -1
    for sentence in sentence_spans(text):
        s, e = sentence
        if s < consumed_until:
            continue
        chunk = text[s:e]
        hits = [(m.start(), m.group(0), kind) for pattern, kind in _triggers()
                if (m := pattern.search(chunk)) and not casefold(m.group(0)).endswith(NOT_A_DECISION)]
        if not hits:
            continue
        offset, trigger, kind = min(hits)
        first_person = casefold(trigger).endswith(FIRST_PERSON)
        maker, maker_end = _maker(text, sentence, s + offset, mentions, people, speaker, first_person)
        about = _about_clause(text, s, s + offset)
        actions: list[Action] = []
        if chunk.rstrip().endswith(":"):
            items = _list_items(text, e)
            actions = [_list_action(text, a, b, published) for a, b in items]
            if items:
                consumed_until = items[-1][1]
        elif kind == "decision" and maker and not about:
            verb_action = _verb_final_action(text, max(s, maker_end), trigger, s + offset, s + offset + len(trigger),
                                             published)
            actions = [verb_action] if verb_action else []
        elif kind == "instruction" or about:
            action = _running_action(text, sentence, s + offset, maker_end, published, mentions)
            if action is not None:
                if action.deadline is None and (follow := _following_deadline(text, e, published)):
                    action = replace(action, deadline=follow)
                if any(jaccard_words(action.text, earlier) >= 0.8 for earlier in seen_actions):
                    continue  # the headline repeated in the lead
                actions = [action]
        seen_actions.extend(a.text for a in actions)
        decisions.append(Decision(maker, chunk, s, e, tuple(actions)))
    return decisions


PASSIVE_PAST = re.compile(r"(ыл|іл|л|н|ын|ін)(ды|ді)$")
VERB_PAST = re.compile(r"(?:(ыл|іл|л|н|ын|ін)?(ды|ді|ты|ті)(м|қ|к)?)$")


def verbal_noun(verb: str) -> str:
    """The action named by a finite verb: "бекітті", "бекітілді" -> "бекіту"; "тағайындадым" -> "тағайындау".

    >>> [verbal_noun(v) for v in ("бекітті", "бекітілді", "тағайындадым", "мақұлданды", "қосылды")]
    ['бекіту', 'бекіту', 'тағайындау', 'мақұлдау', 'қосу']
    """
    folded = verb.lower()
    match = VERB_PAST.search(folded)
    if not match or len(folded) - len(match.group(0)) < 2:
        return verb
    stem = folded[: match.start()]
    return stem + "у"


def _verb_final_action(text: str, start: int, trigger: str, trigger_start: int, trigger_end: int,
                       published: date | None) -> Action | None:
    """"… 473 кәсіпорынның тізімін бекітті" -> "… тізімін бекіту"; "Менің тапсырмаммен X бекітілді" -> "X бекіту"."""
    if casefold(trigger).startswith("тапсырмам"):
        sentence_end = text.find(".", trigger_end)
        sentence_end = len(text) if sentence_end == -1 else sentence_end
        spans = [(trigger_end + s, trigger_end + e) for s, e in word_spans(text[trigger_end:sentence_end])]
        if len(spans) < 2:
            return None
        last = text[spans[-1][0]:spans[-1][1]]
        if not PASSIVE_PAST.search(last.lower()):
            return None  # "Менің тапсырмаммен … жұмыс істей бастады" reports a result, not a decision
        a, b = _instruction_clause(text, spans[0][0], spans[-1][0])
    else:
        a, b = _instruction_clause(text, start, trigger_start)
        last = trigger.split()[-1]
    if b <= a:
        return None
    clause = f"{text[a:b]} {verbal_noun(last)}"
    return Action(clause, (), find_frequency(clause), find_deadline(clause, published), a, b)


def _about_clause(text: str, start: int, trigger_start: int) -> bool:
    """"… салу туралы шешім қабылдадым": a decision that says what it is about has an action."""
    return bool(re.search(r"(?<!\w)туралы\s+(?:\w+\s+){0,2}$", text[start:trigger_start]))


def _following_deadline(text: str, after: int, published: date | None) -> str | None:
    """"…тапсырамын. Келесі отырысқа дейін аяқтаңыздар" : a short follow-up sentence that only sets the deadline."""
    following = sentence_spans(text, after, min(len(text), after + 300))
    if not following:
        return None
    s, e = following[0]
    chunk = text[s:e]
    if len(chunk.split()) > 12 or any(p.search(chunk) for p, _ in _triggers()):
        return None
    return find_deadline(chunk, published)


def jaccard_words(a: str, b: str) -> float:
    wa, wb = set(casefold(a).split()), set(casefold(b).split())
    return len(wa & wb) / len(wa | wb) if wa | wb else 0.0


SAID_BY = re.compile(r"[»”\"]\s*[,–—-]*\s*[–—-]?\s*(?:деді|деп)\b", re.I)
TASK_END = re.compile(r"(?:у|ю|ып|іп|п|уы|уі|уды|уді|уға|уге|уын|уін)$")
POST_MARKERS = {"болып", "етіп", "қызметіне", "лауазымына", "орнына", "қызметінен", "лауазымынан"}
ORDER_OF = re.compile(r"(\S+?)(?:тің|тың|дің|дың|нің|ның)\s+$")


@dataclass(frozen=True)
class SentenceContext:
    """What ``action_from_sentence`` needs of the whole document, computed once per document."""

    speaker: str | None
    mentions: list[tuple[int, int, str]]
    makers: list[tuple[int, int, str]]

    @classmethod
    def of(cls, text: str, people: list[Official]) -> "SentenceContext":
        mentions = sorted((m.start, m.end, o.name) for o in people for m in o.mentions)
        # a person named in the dative ("Исаевқа жүктелсін") is told to act; they do not decide
        makers = [m for m in mentions if split_case(text[m[0]:m[1]].split()[-1])[1] != "dative"]
        return cls(_speaker(text, people), mentions, makers)


def _near(mentions: list[tuple[int, int, str]], start: int, end: int) -> list[tuple[int, int, str]]:
    """The mentions starting in ``[start, end)`` (mentions are sorted)."""
    lo = bisect.bisect_left(mentions, (start, -1, ""))
    hi = bisect.bisect_left(mentions, (end, -1, ""))
    return mentions[lo:hi]


def action_from_sentence(text: str, start: int, end: int, cue_start: int, cue_end: int, cue_kind: str,
                         people: list[Official], *, published: date | None = None,
                         context: SentenceContext | None = None) -> Decision | None:
    """A decision read from one sentence the action gate accepted but no trigger rule covered.

    The task is the clause before the cue ("… бақылауға алсын": with the cue, its own verb; "…
    тапсырды": without it) or, after "X-тің тапсырмасымен / жарлығымен", the rest of the sentence;
    addressees in the dative and the subjects of a jussive are the responsible parties; coordinated
    tasks ("сараптап, … қабылдау, … сақтау") are separate items; the maker is the speaker of quoted
    words ("«…», – деді X"), else the person or body the decision rules would name.
    """
    if cue_kind == "formula" and casefold(text[cue_start:cue_end]).endswith(NOT_A_DECISION):
        return None  # "Тапсырма орындалмаса, тиісті шешімдер қабылданады": a warning, not a decision made
    context = context or SentenceContext.of(text, people)
    # only the mentions near the sentence: a long document costs time per sentence, not per mention
    mentions = _near(context.mentions, start - 700, end + 300)
    makers = _near(context.makers, start - 700, end + 300)
    first_person = casefold(text[cue_start:cue_end]).endswith(FIRST_PERSON)
    maker, maker_end = _maker(text, (start, end), cue_start, makers, people, context.speaker, first_person)
    said = SAID_BY.search(text, cue_end, min(len(text), end + 200))
    if said:
        after = [m for m in mentions if said.end() <= m[0] <= said.end() + 80]
        if after:
            maker = after[0][2]
    sentence_text = text[start:end]
    responsible: list[str] = []
    if cue_kind == "by_order":
        order = ORDER_OF.search(text[max(start, cue_start - 60):cue_start])
        named = [m for m in mentions if start <= m[0] < cue_start]
        if named:
            maker = named[-1][2]
        elif order:
            maker = _official_for_body(order.group(1), people) or order.group(1)
        a, b = cue_end, end
        while a < b and not text[a].isalnum():
            a += 1
    else:
        content_from = maker_end if start <= maker_end <= cue_start else start
        addressed, content_start = _addressees(text, content_from, cue_start, mentions)
        responsible.extend(addressed)
        a, b = _instruction_clause(text, content_start, cue_start)
        if b <= a and addressed:
            # "Осы бұйрықтың орындалуын бақылау … орынбасары Н.М. Исаевқа жүктелсін": the task comes first
            a, b = _instruction_clause(text, content_from, _addressee_start(text, content_from, content_start, addressed))
            cue_kind = "formula" if b > a else cue_kind
        if cue_kind == "own":
            a, b = (a, cue_end) if b > a else (start, cue_end)
    while b > a and not (text[b - 1].isalnum() or text[b - 1] in CLOSING_QUOTES):
        b -= 1
    marker = LIST_ITEM.match(text, a)
    if marker and marker.end() < b:
        a = marker.end()
    if b <= a:
        return None
    a, subjects = _leading_subject(text, a, b, mentions)
    if cue_kind == "own":  # "Білім бөлімі … бақылауға алсын": the jussive's subject must act
        responsible.extend(s for s in subjects if s not in responsible)
    responsible = [part for phrase in responsible for part in split_responsible(phrase)]
    responsible.extend(r for r in _responsible(sentence_text) if r not in responsible)
    frequency, deadline = find_frequency(sentence_text), find_deadline(sentence_text, published)
    actions = []
    for s, e in _task_parts(text, a, b):
        clause = text[s:e]
        stem, case = split_case(clause.split()[-1]) if clause.split() else ("", None)
        if len(clause.split()) == 1 and case == "dative":
            responsible.append(stem)  # "… саралап, жауаптыларға …": an addressee, not a task
            continue
        last = WORD_AT_END.search(clause)
        if cue_kind == "formula" and last:
            stem, case = split_case(last.group(0))
            if case == "accusative":
                clause = clause[: last.start()] + stem
        actions.append((clause, s, e))
    if not actions:
        return None
    return Decision(maker, sentence_text, start, end, tuple(
        Action(clause, tuple(responsible), frequency, deadline, s, e) for clause, s, e in actions))


def _addressee_start(text: str, start: int, end: int, addressed: list[str]) -> int:
    """Where the first addressee (with a position phrase right before it) begins in ``text[start:end]``."""
    first_word = addressed[0].split()[0]
    at = text.find(first_word, start, end)
    if at == -1:
        return end
    chain = _positions_before_in(text, start, at)
    return chain if chain is not None else at


def _positions_before_in(text: str, start: int, at: int) -> int | None:
    chain = [s for _p, s, _e in positions_before(text, at) if s >= start]
    if not chain:
        return None
    begin = min(chain)
    # a lower-case verbal noun at the chain's left edge ends the task ("… бақылау | Бас Прокурордың орынбасары")
    for s, e in word_spans(text[begin:at]):
        word = text[begin + s:begin + e]
        if word[:1].isupper() or split_case(word)[1] == "genitive":
            return begin + s
    return at


def _leading_subject(text: str, a: int, b: int, mentions: list[tuple[int, int, str]]) -> tuple[int, list[str]]:
    """"Аудан әкімі тапсырмалар аясында …", "Білім бөлімі … бақылауға алсын": a nominative subject
    opening the clause (a person or a phrase ending in an official's or body's head word) is who acts,
    not part of the task. Returns where the task starts and the subjects."""
    spans = [(a + s, a + e) for s, e in word_spans(text[a:b])]
    words = [text[s:e] for s, e in spans]
    person = _mention_at(mentions, a)
    if person and person[1] < b:
        rest = person[1]
        while rest < b and not text[rest].isalnum():
            rest += 1
        return rest, [person[2]]
    heads = position_heads() | word_set("addressee_heads.tsv")
    limit = min(len(words) - 1, 12)
    last_head = None
    for k in range(limit):
        folded = casefold(words[k])
        if folded in heads and split_case(words[k])[1] is None:
            last_head = k
        elif split_case(words[k])[1] not in (None, "genitive") or looks_like_verb(words[k]):
            break
    if last_head is None or (last_head + 1 < len(words) and casefold(words[last_head + 1]) in POST_MARKERS):
        return a, []  # "Абай облысының әкімі болып тағайындалды": the post, not who acts
    subject_words = [w for w in words[:last_head + 1]]
    rest = spans[last_head + 1][0] if last_head + 1 < len(spans) else b
    subjects = [" ".join(part) for part in _split_items(subject_words) if part]
    return rest, subjects


def split_responsible(phrase: str) -> list[str]:
    """"сала басшылары мен ауылдық округттер, кенттер әкімдері" -> three bodies.

    >>> split_responsible("сала басшылары мен ауылдық округттер, кенттер әкімдері")
    ['сала басшылары', 'ауылдық округттер әкімдері', 'кенттер әкімдері']
    """
    heads = word_set("addressee_heads.tsv") | position_heads()
    words = phrase.replace(",", " , ").split()
    for k, word in enumerate(words):
        if casefold(word) in ("мен", "бен", "пен") and 0 < k < len(words) - 1 and casefold(words[k - 1]) in heads:
            return split_responsible(" ".join(words[:k])) + split_responsible(" ".join(words[k + 1:]))
    if "," in words and casefold(words[-1]) in heads:
        items = _split_items(words[:-1])
        if len(items) > 1 and all(1 <= len(item) <= 2 for item in items):
            return [" ".join(item + [words[-1]]) for item in items]
    return [re.sub(r"\s+,", ",", " ".join(words))]


def _task_parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """"А-ны сараптап, Б-ны қабылдау, В-ны сақтау": one span per task joined by commas or "және"."""
    parts, s = [], start
    for match in re.finditer(r",\s+|\s+және\s+", text[start:end]):
        before = text[s:start + match.start()]
        words = before.split()
        if len(words) >= 2 and TASK_END.search(casefold(words[-1]).strip("«»\"")):
            parts.append((s, start + match.start()))
            s = start + match.end()
    parts.append((s, end))
    return [(a, b) for a, b in parts if b > a]
