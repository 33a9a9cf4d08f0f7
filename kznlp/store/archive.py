"""The SQLite archive: open, save a processed Document atomically, search with Kazakh stems."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import itertools
import json
import math
import re
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from kznlp.errors import ArchiveError
from kznlp.records import Document
from kznlp.resources import casefold
from kznlp.store.schema import migrate
from kznlp.store.filters import Filters, documents_bound, filter_sql, register_functions
from kznlp.text.morph import search_stem
from kznlp.text.phrases import SEARCH_WORD as WORD, cached_stem as _cached_stem, stems_of
from kznlp.text.plain import content_keys
from kznlp.text.translit import latin_to_cyrillic, transliterate

READ_MMAP_BYTES = 1 << 32
READ_CACHE_KIB = 64 * 1024
# How long a writer waits for another one (a concurrent first open migrating a large archive, a crawl
# saving) before "database is locked".
BUSY_SECONDS = 60.0
CHILD_TABLES = ("entities", "positions", "mentions", "figures", "actions", "decisions")


def open_archive(path: str | Path, *, readonly: bool = False) -> sqlite_utils.Database:
    """Open (creating and migrating unless ``readonly``) an archive database."""
    path = Path(path)
    try:
        if readonly:
            if not path.exists():
                raise ArchiveError(f"{path}: no such archive")
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            db = sqlite_utils.Database(conn)
            # Searching reads scattered pages of a large file: map it instead of copying each page
            # through a 2 MB page cache (SQLite caps the map at its compiled maximum, 2 GB by default).
            db.execute(f"PRAGMA mmap_size={READ_MMAP_BYTES}")
            db.execute(f"PRAGMA cache_size=-{READ_CACHE_KIB}")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite_utils.Database(sqlite3.connect(path, timeout=BUSY_SECONDS))
            _use_wal(db)
            migrate(db)
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as error:
        raise ArchiveError(f"{path}: not a kznlp archive ({error})") from None
    return db


def _use_wal(db: sqlite_utils.Database) -> None:
    """Switch to WAL, waiting for other openers up to the busy timeout.  SQLite does not call its busy
    handler for this switch: while another opener of a new file holds its write lock, the pragma fails
    at once with "database is locked", so it is retried here."""
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


@contextlib.contextmanager
def read_snapshot(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Every statement inside sees one snapshot of the archive.

    A page is many statements (ranking, then each hit's row, decisions, facets); outside a transaction
    each sees the archive as it is then, and a document a writer replaces in between is gone.  In WAL
    mode an open read transaction keeps its snapshot while writers commit.  Inside another transaction
    (a nested read, a write) this joins it."""
    conn = db.conn
    if conn.in_transaction:
        yield db
        return
    conn.execute("BEGIN")
    try:
        yield db
    finally:
        if conn.in_transaction:
            conn.rollback()  # only reads happened: nothing to keep


def one_snapshot(read):
    """``read(db, ...)`` runs in ``read_snapshot(db)``; a generator keeps it until it is exhausted or closed."""
    if inspect.isgeneratorfunction(read):
        @functools.wraps(read)
        def generator(db, *args, **kwargs):
            with read_snapshot(db):
                yield from read(db, *args, **kwargs)
        return generator

    @functools.wraps(read)
    def wrapper(db, *args, **kwargs):
        with read_snapshot(db):
            return read(db, *args, **kwargs)
    return wrapper


def _official_id(conn: sqlite3.Connection, name: str) -> int:
    key = casefold(name)
    row = conn.execute("SELECT id FROM officials WHERE name_key = ?", (key,)).fetchone()
    if row:
        return row[0]
    return conn.execute("INSERT INTO officials (name, name_key) VALUES (?, ?)", (name, key)).lastrowid


def insert_facts(conn: sqlite3.Connection, doc: Document, official_id: Callable[[str], int]) -> None:
    """A document's extraction rows: entities, officials' positions and mentions, figures, decisions with
    their actions (and the stemmed text actions_fts indexes).  ``official_id`` gives an official's
    officials.id, adding the official if new."""
    from kznlp.extract.officials import organisation_of

    conn.executemany("INSERT INTO entities (doc_id, label, text, start, end) VALUES (?,?,?,?,?)",
                     [(doc.doc, e.label, e.text, e.start, e.end) for e in doc.entities])
    for official in doc.officials:
        oid = official_id(official.name)
        # each position with the body it belongs to ("Алматы қаласының әкімі" -> "Алматы қаласы")
        conn.executemany("INSERT INTO positions (official_id, doc_id, position, organisation) VALUES (?,?,?,?)",
                         [(oid, doc.doc, position, organisation_of(position)) for position in official.positions])
        conn.executemany("INSERT INTO mentions (official_id, doc_id, text, start, end) VALUES (?,?,?,?,?)",
                         [(oid, doc.doc, m.text, m.start, m.end) for m in official.mentions])
    conn.executemany("INSERT INTO figures (doc_id, text, value, unit, qualifier, subject, start, end)"
                     " VALUES (?,?,?,?,?,?,?,?)",
                     [(doc.doc, f.text, f.value, f.unit, f.qualifier, f.subject, f.start, f.end) for f in doc.figures])
    for decision in doc.decisions:
        did = conn.execute("INSERT INTO decisions (doc_id, maker, text, start, end) VALUES (?,?,?,?,?)",
                           (doc.doc, decision.maker, decision.text, decision.start, decision.end)).lastrowid
        conn.executemany(
            "INSERT INTO actions (decision_id, doc_id, text, responsible, frequency, deadline, start, end,"
            " stems) VALUES (?,?,?,?,?,?,?,?,?)",
            [(did, doc.doc, a.text, json.dumps(list(a.responsible), ensure_ascii=False), a.frequency,
              a.deadline, a.start, a.end, stems_of(a.text + " " + " ".join(a.responsible)))
             for a in decision.actions])


def save_document(db: sqlite_utils.Database, doc: Document, *, source: str | None = None,
                  script: str | None = None, canonical_url: str | None = None, origin: str | None = None) -> str:
    """Store a document and its extraction in one transaction; returns the id it is stored under.
    ``script``: as written (the document's own unless given); a converted text keeps its original.

    ``origin`` is the file path or URL it was read from.  Identity: the same origin again updates its
    own document (and writes nothing when nothing changed); a text another document already holds (the
    same release crawled and read from a file: ``content_keys``) is that document, this origin added to
    its ``document_origins``, nothing else written; a different origin never takes over another's id (``report`` from
    ``b/report.txt`` is stored as ``report-<hash of its path>`` when ``a/report.txt`` is ``report``).
    Without an origin the id alone decides, and a document of that id is replaced."""
    conn = db.conn
    script = script or doc.script
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    keys = content_keys(doc.text, doc.title)
    try:
        with conn:
            doc_id, held = _identity(conn, doc.doc, origin, keys)
            if held:  # the same release is stored as ``doc_id``: these are more places it was found
                found = [o for o in (origin, doc.url) if o and (o == origin or o.startswith(("http://", "https://")))]
                conn.executemany("INSERT OR IGNORE INTO document_origins (origin, doc_id, source, added_at)"
                                 " VALUES (?,?,?,?)", [(o, doc_id, source, now) for o in found])
                return doc_id
            if doc_id != doc.doc:
                doc = replace(doc, doc=doc_id)
            result = result_hash(doc, source, script, canonical_url, origin)
            stored = conn.execute("SELECT result_hash FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if stored is not None and stored[0] == result:
                return doc_id  # an unchanged re-run: nothing to write
            digest = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
            for table in CHILD_TABLES + ("document_keys",):
                conn.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))
            conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            original = ((", original_text", ",?"), (doc.original,)) if doc.original is not None else (("", ""), ())
            conn.execute(
                "INSERT INTO documents (id, url, canonical_url, source, title, published, language, script, text,"
                " content_hash, processed_at, stems, origin, result_hash"
                f"{original[0][0]}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?{original[0][1]})",
                (doc_id, doc.url, canonical_url or doc.url, source, doc.title, doc.published, doc.language,
                 script, doc.text, digest, now, stems_of(f"{doc.title or ''} {doc.text}"), origin, result,
                 *original[1]))
            conn.executemany("INSERT OR IGNORE INTO document_keys (key, doc_id) VALUES (?, ?)",
                             [(key, doc_id) for key in keys])
            if origin:
                conn.execute("INSERT OR REPLACE INTO document_origins (origin, doc_id, source, added_at)"
                             " VALUES (?,?,?,?)", (origin, doc_id, source, now))
            insert_facts(conn, doc, lambda name: _official_id(conn, name))
    except sqlite3.Error as error:
        raise ArchiveError(f"could not store {doc.doc}: {error}") from None
    return doc_id


def result_hash(doc: Document, source: str | None, script: str | None, canonical_url: str | None,
                origin: str | None) -> str:
    """A hash of everything a stored document's rows are made from (an unchanged re-run writes nothing)."""
    return hashlib.sha256(json.dumps(
        [doc.to_dict(), source, script, canonical_url or doc.url, origin, doc.original],
        ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def save_origin(db: sqlite_utils.Database, origin: str, doc_id: str, source: str | None = None) -> None:
    """Record one more path or URL a stored document is known by."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with db.conn:
        db.conn.execute("INSERT OR IGNORE INTO document_origins (origin, doc_id, source, added_at) VALUES (?,?,?,?)",
                        (origin, doc_id, source, now))


def _shares_key(conn: sqlite3.Connection, doc_id: str, keys: tuple[str, ...]) -> bool:
    marks = ",".join("?" * len(keys))
    return conn.execute(f"SELECT 1 FROM document_keys WHERE doc_id = ? AND key IN ({marks})",
                        (doc_id, *keys)).fetchone() is not None


def same_release(db: sqlite_utils.Database, text: str, title: str | None, *, other_than: str | None = None) -> str | None:
    """The id of a stored document that is the same release as this text (a shared content key), if any."""
    keys = content_keys(text, title)
    marks = ",".join("?" * len(keys))
    row = db.conn.execute(f"SELECT doc_id FROM document_keys WHERE key IN ({marks}) AND doc_id IS NOT ?"
                          " ORDER BY rowid LIMIT 1", (*keys, other_than)).fetchone()
    return row[0] if row else None


def _identity(conn: sqlite3.Connection, wanted: str, origin: str | None,
              keys: tuple[str, ...]) -> tuple[str, bool]:
    """``(id, held)``: the id to store a document under, or (``held``) the id of the stored document that
    already is this release (then nothing is written)."""
    if origin:
        row = conn.execute("SELECT o.doc_id, d.origin FROM document_origins o JOIN documents d ON d.id = o.doc_id"
                           " WHERE o.origin = ?", (origin,)).fetchone()
        if row is not None:
            known, known_origin = row
            if known_origin == origin:
                return known, False  # this file or URL again: update its document
            if _shares_key(conn, known, keys):
                return known, True  # merged into another reading of the release, and still the same
            conn.execute("DELETE FROM document_origins WHERE origin = ?", (origin,))  # changed since: its own now
    own = conn.execute("SELECT origin FROM documents WHERE id = ?", (wanted,)).fetchone()
    if origin is not None and own is not None and own[0] is None and _shares_key(conn, wanted, keys):
        return wanted, False  # stored under this id before origins were kept, with this very text: adopt it
    marks = ",".join("?" * len(keys))
    same = conn.execute(f"SELECT doc_id FROM document_keys WHERE key IN ({marks}) AND doc_id != ? ORDER BY rowid"
                        " LIMIT 1", (*keys, wanted)).fetchone() if origin is not None else None
    if same is not None:
        return same[0], True
    candidate, n = wanted, 1
    while True:
        row = conn.execute("SELECT origin FROM documents WHERE id = ?", (candidate,)).fetchone()
        if row is None or origin is None or row[0] == origin:
            return candidate, False
        if row[0] is None and _shares_key(conn, candidate, keys):
            return candidate, False  # stored before origins were kept, with this very text: adopt it
        n += 1
        suffix = hashlib.sha1(origin.encode("utf-8")).hexdigest()[:8]
        candidate = f"{wanted}-{suffix}" if n == 2 else f"{wanted}-{suffix}-{n}"


QUOTED = re.compile(r'"([^"]*)"')
OPERATORS = {"AND", "OR", "NOT"}
MAX_TERMS = 32


def _is_latin(word: str) -> bool:
    """A Latin or Arabic-script word worth transliterating (1-2 letter Latin ones are mostly
    abbreviations: "or", "IT")."""
    if _is_arabic(word):
        return True
    return len(word) >= 3 and any("a" <= ch.lower() <= "z" for ch in word) and not any("\u0400" <= ch <= "\u04ff" for ch in word)


def _is_arabic(word: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in word)


def _cyrillic(word: str) -> str:
    """A query word in Cyrillic: Arabic script always, Latin by the alphabet it reads best in."""
    return transliterate(word, "arab").text if _is_arabic(word) else latin_to_cyrillic(word)


def _phrase(words: list[str]) -> str | None:
    """One FTS5 phrase of consecutive stems, each a prefix: ``"әкім"* + "сағынтаев"*``."""
    stems = [search_stem(w).replace('"', '""') for w in words]
    stems = [s for s in stems if s]
    return " + ".join(f'"{s}"*' for s in stems) or None


def _term(words: list[str]) -> str | None:
    """A word or phrase; Latin-script Kazakh also matches its Cyrillic spelling."""
    plain = _phrase(words)
    if plain is None or not any(_is_latin(w) for w in words):
        return plain
    cyrillic = _phrase([_cyrillic(w) if _is_latin(w) else w for w in words])
    return plain if cyrillic in (None, plain) else f"({plain} OR {cyrillic})"


def _tokens(query: str) -> list[tuple[str, list[str]]]:
    """``("word"|"phrase"|"op", words)`` in query order; an unpaired quote counts as no quote."""
    tokens: list[tuple[str, list[str]]] = []
    pos = 0
    for match in QUOTED.finditer(query):
        tokens += _word_tokens(query[pos:match.start()])
        words = WORD.findall(match.group(1))
        if words:
            tokens.append(("phrase", words))
        pos = match.end()
    return tokens + _word_tokens(query[pos:])


def _word_tokens(text: str) -> list[tuple[str, list[str]]]:
    return [("op", [w]) if w in OPERATORS else ("word", [w]) for w in WORD.findall(text)]


def fts_query(query: str) -> str | None:
    """A safe FTS5 query: words stemmed, quoted and matched as prefixes, AND between them.

    ``"..."`` makes a phrase of consecutive stems; upper-case ``OR`` between two terms and ``NOT``
    before one work as in FTS5 (leading, they are plain words); every other character is only ever part
    of a quoted string.

    >>> fts_query('әкімдерге AND (')
    '"әкім"*'
    >>> fts_query('"Алматы қаласының әкімі" OR министр NOT депутат')
    '("алмат"* + "қалас"* + "әкім"* OR "министр"*) NOT "депутат"*'
    >>> fts_query('äkım')
    '("äkım"* OR "әкім"*)'
    >>> fts_query('" OR 1=1 --')
    '"or"* AND "1"* AND "1"*'
    >>> fts_query('"') is None, fts_query('*') is None, fts_query('әкім NOT') == '"әкім"*'
    (True, True, True)
    """
    groups: list[list[str]] = []  # AND of ORs
    excluded: list[str] = []
    pending_or = pending_not = False
    count = 0
    for kind, words in _tokens(query[:20_000]):
        if kind == "op" and groups:  # an operator needs a term before it; a leading one is a word
            pending_or, pending_not = words[0] == "OR", words[0] == "NOT"
            continue
        term = _term(words[:MAX_TERMS])
        if term is None:
            continue
        count += 1
        if count > MAX_TERMS:
            break
        if pending_not:
            excluded.append(term)
        elif pending_or and groups:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = pending_not = False
    if not groups:
        return None
    parts = [g[0] if len(g) == 1 else "(" + " OR ".join(g) + ")" for g in groups]
    match = " AND ".join(parts)
    if excluded:
        match = (f"({match})" if len(parts) > 1 else match) + "".join(f" NOT {t}" for t in excluded)
    return match


def query_terms(query: str) -> tuple[tuple[str, ...], ...]:
    """What a query looks for, for highlighting: each word as one stem, each ``"..."`` phrase as its
    stems in order (Latin and Arabic-script words also in Cyrillic); words after ``NOT`` are left out.

    >>> query_terms('"Алматы қаласының әкімі" OR министр NOT депутат')
    (('алмат', 'қалас', 'әкім'), ('министр',))
    """
    terms: list[tuple[str, ...]] = []
    seen_term = pending_not = False
    for kind, words in _tokens(query[:20_000]):
        if kind == "op" and seen_term:
            pending_not = words[0] == "NOT"
            continue
        seen_term = True
        if pending_not:
            pending_not = False
            continue
        for spelling in (words, [_cyrillic(w) if _is_latin(w) else w for w in words]):
            stems = tuple(s for s in (search_stem(w) for w in spelling[:MAX_TERMS]) if s)
            if stems and stems not in terms:
                terms.append(stems)
    return tuple(terms[:MAX_TERMS * 2])


def query_stems(query: str) -> set[str]:
    """The stems a query looks for (Latin words also in Cyrillic)."""
    return {stem for term in query_terms(query) for stem in term}


@dataclass(frozen=True, slots=True)
class SearchHit:
    doc_id: str
    title: str | None
    published: str | None
    snippet: str  # plain text, the first hit in [brackets]
    decisions: tuple[dict, ...]
    source: str | None = None
    url: str | None = None
    parts: tuple[tuple[str, bool], ...] = ()  # the snippet as (text, is_hit) pieces, for safe HTML highlighting
    score: float = 0.0
    title_parts: tuple[tuple[str, bool], ...] = ()  # the whole title as (text, is_hit) pieces


def _hit_spans(text: str, terms, pos: int = 0) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each run of words in ``text`` from ``pos`` that matches a term: a word whose
    stem starts with the term's stem, or a phrase's words one after another (the longer term first)."""
    terms = sorted({(t,) if isinstance(t, str) else tuple(t) for t in terms if t}, key=len, reverse=True)
    if not terms:
        return
    words = WORD.finditer(text, pos)
    ahead: deque = deque()  # the words read but not yet passed

    def matches(term: tuple[str, ...]) -> bool:
        while len(ahead) < len(term) and (word := next(words, None)) is not None:
            ahead.append(word)
        return len(ahead) >= len(term) and all(_cached_stem(ahead[i].group(0)).startswith(stem)
                                               for i, stem in enumerate(term))

    while True:
        if not ahead:
            word = next(words, None)
            if word is None:
                return
            ahead.append(word)
        length = next((len(term) for term in terms if matches(term)), 0)
        if length:
            yield ahead[0].start(), ahead[length - 1].end()
        for _ in range(max(1, length)):
            ahead.popleft()


def highlight(text: str, terms, width: int = 200) -> tuple[tuple[str, bool], ...]:
    """A window of ``text`` around the first match of a query term (``query_terms``; a plain stem is a
    one-word term), as ``(piece, is_hit)`` parts; a phrase is one hit, its words elsewhere are none.

    >>> highlight("Алматы қаласының әкімі Сағынтаевтың сөзі", {"сағынтаев"}, width=20)
    (('…әкімі ', False), ('Сағынтаевтың', True), (' сөзі', False))
    >>> highlight("Аудан әкімі келді. Облыс әкімі аудан әкіміне", [("облыс", "әкім")])
    (('Аудан әкімі келді. ', False), ('Облыс әкімі', True), (' аудан әкіміне', False))
    """
    text = text or ""
    spans = _hit_spans(text, terms)
    first = next(spans, None)
    if first is None:
        return ((text[:width] + ("…" if len(text) > width else ""), False),)
    start = max(0, first[0] - width // 2)
    end = min(len(text), first[1] + width // 2)
    if start:  # start on a word boundary
        space = text.find(" ", start, first[0])
        start = space + 1 if space >= 0 else start
    parts: list[tuple[str, bool]] = []
    pos = start
    for hit_start, hit_end in itertools.chain([first], spans):
        if hit_end > end:
            break
        if hit_start > pos:
            parts.append((text[pos:hit_start], False))
        parts.append((text[hit_start:hit_end], True))
        pos = hit_end
    if end > pos:
        parts.append((text[pos:end], False))
    if start:
        parts[0] = ("…" + parts[0][0], parts[0][1]) if not parts[0][1] else parts[0]
        if parts[0][1]:
            parts.insert(0, ("…", False))
    if end < len(text):
        parts.append(("…", False))
    return tuple(parts)


def actions_of(db: sqlite_utils.Database, decision_id: int) -> list[dict]:
    """A decision's actions in text order."""
    return [{"text": t, "responsible": json.loads(r or "[]"), "frequency": f, "deadline": d}
            for t, r, f, d in db.execute(
                "SELECT text, responsible, frequency, deadline FROM actions WHERE decision_id = ? ORDER BY start",
                (decision_id,)).fetchall()]


def decisions_of(db: sqlite_utils.Database, doc_id: str) -> list[dict]:
    """A document's decisions in text order, each with its actions."""
    return [{"id": did, "maker": maker, "text": dtext, "actions": actions_of(db, did)}
            for did, maker, dtext in db.execute("SELECT id, maker, text FROM decisions WHERE doc_id = ?"
                                                " ORDER BY start", (doc_id,)).fetchall()]


@one_snapshot
def search(db: sqlite_utils.Database, query: str, *, limit: int = 20, offset: int = 0,
           filters: Filters | None = None, **filter_values) -> list[SearchHit]:
    """Documents matching ``query`` (BM25 order) with their decisions and actions.

    Keyword filters (``official=``, ``position=``, ``organisation=``, ``source=``, ``since=``, ``until=``,
    ``has_decisions=``, ``frequency=``, ``deadline=``) or a ``Filters`` narrow the result.  A query
    without any word lists the filtered documents, newest first, when a filter is given.

    BM25 ranks the ``RANK_WINDOW`` most recently stored matches that pass the filters (all of them
    when fewer pass); ties go to the earlier stored document.
    """
    filters = filters or Filters(**filter_values)
    match = fts_query(query or "")
    if match is None and not filters.active():
        return []
    register_functions(db.conn)
    limit, offset = max(0, min(int(limit), 1000)), max(0, int(offset))
    try:
        if match is None:
            where, params = filter_sql(filters)
            rows = db.execute(
                f"SELECT d.id, d.title, d.published, d.text, d.source, d.url, 0.0 FROM documents d WHERE {where}"
                " ORDER BY d.published IS NULL, d.published DESC, d.id LIMIT ? OFFSET ?",
                params + [limit, offset]).fetchall()
        else:
            window, params = match_window(db, match, filters, RANK_WINDOW, score=True)
            ranked = db.execute(f"WITH w AS MATERIALIZED ({window}) SELECT r, s FROM w ORDER BY s, r LIMIT ? OFFSET ?",
                                params + [limit, offset]).fetchall()
            rows = _documents(db, ranked)
    except sqlite3.Error as error:
        raise ArchiveError(f"search failed: {error}") from None
    return _hits(db, rows, query)


def _documents(db: sqlite_utils.Database, ranked: list[tuple[int, float]]) -> list[tuple]:
    """The rows of ranked rowids; the caller holds the snapshot the ranking came from (``read_snapshot``),
    so each is there (one that is not, from a window of another snapshot, is left out, not an error)."""
    rows = []
    for rowid, score in ranked:
        row = db.execute("SELECT id, title, published, text, source, url FROM documents WHERE rowid = ?",
                         (rowid,)).fetchone()
        if row is not None:
            rows.append((*row, score))
    return rows


def _hits(db: sqlite_utils.Database, rows: list[tuple], query: str) -> list[SearchHit]:
    terms = query_terms(query or "")
    hits = []
    for doc_id, title, published, text, source, url, score in rows:
        parts = highlight(text, terms)
        snippet = "".join(f"[{piece}]" if is_hit else piece for piece, is_hit in parts)
        title_parts = highlight(title, terms, width=2 * len(title)) if title else ()  # the whole title
        hits.append(SearchHit(doc_id, title, published, snippet, tuple(decisions_of(db, doc_id)), source, url,
                              parts, float(score), title_parts))
    return hits


# BM25 ranks at most this many matches: the most recently stored ones that pass the filters.  Scoring
# is what costs (about 1 µs a match: 80 ms for a word in 80,000 of 100,000 documents, where FTS5's BM25
# gives nearly every document the same tiny IDF anyway).
RANK_WINDOW = 5_000
COUNT_SAMPLE = 2_000  # a filtered count over many matches checks about this many of them
BM25 = "bm25(documents_fts, 3.0, 1.0)"  # the title weighs three times the text


def few_pass(db: sqlite_utils.Database, filters: Filters, size: int = RANK_WINDOW) -> bool:
    """Whether indexes show that few enough documents pass ``filters`` to collect them up front.

    Collecting costs about one index entry per passing document (``n``); checking matches newest first
    costs about ``size * documents / n`` rows until ``size`` pass, when the filter is independent of
    the words.  They meet at ``n = sqrt(size * documents)``: 22,000 of 100,000 documents for a window
    of 5,000.
    """
    register_functions(db.conn)  # an official filter's bound folds names with kz_fold
    documents = db.execute("SELECT max(rowid) FROM documents").fetchone()[0] or 0
    cap = max(size, math.isqrt(size * documents))
    return documents_bound(db.conn, filters, cap) is not None


def match_window(db: sqlite_utils.Database, match: str, filters: Filters, size: int, *,
                 score: bool = False, few: bool | None = None) -> tuple[str, list]:
    """A query (and its parameters) selecting ``r`` (and, with ``score``, its BM25 score ``s``) for the
    ``size`` most recently stored documents that match ``match`` and pass ``filters``, newest first.

    This is where the search's time goes, so: one pass of FTS5 over the matches in rowid order, which
    stops after ``size`` of them, scoring only those.  Without filters FTS5 reads them straight off the
    index.  A filter that indexes show to pass few documents (a source, a date range, an official:
    ``documents_bound``) is collected first and each match tested against that set; any other filter
    is checked on the matches one at a time, newest first, with per-document ``EXISTS`` probes, so a
    common filter costs a few thousand probes instead of a pass over the archive.
    """
    body, params = _matching(db, match, filters, size, few)
    scored = f", {BM25} AS s" if score else ""
    return f"SELECT f.rowid AS r{scored} {body} ORDER BY f.rowid DESC LIMIT ?", params + [size]


def _matching(db: sqlite_utils.Database, match: str, filters: Filters, size: int = RANK_WINDOW,
              few: bool | None = None) -> tuple[str, list]:
    """``FROM … WHERE …`` over ``documents_fts f`` (and its parameters) for every document that matches
    ``match`` and passes ``filters``, by the plan ``match_window`` describes (``few``: ``few_pass``'s
    answer, when already known)."""
    if not filters.active():
        return "FROM documents_fts f WHERE documents_fts MATCH ?", [match]
    register_functions(db.conn)
    if few_pass(db, filters, size) if few is None else few:
        where, params = filter_sql(filters)
        return ("FROM documents_fts f WHERE documents_fts MATCH ?"  # +f.rowid: test, not seek
                f" AND +f.rowid IN (SELECT d.rowid FROM documents d WHERE {where})", [match] + params)
    where, params = filter_sql(filters, correlated=True)
    return ("FROM documents_fts f CROSS JOIN documents d ON d.rowid = f.rowid"
            f" WHERE documents_fts MATCH ? AND {where}", [match] + params)


def _count(db: sqlite_utils.Database, match: str, filters: Filters, few: bool | None = None) -> int:
    body, params = _matching(db, match, filters, few=few)
    return db.execute(f"SELECT count(*) {body}", params).fetchone()[0]


def ranked_window(db: sqlite_utils.Database, query: str, filters: Filters | None = None, *,
                  few: bool | None = None) -> list[tuple[int, float]]:
    """``(rowid, score)`` of the ``RANK_WINDOW`` most recently stored matches that pass ``filters``,
    newest first: everything ``search`` ranks (``page_of`` cuts a page from it), and, when shorter
    than ``RANK_WINDOW``, every match there is.  Empty when the query has no words.  ``few``:
    ``few_pass``'s answer for ``filters``, when the caller already has it."""
    filters = filters or Filters()
    match = fts_query(query or "")
    if match is None:
        return []
    try:
        window, params = match_window(db, match, filters, RANK_WINDOW, score=True, few=few)
        return db.execute(window, params).fetchall()
    except sqlite3.Error as error:
        raise ArchiveError(f"search failed: {error}") from None


def page_of(db: sqlite_utils.Database, window: list[tuple[int, float]], query: str, *, limit: int = 20,
            offset: int = 0) -> list[SearchHit]:
    """The hits ``search`` returns, from a ``ranked_window`` (BM25 order, ties by rowid, as in SQL)."""
    ranked = sorted(window, key=lambda rs: (rs[1], rs[0]))[max(0, int(offset)):][:max(0, min(int(limit), 1000))]
    return _hits(db, _documents(db, ranked), query)


@one_snapshot
def count_matches(db: sqlite_utils.Database, query: str, filters: Filters | None = None) -> int:
    """How many documents ``search`` could return (for paging)."""
    filters = filters or Filters()
    match = fts_query(query or "")
    if match is None and not filters.active():
        return 0
    if match is None:
        register_functions(db.conn)
        where, params = filter_sql(filters)
        return db.execute(f"SELECT count(*) FROM documents d WHERE {where}", params).fetchone()[0]
    return _count(db, match, filters)


@one_snapshot
def estimate_matches(db: sqlite_utils.Database, query: str, filters: Filters | None = None, *,
                     few: bool | None = None) -> tuple[int, bool]:
    """``(count, exact)``: ``count_matches``, or, where that would check many matches one at a time (a
    common filter over a common word), an estimate from a systematic sample of about ``COUNT_SAMPLE``
    of them (every k-th rowid), rounded to two significant digits; ``exact`` says which.  ``few``:
    ``few_pass``'s answer for ``filters``, when the caller already has it."""
    filters = filters or Filters()
    match = fts_query(query or "")
    if match is None or not filters.active():
        return count_matches(db, query, filters), True
    register_functions(db.conn)
    if few_pass(db, filters) if few is None else few:
        return _count(db, match, filters, few=True), True
    total = _count(db, match, Filters())
    step = -(-total // COUNT_SAMPLE)
    if step <= 2:
        return _count(db, match, filters, few=False), True
    where, params = filter_sql(filters, correlated=True)
    sampled, passed = db.execute(
        "SELECT count(*), coalesce(sum(d.rowid IS NOT NULL), 0) FROM documents_fts f"
        f" LEFT JOIN documents d ON d.rowid = f.rowid AND {where}"
        " WHERE documents_fts MATCH ? AND f.rowid % ? = 0", params + [match, step]).fetchone()
    if not sampled:
        return _count(db, match, filters, few=False), True
    estimate = passed * total / sampled
    if estimate >= 100:
        unit = 10 ** (len(str(int(estimate))) - 2)
        estimate = round(estimate / unit) * unit
    return int(round(estimate)), False
