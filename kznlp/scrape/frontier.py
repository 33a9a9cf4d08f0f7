"""The crawl frontier and the crawler's bookkeeping, kept in the archive database (schema v2 tables).

Every change is one transaction, so a crawl killed at any moment leaves a consistent frontier: URLs in flight
stay ``pending`` and are fetched again on ``--resume``; a document whose row is already in ``documents`` (by
URL or by any alias key) is never fetched or stored again.
"""

from __future__ import annotations

import sqlite3
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlite_utils

from kznlp.scrape.records import Kind, Link, Page
from kznlp.scrape.urls import host_of, url_key

PRIORITY = {"sitemap": 0, "feed": 0, "auto": 1, "listing": 1, "article": 2}
DONE_STATES = ("done", "failed", "skipped", "blocked")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _bands(simhash: int) -> list[int]:
    """The four 16-bit bands of a 64-bit SimHash: near-duplicates share at least one."""
    return [(simhash >> (16 * i)) & 0xFFFF for i in range(4)]


@dataclass(frozen=True, slots=True)
class FrontierItem:
    key: str
    url: str
    host: str
    kind: Kind
    source: str | None
    depth: int
    hint_published: str | None
    hint_title: str | None


@dataclass(frozen=True, slots=True)
class Conditional:
    etag: str | None
    last_modified: str | None


class Frontier:
    def __init__(self, db: sqlite_utils.Database, key=url_key):
        """``key(url)``: the frontier key of a URL (``url_key``, or the crawler's, which keys a mirror's
        pages under its site)."""
        self.db = db
        self.conn: sqlite3.Connection = db.conn
        self.key = key

    # -- statements shared by the transactions below (each runs inside its caller's) -------------------------
    def _queue(self, key: str, link: Link, *, source: str | None, depth: int, now: str) -> int:
        """Insert ``link`` as pending unless its key is already in the frontier; 1 if inserted, else 0.  A
        known key found at another host (a mirror served on a new port) is fetched from there from now on."""
        inserted = self.conn.execute(
            "INSERT OR IGNORE INTO crawl_frontier (key, url, host, kind, source, depth, priority, status,"
            " hint_published, hint_title, attempts, added_at, updated_at)"
            " VALUES (?,?,?,?,?,?,?,'pending',?,?,0,?,?)",
            (key, link.url, host_of(link.url), link.kind, source, depth, PRIORITY[link.kind],
             link.published, link.title, now, now)).rowcount
        if not inserted:
            self.conn.execute("UPDATE crawl_frontier SET url = ?, host = ? WHERE key = ? AND host != ?",
                              (link.url, host_of(link.url), key, host_of(link.url)))
        return inserted

    def _set_status(self, key: str, status: str, reason: str | None, now: str) -> None:
        self.conn.execute("UPDATE crawl_frontier SET status=?, reason=?, attempts=attempts+1, updated_at=?"
                          " WHERE key=?", (status, reason, now, key))

    def _alias_keys(self, keys: set[str], doc_id: str) -> None:
        for key in keys:
            self.conn.execute("INSERT OR IGNORE INTO crawl_aliases (key, doc_id) VALUES (?, ?)", (key, doc_id))

    # -- queue -----------------------------------------------------------------------------------------------
    def add(self, links: list[Link] | tuple[Link, ...], *, source: str | None, depth: int = 0,
            requeue: bool = False) -> int:
        """Queue links not seen before (``requeue``: also put finished ones back, for entry points)."""
        added = 0
        now = _now()
        with self.conn:
            for link in links:
                key = self.key(link.url)
                if self._queue(key, link, source=source, depth=depth, now=now):
                    added += 1
                elif requeue:
                    added += self.conn.execute("UPDATE crawl_frontier SET status='pending', reason=NULL, updated_at=?"
                                               " WHERE key=? AND status != 'pending'", (now, key)).rowcount
        return added

    def next_items(self, limit: int, *, exclude: set[str], busy_hosts: set[str],
                   kinds: tuple[str, ...] | None = None) -> list[FrontierItem]:
        rows = self.conn.execute(
            "SELECT key, url, host, kind, source, depth, hint_published, hint_title FROM crawl_frontier"
            " WHERE status = 'pending' ORDER BY priority, rowid LIMIT ?", (limit + len(exclude) + 200,)).fetchall()
        out = []
        for row in rows:
            item = FrontierItem(*row)
            if item.key in exclude or item.host in busy_hosts or (kinds and item.kind not in kinds):
                continue
            out.append(item)
            if len(out) >= limit:
                break
        return out

    def finish(self, key: str, status: str, reason: str | None = None) -> None:
        with self.conn:
            self._set_status(key, status, reason, _now())

    def finish_with_links(self, item: FrontierItem, links: list[Link], *, depth: int, page: Page | None) -> int:
        """Queue what a discovery page yielded and mark it done, in one transaction."""
        added = 0
        now = _now()
        with self.conn:
            for link in links:
                added += self._queue(self.key(link.url), link, source=item.source, depth=depth, now=now)
            if page is not None:
                self._page_row(item.key, page, doc_id=None, keep_body=False)
            self._set_status(item.key, "done", None, now)
        return added

    # -- what is stored ----------------------------------------------------------------------------------------
    def stored_doc(self, *keys: str, url: str | None = None) -> str | None:
        """The document already stored under any of these URL keys (or this exact URL), if any."""
        for key in keys:
            row = self.conn.execute("SELECT doc_id FROM crawl_aliases WHERE key = ?", (key,)).fetchone()
            if row:
                return row[0]
        if url is not None:
            row = self.conn.execute("SELECT id FROM documents WHERE url = ? LIMIT 1", (url,)).fetchone()
            if row:
                return row[0]
        return None

    def doc_with_hash(self, content_hash: str, source_host: str) -> str | None:
        row = self.conn.execute(
            "SELECT d.id FROM documents d JOIN crawl_aliases a ON a.doc_id = d.id WHERE d.content_hash = ?"
            " AND a.key LIKE ? LIMIT 1", (content_hash, source_host + "/%")).fetchone()
        return row[0] if row else None

    def conditional(self, key: str) -> Conditional:
        row = self.conn.execute("SELECT etag, last_modified FROM crawl_pages WHERE key = ?", (key,)).fetchone()
        return Conditional(*row) if row else Conditional(None, None)

    def _page_row(self, key: str, page: Page, *, doc_id: str | None, keep_body: bool,
                  encoding: str | None = None, content_hash: str | None = None) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO crawl_pages (key, url, final_url, status_code, content_type, encoding, etag,"
            " last_modified, fetched_at, bytes, content_hash, doc_id, html) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (key, page.url, page.final_url, page.status, page.content_type, encoding, page.etag,
             page.last_modified, _now(), len(page.body), content_hash, doc_id,
             zlib.compress(page.body, 6) if keep_body else None))

    def record_article(self, item: FrontierItem, page: Page, *, doc_id: str, keys: set[str], source: str | None,
                       author: str | None, lead: str | None, original_script: str | None,
                       original_text: str | None, extracted: bool, simhash: int, encoding: str,
                       content_hash: str, duplicate_of: str | None, similarity: float | None) -> None:
        """Aliases, the article's crawl row, the page and the frontier status, in one transaction."""
        now = _now()
        signed = simhash - (1 << 64) if simhash >= (1 << 63) else simhash
        with self.conn:
            self._alias_keys(keys, doc_id)
            self.conn.execute(
                "INSERT OR REPLACE INTO crawl_articles (doc_id, source, url, author, lead, original_script,"
                " original_text, extracted, simhash, band0, band1, band2, band3, duplicate_of, similarity,"
                " fetched_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (doc_id, source, item.url, author, lead, original_script, original_text, int(extracted), signed,
                 *_bands(simhash), duplicate_of, similarity, now))
            self._page_row(item.key, page, doc_id=doc_id, keep_body=True, encoding=encoding,
                           content_hash=content_hash)
            self._set_status(item.key, "done", None, now)

    def alias(self, item: FrontierItem, keys: set[str], doc_id: str, status: str, reason: str) -> None:
        with self.conn:
            self._alias_keys(keys, doc_id)
            self._set_status(item.key, status, reason, _now())

    def near_duplicate_candidates(self, simhash: int, doc_id: str) -> list[tuple[str, int]]:
        rows = self.conn.execute(
            "SELECT doc_id, simhash FROM crawl_articles WHERE (band0=? OR band1=? OR band2=? OR band3=?)"
            " AND doc_id != ? AND duplicate_of IS NULL", (*_bands(simhash), doc_id)).fetchall()
        return [(d, s & ((1 << 64) - 1)) for d, s in rows]

    # -- runs ----------------------------------------------------------------------------------------------------
    def start_run(self, options: str) -> int:
        with self.conn:
            return self.conn.execute("INSERT INTO crawl_runs (started_at, options) VALUES (?, ?)",
                                     (_now(), options)).lastrowid

    def end_run(self, run_id: int, stats: str) -> None:
        with self.conn:
            self.conn.execute("UPDATE crawl_runs SET finished_at=?, stats=? WHERE id=?", (_now(), stats, run_id))
