"""robots.txt per host (parsed by ``protego``): may we fetch a URL, how long to wait, which sitemaps it lists."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from protego import Protego

from kznlp.scrape.client import HostPacer, fetch
from kznlp.scrape.records import FetchPolicy, Page
from kznlp.scrape.urls import host_of


@dataclass(frozen=True, slots=True)
class RobotsRules:
    host: str
    parser: Protego | None  # None: no robots.txt (404) or unreadable: everything allowed
    disallow_all: bool = False  # 401/403 on robots.txt, or 5xx after retries: treat the host as closed

    def allows(self, url: str, user_agent: str) -> bool:
        if self.disallow_all:
            return False
        return self.parser is None or self.parser.can_fetch(url, user_agent)

    def crawl_delay(self, user_agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(user_agent)
        return float(delay) if delay is not None else None

    def sitemaps(self) -> list[str]:
        return list(self.parser.sitemaps) if self.parser is not None else []


class RobotsCache:
    """Fetches each host's robots.txt once per crawl and applies its Crawl-delay to the pacer."""

    def __init__(self, client: httpx.Client, policy: FetchPolicy, pacer: HostPacer):
        self.client, self.policy, self.pacer = client, policy, pacer
        self._rules: dict[str, RobotsRules] = {}
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}

    def rules(self, url: str) -> RobotsRules:
        host = host_of(url)
        with self._lock:
            lock = self._host_locks.setdefault(host, threading.Lock())
        with lock:
            if host not in self._rules:
                self._rules[host] = self._load(url, host)
            return self._rules[host]

    def _load(self, url: str, host: str) -> RobotsRules:
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        result = fetch(self.client, robots_url, policy=self.policy, pacer=self.pacer)
        if not isinstance(result, Page):
            # unreachable robots.txt after retries (5xx, timeouts): Google's rule is to hold off the whole host
            return RobotsRules(host, None, disallow_all=result.status is not None and result.status >= 500)
        if result.status in (401, 403):
            return RobotsRules(host, None, disallow_all=True)
        if result.status >= 400:
            return RobotsRules(host, None)
        rules = RobotsRules(host, Protego.parse(result.body.decode("utf-8", errors="replace")))
        delay = rules.crawl_delay(self.policy.user_agent)
        if delay:
            self.pacer.set_delay(host, min(delay, 60.0))
        return rules

    def allows(self, url: str) -> bool:
        return not self.policy.respect_robots or self.rules(url).allows(url, self.policy.user_agent)
