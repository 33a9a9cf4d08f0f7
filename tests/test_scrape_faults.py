"""The fetcher against a real local server misbehaving: slow, 500 then 200, 429 + Retry-After, redirect loop,
robots.txt disallow, mis-declared charsets, truncated body, a 50 MB page, non-HTML, empty 200."""

from __future__ import annotations

import time
import tracemalloc
from dataclasses import replace

import httpx
import pytest

from kznlp.scrape.client import fetch, make_client
from kznlp.scrape.crawl import CrawlOptions, crawl
from kznlp.scrape.records import FetchFailed, Page
from kznlp.store.archive import open_archive
from scrape_support import (FAST, KAZAKH, busy, conditional, cp1251_declared_utf8, empty, flaky, huge, image,
                           redirect_to, robots, serve, slow, truncated, utf8_declared_1251)

ROUTES = {
    "/robots.txt": robots("User-agent: *\nDisallow: /private/\n"),
    "/slow": slow, "/flaky": flaky, "/busy": busy,
    "/loop-a": redirect_to("/loop-b"), "/loop-b": redirect_to("/loop-a"),
    "/moved": redirect_to("/flaky"), "/away": redirect_to("http://example.invalid/x"),
    "/cp1251": cp1251_declared_utf8, "/utf8-as-1251": utf8_declared_1251,
    "/truncated": truncated, "/huge": huge, "/image.png": image, "/empty": empty,
    "/private/secret-release-1234": flaky, "/sitemap.xml": conditional,
}


@pytest.fixture(scope="module")
def site():
    with serve(None, ROUTES) as server:
        yield server


def test_slow_response_times_out_with_retries(site):
    policy = replace(FAST, timeout=0.5, retries=1)
    with make_client(policy) as client:
        started = time.monotonic()
        result = fetch(client, site.url + "/slow", policy=policy)
    assert isinstance(result, FetchFailed) and "timed out" in result.reason and result.retry
    assert time.monotonic() - started < 2.9  # two attempts of 0.5 s, not the server's 3 s


def test_500_then_200_is_retried(site):
    with make_client(FAST) as client:
        result = fetch(client, site.url + "/flaky", policy=FAST)
    assert isinstance(result, Page) and result.status == 200


def test_429_honours_retry_after(site):
    with make_client(FAST) as client:
        started = time.monotonic()
        result = fetch(client, site.url + "/busy", policy=FAST)
    assert isinstance(result, Page) and result.status == 200
    assert time.monotonic() - started >= 0.9  # waited the Retry-After second, not the 0.05 s backoff


def test_retry_after_too_long_gives_up():
    def handler(request):
        return httpx.Response(429, headers={"Retry-After": "3600"})
    policy = FAST
    with make_client(policy, transport=httpx.MockTransport(handler)) as client:
        result = fetch(client, "http://x.test/a", policy=policy)
    assert isinstance(result, FetchFailed) and "Retry-After" in result.reason


def test_redirect_loop_and_off_host_redirect(site):
    allowed = lambda url: url.startswith(site.url)  # noqa: E731
    with make_client(FAST, allowed=allowed) as client:
        loop = fetch(client, site.url + "/loop-a", policy=FAST)
        away = fetch(client, site.url + "/away", policy=FAST)
        moved = fetch(client, site.url + "/moved", policy=FAST)
    assert isinstance(loop, FetchFailed) and "redirects" in loop.reason
    assert isinstance(away, FetchFailed) and away.blocked
    assert isinstance(moved, Page) and moved.final_url.endswith("/flaky")


def test_truncated_body_is_an_error(site):
    policy = replace(FAST, retries=1)
    with make_client(policy) as client:
        result = fetch(client, site.url + "/truncated", policy=policy)
    assert isinstance(result, FetchFailed)


def test_50mb_page_is_cut_at_the_cap_without_allocating_it(site):
    policy = replace(FAST, max_bytes=1024 * 1024)
    tracemalloc.start()
    with make_client(policy) as client:
        result = fetch(client, site.url + "/huge", policy=policy)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert isinstance(result, FetchFailed) and "cap" in result.reason
    assert peak < 8 * 1024 * 1024


def test_conditional_request_gets_304(site):
    with make_client(FAST) as client:
        first = fetch(client, site.url + "/sitemap.xml", policy=FAST)
        again = fetch(client, site.url + "/sitemap.xml", policy=FAST, etag=first.etag)
    assert first.status == 200 and first.etag == '"v1"'
    assert again.not_modified


def test_crawl_over_faults(site, tmp_path):
    """One crawl over every fault: what is stored, skipped, blocked and failed, and the decoded text."""
    db = open_archive(tmp_path / "a.db")
    paths = ["/flaky", "/busy", "/cp1251", "/utf8-as-1251", "/truncated", "/image.png", "/empty", "/loop-a",
             "/private/secret-release-1234", "/huge"]
    options = CrawlOptions(urls=tuple(site.url + p for p in paths), extract=False,
                           policy=replace(FAST, max_bytes=512 * 1024, retries=1), workers=2)
    stats = crawl(db, options)
    rows = {r[0].rsplit("/", 1)[1]: r for r in db.execute(
        "SELECT url, language, text FROM documents").fetchall()}
    assert set(rows) == {"flaky", "busy", "cp1251", "utf8-as-1251"}
    assert rows["cp1251"][1] == "ru" and "Президент Казахстана поручил" in rows["cp1251"][2]
    assert rows["utf8-as-1251"][1] == "kk" and KAZAKH.split(".")[0] in rows["utf8-as-1251"][2]
    status = dict(db.execute("SELECT url, status || ':' || coalesce(reason, '') FROM crawl_frontier").fetchall())
    assert status[site.url + "/image.png"].startswith("skipped:not HTML")
    assert status[site.url + "/empty"].startswith("skipped:empty")
    assert status[site.url + "/private/secret-release-1234"].startswith("blocked:disallowed by robots")
    assert status[site.url + "/loop-a"].startswith("failed:")
    assert status[site.url + "/huge"].startswith("failed:") and "cap" in status[site.url + "/huge"]
    assert status[site.url + "/truncated"].startswith("failed:")
    assert "/private/secret-release-1234" not in site.requests  # robots.txt kept us out
    assert stats.stored == 4 and stats.blocked == 1 and stats.errors == 3
