"""Shared helpers for the crawler tests: a real HTTP server on 127.0.0.1 in a thread, serving a saved site
(``tests/pages/<site>/``) plus fault routes, and a fast fetch policy.  Nothing here touches the internet."""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

from kznlp.scrape.demo import SiteHandler, serve_directory
from kznlp.scrape.records import FetchPolicy

PAGES = Path(__file__).resolve().parent / "pages"
FAST = FetchPolicy(delay=0.01, timeout=2.0, retries=2, backoff=0.05, backoff_max=0.2, max_retry_after=3.0)

RUSSIAN = ("Президент Казахстана поручил правительству в течение месяца подготовить программу поддержки "
           "малого и среднего бизнеса. Для этого из республиканского бюджета будет выделено 150 миллиардов тенге, "
           "сообщает пресс-служба Акорды. Министерству финансов поручено контролировать расходование средств.")
KAZAKH = ("Мемлекет басшысы Үкіметке бір ай ішінде шағын және орта бизнесті қолдау бағдарламасын әзірлеуді "
          "тапсырды. Бұл үшін республикалық бюджеттен 150 миллиард теңге бөлінеді, деп хабарлайды Ақорданың "
          "баспасөз қызметі. Қаржы министрлігіне қаражаттың жұмсалуын бақылау жүктелді.")


def article_html(title: str, text: str, charset_meta: str | None = None) -> str:
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    text = f"{title} туралы хабар. " + text  # each page its own text, so none is a duplicate of another
    body = "".join(f"<p>{sentence.strip()}.</p>" for sentence in text.split(".") if sentence.strip())
    return f"<!DOCTYPE html><html><head>{meta}<title>{title}</title></head><body><nav><a href='/'>Басты</a>" \
           f"</nav><article><h1>{title}</h1>{body}</article></body></html>"


class Server:
    def __init__(self, root: Path | None, routes: dict[str, Callable] | None):
        self.root = root
        self.routes = routes or {}
        self.requests: list[str] = []
        self.counts: dict[str, int] = {}
        self.lock = threading.Lock()
        self.url = ""

    def hit(self, path: str) -> int:
        with self.lock:
            self.requests.append(path)
            self.counts[path] = self.counts.get(path, 0) + 1
            return self.counts[path]


def _handler(server: Server):
    class Handler(SiteHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802 - http.server's name
            path = self.path.split("?", 1)[0]
            n = server.hit(self.path)
            route = server.routes.get(path)
            if route is not None:
                route(self, n)
                return
            if server.root is None:
                self.send(404, b"not found")
                return
            super().do_GET()

        def send(self, status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8",
                 headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextlib.contextmanager
def serve(root: Path | None = None, routes: dict[str, Callable] | None = None) -> Iterator[Server]:
    state = Server(root, routes)
    with serve_directory(root or PAGES, _handler(state)) as url:
        state.url = url
        yield state


# -- fault routes --------------------------------------------------------------------------------------------------
def slow(handler, n):
    time.sleep(3.0)
    with contextlib.suppress(OSError):
        handler.send(200, article_html("Slow", KAZAKH).encode())


def flaky(handler, n):
    if n == 1:
        handler.send(500, b"oops")
    else:
        handler.send(200, article_html("Flaky", KAZAKH).encode())


def busy(handler, n):
    if n == 1:
        handler.send(429, b"slow down", headers={"Retry-After": "1"})
    else:
        handler.send(200, article_html("Busy", KAZAKH).encode())


def redirect_to(target: str):
    def route(handler, n):
        handler.send(302, b"", headers={"Location": target})
    return route


def cp1251_declared_utf8(handler, n):
    handler.send(200, article_html("Новости", RUSSIAN, "utf-8").encode("cp1251"), "text/html; charset=utf-8")


def utf8_declared_1251(handler, n):
    handler.send(200, article_html("Жаңалық", KAZAKH, "windows-1251").encode("utf-8"),
                 "text/html; charset=windows-1251")


def truncated(handler, n):
    body = article_html("Cut", KAZAKH).encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", str(len(body) + 5000))
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(body[:300])
    handler.wfile.flush()
    handler.close_connection = True


def huge(handler, n, size: int = 50 * 1024 * 1024):
    """50 MB of HTML, streamed without Content-Length; the client must cut it at its cap."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Connection", "close")
    handler.end_headers()
    chunk = b"<p>" + b"x" * 65530 + b"</p>"
    sent = 0
    with contextlib.suppress(OSError):
        while sent < size:
            handler.wfile.write(chunk)
            sent += len(chunk)
    handler.close_connection = True
    server_sent = getattr(handler.server, "huge_sent", 0)
    handler.server.huge_sent = server_sent + sent


def image(handler, n):
    handler.send(200, b"\x89PNG\r\n\x1a\n" + bytes(2000), "image/png")


def empty(handler, n):
    handler.send(200, b"")


def conditional(handler, n):
    if handler.headers.get("If-None-Match") == '"v1"':
        handler.send_response(304)
        handler.send_header("ETag", '"v1"')
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        return
    body = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            '<url><loc>/cp1251</loc></url></urlset>').encode()
    handler.send(200, body, "application/xml", headers={"ETag": '"v1"'})


def robots(text: str):
    def route(handler, n):
        handler.send(200, text.encode(), "text/plain")
    return route
