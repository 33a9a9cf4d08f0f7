"""Typed records the crawler stages exchange: fetch policy, fetched pages, failures, links, summaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["auto", "article", "listing", "feed", "sitemap"]

USER_AGENT = "kznlp-crawler/0.1 (+https://github.com/kznlp/kznlp; kznlp@example.org)"


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Politeness and robustness settings for one crawl; tests shrink the delays."""

    user_agent: str = USER_AGENT
    timeout: float = 20.0  # seconds, for connect, for each read and for the whole response
    retries: int = 3  # extra attempts on timeouts, 429 and 5xx
    backoff: float = 1.0  # first retry waits about this long, doubling each time, with jitter
    backoff_max: float = 60.0
    max_retry_after: float = 120.0  # a longer Retry-After gives up on the page
    delay: float = 1.0  # seconds between two requests to one host (robots Crawl-delay may raise it)
    per_host: int = 1  # requests in flight per host: 1 or 2
    max_bytes: int = 5 * 1024 * 1024  # bodies over this are cut and rejected
    max_redirects: int = 5
    respect_robots: bool = True


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched response: the final URL after redirects, headers that matter, and the body."""

    url: str  # as requested
    final_url: str
    status: int
    content_type: str
    charset: str | None
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    retry_after: float | None = None  # seconds, from a 429/503 Retry-After header

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True, slots=True)
class FetchFailed:
    """Why a URL yielded no usable page."""

    url: str
    reason: str
    status: int | None = None
    blocked: bool = False  # robots.txt or off-host: not an error, a decision
    retry: bool = False  # a transient failure a later crawl may retry


@dataclass(frozen=True, slots=True)
class Link:
    """A URL found by discovery, with what we learnt about it on the way."""

    url: str
    kind: Kind = "article"
    published: str | None = None  # YYYY-MM-DD from a sitemap, feed or listing
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Discovery:
    """What a sitemap, feed or listing page yields: links, and the next listing page if any."""

    links: tuple[Link, ...] = ()
    next_page: str | None = None


@dataclass(slots=True)
class CrawlStats:
    fetched: int = 0
    stored: int = 0
    skipped: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    errors: int = 0
    blocked: int = 0
    not_modified: int = 0
    discovered: int = 0
    elapsed: float = 0.0
    error_samples: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__slots__ if k != "error_samples"} | {
            "errors_sample": self.error_samples[:10]}


@dataclass(frozen=True, slots=True)
class CrawlEvent:
    """One line of the crawl log (``--json`` prints these as JSON lines)."""

    event: str  # fetched, stored, skipped, duplicate, near_duplicate, error, blocked, discovered, not_modified
    url: str
    detail: str | None = None
    doc_id: str | None = None
