"""The deadline tracker: action items with a deadline, resolved to a date against the publication date and
grouped by how soon they fall due; calendar export (RFC 5545, through ``icalendar``).

The extractor stores a deadline as an ISO date when it could resolve it, else as the phrase.  Here each
action's stored deadline, then its text, then its decision's sentence and the sentence after it are read
again by the extractor's own rules (``kznlp.extract.deadlines``: "жыл соңына дейін", "1 қазанға дейін",
"наурыз айының соңына дейін", "екі апта ішінде", "он бес күн ішінде"), so a phrase stored without a date
(an archive made by an older kznlp, a date learnt later) gets one at report time.  A frequency ("тоқсан
сайын") is no deadline.  What still has no date (no publication date, "келесі отырысқа дейін") is listed
apart as unresolved.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import quote

import sqlite_utils

from kznlp.extract.deadlines import ISO_DATE, read_deadline, spans
from kznlp.resources import casefold
from kznlp.store.archive import one_snapshot
from kznlp.store.filters import name_pattern, register_functions
from kznlp.text.dates import LOCAL_TIME

GROUPS = ("overdue", "week", "month", "later")  # overdue, due within 7 days, within 30 days, later
GROUP_DAYS = {"week": 7, "month": 30}


@dataclass(frozen=True, slots=True)
class Resolution:
    due: date | None  # None: unresolved
    phrase: str | None  # what the deadline was written as (the ISO date itself when stored resolved)


def resolve(stored: str | None, texts: tuple[str, ...], published: date | None) -> Resolution | None:
    """The deadline of an action: its stored value, else the first one found in ``texts`` (the action,
    its decision); ``None`` when it has none.

    >>> resolve(None, ("есепті наурыз айының соңына дейін ұсыну",), date(2025, 5, 10))
    Resolution(due=datetime.date(2026, 3, 31), phrase='наурыз айының соңына дейін')
    >>> resolve(None, ("жұмысты екі апта ішінде аяқтау",), date(2025, 5, 10)).due
    datetime.date(2025, 5, 24)
    >>> resolve(None, ("тоқсан сайын есеп беру",), date(2025, 5, 10)) is None
    True
    >>> resolve("келесі отырысқа дейін", (), date(2025, 5, 10))
    Resolution(due=None, phrase='келесі отырысқа дейін')
    """
    if stored and ISO_DATE.fullmatch(stored):
        return Resolution(date.fromisoformat(stored), stored)
    unresolved = None
    for text in ((stored,) if stored else ()) + tuple(t for t in texts if t):
        found = read_deadline(text, published)
        if found is None:
            continue
        if found.due is not None:
            return Resolution(found.due, stored or found.phrase)
        unresolved = unresolved or stored or found.phrase
    return Resolution(None, unresolved) if unresolved else None


def today_local() -> date:
    """Today in Kazakhstan (UTC+5), where the deadlines are set."""
    return datetime.now(LOCAL_TIME).date()


def group_of(due: date, today: date) -> str:
    days = (due - today).days
    if days < 0:
        return "overdue"
    return "week" if days <= GROUP_DAYS["week"] else "month" if days <= GROUP_DAYS["month"] else "later"


FOLLOWING_CHARS = 200


def _next_sentence(text: str | None) -> str:
    """The sentence after a decision, which may only set its deadline ("… тапсырамын. Келесі отырысқа дейін
    аяқтаңыздар")."""
    text = (text or "").lstrip()
    end = re.search(r"[.!?]\s", text)
    return text[:end.start()] if end else text


def _prefilter() -> str:
    """Actions that can have a deadline at all: a stored one, or a deadline word in their text or sentence."""
    words = [r[0] for r in spans()["within"] + spans()["until"]] + ["мерзім"]
    likes = " OR ".join(f"a.text LIKE '%{w}%' OR x.text LIKE '%{w}%'"
                        f" OR substr(d.text, x.\"end\" + 1, {FOLLOWING_CHARS}) LIKE '%{w}%'" for w in words if "'" not in w)
    return f"(a.deadline IS NOT NULL OR {likes})"


@one_snapshot
def deadline_items(db: sqlite_utils.Database, *, today: date | None = None, responsible: str | None = None,
                   official: str | None = None) -> dict:
    """``{"today", "groups": {"overdue"|"week"|"month"|"later": [item, ...]}, "unresolved": [item, ...]}``;
    each item: the action (``text``, ``responsible``, ``frequency``), ``due`` (ISO) and ``days`` left (negative:
    overdue), ``phrase``, who decided (``maker``, ``decision``) and the document (``doc_id``, ``title``,
    ``published``, ``url``, ``source``).  Items are in due order; ``responsible`` keeps actions one of whose
    responsible bodies contains it, ``official`` those decided by that official (any case or ending)."""
    register_functions(db.conn)
    today = today or today_local()
    where, params = [_prefilter()], []
    if official:
        patterns = name_pattern(official)
        where += ["kz_fold(x.maker) LIKE ? ESCAPE '\\'"] * len(patterns) if patterns else ["0"]
        params += patterns
    if responsible:
        where.append("instr(kz_fold(a.responsible), ?) > 0")
        params.append(casefold(responsible.strip()))
    rows = db.execute(
        "SELECT a.id, a.text, a.responsible, a.frequency, a.deadline, x.maker, x.text, d.id, d.title, d.published,"
        f" d.url, d.source, substr(d.text, x.\"end\" + 1, {FOLLOWING_CHARS}) FROM actions a JOIN decisions x ON x.id = a.decision_id JOIN documents d ON d.id = a.doc_id"
        f" WHERE {' AND '.join(where)} ORDER BY d.published, d.id, a.start", params).fetchall()
    groups: dict[str, list[dict]] = {g: [] for g in GROUPS}
    unresolved: list[dict] = []
    for aid, text, who, frequency, stored, maker, decision, doc_id, title, published, url, source, after in rows:
        try:
            published_date = date.fromisoformat(published) if published else None
        except ValueError:
            published_date = None
        found = resolve(stored, (text, decision, _next_sentence(after)), published_date)
        if found is None:
            continue
        item = {"action_id": aid, "text": text, "responsible": json.loads(who or "[]"), "frequency": frequency,
                "due": found.due.isoformat() if found.due else None,
                "days": (found.due - today).days if found.due else None, "phrase": found.phrase,
                "maker": maker, "decision": decision, "doc_id": doc_id, "title": title, "published": published,
                "url": url, "source": source}
        if found.due is None:
            unresolved.append(item)
        else:
            groups[group_of(found.due, today)].append(item)
    for items in groups.values():
        items.sort(key=lambda i: (i["due"], i["doc_id"], i["action_id"]))
    return {"today": today.isoformat(), "groups": groups, "unresolved": unresolved}


def select(result: dict, *, overdue: bool = False, within: int | None = None) -> dict:
    """Only the overdue items (``overdue``), or only those due from today to ``within`` days from it."""
    if not overdue and within is None:
        return result
    groups = {g: [] for g in GROUPS}
    for name, items in result["groups"].items():
        for item in items:
            if overdue and item["days"] < 0 or within is not None and 0 <= item["days"] <= within:
                groups[name].append(item)
    return {**result, "groups": groups, "unresolved": [] if overdue or within is not None else result["unresolved"]}


def document_url(base_url: str, doc_id: str) -> str:
    return base_url.rstrip("/") + "/documents/" + quote(doc_id, safe="")


def to_ics(result: dict, base_url: str) -> bytes:
    """An iCalendar file: one all-day VEVENT per action item with a resolved deadline."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//kznlp//deadlines//KK")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "kznlp: мерзімдер")
    stamp = datetime.now(LOCAL_TIME)
    for name in GROUPS:
        for item in result["groups"][name]:
            event = Event()
            event.add("uid", f"action-{item['action_id']}@kznlp")
            event.add("dtstamp", stamp)
            due = date.fromisoformat(item["due"])
            event.add("dtstart", due)
            event.add("dtend", due + timedelta(days=1))
            event.add("summary", item["text"])
            link = document_url(base_url, item["doc_id"])
            lines = [f"Жауапты: {'; '.join(item['responsible'])}" if item["responsible"] else None,
                     f"Шешім: {item['maker'] or '?'}: {item['decision']}",
                     f"Мерзімі: {item['phrase']}" if item["phrase"] and item["phrase"] != item["due"] else None,
                     f"Құжат: {item['title'] or item['doc_id']} ({item['published'] or '?'})", link]
            event.add("description", "\n".join(line for line in lines if line))
            event.add("url", link)
            if item["responsible"]:
                event.add("categories", item["responsible"])
            cal.add_component(event)
    return cal.to_ical()
