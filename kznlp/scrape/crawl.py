"""``crawl``: fill the archive from configured sources and ad-hoc URLs, politely and resumably.

The main thread owns the database: it takes pending URLs from the frontier, hands them to a small pool of
fetch threads (paced per host, robots.txt checked), and handles each result as it arrives: a sitemap, feed or
listing queues its links; an article is decoded, extracted, deduplicated and stored.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from typing import Callable

import httpx
import sqlite_utils

from kznlp.errors import InputError
from kznlp.records import Document
from kznlp.scrape.client import HostPacer, fetch, make_client
from kznlp.scrape.discover import gunzip, parse_feed, parse_listing, parse_sitemap, sniff
from kznlp.scrape.frontier import Conditional, Frontier, FrontierItem
from kznlp.scrape.records import CrawlEvent, CrawlStats, Discovery, FetchFailed, FetchPolicy, Link, Page
from kznlp.scrape.robots import RobotsCache
from kznlp.scrape.sites import SiteConfig, site_for, site_named
from kznlp.scrape.urls import absolute, clean_url, doc_id_for, site_host, url_key
from kznlp.store.archive import same_release, save_document, save_origin
from kznlp.text.dates import url_date
from kznlp.text.decode import decode_bytes
from kznlp.text.html import HtmlArticle, looks_like_html, parse_article
from kznlp.text.language import detect_language
from kznlp.text.script import detect_script
from kznlp.text.translit import title_to_cyrillic, transliterate

HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")
XML_TYPES = ("xml", "rss", "atom", "gzip", "x-gzip", "octet-stream")
MIN_ARTICLE_CHARS = 200
NEAR_DUPLICATE_BITS = 8  # simhash Hamming distance for a candidate
NEAR_DUPLICATE_JACCARD = 0.5  # shingle overlap that confirms it


@dataclass(frozen=True, slots=True)
class CrawlOptions:
    sources: tuple[str, ...] = ()  # adapter names, optionally "name=BASE_URL"
    urls: tuple[str, ...] = ()  # ad-hoc article, listing, feed or sitemap URLs
    since: str | None = None  # YYYY-MM-DD: skip older articles
    max_pages: int | None = None  # article pages to fetch in this run
    resume: bool = False  # continue the frontier; entry points already read are not read again
    extract: bool = True  # run the pipeline (NER, officials, figures, decisions) on stored articles
    policy: FetchPolicy = field(default_factory=FetchPolicy)
    workers: int = 4
    model: str | None = None
    sites: tuple[SiteConfig, ...] = ()  # adapters given as objects (the demo site), crawled like sources


# -- near-duplicates -----------------------------------------------------------------------------------------------
_WORD = re.compile(r"[^\W_]+")


def shingles(text: str, size: int = 3) -> set[str]:
    words = [w.casefold() for w in _WORD.findall(text)]
    return {" ".join(words[i:i + size]) for i in range(max(1, len(words) - size + 1))}


def simhash(text: str) -> int:
    """A 64-bit SimHash of word 3-shingles: near-identical texts differ in few bits."""
    weights = [0] * 64
    for shingle in shingles(text):
        h = int.from_bytes(hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += 1 if h >> bit & 1 else -1
    return sum(1 << bit for bit in range(64) if weights[bit] > 0)


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


# -- the crawler --------------------------------------------------------------------------------------------------
class Crawler:
    def __init__(self, db: sqlite_utils.Database, options: CrawlOptions, *,
                 on_event: Callable[[CrawlEvent, CrawlStats], None] | None = None,
                 transport: httpx.BaseTransport | None = None, pipeline=None):
        self.db, self.options = db, options
        self.frontier = Frontier(db, key=self.key)
        self.sites: list[SiteConfig] = [site_named(name) for name in options.sources] + list(options.sites)
        self.by_name = {site.name: site for site in self.sites}
        self.adhoc_hosts = {site_host(url) for url in options.urls}
        self.on_event = on_event
        self.stats = CrawlStats()
        self.policy = options.policy
        self.pacer = HostPacer(self.policy)
        self.client = make_client(self.policy, allowed=self.allowed, transport=transport)
        self.robots = RobotsCache(self.client, self.policy, self.pacer)
        self._pipeline = pipeline
        self.article_fetches = 0

    # -- scope ----------------------------------------------------------------------------------------------------
    def allowed(self, url: str) -> bool:
        host = site_host(url)
        return host in self.adhoc_hosts or any(host in site.hosts for site in self.sites)

    def site_of(self, url: str) -> SiteConfig | None:
        return site_for(url, self.sites)

    def key_host(self, url: str) -> str:
        """The host a URL is keyed (and its document named) under: a mirror's pages under their site's."""
        site = self.site_of(url)
        return site.key_host_of(url) if site is not None else site_host(url)

    def key(self, url: str) -> str:
        return url_key(url, self.key_host(url))

    def pipeline(self):
        if self._pipeline is None:
            from kznlp.pipeline import Pipeline

            self._pipeline = Pipeline(self.options.model)
        return self._pipeline

    def emit(self, event: str, url: str, detail: str | None = None, doc_id: str | None = None) -> None:
        if self.on_event is not None:
            self.on_event(CrawlEvent(event, url, detail, doc_id), self.stats)

    # -- seeding --------------------------------------------------------------------------------------------------
    def seed(self) -> None:
        requeue = not self.options.resume
        for site in self.sites:
            links = site.entry_links()
            if site.robots_sitemaps:
                links += [Link(u, "sitemap") for u in self.robots.rules(site.base_url + "/").sitemaps()
                          if self.allowed(u)]
            self.frontier.add(links, source=site.name, requeue=requeue)
        for url in self.options.urls:
            site = self.site_of(url)
            kind = "article" if site is not None and site.article_patterns and site.is_article(url) else "auto"
            self.frontier.add([Link(url, kind)], source=site.name if site else site_host(url), requeue=requeue)

    # -- the loop -------------------------------------------------------------------------------------------------
    def _work(self, item: FrontierItem, conditional: Conditional | None) -> Page | FetchFailed:
        """In a fetch thread (no database here: ``conditional`` was read by the main thread)."""
        if not self.allowed(item.url):
            return FetchFailed(item.url, "off the crawled hosts", blocked=True)
        if not self.robots.allows(item.url):
            return FetchFailed(item.url, "disallowed by robots.txt", blocked=True)
        return fetch(self.client, item.url, policy=self.policy, pacer=self.pacer,
                     etag=conditional.etag if conditional else None,
                     last_modified=conditional.last_modified if conditional else None)

    def run(self) -> CrawlStats:
        started = time.monotonic()
        run_id = self.frontier.start_run(json.dumps(asdict(self.options), ensure_ascii=False, default=str))
        try:
            self.seed()
            per_host = self.pacer.per_host
            with ThreadPoolExecutor(max_workers=max(1, self.options.workers)) as pool:
                inflight: dict[Future, FrontierItem] = {}
                while True:
                    budget_left = self.options.max_pages is None or self.article_fetches < self.options.max_pages
                    hosts: dict[str, int] = {}
                    for item in inflight.values():
                        hosts[item.host] = hosts.get(item.host, 0) + 1
                    busy = {h for h, n in hosts.items() if n >= per_host}
                    room = self.options.workers * 2 - len(inflight)
                    if room > 0:
                        kinds = None if budget_left else ("sitemap", "feed", "listing")
                        for item in self.frontier.next_items(room, exclude={i.key for i in inflight.values()},
                                                             busy_hosts=busy, kinds=kinds):
                            if item.host in busy:
                                continue
                            conditional = None  # articles are never asked for conditionally
                            if item.kind in ("article", "auto"):
                                if self.options.max_pages is not None and \
                                        self.article_fetches >= self.options.max_pages:
                                    continue
                                stored = self.frontier.stored_doc(item.key, url=clean_url(item.url))
                                if stored is not None:
                                    self.frontier.finish(item.key, "skipped", "already stored")
                                    self.stats.skipped += 1
                                    self.emit("skipped", item.url, "already stored", stored)
                                    continue
                                self.article_fetches += 1
                            else:
                                conditional = self.frontier.conditional(item.key)
                            inflight[pool.submit(self._work, item, conditional)] = item
                            hosts[item.host] = hosts.get(item.host, 0) + 1
                            if hosts[item.host] >= per_host:
                                busy.add(item.host)
                    if not inflight:
                        break
                    done, _ = wait(list(inflight), timeout=0.5, return_when=FIRST_COMPLETED)
                    for future in done:
                        item = inflight.pop(future)
                        try:
                            self.handle(item, future.result())
                        except InputError as error:
                            self.frontier.finish(item.key, "failed", str(error))
                            self._error(item.url, str(error))
                    self.stats.elapsed = time.monotonic() - started
                    self.emit("tick", "")
        finally:
            self.client.close()
            self.stats.elapsed = time.monotonic() - started
            self.frontier.end_run(run_id, json.dumps(self.stats.as_dict(), ensure_ascii=False))
        return self.stats

    def _error(self, url: str, reason: str) -> None:
        self.stats.errors += 1
        if len(self.stats.error_samples) < 50:
            self.stats.error_samples.append(f"{url}: {reason}")
        self.emit("error", url, reason)

    # -- handling a result ----------------------------------------------------------------------------------------
    def handle(self, item: FrontierItem, result: Page | FetchFailed) -> None:
        if isinstance(result, FetchFailed):
            if result.blocked:
                self.stats.blocked += 1
                self.frontier.finish(item.key, "blocked", result.reason)
                self.emit("blocked", item.url, result.reason)
            else:
                self.frontier.finish(item.key, "failed", result.reason)
                self._error(item.url, result.reason)
            return
        self.stats.fetched += 1
        self.emit("fetched", item.url, str(result.status))
        if result.not_modified:
            self.stats.not_modified += 1
            self.frontier.finish(item.key, "done", "not modified")
            self.emit("not_modified", item.url)
            return
        if result.status == 404 and item.kind == "listing" and item.depth > 0:
            self._skip(item, "end of the listing (404)")
            return
        if result.status >= 400:
            self.frontier.finish(item.key, "failed", f"HTTP {result.status}")
            self._error(item.url, f"HTTP {result.status}")
            return
        if not result.body.strip():
            self._skip(item, "empty page")
            return
        content_type = result.content_type.split(";")[0].strip().lower()
        kind = item.kind
        if kind in ("auto", "sitemap", "feed") or any(t in content_type for t in XML_TYPES):
            sniffed = sniff(result.body, content_type)
            if sniffed != "auto":
                kind = sniffed
            elif kind in ("sitemap", "feed"):
                self._skip(item, f"not a {kind} ({content_type or 'no content type'})")
                return
        if kind in ("sitemap", "feed"):
            xml = gunzip(result.body)  # once, as a stream, capped: InputError (a failed item) past the cap
            parse = parse_sitemap if kind == "sitemap" else parse_feed
            self._discovered(item, result, parse(xml, result.final_url).links, None)
            return
        if content_type not in HTML_TYPES:
            self._skip(item, f"not HTML ({content_type})")
            return
        try:
            decoded = decode_bytes(result.body, declared=result.charset)
        except InputError as error:
            self._skip(item, str(error))
            return
        html = decoded.text
        if content_type == "text/plain" and not looks_like_html(html):
            self._skip(item, "plain text, not HTML")
            return
        site = self.site_of(result.final_url)
        listing = functools.cache(lambda: parse_listing(html, result.final_url, site))  # parsed once, if at all
        if kind == "listing":
            self._listing(item, result, listing(), site)
            return
        article = parse_article(html, site.article if site else None)
        if kind == "auto" and not self._looks_like_article(article, listing, result.final_url, site):
            self._listing(item, result, listing(), site)
            return
        self._article(item, result, article, decoded.encoding, site)

    def _looks_like_article(self, article: HtmlArticle, listing: Callable[[], Discovery], url: str,
                            site: SiteConfig | None) -> bool:
        """An ad-hoc page: an article when it has a body of some length and is not mostly a list of links."""
        if site is not None and site.article_patterns:
            return site.is_article(url)
        if len(article.text) < MIN_ARTICLE_CHARS or len(article.paragraphs) < 2:
            return False
        return len(article.text) >= 1500 or len(listing().links) < 5

    def _skip(self, item: FrontierItem, reason: str) -> None:
        self.stats.skipped += 1
        self.frontier.finish(item.key, "skipped", reason)
        self.emit("skipped", item.url, reason)

    def _discovered(self, item: FrontierItem, page: Page, links, next_page: str | None) -> None:
        keep = []
        for link in links:
            if not self.allowed(link.url):
                continue
            if self.options.since and link.published and link.published < self.options.since:
                continue
            site = self.site_of(link.url)
            if link.kind == "article" and site is not None and not site.is_article(link.url):
                continue
            keep.append(link)
        if next_page and self.allowed(next_page):
            keep.append(Link(next_page, "listing"))
        added = self.frontier.finish_with_links(item, keep, depth=item.depth + 1, page=page)
        self.stats.discovered += added
        self.emit("discovered", item.url, f"{added} new of {len(keep)} links")

    def _listing(self, item: FrontierItem, page: Page, found: Discovery, site: SiteConfig | None) -> None:
        links = list(found.links)
        limit = site.max_listing_pages if site is not None else 5
        next_page = found.next_page
        if next_page is None and site is not None and site.pagination:
            next_page = site.listing_page(page.final_url, item.depth + 2)
        dated = [link.published for link in links if link.published]
        too_old = bool(self.options.since and dated and max(dated) < self.options.since)
        if item.depth + 1 >= limit or not links or too_old:
            next_page = None
        self._discovered(item, page, links, next_page)

    def _article(self, item: FrontierItem, page: Page, article: HtmlArticle, encoding: str,
                 site: SiteConfig | None) -> None:
        if len(article.text) < MIN_ARTICLE_CHARS // 2:
            self._skip(item, "no article text on the page")
            return
        final_key = self.key(page.final_url)
        keys = {item.key, final_key}
        canonical = absolute(page.final_url, article.url)  # None when the page names none
        canonical_key = final_key
        if canonical and site_host(canonical) == site_host(page.final_url):
            canonical_key = self.key(canonical)
            keys.add(canonical_key)
        existing = self.frontier.stored_doc(*keys)
        if existing is not None:
            self.stats.duplicates += 1
            self.frontier.alias(item, keys, existing, "skipped", "same document as another URL")
            self.emit("duplicate", item.url, "same document as another URL", existing)
            return
        published = article.published or item.hint_published
        if not published:  # no date in the page, its metadata or the listing: the one its address gives
            found = next(filter(None, (url_date(u) for u in (canonical, page.final_url, item.url))), None)
            published = found.isoformat() if found else None
        if self.options.since and published and published < self.options.since:
            self._skip(item, f"published {published}, before --since")
            return
        # Latin and Arabic-script Kazakh is stored in Cyrillic (hashes, near-duplicates and search use
        # it), the page as written kept alongside
        script = detect_script(article.text)
        text, title, original = article.text, article.title, None
        if script != "cyrl":
            converted = transliterate(text)
            if converted.changed:
                original, text = text, converted.text
                title = title_to_cyrillic(title)
        language = detect_language(text)
        content_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
        same = self.frontier.doc_with_hash(content_hash, self.key_host(page.final_url))
        if same is not None:
            self.stats.duplicates += 1
            self.frontier.alias(item, keys, same, "skipped", "same text as another URL of this site")
            self.emit("duplicate", item.url, "same text as another URL of this site", same)
            return
        url = clean_url(item.url)  # the address as found, less tracking parameters (?utm_source=sitemap)
        release = same_release(self.db, text, title)  # the same release, read from a file or another site
        if release is not None:
            self.stats.duplicates += 1
            self.frontier.alias(item, keys, release, "skipped", "same text as a stored document")
            save_origin(self.db, url, release, item.source)
            self.emit("duplicate", item.url, "same text as a stored document", release)
            return
        doc_id = doc_id_for(canonical_key)
        fingerprint = simhash(text)
        duplicate_of, similarity = self._near_duplicate(text, fingerprint, doc_id)
        if self.options.extract:  # the pipeline converts the page itself, so spans also point into it
            doc = self.pipeline().process(original if original is not None else text, doc_id=doc_id,
                                          title=article.title if original is not None else title,
                                          published=published, url=url)
        else:
            doc = Document(doc=doc_id, text=text, language=language.code, title=title, published=published,
                           url=url, script=script, original=original)
        source = site.name if site is not None else (item.source or site_host(page.final_url))
        save_document(self.db, doc, source=source, script=script,
                      canonical_url=clean_url(canonical or page.final_url), origin=url)
        self.frontier.record_article(
            item, page, doc_id=doc_id, keys=keys, source=source, author=article.author, lead=article.lead,
            original_script=script if original is not None else None, original_text=original,
            extracted=self.options.extract, simhash=fingerprint, encoding=encoding, content_hash=content_hash,
            duplicate_of=duplicate_of, similarity=similarity)
        self.stats.stored += 1
        self.emit("stored", item.url, doc.title, doc_id)
        if duplicate_of:
            self.stats.near_duplicates += 1
            self.emit("near_duplicate", item.url, f"{duplicate_of} ({similarity:.2f})", doc_id)

    def _near_duplicate(self, text: str, fingerprint: int, doc_id: str) -> tuple[str | None, float | None]:
        mine = None
        best: tuple[str | None, float | None] = (None, None)
        for other, other_hash in self.frontier.near_duplicate_candidates(fingerprint, doc_id):
            if bin(fingerprint ^ other_hash).count("1") > NEAR_DUPLICATE_BITS:
                continue
            row = self.db.conn.execute("SELECT text FROM documents WHERE id = ?", (other,)).fetchone()
            if row is None:
                continue
            mine = mine if mine is not None else shingles(text)
            score = _jaccard(mine, shingles(row[0]))
            if score >= NEAR_DUPLICATE_JACCARD and (best[1] is None or score > best[1]):
                best = (other, round(score, 3))
        return best


def crawl(db: sqlite_utils.Database, options: CrawlOptions, *,
          on_event: Callable[[CrawlEvent, CrawlStats], None] | None = None,
          transport: httpx.BaseTransport | None = None, pipeline=None) -> CrawlStats:
    """Crawl ``options.sources`` and ``options.urls`` into the archive ``db``; returns the counts."""
    if not options.sources and not options.urls and not options.sites:
        raise InputError("nothing to crawl: name a --source or give URLs")
    for url in options.urls:
        if not url.startswith(("http://", "https://")):
            raise InputError(f"{url}: not an http(s) URL")
    return Crawler(db, options, on_event=on_event, transport=transport, pipeline=pipeline).run()


__all__ = ["CrawlOptions", "Crawler", "crawl", "simhash", "shingles"]
