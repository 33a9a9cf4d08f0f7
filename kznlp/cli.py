"""The ``kznlp`` command: process, demo, search, ner-eval, crawl."""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import json
import os
import re
import sys
import warnings
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from kznlp.errors import KznlpError
from kznlp.store.origins import origin_of, source_of
from kznlp.i18n import _, _n, set_language

# Help texts stay English (typer builds them at import, before --lang is read); messages and tables follow --lang.
app = typer.Typer(help="Kazakh news and decision processor.", no_args_is_help=True,
                  context_settings={"help_option_names": ["-h", "--help"]}, pretty_exceptions_enable=False)
# Piped output is not cut at 80 columns: names and positions stay whole for grep and for tests.
err = Console(stderr=True, width=None if sys.stderr.isatty() else 200)
out = Console(width=None if sys.stdout.isatty() else 160)

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_CORPUS = REPO_ROOT / "corpora" / "demo"

ModelOption = Annotated[Optional[str], typer.Option(
    "--model", help="NER model directory or hub id (default: the shipped models/kk-ner).", envvar="KZNLP_MODEL")]
DbOption = Annotated[Optional[Path], typer.Option("--db", help="SQLite archive to store results in.")]
OfficialOption = Annotated[Optional[str], typer.Option(
    "--official", help="An official's name or part of it, in any ending: \"Сағынтаевтың\".")]


class Language(str, Enum):
    kk = "kk"
    en = "en"


@app.callback()
def interface_language(
    lang: Annotated[Optional[Language], typer.Option(
        "--lang", help="Language of messages and tables: kk (default) or en. Without it: KZNLP_LANG, then the "
        "locale (LC_ALL, LC_MESSAGES, LANG starting with 'en' is English).", show_default=False)] = None,
) -> None:
    """Kazakh news and decision processor."""
    set_language(lang.value if lang else None)


def _frequency(code: str | None) -> str | None:
    """An action's frequency code in words (the website's labels)."""
    labels = {"daily": _("daily"), "weekly": _("weekly"), "monthly": _("monthly"), "quarterly": _("quarterly"),
              "annually": _("annually")}
    return labels.get(code, code) if code else None


def _action_details(frequency: str | None, deadline: str | None, responsible: list[str]) -> str:
    """"(weekly, by 2024-12-31, responsible: …)" for an action line; "" when there is nothing to say."""
    details = [_frequency(frequency),
               deadline and _("by {deadline}").format(deadline=deadline),
               responsible and _("responsible: {names}").format(names="; ".join(responsible))]
    details = [d for d in details if d]
    return f"  [dim]({escape(', '.join(details))})[/dim]" if details else ""


class OutputFormat(str, Enum):
    jsonl = "jsonl"
    json = "json"


def _quiet_libraries() -> None:
    """Model loading chatter (progress bars, deprecation notes) is not for our users."""
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_OFFLINE", "1") if not os.environ.get("KZNLP_ONLINE") else None
    warnings.filterwarnings("ignore")
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    except ImportError:
        pass


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]{_('error:')}[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@app.command()
def process(
    files: Annotated[list[str], typer.Argument(help="Text or HTML files; '-' reads standard input.")],
    db: DbOption = None,
    output_format: Annotated[OutputFormat, typer.Option("--format", help="jsonl: one object per line; "
                                                        "json: one array.")] = OutputFormat.jsonl,
    model: ModelOption = None,
    alphabet: Annotated[str, typer.Option(help="Alphabet of Latin or Arabic-script Kazakh: auto, 2021, 2018, "
                                          "2017, digraph, arab, or none (no conversion to Cyrillic).")] = "auto",
) -> None:
    """Extract entities, officials, figures and decisions; print JSON, optionally archive it.

    Kazakh in Cyrillic, Latin (2021, 2018, 2017 alphabets, site variants) and Arabic script is read."""
    from kznlp.pipeline import Pipeline, check_file, input_ids
    from kznlp.progress import WordsProgress

    failures, results = 0, []
    usable = []
    for name in files:  # inputs that cannot work are refused before the model loads (seconds)
        if (problem := check_file(name)) is None:
            usable.append(name)
        else:
            failures += 1
            err.print(f"[red]{_('error:')}[/red] {escape(f'{name}: {problem}')}", highlight=False, soft_wrap=True)
    try:
        from kznlp.text.translit import ALPHABETS

        if alphabet not in ALPHABETS + ("auto", "none"):
            raise KznlpError(_("--alphabet must be auto, none or one of {alphabets}, not {alphabet!r}").format(
                alphabets=", ".join(ALPHABETS), alphabet=alphabet))
        archive = _open_db(db) if db else None
        if not usable:
            raise typer.Exit(1)
        _quiet_libraries()  # imports transformers (most of a second): only once the model is needed
        pipeline = Pipeline(model)
        if alphabet != "auto":
            pipeline = pipeline.with_alphabet(None if alphabet == "none" else alphabet)
    except KznlpError as error:
        raise _fail(str(error)) from None
    single = len(usable) == 1
    progress = WordsProgress(None if single else len(usable), unit=_("words") if single else None)
    if single:  # one long text: the words tagged so far
        pipeline.on_tagged = lambda done, total: progress.update(done, done, total=total)
    documents = pipeline.process_files(usable, doc_ids=input_ids(usable))  # same stems get their paths
    words = 0
    with progress:
        for done, (name, result) in enumerate(zip(usable, documents), 1):
            failures += _emit(name, result, archive, output_format, results)
            words += len(getattr(result, "text", "").split())
            if not single:
                progress.update(done, words)
    if output_format is OutputFormat.json:
        sys.stdout.write(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    sys.stdout.flush()
    if failures:
        raise typer.Exit(1)


def _emit(name: str, result, archive, output_format: OutputFormat, results: list) -> int:
    """Print (and store) one result of ``process``; 1 when it was rejected."""
    from kznlp.records import Rejected

    if isinstance(result, Rejected):
        err.print(f"[red]{_('error:')}[/red] {escape(f'{result.source}: {result.reason}')}", highlight=False,
                  soft_wrap=True)
        return 1
    for warning in result.warnings:
        err.print(f"[yellow]{_('warning:')}[/yellow] {escape(f'{name}: {warning}')}", highlight=False,
                  soft_wrap=True)
    if archive is not None:
        from kznlp.store.archive import save_document

        try:
            stored = save_document(archive, result, source=source_of(result, "file"), origin=origin_of(name))
        except KznlpError as error:
            raise _fail(str(error)) from None
        result = dataclasses.replace(result, doc=stored)  # the id it is known by in the archive
    if output_format is OutputFormat.jsonl:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    else:
        results.append(result.to_dict())
    return 0


def _open_db(path: Path, readonly: bool = False):
    from kznlp.store.archive import open_archive

    return open_archive(path, readonly=readonly)


@app.command()
def demo(
    db: Annotated[Path, typer.Option("--db", help="Archive to build.")] = Path("kznlp-demo.db"),
    model: ModelOption = None,
) -> None:
    """The main job, offline: the demo site and releases, archived and summarised.

    Crawls the bundled demo site (served on 127.0.0.1) with the real crawler, processes the bundled releases, archive everything and print officials, decisions and a search."""
    from kznlp.pipeline import Pipeline
    from kznlp.scrape.crawl import crawl as run_crawl
    from kznlp.scrape.demo import DEMO_SITE, demo_options, serve_directory
    from kznlp.store.archive import save_document, search

    _quiet_libraries()
    files = sorted(p for p in DEMO_CORPUS.glob("*") if p.suffix in (".txt", ".html"))
    if not files:
        raise _fail(_("no demo corpus in {folder}").format(folder=DEMO_CORPUS))
    try:
        pipeline = Pipeline(model)
        archive = _open_db(db)
        with out.status(_("crawling the demo site on 127.0.0.1…")), serve_directory(DEMO_SITE) as base:
            stats = run_crawl(archive, demo_options(base, model=model), pipeline=pipeline)
    except KznlpError as error:
        raise _fail(str(error)) from None
    out.print(_("crawled the demo site: {stored}, {duplicates}, {blocked}, {errors}").format(
        stored=_n("{count} article stored", "{count} articles stored", stats.stored).format(count=stats.stored),
        duplicates=_n("{count} duplicate", "{count} duplicates", stats.duplicates).format(count=stats.duplicates),
        blocked=_n("{count} blocked by robots.txt", "{count} blocked by robots.txt", stats.blocked).format(
            count=stats.blocked),
        errors=_n("{count} error", "{count} errors", stats.errors).format(count=stats.errors)), highlight=False)
    docs, also_crawled = [], 0
    with out.status(_("processing the demo corpus…")):
        for path in files:
            result = pipeline.process_file(path)
            if hasattr(result, "reason"):
                err.print(_("skipped {file}: {reason}").format(file=path.name, reason=result.reason), markup=False)
                continue
            stored = save_document(archive, result, source=source_of(result, "demo"), origin=origin_of(path))
            also_crawled += stored != result.doc
            docs.append(dataclasses.replace(result, doc=stored))  # a release also crawled is that document
    files_read = _n("{count} file", "{count} files", len(docs)).format(count=len(docs))
    out.print(_("{files} from {folder}/ ({same} of them releases the site also has: one document each) → {db}").format(
        files=f"[bold]{files_read}[/bold]", folder=DEMO_CORPUS.name, same=also_crawled, db=escape(str(db))),
        highlight=False)
    officials = Table(_("official"), _("positions"), _("document"), title=_("Officials"), show_lines=False)
    for doc in docs:
        for official in doc.officials:
            officials.add_row(official.name, "; ".join(official.positions), doc.doc)
    out.print(officials)
    for doc in docs:
        for decision in doc.decisions:
            if not decision.actions:
                continue
            out.print("[bold]" + _("Decision") + "[/bold] " + escape(_("({doc}) by {maker}: {text}").format(
                doc=doc.doc, maker=decision.maker or "?", text=decision.text)), highlight=False)
            for action in decision.actions:
                out.print(f"  • {escape(action.text)}" + _action_details(action.frequency, action.deadline,
                                                                          list(action.responsible)), highlight=False)
    query = "әкім"
    hits = search(archive, query, limit=5)
    out.print("[bold]" + _("Search") + "[/bold] " + _('"{query}": {documents}').format(
        query=escape(query), documents=_n("{count} document", "{count} documents", len(hits)).format(count=len(hits))),
        highlight=False)
    for hit in hits:
        out.print(f"  {hit.doc_id}: {hit.snippet}", highlight=False, markup=False)


@app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help="Words to find; Kazakh endings do not matter. \"...\" is a phrase; "
                                         "Latin and Arabic-script Kazakh work too.")],
    db: Annotated[Path, typer.Option("--db", help="Archive to search.")] = Path("kznlp-demo.db"),
    limit: Annotated[int, typer.Option(help="Most documents to show.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines instead of a table.")] = False,
    official: OfficialOption = None,
    since: Annotated[Optional[str], typer.Option(help="Published on or after (YYYY, YYYY-MM or YYYY-MM-DD).")] = None,
    until: Annotated[Optional[str], typer.Option(help="Published on or before (YYYY, YYYY-MM or YYYY-MM-DD).")] = None,
    source: Annotated[Optional[str], typer.Option(help="Only documents from this source.")] = None,
    position: Annotated[Optional[str], typer.Option(help="Only documents naming a position containing this.")] = None,
    organisation: Annotated[Optional[str], typer.Option(help="Only documents naming this organisation.")] = None,
    has_decisions: Annotated[bool, typer.Option("--has-decisions", help="Only documents with decisions.")] = False,
) -> None:
    """Find documents and their decisions in an archive."""
    from kznlp.store.archive import search
    from kznlp.store.filters import Filters, check_date

    try:
        filters = Filters(official=official, since=check_date(since, "--since"), until=check_date(until, "--until"),
                          source=source, position=position, organisation=organisation,
                          has_decisions=True if has_decisions else None)
        hits = search(_open_db(db, readonly=True), query, limit=limit, filters=filters)
    except (ValueError, KznlpError) as error:
        raise _fail(str(error)) from None
    if as_json:
        for hit in hits:
            sys.stdout.write(json.dumps({"doc": hit.doc_id, "title": hit.title, "published": hit.published,
                                         "source": hit.source, "url": hit.url, "snippet": hit.snippet,
                                         "decisions": list(hit.decisions)}, ensure_ascii=False) + "\n")
        return
    if not hits:
        out.print(_('no documents match "{query}"').format(query=query) + (_(" (no words to search for)") if not any(
            ch.isalnum() for ch in query) else ""), highlight=False, markup=False)
        return
    table = Table(_("document"), _("published"), _("match"), _("decisions"), show_lines=True)
    for hit in hits:
        decisions = "\n".join((d["maker"] or "?") + ": " + _n("{count} action", "{count} actions", len(d["actions"])).format(
            count=len(d["actions"]))
            for d in hit.decisions)
        if out.is_terminal:  # highlighted; piped, the hits are marked [like this], as --json does
            snippet = Text()
            for piece, is_hit in hit.parts:
                snippet.append(piece, style="bold reverse" if is_hit else None)
        else:
            snippet = Text(hit.snippet)
        table.add_row(hit.title or hit.doc_id, hit.published or "", snippet, decisions)
    out.print(table)


@app.command()
def officials(
    db: Annotated[Path, typer.Option("--db", help="Archive to read.")] = Path("kznlp-demo.db"),
    name: Annotated[Optional[str], typer.Option(help="Only officials whose name contains this (any ending).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines instead of a table.")] = False,
) -> None:
    """List the officials in an archive with their positions and how often they appear."""
    from kznlp.store.queries import list_officials

    try:
        rows = list_officials(_open_db(db, readonly=True), name=name, limit=1000)
    except KznlpError as error:
        raise _fail(str(error)) from None
    if as_json:
        sys.stdout.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        return
    table = Table(_("official"), _("positions"), _("documents"), _("decisions"), title=_("Officials"))
    for r in rows:
        table.add_row(r["name"], "; ".join(r["positions"]), str(r["documents"]), str(r["decisions"]))
    out.print(table)


@app.command()
def decisions(
    db: Annotated[Path, typer.Option("--db", help="Archive to read.")] = Path("kznlp-demo.db"),
    official: OfficialOption = None,
    limit: Annotated[int, typer.Option(help="Most decisions to show.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines instead of text.")] = False,
) -> None:
    """What was decided (by an official, with --official) and the action items: who, how often, by when."""
    from kznlp.store.queries import list_decisions

    try:
        rows = list_decisions(_open_db(db, readonly=True), official=official, limit=limit)
    except KznlpError as error:
        raise _fail(str(error)) from None
    if as_json:
        sys.stdout.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        return
    if not rows:
        out.print(_('no decisions by "{official}"').format(official=official) if official else _("no decisions"),
                  highlight=False, markup=False)
    for r in rows:
        out.print(f"[bold]{escape(r['maker'] or '?')}[/bold] " + escape(f"({r['doc_id']}, "
                  f"{r['published'] or _('undated')}): {r['text']}"), highlight=False)
        for a in r["actions"]:
            out.print(f"  • {escape(a['text'])}" + _action_details(a["frequency"], a["deadline"], a["responsible"]),
                      highlight=False)


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"


class ExportWhat(str, Enum):
    documents = "documents"
    actions = "actions"


@app.command()
def export(
    db: Annotated[Path, typer.Option("--db", help="Archive to read.")] = Path("kznlp-demo.db"),
    export_format: Annotated[ExportFormat, typer.Option("--format", help="jsonl or csv.")] = ExportFormat.jsonl,
    what: Annotated[ExportWhat, typer.Option(help="documents: one per document (jsonl: the full JSON output "
                                             "schema); actions: one row per action item.")] = ExportWhat.documents,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
    excel: Annotated[Optional[bool], typer.Option(
        "--excel/--no-excel", help="CSV as UTF-8 with a byte order mark, which Excel needs to show Kazakh letters. "
        "Default: on with -o FILE, off on stdout.", show_default=False)] = None,
) -> None:
    """Write the archive out as JSON Lines or CSV."""
    from kznlp.store import queries

    if excel and export_format is not ExportFormat.csv:
        raise _fail(_("--excel is for --format csv"))
    with_bom = export_format is ExportFormat.csv and (excel if excel is not None else output is not None)
    try:
        archive = _open_db(db, readonly=True)
        rows = queries.export_documents(archive) if what is ExportWhat.documents else queries.export_actions(archive)
        if export_format is ExportFormat.jsonl:
            lines = (json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        elif what is ExportWhat.documents:
            lines = queries.to_csv(({**r, "officials": "; ".join(o["name"] for o in r["officials"]),
                                     "decisions": len(r["decisions"])} for r in rows),
                                   ("doc", "title", "published", "source", "url", "language", "officials",
                                    "decisions"))
        else:
            lines = queries.to_csv(rows, queries.EXPORT_COLUMNS)
        target = output.open("w", encoding="utf-8", newline="") if output else contextlib.nullcontext(sys.stdout)
        with target as stream:
            if with_bom:
                stream.write("\ufeff")
            for line in lines:
                stream.write(line)
    except BrokenPipeError:  # `kznlp export | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (KznlpError, OSError) as error:
        raise _fail(str(error)) from None


@app.command()
def serve(
    db: Annotated[Path, typer.Option("--db", help="Archive to serve (opened read-only).")] = Path("kznlp-demo.db"),
    host: Annotated[str, typer.Option(help="Address to listen on.", envvar="KZNLP_HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", envvar="KZNLP_PORT")] = 8000,
) -> None:
    """Serve the archive as a website (search, decisions, officials, documents) with a JSON API under /api/."""
    import uvicorn

    from kznlp.web import create_app

    try:
        app_ = create_app(db)
    except KznlpError as error:
        raise _fail(str(error)) from None
    out.print(_("serving {db} on {url}").format(db=db, url=f"http://{host}:{port}/"), highlight=False, markup=False)
    uvicorn.run(app_, host=host, port=port, log_level="warning")


def _is_day(value: str) -> bool:
    """A real YYYY-MM-DD date (not 2024-13-45 or 2024-02-30)."""
    from datetime import date

    try:
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)) and bool(date.fromisoformat(value))
    except ValueError:
        return False


def _crawl_reporter(as_json: bool):
    """A rich progress line (pages/s, stored, skipped, errors), or JSON lines with ``--json``; and a closer."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    if as_json:
        def on_event(event, stats):
            if event.event != "tick":
                sys.stdout.write(json.dumps({"event": event.event, "url": event.url, "detail": event.detail,
                                             "doc": event.doc_id}, ensure_ascii=False) + "\n")
                sys.stdout.flush()
        return on_event, contextlib.nullcontext()
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                        transient=True)
    task = progress.add_task(_("starting…"), total=None)

    def on_event(event, stats):
        rate = stats.fetched / stats.elapsed if stats.elapsed else 0.0
        progress.update(task, description=escape(_(
            "{pages} ({rate:.1f}/s) · stored {stored} · skipped {skipped} · errors {errors}").format(
            pages=_n("{count} page", "{count} pages", stats.fetched).format(count=stats.fetched), rate=rate,
            stored=stats.stored, skipped=stats.skipped + stats.duplicates, errors=stats.errors)))
    return on_event, progress


@app.command()
def crawl(
    urls: Annotated[Optional[list[str]], typer.Argument(help="Article, listing, feed or sitemap URLs.")] = None,
    source: Annotated[Optional[list[str]], typer.Option(
        "--source", help="A configured site (akorda, kazinform, egemen, primeminister, khabar, bairaq); "
        "NAME=URL points it at another base URL.")] = None,
    db: Annotated[Path, typer.Option("--db", help="Archive to fill.")] = Path("kznlp-crawl.db"),
    since: Annotated[Optional[str], typer.Option(help="Skip articles published before YYYY-MM-DD.")] = None,
    max_pages: Annotated[Optional[int], typer.Option("--max-pages", help="Article pages to fetch at most.")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the last crawl's frontier.")] = False,
    no_extract: Annotated[bool, typer.Option("--no-extract", help="Store text only; no NER and extraction.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Log JSON lines on stdout instead of a progress bar.")] = False,
    demo_site: Annotated[bool, typer.Option("--demo", help="Crawl the bundled demo site, served on 127.0.0.1.")] = False,
    delay: Annotated[float, typer.Option(help="Seconds between requests to one host (robots Crawl-delay may raise it).")] = 1.0,
    timeout: Annotated[float, typer.Option(help="Seconds a whole response may take (and each read).")] = 20.0,
    retries: Annotated[int, typer.Option(help="Retries on timeouts, 429 and 5xx.")] = 3,
    model: ModelOption = None,
) -> None:
    """Fetch articles politely (robots.txt, delays, retries), extract and archive them; resumable."""
    from kznlp.scrape.crawl import CrawlOptions, crawl as run_crawl
    from kznlp.scrape.demo import DEMO_SITE, demo_options, serve_directory
    from kznlp.scrape.records import FetchPolicy

    _quiet_libraries()
    if since is not None and not _is_day(since):
        raise _fail(_("--since {value}: expected a date YYYY-MM-DD").format(value=since))
    on_event, progress = _crawl_reporter(as_json)
    policy = FetchPolicy(delay=delay, timeout=timeout, retries=retries, backoff=min(1.0, max(0.05, delay)))
    try:
        archive = _open_db(db)
        with serve_directory(DEMO_SITE) if demo_site else contextlib.nullcontext() as base, progress:
            options = demo_options(base) if demo_site else CrawlOptions()
            options = dataclasses.replace(options, sources=tuple(source or ()), urls=options.urls + tuple(urls or ()),
                                          since=since, max_pages=max_pages, resume=resume, extract=not no_extract,
                                          model=model, **({} if demo_site else {"policy": policy}))
            stats = run_crawl(archive, options, on_event=on_event)
    except KznlpError as error:
        raise _fail(str(error)) from None
    if as_json:
        sys.stdout.write(json.dumps({"event": "summary", **stats.as_dict()}, ensure_ascii=False) + "\n")
        return
    out.print(escape(_("{stored} stored, {duplicates} duplicates, {near} near-duplicates, {skipped} skipped, "
                       "{blocked} blocked, {errors} errors; {pages} in {seconds:.1f} s → {db}").format(
        stored=stats.stored, duplicates=stats.duplicates, near=stats.near_duplicates, skipped=stats.skipped,
        blocked=stats.blocked, errors=stats.errors, seconds=stats.elapsed, db=db,
        pages=_n("{count} page", "{count} pages", stats.fetched).format(count=stats.fetched))), highlight=False)
    for line in stats.error_samples[:5]:
        out.print(f"  [red]{_('error')}[/red] {escape(line)}", highlight=False)
    if demo_site:
        rows = archive.execute("SELECT d.title, d.published, d.language, d.script, "
                               "(SELECT count(*) FROM positions p WHERE p.doc_id = d.id) FROM documents d "
                               "JOIN crawl_articles c ON c.doc_id = d.id ORDER BY d.published").fetchall()
        table = Table(_("title"), _("published"), _("language"), _("positions"), title=_("Crawled documents"))
        for title, published, language, script, positions in rows:
            table.add_row((title or "")[:70], published or "", f"{language}/{script}", str(positions))
        out.print(table)


@app.command("ner-eval")
def ner_eval(
    conll: Annotated[Path, typer.Argument(help="CoNLL file: 'token TAG' per line, blank line between sentences.")],
    model: ModelOption = None,
    precision: Annotated[str, typer.Option(help="Number format of the model: auto (bf16 where the CPU has "
                                           "bf16 units, else int8), bf16, int8 or fp32 (to measure "
                                           "what each costs).")] = "auto",
    argmax: Annotated[bool, typer.Option("--argmax", help="Decode each word's best tag alone instead of "
                                         "BIO-constrained Viterbi (to measure what the constraint gives).")] = False,
) -> None:
    """Tag a CoNLL file and print entity precision/recall/F1 per class; the last line is 'F1 0.xxxx'."""
    from kznlp.ner.conll import read_conll
    from kznlp.ner.metrics import entity_scores
    from kznlp.ner.tagger import NerTagger

    _quiet_libraries()
    try:
        sentences = read_conll(conll)
        tagger = NerTagger(model, precision=precision, constrained=not argmax)
    except (OSError, ValueError) as error:
        raise _fail(f"{conll}: {error}") from None
    except KznlpError as error:
        raise _fail(str(error)) from None
    predicted = tagger.tag_words([s.tokens for s in sentences])
    rows, micro = entity_scores([s.tags for s in sentences], predicted)
    print(f"{'class':<16}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}")
    for row in rows + [micro]:
        print(f"{row.label:<16}{row.precision:>10.4f}{row.recall:>10.4f}{row.f1:>10.4f}{row.support:>9}")
    print(f"F1 {micro.f1:.4f}")


def _tidy_help(command) -> None:
    """Flags show no "<bool>" type and help paragraphs are one flowing text (typer's rich help keeps the
    docstrings' line breaks, which cut a command's line in the middle of a sentence)."""
    for param in getattr(command, "params", ()):
        if getattr(param, "is_flag", False):
            param.metavar = ""  # typer's rich help shows the metavar in place of the type
    make_help_option = command.get_help_option  # --help is made per context, not kept in params

    def help_option(ctx):
        option = make_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option
    command.get_help_option = help_option
    if command.help:
        command.help = "\n\n".join(" ".join(p.split()) for p in inspect.cleandoc(command.help).split("\n\n"))
    for sub in getattr(command, "commands", {}).values():
        _tidy_help(sub)


# watch, deadlines, xref (issue 16)
from kznlp.follow.cli import register as _register_follow  # noqa: E402

_register_follow(app)

from kznlp.batch.command import batch  # noqa: E402

app.command("batch")(batch)


def main() -> None:
    command = typer.main.get_command(app)
    _tidy_help(command)
    command()


if __name__ == "__main__":
    main()
