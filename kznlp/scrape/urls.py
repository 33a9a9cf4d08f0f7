"""URL identity: the many addresses of one release (tracking parameters, http/https, ``www.``, mobile and AMP
mirrors, trailing slash) share one key."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|yclid|mc_cid|mc_eid|_ga|ref|amp|from|share)$", re.I)
MIRROR_PREFIXES = ("www.", "m.", "amp.", "mobile.")


def host_of(url: str) -> str:
    """The host with its port, lower case: what politeness and robots.txt are kept per."""
    return urlsplit(url).netloc.lower()


def site_host(url: str) -> str:
    """The host without ``www.``/``m.``/``amp.`` and default ports: "https://m.Egemen.kz:443/x" -> "egemen.kz"."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for prefix in MIRROR_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix):]
            break
    port = parts.port
    if port and not (parts.scheme == "http" and port == 80 or parts.scheme == "https" and port == 443):
        host = f"{host}:{port}"
    return host


def url_key(url: str, host: str | None = None) -> str:
    """One key for every address of the same page; ``host`` stands for the URL's own (a mirror's pages are
    keyed as the site's: the demo site on 127.0.0.1:<any port> is ``demo``).

    >>> url_key("http://www.egemen.kz/article/123-slug/?utm_source=fb&b=2&a=1#top")
    'egemen.kz/article/123-slug?a=1&b=2'
    >>> url_key("https://m.egemen.kz/article/123-slug/amp")
    'egemen.kz/article/123-slug'
    """
    parts = urlsplit(url.strip())
    path = re.sub(r"/+", "/", parts.path or "/")
    path = re.sub(r"/amp/?$", "", path)
    path = path.rstrip("/")
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k))
    key = (host or site_host(url)) + path
    return key + ("?" + urlencode(query) if query else "")


def clean_url(url: str) -> str:
    """``url`` without tracking parameters and fragment, otherwise as given: the address to store.

    >>> clean_url("https://bairaq.kz/news/x.html?utm_source=sitemap&id=5&fbclid=a#top")
    'https://bairaq.kz/news/x.html?id=5'
    """
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def doc_id_for(key: str) -> str:
    """A stable document id from a URL key: "egemen.kz:3f2a9c0d1e2b4a5c"."""
    host = key.split("/", 1)[0]
    return f"{host}:{hashlib.sha1(key.encode('utf-8')).hexdigest()[:16]}"


def absolute(base: str, href: str | None) -> str | None:
    """``href`` resolved against ``base``, without fragment; None for mailto:, javascript: and the like."""
    if not href:
        return None
    href = href.strip()
    if href.startswith(("mailto:", "javascript:", "tel:", "#", "data:")):
        return None
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))
