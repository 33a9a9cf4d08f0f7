"""Read queries over an archive: facets, officials, decisions, responsibilities, documents, export.

Every function takes an open archive (``open_archive(path, readonly=True)`` is enough) and returns
plain dicts and lists, ready for JSON, a rich table or a template.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator

import sqlite_utils

from kznlp.store import archive
from kznlp.store.archive import (actions_of, estimate_matches, fts_query, match_window, one_snapshot, page_of,
                                 ranked_window, search)
from kznlp.store.filters import Filters, filter_sql, name_pattern, official_ids_sql, register_functions
from kznlp.text.collate import sort_key
from kznlp.text.phrases import is_body, phrase_key

FACET_LIMIT = 12
FACET_SAMPLE = 2_000  # facets count over at most this many matching documents: the most recent ones


def _matching(db: sqlite_utils.Database, query: str, filters: Filters) -> list[str]:
    """The ids of the ``FACET_SAMPLE`` most recently stored documents matching ``query`` and ``filters``."""
    register_functions(db.conn)
    match = fts_query(query or "")
    if match is None:
        where, params = filter_sql(filters)
        sql = f"SELECT d.id FROM documents d WHERE {where} ORDER BY d.rowid DESC LIMIT {FACET_SAMPLE}"
    else:
        window, params = match_window(db, match, filters, FACET_SAMPLE)
        sql = f"WITH w AS MATERIALIZED ({window}) SELECT d.id FROM w JOIN documents d ON d.rowid = w.r"
    return [doc_id for (doc_id,) in db.execute(sql, params).fetchall()]


@one_snapshot
def facets(db: sqlite_utils.Database, query: str, filters: Filters | None = None) -> dict[str, list[dict]]:
    """Counts of matching documents by source, year, official, position, organisation, decisions,
    action frequency and deadline month; each facet ignores its own filter, so other values stay visible.
    Counts are over the ``FACET_SAMPLE`` most recently stored matches (all of them in most archives).

    Each entry is ``{"value": ..., "label": ..., "count": n}``; ``value`` is what the filter takes.
    """
    return _facets(db, query, filters or Filters(), {})


def _facets(db: sqlite_utils.Database, query: str, filters: Filters,
            samples: dict[Filters, list[str]]) -> dict[str, list[dict]]:
    """``facets``, given the matching ids already known for some filters (``samples``): the matches are
    looked up once for each set of filters the facets need (one when no facet's own filter is set) and
    passed to the eight counting queries as a JSON list."""
    register_functions(db.conn)  # kz_fold
    if fts_query(query or "") is None and not filters.active():
        filters = Filters()  # browsing everything
    as_json: dict[Filters, str] = {}

    def run(sql: str, own: str, extra: list | None = None) -> list[tuple]:
        narrowed = filters.without(own) if own else filters
        if narrowed not in as_json:
            ids = samples[narrowed] if narrowed in samples else _matching(db, query, narrowed)
            as_json[narrowed] = json.dumps(ids, ensure_ascii=False)
        return db.execute(sql.replace("{ids}", "SELECT value FROM json_each(?)"),
                          [as_json[narrowed]] + (extra or [])).fetchall()

    out: dict[str, list[dict]] = {}
    out["source"] = [{"value": v, "label": v, "count": n} for v, n in run(
        "SELECT source, count(*) n FROM documents WHERE id IN ({ids}) AND source IS NOT NULL"
        f" GROUP BY source ORDER BY n DESC, kz_sort(source) LIMIT {FACET_LIMIT}", "source")]
    out["year"] = [{"value": v, "label": v, "count": n} for v, n in run(
        "SELECT substr(published, 1, 4) y, count(*) n FROM documents WHERE id IN ({ids}) AND published IS NOT NULL"
        f" GROUP BY y ORDER BY y DESC LIMIT {FACET_LIMIT}", "since")]
    out["official"] = [{"value": oid, "label": name, "count": n} for oid, name, n in run(
        "SELECT o.id, o.name, count(DISTINCT m.doc_id) n FROM mentions m JOIN officials o ON o.id = m.official_id"
        f" WHERE m.doc_id IN ({{ids}}) GROUP BY o.id ORDER BY n DESC, kz_sort(o.name) LIMIT {FACET_LIMIT}", "official_id")]
    out["position"] = _by_key(run("SELECT DISTINCT position, doc_id FROM positions WHERE doc_id IN ({ids})",
                                  "position"))
    out["organisation"] = _by_key(run("SELECT DISTINCT organisation, doc_id FROM positions WHERE doc_id IN ({ids})"
                                      " AND organisation IS NOT NULL AND organisation != ''", "organisation"),
                                  keep=is_body)
    out["has_decisions"] = [{"value": "1", "label": "шешімдері бар", "count": n} for (n,) in run(
        "SELECT count(DISTINCT doc_id) FROM decisions WHERE doc_id IN ({ids})", "has_decisions") if n]
    out["frequency"] = [{"value": v, "label": v, "count": n} for v, n in run(
        "SELECT frequency, count(DISTINCT doc_id) n FROM actions WHERE doc_id IN ({ids}) AND frequency IS NOT NULL"
        " GROUP BY frequency ORDER BY n DESC", "frequency")]
    out["deadline"] = [{"value": v, "label": v, "count": n} for v, n in run(
        "SELECT substr(deadline, 1, 7) m, count(DISTINCT doc_id) n FROM actions WHERE doc_id IN ({ids})"
        " AND deadline GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]*'"
        f" GROUP BY m ORDER BY m LIMIT {FACET_LIMIT}", "deadline")]
    return out


def _by_key(rows: list[tuple[str, str]], keep=None) -> list[dict]:
    """Facet entries from ``(phrase, doc_id)`` rows: phrases with one ``phrase_key`` (any case or ending)
    are one entry, labelled with their most frequent spelling, counting distinct documents; ``keep``
    drops phrases that do not belong (a place in the organisation facet)."""
    groups: dict[str, tuple[set[str], Counter]] = {}
    for phrase, doc_id in rows:
        key = phrase_key(phrase)
        if not key or (keep and not keep(phrase)):
            continue
        docs, spellings = groups.setdefault(key, (set(), Counter()))
        docs.add(doc_id)
        spellings[phrase] += 1
    entries = []
    for docs, spellings in groups.values():
        label = min(spellings, key=lambda s: (-spellings[s], len(s), s))
        entries.append({"value": label, "label": label, "count": len(docs)})
    return sorted(entries, key=lambda e: (-e["count"], sort_key(e["label"])))[:FACET_LIMIT]


@one_snapshot
def search_page(db: sqlite_utils.Database, query: str, filters: Filters | None = None, *, limit: int = 20,
                offset: int = 0) -> dict:
    """What a results page shows: ``{"hits", "total", "total_exact", "facets"}``, i.e. ``search``,
    ``estimate_matches`` and ``facets``, all from one snapshot of the archive, sharing their work: one
    pass over the matches (``ranked_window``) gives the hits, the count when fewer than ``RANK_WINDOW``
    pass (all of them are in it) and the facets' newest ``FACET_SAMPLE`` matches."""
    filters = filters or Filters()
    if fts_query(query or "") is None:
        total, exact = estimate_matches(db, query, filters)
        return {"hits": search(db, query, limit=limit, offset=offset, filters=filters), "total": total,
                "total_exact": exact, "facets": facets(db, query, filters)}
    few = archive.few_pass(db, filters) if filters.active() else None  # the plan, decided once for both
    window = ranked_window(db, query, filters, few=few)
    hits = page_of(db, window, query, limit=limit, offset=offset)
    complete = len(window) < archive.RANK_WINDOW  # then it holds every match that passes
    total, exact = (len(window), True) if complete else estimate_matches(db, query, filters, few=few)
    newest = json.dumps([rowid for rowid, _score in window[:FACET_SAMPLE]])
    ids = [doc_id for (doc_id,) in db.execute(
        "SELECT id FROM documents WHERE rowid IN (SELECT value FROM json_each(?))", [newest]).fetchall()]
    return {"hits": hits, "total": total, "total_exact": exact, "facets": _facets(db, query, filters, {filters: ids})}


@one_snapshot
def list_officials(db: sqlite_utils.Database, *, name: str | None = None, limit: int = 200,
                   offset: int = 0) -> list[dict]:
    """Officials with their positions (most frequent first) and how many documents mention them."""
    register_functions(db.conn)
    where, params = "1", []
    if name:
        sql, params = official_ids_sql(name)
        where = f"o.id IN ({sql})"
    rows = db.execute(
        "SELECT o.id, o.name, (SELECT count(*) FROM (SELECT doc_id FROM mentions WHERE official_id = o.id"
        " UNION SELECT doc_id FROM positions WHERE official_id = o.id)) docs,"
        " (SELECT count(*) FROM decisions WHERE kz_fold(maker) = o.name_key) decisions"
        f" FROM officials o WHERE {where} ORDER BY docs DESC, kz_sort(o.name) LIMIT ? OFFSET ?",
        params + [limit, offset]).fetchall()
    out = []
    for oid, oname, docs, decisions in rows:
        positions = [p for (p,) in db.execute(
            "SELECT position FROM positions WHERE official_id = ? GROUP BY kz_key(position)"
            " ORDER BY count(*) DESC LIMIT 5", (oid,)).fetchall()]
        out.append({"id": oid, "name": oname, "positions": positions, "documents": docs, "decisions": decisions})
    return out


@one_snapshot
def get_official(db: sqlite_utils.Database, official_id: int) -> dict | None:
    """One official: positions over time (first and last dated document), documents, decisions made."""
    register_functions(db.conn)
    row = db.execute("SELECT id, name, name_key FROM officials WHERE id = ?", (official_id,)).fetchone()
    if row is None:
        return None
    oid, name, key = row
    positions = [{"position": p, "organisation": org, "first": first, "last": last, "documents": n}
                 for p, org, first, last, n in db.execute(
                     "SELECT p.position, p.organisation, min(d.published), max(d.published), count(DISTINCT d.id)"
                     " FROM positions p JOIN documents d ON d.id = p.doc_id WHERE p.official_id = ?"
                     " GROUP BY kz_key(p.position) ORDER BY min(d.published) IS NULL, min(d.published), kz_sort(p.position)",
                     (oid,)).fetchall()]
    documents = [{"id": i, "title": t, "published": p, "source": s} for i, t, p, s in db.execute(
        "SELECT d.id, d.title, d.published, d.source FROM documents d WHERE d.id IN"
        " (SELECT doc_id FROM mentions WHERE official_id = ? UNION SELECT doc_id FROM positions WHERE official_id = ?)"
        " ORDER BY d.published IS NULL, d.published DESC LIMIT 200", (oid, oid)).fetchall()]
    return {"id": oid, "name": name, "positions": positions, "documents": documents,
            "decisions": list_decisions(db, official=name, exact=True)}


@one_snapshot
def list_decisions(db: sqlite_utils.Database, *, official: str | None = None, exact: bool = False,
                   frequency: str | None = None, has_deadline: bool = False, limit: int = 200,
                   offset: int = 0) -> list[dict]:
    """Decisions (newest document first) with their actions; ``official`` matches the decision's maker
    by name in any ending ("Бектеновтің") — "what did <official> decide"."""
    register_functions(db.conn)
    where, params = ["1"], []
    if official:
        if exact:
            where.append("kz_fold(x.maker) = kz_fold(?)")
            params.append(official)
        else:
            patterns = name_pattern(official)  # a name without words ("\x00") matches no one
            where += ["kz_fold(x.maker) LIKE ? ESCAPE '\\'"] * len(patterns) if patterns else ["0"]
            params += patterns
    if frequency:
        where.append("EXISTS (SELECT 1 FROM actions a WHERE a.decision_id = x.id AND a.frequency = ?)")
        params.append(frequency)
    if has_deadline:
        where.append("EXISTS (SELECT 1 FROM actions a WHERE a.decision_id = x.id AND a.deadline IS NOT NULL)")
    rows = db.execute(
        "SELECT x.id, x.doc_id, x.maker, x.text, d.title, d.published, d.url, d.source FROM decisions x"
        f" JOIN documents d ON d.id = x.doc_id WHERE {' AND '.join(where)}"
        " ORDER BY d.published IS NULL, d.published DESC, x.doc_id, x.start LIMIT ? OFFSET ?",
        params + [limit, offset]).fetchall()
    return [{"id": did, "doc_id": doc_id, "maker": maker, "text": text, "title": title, "published": published,
             "url": url, "source": source, "actions": actions_of(db, did)}
            for did, doc_id, maker, text, title, published, url, source in rows]


@one_snapshot
def responsibilities(db: sqlite_utils.Database, *, organisation: str | None = None,
                     limit: int = 500) -> list[dict]:
    """"Who is responsible for what": actions grouped by each responsible body or official.

    ``[{"responsible": "Энергетика министрлігі", "actions": [{text, frequency, deadline, doc_id, maker}, ...]}]``,
    the busiest first.
    """
    rows = db.execute(
        "SELECT a.responsible, a.text, a.frequency, a.deadline, a.doc_id, x.maker, d.published, d.title FROM actions a"
        " JOIN decisions x ON x.id = a.decision_id JOIN documents d ON d.id = a.doc_id"
        " WHERE a.responsible IS NOT NULL AND a.responsible != '[]'"
        " ORDER BY d.published IS NULL, d.published DESC LIMIT 20000").fetchall()
    groups: dict[str, dict] = {}
    needle = organisation.casefold() if organisation else None
    for responsible, text, frequency, deadline, doc_id, maker, published, title in rows:
        for who in json.loads(responsible or "[]"):
            if needle and needle not in who.casefold():
                continue
            group = groups.setdefault(who.casefold(), {"responsible": who, "actions": []})
            group["actions"].append({"text": text, "frequency": frequency, "deadline": deadline,
                                     "doc_id": doc_id, "title": title, "maker": maker, "published": published})
    return sorted(groups.values(), key=lambda g: (-len(g["actions"]), sort_key(g["responsible"])))[:limit]


@one_snapshot
def _has_table(db: sqlite_utils.Database, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def find_document(db: sqlite_utils.Database, url: str) -> str | None:
    """The id of the document known by ``url``: its stored or canonical URL, any URL or path it was found
    at (``document_origins``), or any address of the same page (tracking parameters, ``www.``, …)."""
    from kznlp.scrape.urls import clean_url, url_key

    url = (url or "").strip()
    if not url:
        return None
    candidates = list(dict.fromkeys([url, clean_url(url) if url.startswith(("http://", "https://")) else url]))
    marks = ",".join("?" * len(candidates))
    lookups = [(f"SELECT id FROM documents WHERE url IN ({marks}) OR canonical_url IN ({marks}) ORDER BY rowid LIMIT 1",
                candidates * 2)]
    if _has_table(db, "document_origins"):  # an archive from before schema 5 opened read-only has none
        lookups.append((f"SELECT doc_id FROM document_origins WHERE origin IN ({marks}) LIMIT 1", candidates))
    if url.startswith(("http://", "https://")):
        lookups.append(("SELECT doc_id FROM crawl_aliases WHERE key = ?", [url_key(url)]))
    for sql, params in lookups:
        row = db.execute(sql, params).fetchone()
        if row is not None:
            return row[0]
    return None


def get_document(db: sqlite_utils.Database, doc_id: str) -> dict | None:
    """A document with its entities, officials (with mention offsets), figures and decisions."""
    row = db.execute("SELECT id, url, canonical_url, source, title, published, language, text FROM documents"
                     " WHERE id = ?", (doc_id,)).fetchone()
    if row is None:
        return None
    keys = ("id", "url", "canonical_url", "source", "title", "published", "language", "text")
    doc = dict(zip(keys, row))
    doc["origins"] = [o for (o,) in db.execute("SELECT origin FROM document_origins WHERE doc_id = ? ORDER BY added_at,"
                                               " origin", (doc_id,)).fetchall()] if _has_table(db, "document_origins") else []
    doc["entities"] = [{"label": label, "text": t, "start": s, "end": e} for label, t, s, e in db.execute(
        "SELECT label, text, start, end FROM entities WHERE doc_id = ? ORDER BY start", (doc_id,)).fetchall()]
    officials: dict[int, dict] = {}
    for oid, name, t, s, e in db.execute(
            "SELECT o.id, o.name, m.text, m.start, m.end FROM mentions m JOIN officials o ON o.id = m.official_id"
            " WHERE m.doc_id = ? ORDER BY m.start", (doc_id,)).fetchall():
        officials.setdefault(oid, {"id": oid, "name": name, "positions": [], "organisations": [], "mentions": []})
        officials[oid]["mentions"].append({"text": t, "start": s, "end": e})
    for oid, name, position, organisation in db.execute(
            "SELECT o.id, o.name, p.position, p.organisation FROM positions p JOIN officials o ON o.id = p.official_id"
            " WHERE p.doc_id = ? ORDER BY p.id", (doc_id,)).fetchall():
        entry = officials.setdefault(oid, {"id": oid, "name": name, "positions": [], "organisations": [],
                                           "mentions": []})
        entry["positions"].append(position)
        if organisation:
            entry["organisations"].append(organisation)
    doc["officials"] = list(officials.values())
    doc["figures"] = [{"text": t, "value": v, "unit": u, "qualifier": q, "subject": sub, "start": s, "end": e}
                      for t, v, u, q, sub, s, e in db.execute(
                          "SELECT text, value, unit, qualifier, subject, start, end FROM figures WHERE doc_id = ?"
                          " ORDER BY start", (doc_id,)).fetchall()]
    doc["decisions"] = []
    for did, maker, text, s, e in db.execute("SELECT id, maker, text, start, end FROM decisions WHERE doc_id = ?"
                                             " ORDER BY start", (doc_id,)).fetchall():
        actions = [{"text": t, "responsible": json.loads(r or "[]"), "frequency": f, "deadline": d, "start": a,
                    "end": b} for t, r, f, d, a, b in db.execute(
                        "SELECT text, responsible, frequency, deadline, start, end FROM actions WHERE decision_id = ?"
                        " ORDER BY start", (did,)).fetchall()]
        doc["decisions"].append({"maker": maker, "text": text, "start": s, "end": e, "actions": actions})
    return doc


def segments(doc: dict) -> list[dict]:
    """The document text cut into ``{"text", "label", "official_id"}`` pieces: officials' mentions
    (linked), then other entities; overlaps keep the earlier, longer span.

    >>> [s["text"] for s in segments({"text": "Әкім Сағынтаев келді", "entities": [],
    ...     "officials": [{"id": 1, "mentions": [{"start": 5, "end": 14}]}]})]
    ['Әкім ', 'Сағынтаев', ' келді']
    """
    text = doc.get("text") or ""
    spans = []
    for official in doc.get("officials", []):
        for m in official["mentions"]:
            spans.append((m["start"], m["end"], "OFFICIAL", official["id"]))
    for e in doc.get("entities", []):
        spans.append((e["start"], e["end"], e["label"], None))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0]), s[2] != "OFFICIAL"))
    out, pos = [], 0
    for start, end, label, oid in spans:
        if start < pos or start >= end or end > len(text):
            continue
        if start > pos:
            out.append({"text": text[pos:start], "label": None, "official_id": None})
        out.append({"text": text[start:end], "label": label, "official_id": oid})
        pos = end
    if pos < len(text):
        out.append({"text": text[pos:], "label": None, "official_id": None})
    return out


@one_snapshot
def sources(db: sqlite_utils.Database) -> list[str]:
    return sorted((s for (s,) in db.execute("SELECT DISTINCT source FROM documents WHERE source IS NOT NULL")),
                  key=sort_key)


@one_snapshot
def export_documents(db: sqlite_utils.Database) -> Iterator[dict]:
    """Every document as the JSON output schema (``Document.to_dict()``), plus ``source``."""
    for (doc_id,) in db.execute("SELECT id FROM documents ORDER BY published, id").fetchall():
        doc = get_document(db, doc_id)
        yield {"doc": doc["id"], "title": doc["title"], "published": doc["published"], "language": doc["language"],
               "url": doc["url"], "source": doc["source"], "text": doc["text"], "entities": doc["entities"],
               "officials": [{k: o[k] for k in ("name", "positions", "organisations", "mentions")}
                             for o in doc["officials"]],
               "figures": doc["figures"], "decisions": doc["decisions"]}


EXPORT_COLUMNS = ("doc", "published", "source", "url", "maker", "decision", "action", "responsible", "frequency",
                  "deadline")


@one_snapshot
def export_actions(db: sqlite_utils.Database) -> Iterator[dict]:
    """One flat row per action item (decisions without actions get one row with an empty action)."""
    rows = db.execute(
        "SELECT x.doc_id, d.published, d.source, d.url, x.maker, x.text, a.text, a.responsible, a.frequency,"
        " a.deadline FROM decisions x JOIN documents d ON d.id = x.doc_id LEFT JOIN actions a ON a.decision_id = x.id"
        " ORDER BY d.published, x.doc_id, x.start, a.start")
    for row in rows:
        item = dict(zip(EXPORT_COLUMNS, row))
        item["responsible"] = "; ".join(json.loads(item["responsible"] or "[]"))
        yield item


def to_csv(rows: Iterator[dict], columns: tuple[str, ...]) -> Iterator[str]:
    """CSV text, one line at a time (header first)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        yield buffer.getvalue()
