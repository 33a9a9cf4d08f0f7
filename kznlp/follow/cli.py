"""The ``kznlp watch …``, ``kznlp deadlines`` and ``kznlp xref`` commands (``register(app)`` adds them)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

from kznlp.errors import KznlpError
from kznlp.i18n import _, _n

DbPath = Annotated[Path, typer.Option("--db", help="Archive to read.")]
DEFAULT_DB = Path("kznlp-demo.db")
def group_title(group: str) -> str:
    """A deadline group's heading in the interface language (literal _() calls, so the catalog finds them)."""
    return {"overdue": _("Overdue"), "week": _("Due within 7 days"), "month": _("Due within 30 days"),
            "later": _("Later")}[group]

watch_app = typer.Typer(help="Watchlists: follow a query, an official or an organisation.", no_args_is_help=True)


def _console():
    from kznlp.cli import err, out

    return out, err


def _fail(message: str) -> typer.Exit:
    from kznlp.cli import _fail as fail

    return fail(message)


def _open(db: Path, readonly: bool):
    from kznlp.store.archive import open_archive

    if not db.exists():
        raise KznlpError(_("{db}: no such archive").format(db=db))
    return open_archive(db, readonly=readonly)


def _json_lines(rows) -> None:
    sys.stdout.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


@watch_app.command("add")
def watch_add(
    name: Annotated[str, typer.Argument(help="A name for the watch.")],
    db: DbPath = DEFAULT_DB,
    query: Annotated[Optional[str], typer.Option(help="Words to find (as in kznlp search).")] = None,
    official: Annotated[Optional[str], typer.Option(help="An official's name, any ending.")] = None,
    organisation: Annotated[Optional[str], typer.Option(help="An organisation or responsible body.")] = None,
    position: Annotated[Optional[str], typer.Option(help="Only documents naming this position.")] = None,
    source: Annotated[Optional[str], typer.Option(help="Only documents from this source.")] = None,
    since: Annotated[Optional[str], typer.Option(help="Published on or after (YYYY[-MM[-DD]]).")] = None,
    until: Annotated[Optional[str], typer.Option(help="Published on or before (YYYY[-MM[-DD]]).")] = None,
    has_decisions: Annotated[bool, typer.Option("--has-decisions", help="Only documents with decisions.")] = False,
    frequency: Annotated[Optional[str], typer.Option(help="Only documents with an action this often.")] = None,
) -> None:
    """Save a watch in the archive."""
    from kznlp.follow.watches import add_watch, make_watch

    out, _err = _console()
    try:
        watch = make_watch(name, query=query, official=official, organisation=organisation, position=position,
                           source=source, since=since, until=until, has_decisions=has_decisions or None,
                           frequency=frequency)
        watch = add_watch(_open(db, readonly=False), watch)
    except KznlpError as error:
        raise _fail(str(error)) from None
    out.print(_("watch {name} added: {what}").format(name=watch.name, what=watch.describe()), highlight=False)


@watch_app.command("list")
def watch_list(db: DbPath = DEFAULT_DB,
               as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False) -> None:
    """List the saved watches with how many new matches each has."""
    from rich.table import Table

    from kznlp.follow.watches import list_watches, pending

    out, _err = _console()
    try:
        archive = _open(db, readonly=True)
        rows = [{**w.to_dict(), "new": len(pending(archive, w))} for w in list_watches(archive)]
    except KznlpError as error:
        raise _fail(str(error)) from None
    if as_json:
        return _json_lines(rows)
    if not rows:
        out.print(_("no watches"))
        return
    table = Table(_("watch"), _("follows"), _("new"), _("last report"))
    for r in rows:
        from kznlp.follow.watches import Watch

        what = Watch(r["name"], r["query"], r["official"], r["organisation"], r["filters"]).describe()
        table.add_row(r["name"], what, str(r["new"]), r["reported_at"] or _("never"))
    out.print(table)


@watch_app.command("remove")
def watch_remove(name: Annotated[str, typer.Argument(help="The watch to remove.")],
                 db: DbPath = DEFAULT_DB) -> None:
    """Remove a watch."""
    from kznlp.follow.watches import remove_watch

    out, _err = _console()
    try:
        remove_watch(_open(db, readonly=False), name)
    except KznlpError as error:
        raise _fail(str(error)) from None
    out.print(_("watch {name} removed").format(name=name), highlight=False)


def _action_line(a: dict) -> str:
    extra = ", ".join(x for x in (a.get("frequency"), a.get("deadline") and _("by {date}").format(date=a["deadline"]),
                                  a.get("responsible") and _("responsible: ") + "; ".join(a["responsible"])) if x)
    return f"    • {a['text']}" + (f"  ({extra})" if extra else "")


@watch_app.command("report")
def watch_report(
    name: Annotated[Optional[str], typer.Argument(help="One watch (default: all).")] = None,
    db: DbPath = DEFAULT_DB,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per watch.")] = False,
) -> None:
    """What matched since the last report (documents stored after it, with decisions and action items);
    then mark it reported."""
    from kznlp.follow.watches import report

    out, _err = _console()
    try:
        results = report(_open(db, readonly=False), name)
    except KznlpError as error:
        raise _fail(str(error)) from None
    if as_json:
        return _json_lines(results)
    if not results:
        out.print(_("no watches"))
    for r in results:
        docs = r["documents"]
        out.print(f"[bold]{r['watch']['name']}[/bold]: " + _n("{n} new document", "{n} new documents",
                                                              len(docs)).format(n=len(docs)), highlight=False)
        for d in docs:
            out.print(f"  {d['published'] or _('undated')}  {d['title'] or d['doc']}  [dim]({d['doc']})[/dim]",
                      highlight=False)
            for x in d["decisions"]:
                out.print(f"    {_('decision')} ({x['maker'] or '?'}): {x['text']}", highlight=False)
                for a in x["actions"]:
                    out.print(_action_line(a), highlight=False)


def deadlines(
    db: DbPath = DEFAULT_DB,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue action items.")] = False,
    within: Annotated[Optional[int], typer.Option(help="Only items due within this many days.", min=0)] = None,
    responsible: Annotated[Optional[str], typer.Option(help="Only items this body is responsible for.")] = None,
    official: Annotated[Optional[str], typer.Option(help="Only items decided by this official.")] = None,
    today: Annotated[Optional[str], typer.Option(help="Count from this day (YYYY-MM-DD) instead of today.")] = None,
    ics: Annotated[Optional[Path], typer.Option(help="Also write the items as an iCalendar file.")] = None,
    base_url: Annotated[str, typer.Option(help="Site the calendar links documents on.")] = "http://127.0.0.1:8000",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Action items by deadline: overdue, due within 7 days, within 30 days, later; unresolved ones apart."""
    from kznlp.follow.deadlines import GROUPS, deadline_items, select, to_ics

    out, _err = _console()
    try:
        day = date.fromisoformat(today) if today else None
    except ValueError:
        raise _fail(_("--today: expected YYYY-MM-DD, got {value!r}").format(value=today)) from None
    try:
        result = select(deadline_items(_open(db, readonly=True), today=day, responsible=responsible,
                                       official=official), overdue=overdue, within=within)
    except KznlpError as error:
        raise _fail(str(error)) from None
    if ics:
        data = to_ics(result, base_url)
        try:
            partial = ics.with_name(ics.name + ".part")
            partial.write_bytes(data)
            partial.replace(ics)  # a complete calendar or none
        except OSError as error:
            raise _fail(f"{ics}: {error.strerror or error}") from None
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
        return
    total = sum(len(v) for v in result["groups"].values())
    out.print(_n("{n} action item with a deadline date, counted from {today}",
                 "{n} action items with a deadline date, counted from {today}", total).format(n=total, today=result["today"]),
              highlight=False)
    for name in GROUPS:
        items = result["groups"][name]
        if not items:
            continue
        out.print(f"[bold]{group_title(name)}[/bold] ({len(items)})", highlight=False)
        for i in items:
            _print_item(out, i, f"{i['due']} ({i['days']:+d} d)")
    if result["unresolved"]:
        out.print(f"[bold]{_('No date (unresolved)')}[/bold] ({len(result['unresolved'])})", highlight=False)
        for i in result["unresolved"]:
            _print_item(out, i, f"«{i['phrase']}»")
    if ics:
        out.print(_("calendar written to {path}").format(path=ics), highlight=False)


def _print_item(out, i: dict, when: str) -> None:
    out.print(f"  {when}  {i['text']}", highlight=False)
    who = "; ".join(i["responsible"]) or "?"
    out.print(f"      {_('responsible')}: {who}; {_('decided by')}: {i['maker'] or '?'}; "
              f"{i['doc_id']} ({i['published'] or _('undated')})", highlight=False)


def xref(
    names_csv: Annotated[Path, typer.Argument(help="CSV file with a header row and a column of names.")],
    db: DbPath = DEFAULT_DB,
    column: Annotated[str, typer.Option(help="The column holding the names.")] = "name",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write CSV here (default: a table).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """Cross-reference a list of names (any case, ending or script) with the archive's officials."""
    from rich.table import Table

    from kznlp.follow.xref import OUT_COLUMNS, cross_reference, csv_rows, read_names
    from kznlp.store.queries import to_csv

    out, _err = _console()
    try:
        data = names_csv.read_bytes()
    except OSError as error:
        raise _fail(f"{names_csv}: {error.strerror or error}") from None
    try:
        results = cross_reference(_open(db, readonly=True), read_names(data, column, source=str(names_csv)))
    except KznlpError as error:
        raise _fail(str(error)) from None
    if output:
        try:
            partial = output.with_name(output.name + ".part")
            with partial.open("w", encoding="utf-8", newline="") as stream:
                stream.writelines(to_csv(csv_rows(results), OUT_COLUMNS))
            partial.replace(output)
        except OSError as error:
            raise _fail(f"{output}: {error.strerror or error}") from None
    if as_json:
        return _json_lines(results)
    matched = sum(bool(r["matches"]) for r in results)
    table = Table(_("name"), _("official"), _("positions"), _("documents"), _("first"), _("last"))
    for r in results:
        if not r["matches"]:
            table.add_row(r["name"], "—", "", "0", "", "")
        for m in r["matches"]:
            table.add_row(r["name"], m["name"], "; ".join(p["position"] for p in m["positions"]), str(m["documents"]),
                          m["first"] or "", m["last"] or "")
    if not output:
        out.print(table)
    out.print(_("{matched} of {n} names matched").format(matched=matched, n=len(results)) +
              (" → " + str(output) if output else ""), highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(watch_app, name="watch")
    app.command("deadlines")(deadlines)
    app.command("xref")(xref)
