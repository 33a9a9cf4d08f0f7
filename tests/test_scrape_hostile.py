"""The crawler against hostile input on a real server on 127.0.0.1: a gzip-bomb sitemap, a server dripping one
byte at a time, XML entities (an entity in <loc>, a billion-laughs feed), tracking parameters in stored URLs."""

from __future__ import annotations

import contextlib
import gzip
import time
import tracemalloc
import zlib
from dataclasses import replace

import pytest

from kznlp.scrape.client import fetch, make_client
from kznlp.scrape.crawl import CrawlOptions, crawl
from kznlp.scrape.discover import parse_feed, parse_sitemap
from kznlp.scrape.records import FetchFailed, Page
from kznlp.store.archive import open_archive
from scrape_support import FAST, KAZAKH, article_html, serve

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _bomb(mib: int = 256) -> bytes:
    """A gzip sitemap of about 0.25 MB that inflates to ``mib`` MiB (gzip members of blank space)."""
    head = gzip.compress(f'<?xml version="1.0"?><urlset xmlns="{SITEMAP_NS}"><url><loc>/news/bomb-link-1</loc>'
                         "</url>".encode())
    blank = gzip.compress(b" " * (16 << 20), compresslevel=9)
    return head + blank * (mib // 16) + gzip.compress(b"</urlset>")


BOMB = _bomb()
GOOD = gzip.compress(f'<?xml version="1.0"?><urlset xmlns="{SITEMAP_NS}">'
                     "<url><loc>/news/x-y-z.html?utm_source=sitemap&amp;utm_medium=xml</loc></url></urlset>".encode())


def send_bytes(body: bytes, content_type: str):
    def route(handler, n):
        handler.send(200, body, content_type)
    return route


def drip(handler, n):
    """Headers at once, then one byte of the page every 0.3 s for about 9 s: each read is quick."""
    body = article_html("Drip", KAZAKH).encode()[:30]
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    with contextlib.suppress(OSError):
        for byte in body:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(0.3)


def slow_headers(handler, n):
    """Accept, then send the status line and headers one byte every 0.3 s (about 25 s in all): each read is
    quick, and no response object exists until the headers are in."""
    body = article_html("Slow headers", KAZAKH).encode()
    head = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
            "X-Padding: " + "x" * 20 + "\r\n\r\n").encode()
    with contextlib.suppress(OSError):
        for byte in head:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(0.3)
        handler.wfile.write(body)
    handler.close_connection = True


ROUTES = {
    "/robots.txt": send_bytes(b"User-agent: *\nAllow: /\n", "text/plain"),
    "/bomb.xml.gz": send_bytes(BOMB, "application/x-gzip"),
    "/good.xml.gz": send_bytes(GOOD, "application/x-gzip"),
    "/news/x-y-z.html": send_bytes(article_html("Жаңалық", KAZAKH).encode(), "text/html; charset=utf-8"),
    "/drip": drip,
    "/slow-headers": slow_headers,
}


@pytest.fixture(scope="module")
def site():
    with serve(None, ROUTES) as server:
        yield server


def test_gzip_bomb_sitemap_is_inflated_as_a_stream_up_to_a_cap(site, tmp_path):
    db = open_archive(tmp_path / "a.db")
    options = CrawlOptions(urls=(site.url + "/bomb.xml.gz", site.url + "/good.xml.gz"), extract=False,
                           policy=FAST, workers=2)
    tracemalloc.start()
    try:
        stats = crawl(db, options)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    status = dict(db.execute("SELECT url, status || ':' || coalesce(reason, '') FROM crawl_frontier").fetchall())
    assert status[site.url + "/bomb.xml.gz"].startswith("failed:") and "cap" in status[site.url + "/bomb.xml.gz"]
    assert peak < 160 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB"  # the cap (50 MB), not the 256 MiB inside
    assert stats.stored == 1  # the good .xml.gz sitemap still gives its article


def test_stored_url_is_the_cleaned_one(site, tmp_path):
    """A page with no canonical link, found as ``…?utm_source=sitemap``: stored without the tracking."""
    db = open_archive(tmp_path / "a.db")
    crawl(db, CrawlOptions(urls=(site.url + "/good.xml.gz",), extract=False, policy=FAST))
    assert db.execute("SELECT url, canonical_url FROM documents").fetchall() == [
        (site.url + "/news/x-y-z.html", site.url + "/news/x-y-z.html")]
    assert any("utm_source" in path for path in site.requests)  # fetched as found, stored clean


def test_timeout_bounds_the_whole_response(site):
    policy = replace(FAST, timeout=1.5, retries=0)
    with make_client(policy) as client:
        started = time.monotonic()
        result = fetch(client, site.url + "/drip", policy=policy)
        elapsed = time.monotonic() - started
    assert isinstance(result, FetchFailed) and "timed out" in result.reason
    assert elapsed < 2.5, elapsed  # not the 9 s the drip takes


def test_timeout_bounds_the_wait_for_headers(site):
    """The phase before the headers arrive (httpx has no response, so no socket to cut, yet) is bounded too."""
    policy = replace(FAST, timeout=1.5, retries=0)
    with make_client(policy) as client:
        started = time.monotonic()
        result = fetch(client, site.url + "/slow-headers", policy=policy)
        elapsed = time.monotonic() - started
        assert isinstance(result, FetchFailed) and result.reason == "timed out after 1.5 s"
        assert elapsed < 2.5, elapsed  # not the 25 s the headers take
        assert isinstance(fetch(client, site.url + "/news/x-y-z.html", policy=policy), Page)  # the client still works


def test_a_crawl_goes_on_past_a_server_that_sends_headers_slowly(site, tmp_path):
    db = open_archive(tmp_path / "a.db")
    policy = replace(FAST, timeout=1.5, retries=1)
    started = time.monotonic()
    stats = crawl(db, CrawlOptions(urls=(site.url + "/slow-headers", site.url + "/news/x-y-z.html"), extract=False,
                                   policy=policy, workers=1))
    assert time.monotonic() - started < 8, "two tries of 1.5 s, the article, the robots.txt"
    assert stats.stored == 1 and stats.errors == 1
    assert any("/slow-headers: timed out after 1.5 s" in e for e in stats.error_samples)


def test_an_entity_in_loc_drops_that_entry_only():
    body = (f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY e "/evil">]><urlset xmlns="{SITEMAP_NS}">'
            "<url><loc>https://bairaq.kz/news/a?x=1&amp;y=2</loc></url>"
            "<url><loc>https://bairaq.kz/news/b?x=1&e;y=2</loc></url>"
            "<url><loc>https://bairaq.kz/news/c&undeclared;</loc></url>"
            "<url><loc>https://bairaq.kz/news/d</loc></url></urlset>").encode()
    urls = [link.url for link in parse_sitemap(body, "https://bairaq.kz/").links]
    assert urls == ["https://bairaq.kz/news/a?x=1&y=2", "https://bairaq.kz/news/d"]  # none cut at an entity


def test_billion_laughs_feed_keeps_its_valid_items():
    levels = ['<!ENTITY lol "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
                                        for i in range(1, 10)]
    body = (f'<?xml version="1.0"?><!DOCTYPE rss [{"".join(levels)}]><rss version="2.0"><channel>'
            "<title>&lol9;</title>"
            "<item><title>Бірінші</title><link>https://bairaq.kz/news/one-two-three</link></item>"
            "<item><title>&lol9;</title><link>https://bairaq.kz/news/four-five-six</link></item>"
            "<item><title>Үшінші</title><link>https://bairaq.kz/news/seven-eight-nine</link></item>"
            "</channel></rss>").encode()
    links = parse_feed(body, "https://bairaq.kz/").links
    assert [(link.url.rsplit("/", 1)[1], link.title) for link in links] == [
        ("one-two-three", "Бірінші"), ("four-five-six", None), ("seven-eight-nine", "Үшінші")]


def test_a_broken_gzip_sitemap_gives_nothing_and_no_error():
    assert parse_sitemap(GOOD[:40], "https://bairaq.kz/").links == ()
    assert zlib.decompress(GOOD, 31)  # the whole one is fine
