"""The offline demo: serve ``corpora/site/`` (real saved pages, a sitemap, a feed, a listing) on 127.0.0.1
from a thread, so ``kznlp crawl --demo`` runs the real crawler without the internet."""

from __future__ import annotations

import contextlib
import re
import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qsl, unquote, urlsplit

from kznlp.scrape.crawl import CrawlOptions
from kznlp.scrape.records import FetchPolicy
from kznlp.scrape.sites import SiteConfig

DEMO_SITE = Path(__file__).resolve().parents[2] / "corpora" / "site"


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves a saved site: ``/a/b`` is ``a/b``, ``a/b.html``, ``a/b/index.html`` or ``a/b.xml``; a query
    ``?page=2`` is part of the file name (``a/b__page-2.html``); tracking parameters are ignored."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".html": "text/html; charset=utf-8",
                      ".xml": "application/xml", ".txt": "text/plain; charset=utf-8"}

    def translate_path(self, path: str) -> str:
        parts = urlsplit(path)
        query = [(k, v) for k, v in parse_qsl(parts.query) if not k.startswith("utm_")]
        root = Path(self.directory)
        rel = unquote(parts.path).strip("/")
        if ".." in rel.split("/"):
            return str(root / "__missing__")
        suffix = ("__" + "_".join(f"{k}-{v}" for k, v in query)) if query else ""
        names = [rel + suffix, rel + suffix + ".html", (rel + "/index.html").lstrip("/"), rel + ".xml"]
        if suffix:
            names = names[:2]
        for name in names:
            candidate = root / name
            if name and candidate.is_file():
                return str(candidate)
        return str(root / (rel or "index.html"))

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def serve_directory(root: Path, handler_class: type[SiteHandler] = SiteHandler) -> Iterator[str]:
    """Serve ``root`` on a free port of 127.0.0.1 in a daemon thread; yields the base URL.  The tests pass a
    ``SiteHandler`` subclass that also serves fault routes."""
    with serve_locally(functools.partial(handler_class, directory=str(root)), name="kznlp-demo-site") as base_url:
        yield base_url


@contextlib.contextmanager
def serve_locally(handler, *, name: str = "kznlp-local-server") -> Iterator[str]:
    """Run an ``http.server`` request handler on a free port of 127.0.0.1 in a daemon thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


DEMO_SOURCE = "demo"


def demo_site(base_url: str) -> SiteConfig:
    """The demo site as a site adapter named ``demo``, served at ``base_url``: its sitemap, feed and listing
    page are the entry points, and its pages are keyed under ``demo`` whatever port serves them, so
    document ids (``demo:…``) and the source stay the same from run to run."""
    return SiteConfig(name=DEMO_SOURCE, hosts=(DEMO_SOURCE,), base_url="http://" + DEMO_SOURCE,
                      sitemaps=("/sitemap.xml",), feeds=("/feed.xml",),
                      listings=("/news/index.html",), article_patterns=(re.compile(r"\.html$"),)
                      ).with_base(base_url)


def demo_options(base_url: str, *, extract: bool = True, model: str | None = None) -> CrawlOptions:
    """Crawl the demo site (``demo_site``); short politeness delays."""
    return CrawlOptions(sites=(demo_site(base_url),), extract=extract, model=model,
                        policy=FetchPolicy(delay=0.05, timeout=10, retries=1, backoff=0.1), workers=2)
