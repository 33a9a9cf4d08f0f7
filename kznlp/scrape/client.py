"""HTTP: one ``httpx.Client`` per crawl, and ``fetch`` with pacing, retries, a body cap and conditional requests.

``fetch`` never raises for network trouble: it returns a ``Page`` or a ``FetchFailed`` saying why.
"""

from __future__ import annotations

import contextlib
import email.utils
import random
import socket
import threading
import time
from typing import Callable

import httpcore
import httpx

from kznlp.errors import BlockedError
from kznlp.scrape.records import FetchFailed, FetchPolicy, Page
from kznlp.scrape.urls import host_of

RETRY_STATUS = {429, 500, 502, 503, 504}


def make_client(policy: FetchPolicy, *, allowed: Callable[[str], bool] | None = None,
                transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """The crawl's client: timeouts, User-Agent, redirects followed up to ``policy.max_redirects``.

    ``allowed(url)`` is asked before every request, redirects included, so a redirect off the crawled hosts is
    refused before it is sent.  Tests pass ``transport=httpx.MockTransport(...)``.
    """
    def guard(request: httpx.Request) -> None:
        if allowed is not None and not allowed(str(request.url)):
            raise BlockedError(f"{request.url}: off the crawled hosts", str(request.url))

    return httpx.Client(
        headers={"User-Agent": policy.user_agent, "Accept-Language": "kk, ru;q=0.8, *;q=0.5",
                 "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
        timeout=httpx.Timeout(policy.timeout), follow_redirects=True, max_redirects=policy.max_redirects,
        event_hooks={"request": [guard]}, transport=transport if transport is not None else watched_transport())


# -- the whole request under one deadline ----------------------------------------------------------------------
# httpx's timeouts bound each connect, read and write, not the request: a server that accepts and then sends
# its headers a byte a second holds a fetch as long as it likes, and httpx gives no handle on the socket
# before the headers are in.  So every connection's stream tells the fetch that uses it (a thread-local
# ``Deadline``) which socket it is on, and a watchdog shuts that socket down when the deadline passes: the
# blocked read ends at once, connecting, sending, waiting for headers or reading the body alike.
_fetching = threading.local()


class Deadline:
    def __init__(self, seconds: float):
        self.at = time.monotonic() + seconds
        self.expired = False
        self.stream: httpcore.NetworkStream | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, seconds), self._expire)
        self._timer.daemon = True

    def passed(self) -> bool:
        return self.expired or time.monotonic() >= self.at

    def using(self, stream: httpcore.NetworkStream) -> None:
        with self._lock:
            self.stream = stream
            expired = self.expired
        if expired:
            raise httpcore.ReadTimeout("the whole request took longer than the timeout")

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            stream = self.stream
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> "Deadline":
        _fetching.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        _fetching.deadline = None


class _WatchedStream(httpcore.NetworkStream):
    """A connection's stream that tells the current fetch's ``Deadline`` it is in use."""

    def __init__(self, stream: httpcore.NetworkStream):
        self._stream = stream

    def _mark(self) -> None:
        deadline = getattr(_fetching, "deadline", None)
        if deadline is not None:
            deadline.using(self)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self._mark()
        return self._stream.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._mark()
        self._stream.write(buffer, timeout)

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        self._mark()
        return _WatchedStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class _WatchedBackend(httpcore.SyncBackend):
    def connect_tcp(self, *args, **kwargs) -> httpcore.NetworkStream:
        return _WatchedStream(super().connect_tcp(*args, **kwargs))


def watched_transport() -> httpx.HTTPTransport:
    """httpx's own transport, its connections' streams watched by the fetch's ``Deadline``."""
    transport = httpx.HTTPTransport()
    # httpx does not take a network backend; its connection pool does, and hands it to each new connection
    transport._pool._network_backend = _WatchedBackend()
    return transport


class HostPacer:
    """At most ``per_host`` requests in flight per host, and ``delay`` seconds between request starts."""

    def __init__(self, policy: FetchPolicy, *, sleep: Callable[[float], None] = time.sleep):
        self.policy = policy
        self.per_host = max(1, min(2, policy.per_host))  # the crawl loop schedules by this too
        self.sleep = sleep
        self._lock = threading.Lock()
        self._slots: dict[str, threading.Semaphore] = {}
        self._next: dict[str, float] = {}
        self._delay: dict[str, float] = {}

    def set_delay(self, host: str, seconds: float) -> None:
        with self._lock:
            self._delay[host] = max(self.policy.delay, seconds)

    def slot(self, host: str) -> threading.Semaphore:
        with self._lock:
            return self._slots.setdefault(host, threading.Semaphore(self.per_host))

    def wait_turn(self, host: str, *, extra: float = 0.0) -> None:
        """Block until this host may get its next request; ``extra`` pushes the host's next turn back."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, 0.0)) + extra
            self._next[host] = start + self._delay.get(host, self.policy.delay)
        if start > now:
            self.sleep(start - now)


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date).

    >>> retry_after("3")
    3.0
    >>> retry_after(None) is None
    True
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            return value.strip("\"' ").lower()
    return None


def _backoff(policy: FetchPolicy, attempt: int) -> float:
    base = min(policy.backoff_max, policy.backoff * (2 ** attempt))
    return base * (0.5 + random.random() / 2)  # "equal jitter"


def _fetch_once(client: httpx.Client, url: str, policy: FetchPolicy, headers: dict[str, str]) -> Page | FetchFailed:
    """One GET; ``policy.timeout`` bounds the whole request, from connecting to the last byte of the body
    (``Deadline``; ``httpx.ReadTimeout`` past it), as well as each read."""
    with Deadline(policy.timeout) as deadline:
        try:
            return _get(client, url, policy, headers, deadline)
        except (httpx.TransportError, httpcore.TimeoutException):
            if deadline.passed():  # the socket was cut at the deadline
                raise httpx.ReadTimeout("the whole request took longer than the timeout") from None
            raise


def _get(client: httpx.Client, url: str, policy: FetchPolicy, headers: dict[str, str],
         deadline: Deadline) -> Page | FetchFailed:
    with client.stream("GET", url, headers=headers) as response:
        content_type = response.headers.get("content-type", "")
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > policy.max_bytes:
            return FetchFailed(url, f"body of {int(declared)} bytes is over the {policy.max_bytes}-byte cap",
                               response.status_code)
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            if deadline.passed():  # a test transport has no socket to cut: this check still applies
                raise httpx.ReadTimeout("the whole response took longer than the timeout")
            size += len(chunk)
            if size > policy.max_bytes:
                return FetchFailed(url, f"body over the {policy.max_bytes}-byte cap; cut", response.status_code)
            chunks.append(chunk)
        return Page(url=url, final_url=str(response.url), status=response.status_code, content_type=content_type,
                    charset=_charset(content_type), body=b"".join(chunks), etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                    retry_after=retry_after(response.headers.get("retry-after")))


def fetch(client: httpx.Client, url: str, *, policy: FetchPolicy, pacer: HostPacer | None = None,
          etag: str | None = None, last_modified: str | None = None) -> Page | FetchFailed:
    """GET ``url`` politely: paced per host, retried with backoff on timeouts, 429 and 5xx.

    A 304 (after ``etag``/``last_modified`` were sent) comes back as a ``Page`` with ``not_modified``.
    """
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    host = host_of(url)
    pacer = pacer or HostPacer(policy)
    extra = 0.0
    last: FetchFailed | None = None
    with pacer.slot(host):
        for attempt in range(policy.retries + 1):
            pacer.wait_turn(host, extra=extra)
            extra = 0.0
            try:
                result = _fetch_once(client, url, policy, headers)
            except BlockedError as error:
                return FetchFailed(url, str(error), blocked=True)
            except httpx.TooManyRedirects:
                return FetchFailed(url, f"more than {policy.max_redirects} redirects (a loop?)")
            except httpx.TimeoutException:
                last = FetchFailed(url, f"timed out after {policy.timeout:g} s", retry=True)
            except (httpx.TransportError, httpx.DecodingError) as error:
                last = FetchFailed(url, f"{type(error).__name__}: {error}".strip(": "), retry=True)
            except httpx.InvalidURL as error:
                return FetchFailed(url, f"invalid URL: {error}")
            else:
                if isinstance(result, FetchFailed):
                    return result
                if result.status not in RETRY_STATUS:
                    return result
                last = FetchFailed(url, f"HTTP {result.status}", result.status, retry=True)
                if result.retry_after is not None:
                    if result.retry_after > policy.max_retry_after:
                        return FetchFailed(url, f"HTTP {result.status}, Retry-After {result.retry_after:.0f} s is "
                                           "too long", result.status, retry=True)
                    if attempt < policy.retries:
                        extra = result.retry_after
                    continue
            if attempt < policy.retries:
                extra = _backoff(policy, attempt)
    return last or FetchFailed(url, "no response")

