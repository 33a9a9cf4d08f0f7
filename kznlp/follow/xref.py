"""Cross-referencing a list of names with the archive's officials.

Each name may be written in any case, ending or script ("Сағынтаевқа", "Sağyntaev", "САҒЫНТАЕВ"): Latin
and Arabic-script names are read in Cyrillic (``kznlp.text.translit``), every word is stemmed
(``search_stem``) and an official matches when his name has every stem.
"""

from __future__ import annotations

import csv
import io

import sqlite_utils

from kznlp.errors import InputError
from kznlp.store.archive import WORD, _cyrillic, _is_latin, one_snapshot
from kznlp.store.filters import official_ids_sql, register_functions
from kznlp.text.collate import sort_key
from kznlp.text.decode import decode_bytes

MAX_BYTES = 2 * 1024 * 1024  # a list of names, not a data dump
MAX_NAMES = 5_000
OUT_COLUMNS = ("name", "official_id", "official", "positions", "documents", "first", "last")


def read_names(data: bytes, column: str = "name", *, source: str = "file") -> list[str]:
    """The names in ``column`` of a CSV file (header row first; comma, semicolon or tab separated).
    InputError with a one-line reason for a file that is too big, binary, empty, not CSV or lacks the column."""
    if len(data) > MAX_BYTES:
        raise InputError(f"{source}: over {MAX_BYTES // (1024 * 1024)} MB; a list of names is expected")
    try:
        text = decode_bytes(data).text
    except InputError as error:
        raise InputError(f"{source}: {error}") from None
    if text.lstrip().startswith(("<", "{", "[", "%PDF")):
        raise InputError(f"{source}: not a CSV file (it looks like HTML, XML, JSON or PDF)")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as error:
        raise InputError(f"{source}: not a CSV file ({error})") from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise InputError(f"{source}: empty")
    header = [cell.strip().lstrip("\ufeff") for cell in rows[0]]
    folded = [h.casefold() for h in header]
    if column.casefold() not in folded:
        shown = ", ".join(repr(h) for h in header[:10])
        raise InputError(f"{source}: no column {column!r} (the header row has {shown}; choose the column holding the names)")
    k = folded.index(column.casefold())
    names = [r[k].strip() for r in rows[1:] if k < len(r) and r[k].strip()]
    if not names:
        raise InputError(f"{source}: no names in column {column!r}")
    if len(names) > MAX_NAMES:
        raise InputError(f"{source}: {len(names)} names, at most {MAX_NAMES} at a time")
    return names


def _cyrillic_name(name: str) -> str:
    return " ".join(_cyrillic(w) if _is_latin(w) else w for w in WORD.findall(name))


@one_snapshot
def match_name(db: sqlite_utils.Database, name: str) -> list[dict]:
    """The officials a name matches, most documents first: ``{id, name, positions: [{position,
    organisation, first, last}], documents, first, last}`` (dates of the first and last dated document)."""
    register_functions(db.conn)
    reading = _cyrillic_name(name)
    if not WORD.search(reading):
        return []
    sql, params = official_ids_sql(reading)
    out = []
    for oid, oname in db.execute(f"SELECT id, name FROM officials WHERE id IN ({sql})", params).fetchall():
        docs, first, last = db.execute(
            "SELECT count(*), min(published), max(published) FROM documents WHERE id IN"
            " (SELECT doc_id FROM mentions WHERE official_id = ? UNION SELECT doc_id FROM positions"
            " WHERE official_id = ?)", (oid, oid)).fetchone()
        positions = [{"position": p, "organisation": org, "first": f, "last": la} for p, org, f, la in db.execute(
            "SELECT p.position, p.organisation, min(d.published), max(d.published) FROM positions p"
            " JOIN documents d ON d.id = p.doc_id WHERE p.official_id = ? GROUP BY kz_fold(p.position)"
            " ORDER BY count(*) DESC, kz_sort(p.position)", (oid,)).fetchall()]
        out.append({"id": oid, "name": oname, "positions": positions, "documents": docs, "first": first,
                    "last": last})
    return sorted(out, key=lambda o: (-o["documents"], sort_key(o["name"])))


def cross_reference(db: sqlite_utils.Database, names: list[str]) -> list[dict]:
    """``[{"name": as given, "reading": in Cyrillic, "matches": [...]}]`` in the order given."""
    return [{"name": n, "reading": _cyrillic_name(n), "matches": match_name(db, n)} for n in names]


def csv_rows(results: list[dict]):
    """One row per (name, official); a name that matches no one gets one row with the official empty."""
    for r in results:
        if not r["matches"]:
            yield {"name": r["name"], "documents": 0}
        for m in r["matches"]:
            yield {"name": r["name"], "official_id": m["id"], "official": m["name"],
                   "positions": "; ".join(p["position"] for p in m["positions"]), "documents": m["documents"],
                   "first": m["first"] or "", "last": m["last"] or ""}
