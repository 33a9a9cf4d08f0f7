"""The whole path from text to a ``Document``: language, entities, officials, figures, decisions."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from kznlp.errors import InputError
from kznlp.extract.decisions import find_decisions
from kznlp.extract.figures import find_figures
from kznlp.extract.officials import find_people, same_person
from kznlp.ner.rules import merge_entities, quoted_name_entities
from kznlp.records import Document, Entity, Official, Paragraph, Rejected
from kznlp.text.decode import decode_bytes
from kznlp.text.dates import parse_date, url_date
from kznlp.text.furniture import drop_furniture
from kznlp.text.html import looks_like_html, parse_article
from kznlp.text.language import detect_language
from kznlp.text.plain import text_title
from kznlp.text.script import detect_script, fix_lookalikes, paragraph_script, paragraph_spans, paragraphs
from kznlp.text.translit import LATIN_ALPHABETS, Transliteration, decode_word, title_to_cyrillic, transliterate

MAX_INPUT_BYTES = 64 * 1024 * 1024
# Long documents go through the model in blocks cut at line breaks, so memory stays bounded
# whatever the document's size.
BLOCK_CHARS = 50_000


def _blocks(text: str, size: int = BLOCK_CHARS) -> list[tuple[int, int]]:
    spans, start = [], 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind("\n", start + size // 2, end)
            if cut == -1:
                cut = text.rfind(" ", start + size // 2, end)
            end = cut + 1 if cut != -1 else end
        spans.append((start, end))
        start = end
    return spans


class Pipeline:
    """Holds the NER model; ``process`` and ``process_many`` return ``Document`` records."""

    def __init__(self, model: str | Path | None = None, *, tagger=None, actions: str = "gate",
                 figures: str = "gate", alphabet: str | None = "auto", verbose: bool = False):
        """``alphabet``: the one Latin or Arabic-script text is converted from to Cyrillic (``auto``:
        chosen per document; ``2021``, ``2018``, ``2017``, ``digraph``, ``arab``; None: no conversion).
        ``actions``: ``gate`` (rules propose, the learned gate decides and adds; rules alone where
        the gate does not fit the model), ``rules`` (decision rules alone) or ``model`` (the gate
        alone over the cue candidates, for ablations).  ``figures``: ``gate`` (the learned figure gate
        keeps the rules' figures a reader would count; rules alone where it does not fit the model) or
        ``rules``.  ``verbose``: let transformers show its loading
        progress bars and notes (quiet by default)."""
        if tagger is None:
            from kznlp.ner.tagger import NerTagger

            tagger = NerTagger(model, verbose=verbose)
        self.tagger = tagger
        self.alphabet = alphabet
        # progress of one pass through the model (a batch of documents): called with (words tagged, of all)
        self.on_tagged = None
        if actions not in ("gate", "rules", "model"):
            raise ValueError(f"actions must be gate, rules or model, not {actions!r}")
        self.action_gate = None
        if actions != "rules":
            from kznlp.extract.actions import ActionGate

            self.action_gate = ActionGate.load_for(tagger)
            if self.action_gate is not None and actions == "model":
                self.action_gate.use_rules, self.action_gate.add = False, self.action_gate.model_only_add
        if figures not in ("gate", "rules"):
            raise ValueError(f"figures must be gate or rules, not {figures!r}")
        self.figure_gate = None
        if figures == "gate":
            from kznlp.extract.figure_gate import FigureGate

            self.figure_gate = FigureGate.load_for(tagger)

    # -- entities ---------------------------------------------------------------------------
    def _entities(self, texts: Sequence[str]) -> list[list[Entity]]:
        """Model entities for many texts; long texts are cut into blocks, offsets restored."""
        pieces: list[tuple[int, int, int]] = []  # (text index, start, end)
        for i, text in enumerate(texts):
            pieces.extend((i, s, e) for s, e in _blocks(text))
        out: list[list[Entity]] = [[] for _ in texts]
        words = [len(texts[i][s:e].split()) for i, s, e in pieces] if self.on_tagged is not None else []
        done = 0
        for chunk_start in range(0, len(pieces), 16):
            chunk = pieces[chunk_start:chunk_start + 16]
            tagged = self.tagger.tag([texts[i][s:e] for i, s, e in chunk])
            for (i, s, _), entities in zip(chunk, tagged):
                out[i].extend(Entity(x.label, x.text, x.start + s, x.end + s) for x in entities)
            if self.on_tagged is not None:
                done += sum(words[chunk_start:chunk_start + 16])
                self.on_tagged(done, sum(words))
        return [merge_entities(ents, quoted_name_entities(text)) for ents, text in zip(out, texts)]

    # -- documents ---------------------------------------------------------------------------
    def process(self, text: str, *, doc_id: str = "doc", title: str | None = None,
                published: str | None = None, url: str | None = None) -> Document:
        return next(self.process_many([text], doc_ids=[doc_id], titles=[title], published=[published],
                                      urls=[url]))

    def process_many(self, texts: Iterable[str], *, batch_size: int = 8, doc_ids: Sequence[str] | None = None,
                     titles: Sequence[str | None] | None = None, published: Sequence[str | None] | None = None,
                     urls: Sequence[str | None] | None = None) -> Iterator[Document]:
        """Process texts in batches of ``batch_size`` through the model; yields one Document each."""
        batch: list[tuple[int, str]] = []
        for index, text in enumerate(texts):
            batch.append((index, text))
            if len(batch) >= batch_size:
                yield from self._run(batch, doc_ids, titles, published, urls)
                batch = []
        if batch:
            yield from self._run(batch, doc_ids, titles, published, urls)

    def _run(self, batch, doc_ids, titles, published, urls) -> Iterator[Document]:
        pick = lambda seq, i, default=None: seq[i] if seq is not None and i < len(seq) else default  # noqa: E731
        prepared = [prepare(text, self.alphabet) for _, text in batch]
        batch = [(index, p.text) for (index, _), p in zip(batch, prepared)]
        converted_titles = {i: prepare_title(pick(titles, i), self.alphabet) for i, _ in batch}
        pick_title = converted_titles.get
        languages = [p.language for p in prepared]
        kazakh = [k for k, lang in enumerate(languages) if lang.code == "kk" and lang.script == "cyrl"]
        entities = dict(zip(kazakh, self._entities([prepared[k].kazakh for k in kazakh])))
        # a speech page names its speaker in the title only ("Мемлекет басшысы Қасым-Жомарт Тоқаевтың … сөзі")
        speech_titles = {k: title for k in kazakh if (title := pick_title(batch[k][0])) and is_speech_title(title)}
        title_entities = dict(zip(speech_titles, self.tagger.tag(list(speech_titles.values())))) if speech_titles else {}
        for k, (index, text) in enumerate(batch):
            ready = prepared[k]
            doc = Document(doc=pick(doc_ids, index, f"doc{index + 1}"), text=ready.kazakh, language=languages[k].code,
                           title=pick_title(index), published=pick(published, index), url=pick(urls, index),
                           script=ready.script)
            if k in entities:
                speaker = title_speaker(speech_titles[k], title_entities[k]) if k in speech_titles else None
                doc = extract(doc, entities[k], refine=self._gate if self.action_gate is not None else None,
                              refine_figures=self._figure_gate if self.figure_gate is not None else None,
                              speaker=speaker)
            yield ready.finish(doc)

    def with_alphabet(self, alphabet: str | None) -> "Pipeline":
        """This pipeline (same model) converting from ``alphabet`` instead."""
        import copy

        other = copy.copy(self)
        other.alphabet = alphabet
        return other

    def process_file(self, path: str | Path, *, doc_id: str | None = None) -> Document | Rejected:
        """Read a text or HTML file (``-`` is stdin) and process it, or say why it cannot be."""
        return next(self.process_files([path], doc_ids=[doc_id]))

    def process_files(self, paths: Iterable[str | Path], *, doc_ids: Sequence[str | None] | None = None,
                      batch_size: int = 8) -> Iterator[Document | Rejected]:
        """``process_file`` for many files, in order, their documents going through the model
        ``batch_size`` at a time (files are read one batch ahead, so memory stays bounded)."""
        batch: list[Document | Rejected] = []
        for index, path in enumerate(paths):
            doc_id = doc_ids[index] if doc_ids is not None and index < len(doc_ids) else None
            try:
                batch.append(read_document(path, doc_id=doc_id))
            except InputError as error:
                batch.append(Rejected(str(path), str(error)))
            except OSError as error:
                batch.append(Rejected(str(path), error.strerror or str(error)))
            if len(batch) >= batch_size:
                yield from self._process_read(batch, batch_size)
                batch = []
        if batch:
            yield from self._process_read(batch, batch_size)

    def _process_read(self, read: list[Document | Rejected], batch_size: int) -> Iterator[Document | Rejected]:
        ready = [r for r in read if isinstance(r, Document)]
        docs = iter(self.process_many([r.text for r in ready], batch_size=batch_size, doc_ids=[r.doc for r in ready],
                                      titles=[r.title for r in ready], published=[r.published for r in ready],
                                      urls=[r.url for r in ready]))
        for prepared in read:
            if isinstance(prepared, Rejected):
                yield prepared
                continue
            doc = next(docs)
            notes = ("language not recognised: stored as 'und', without extraction",) if doc.language == "und" else ()
            yield replace(doc, warnings=prepared.warnings + notes)


    def _gate(self, text, decisions, people, published):
        from kznlp.extract.actions import apply_gate

        return apply_gate(self.action_gate, self.tagger, text, decisions, people, published=published)

    def _figure_gate(self, text, figures):
        return self.figure_gate.keep(self.tagger, text, figures)


class Prepared:
    """A text ready for the Kazakh rules: in Cyrillic (``text``), with its Russian paragraphs blanked
    (``kazakh``: same length, so offsets hold), and the way back to the text as written."""

    def __init__(self, original: str, alphabet: str | None = "auto"):
        self.script = detect_script(original)
        if self.script == "cyrl" and alphabet == "auto":
            alphabet = None
        self.converted: Transliteration = transliterate(original, alphabet)
        self.text = fix_lookalikes(self.converted.text)  # same length: the offset map still holds
        # each paragraph's script as written (the conversion keeps line breaks, so paragraphs match)
        written = [paragraph_script(original[slice(*self.converted.original_span(s, e))])
                   for s, e in paragraph_spans(self.text)]
        self.language = detect_language(self.text)
        language = self.language.code
        self.paragraphs: tuple[Paragraph, ...] = paragraphs(self.text, written, language if language != "und" else "kk")
        chars = list(self.text)
        for p in self.paragraphs:
            if p.language == "ru" and language == "kk":
                chars[p.start:p.end] = " " * (p.end - p.start)
        self.kazakh = "".join(chars)

    def finish(self, doc: Document) -> Document:
        """``doc`` with its real text, the text as written, and every span also in the text as written."""
        doc = replace(doc, text=self.text, paragraphs=self.paragraphs)
        if not self.converted.changed:
            return doc
        span = self.converted.original_span

        def mapped(item):
            start, end = span(item.start, item.end) if item.start >= 0 else (None, None)
            return replace(item, original_start=start, original_end=end)

        return replace(
            doc, original=self.converted.original, alphabet=self.converted.alphabet,
            entities=tuple(mapped(e) for e in doc.entities),
            officials=tuple(replace(o, mentions=tuple(mapped(m) for m in o.mentions)) for o in doc.officials),
            figures=tuple(mapped(f) for f in doc.figures),
            decisions=tuple(replace(mapped(d), actions=tuple(mapped(a) for a in d.actions)) for d in doc.decisions))


prepare = Prepared
prepare_title = title_to_cyrillic  # titles of Latin and Arabic-script pages in Cyrillic too


SPEECH_TITLE = re.compile(r"(?:сөйлеген\s+сөз|Жолдау|баяндама|құттықтау|үндеу)", re.I)


def is_speech_title(title: str) -> bool:
    return bool(SPEECH_TITLE.search(title))


def title_speaker(title: str, entities: list[Entity]) -> Official | None:
    """The speaker a speech page's title names, with the position it gives them (no mentions: the title
    is not part of ``text``)."""
    people = find_people(title, entities)
    if not people:
        return None
    first = min(people, key=lambda p: p.mentions[0].start if p.mentions else len(title))
    return Official(first.name, first.positions, first.organisations, ())


def extract(doc: Document, entities: list[Entity], *, refine=None, refine_figures=None,
            speaker: Official | None = None) -> Document:
    """Officials, figures and decisions from a Kazakh document and its entities.

    ``refine(text, decisions, people, published)``, when given, returns the decisions to keep (the
    learned action gate: rules propose, the model decides); ``refine_figures(text, figures)`` likewise
    for figures (the learned figure gate). ``speaker``: the speaker of a speech page,
    named in its title: an official of the document and the maker of decisions nobody else makes.
    """
    published = date.fromisoformat(doc.published) if doc.published else None
    site = site_names(doc.url)
    # two words that spell the site's name ("Dala News" on dalanews.kz) are its masthead, not a person;
    # one word may well be a person ("Абай" on abai.kz)
    people = [p for p in find_people(doc.text, entities) if len(p.name.split()) < 2 or _letters(p.name) not in site]
    if speaker is not None:
        match = next((p for p in people if same_person(p.name, speaker.name)), None)
        if match is None:
            people = [speaker] + people
        else:
            merged = replace(match, positions=tuple(dict.fromkeys(match.positions + speaker.positions)))
            people = [merged if p is match else p for p in people]
    decisions = find_decisions(doc.text, people, entities, published=published)
    if refine is not None:
        decisions = refine(doc.text, decisions, people, published)
    if speaker is not None:
        decisions = [d if d.maker else replace(d, maker=speaker.name) for d in decisions]
    figures = find_figures(doc.text)
    if refine_figures is not None and figures:
        figures = refine_figures(doc.text, figures)
    # every named person, with the positions this text gives (a chair with no title is still news)
    return replace(doc, entities=tuple(entities), officials=tuple(people),
                   figures=tuple(figures), decisions=tuple(decisions))


def _letters(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalpha())


def site_names(url: str | None) -> frozenset[str]:
    """The site's own name as letters ("dalanews.kz" -> "даланеус", "dalanews"): a tagger reads "Dala
    News" in a Latin page's furniture as a person, and the converted text spells it in Cyrillic."""
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "") if url else ""
    labels = [label for label in host.removeprefix("www.").split(".")[:-1] if len(label) >= 4]
    names = {_letters(label) for label in labels}
    names |= {_letters(decode_word(label, alphabet)[0]) for label in labels for alphabet in LATIN_ALPHABETS}
    return frozenset(n for n in names if n)


DATE_MARKER = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\s+")


def _text_header(text: str) -> tuple[str | None, str | None, str]:
    """Source URL on the first line, a "date YYYY-MM-DD" marker, or a date line among the first lines.

    Saved releases often start with their URL and a dateline ("10:50, 02 Желтоқсан 2025 | GMT +5",
    "24.02.2017, 18:57"): they give the publication date that deadlines are resolved against.
    """
    url = published = None
    first, _, rest = text.partition("\n")
    if first.strip().startswith(("http://", "https://")) and " " not in first.strip():
        url, text = first.strip(), rest
    marker = DATE_MARKER.match(text)
    if marker:
        published, text = marker.group(1), text[marker.end():]
    else:
        for line in text.lstrip("\n").split("\n", 4)[:4]:
            if 0 < len(line.strip()) <= 60 and (found := parse_date(line)):
                published = found.isoformat()
                break
    return url, published, text


def input_ids(names: Sequence[str]) -> list[str | None]:
    """A document id for each input of one run: the file stem, unless two different files share it; then
    their paths relative to their common folder (without the suffix, or with it when that is what
    differs).  ``-`` gets None: ``read_document`` names it by its content.

    >>> input_ids(["a/report.txt", "b/report.txt", "c/other.html", "-", "d/x.txt", "d/x.html"])
    ['a/report', 'b/report', 'other', None, 'x.txt', 'x.html']
    """
    files = {name: Path(name) for name in names if name != "-"}
    groups: dict[str, set[str]] = {}
    for name, path in files.items():
        groups.setdefault(path.stem, set()).add(os.path.realpath(path))
    ids: dict[str, str] = {}
    for name, path in files.items():
        same = groups[path.stem]
        if len(same) == 1:
            ids[name] = path.stem
            continue
        common = os.path.commonpath([os.path.dirname(p) for p in same])
        relative = Path(os.path.relpath(os.path.realpath(path), common))
        stems = {Path(os.path.relpath(p, common)).with_suffix("").as_posix() for p in same}
        ids[name] = relative.with_suffix("").as_posix() if len(stems) == len(same) else relative.as_posix()
    return [ids.get(name) for name in names]


def check_file(name: str) -> str | None:
    """Why an input file cannot be processed, found without the model (missing, a directory, and for
    files up to 1 MB everything ``read_document`` refuses: empty, binary, …); None when it looks usable."""
    if name == "-":
        return None
    path = Path(name)
    try:
        if path.is_dir():
            return "is a directory, not a file"
        if path.stat().st_size <= 1024 * 1024:
            read_document(path)
    except InputError as error:
        return str(error)
    except OSError as error:
        return error.strerror or str(error)
    return None


def read_document(path: str | Path, *, doc_id: str | None = None) -> Document:
    """A Document with text, title, date and url from a file; no extraction yet.  Its id is ``doc_id``,
    else the file stem; standard input (``-``) is ``stdin-`` and a hash of its bytes, so two different
    inputs never share an id and the same input again replaces its own rows."""
    import sys

    if str(path) == "-":
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        stem = "stdin-" + hashlib.sha256(data).hexdigest()[:10]
    else:
        path = Path(path)
        if path.is_dir():
            raise InputError("is a directory, not a file")
        with open(path, "rb") as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)
        stem = path.stem
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB; split it into documents")
    decoded = decode_bytes(data)
    text, title, published, url = decoded.text.replace("\r\n", "\n").replace("\r", "\n"), None, None, None
    if looks_like_html(text):
        article = parse_article(text)
        if not article.paragraphs:
            raise InputError("an HTML page with no article text in it")
        text, title, published, url = article.text, article.title, article.published, article.url
    else:
        url, published, text = _text_header(text)
        text = drop_furniture(text)  # "Басып шығару", share and print lines, view counters, photo credits
        title = text_title(text)
    if not published and (found := url_date(url)):
        published = found.isoformat()  # no date in the text: the one in its address ("…/2021/06/24/…")
    if not text.strip():
        raise InputError("no text in it")
    if not any(ch.isalpha() for ch in text):
        raise InputError("no text in it: no letters, only digits, symbols or emoji")
    return Document(doc=doc_id or stem, text=text, language="und", title=title, published=published, url=url,
                    warnings=decoded.warnings)
