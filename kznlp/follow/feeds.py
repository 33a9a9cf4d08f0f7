"""Atom feeds (RFC 4287, written by ``feedgen``): one entry per document, linking its page on the site and
summarising its decisions and action items."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

from kznlp.follow.deadlines import document_url
from kznlp.text.dates import LOCAL_TIME

FEED_SIZE = 50
FREQUENCY_KK = {"daily": "күн сайын", "weekly": "апта сайын", "monthly": "ай сайын", "quarterly": "тоқсан сайын",
                "annually": "жыл сайын"}


def _moment(published: str | None, processed_at: str | None) -> datetime:
    """An entry's date: its publication day (midnight, UTC+5), else when it was stored."""
    if published:
        try:
            return datetime.combine(date.fromisoformat(published[:10]), time(), LOCAL_TIME)
        except ValueError:
            pass
    if processed_at:
        try:
            moment = datetime.fromisoformat(processed_at)
            return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
        except ValueError:
            pass
    return datetime(1970, 1, 1, tzinfo=timezone.utc)


def summary(decisions: list[dict]) -> str:
    """Decisions and their action items as plain text lines (feed readers show text summaries as is)."""
    if not decisions:
        return "Шешім жоқ."
    lines = []
    for d in decisions:
        lines.append(f"Шешім ({d.get('maker') or '?'}): {d['text']}")
        for a in d.get("actions", []):
            extra = [FREQUENCY_KK.get(a.get("frequency"), a.get("frequency")) if a.get("frequency") else None,
                     f"мерзімі: {a['deadline']}" if a.get("deadline") else None,
                     "жауапты: " + "; ".join(a["responsible"]) if a.get("responsible") else None]
            extra = [e for e in extra if e]
            lines.append(f"• {a['text']}" + (f" ({', '.join(extra)})" if extra else ""))
    return "\n".join(lines)


def atom(*, feed_id: str, title: str, self_url: str, site_url: str, documents: list[dict],
         subtitle: str | None = None) -> bytes:
    """An Atom feed of ``documents`` (dicts with ``doc``, ``title``, ``published``, ``processed_at``,
    ``source``, ``decisions``), newest first."""
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.id(feed_id)
    feed.title(title)
    feed.subtitle(subtitle or title)
    feed.link(href=self_url, rel="self")
    feed.link(href=site_url, rel="alternate")
    feed.language("kk")
    feed.generator("kznlp")
    feed.author({"name": "kznlp"})
    newest = datetime(1970, 1, 1, tzinfo=timezone.utc)
    ordered = sorted(documents, key=lambda d: _moment(d.get("published"), d.get("processed_at")), reverse=True)
    for doc in reversed(ordered[:FEED_SIZE]):  # feedgen lists the last added first
        entry = feed.add_entry()
        link = document_url(site_url, doc["doc"])
        entry.id(link)
        entry.title(doc.get("title") or doc["doc"])
        entry.link(href=link, rel="alternate")
        moment = _moment(doc.get("published"), doc.get("processed_at"))
        newest = max(newest, moment)
        entry.updated(moment)
        if doc.get("published"):
            entry.published(moment)
        entry.summary(summary(doc.get("decisions") or []))
        if doc.get("source"):
            entry.category(term=doc["source"])
    feed.updated(newest)
    return feed.atom_str(pretty=True)
