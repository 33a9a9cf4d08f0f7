"""The ``kznlp`` command: process, demo, search, ner-eval."""

from __future__ import annotations

import json
import os
import sys
import warnings
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from kznlp.errors import KznlpError

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
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@app.command()
def process(
    files: Annotated[list[str], typer.Argument(help="Text or HTML files; '-' reads standard input.")],
    db: DbOption = None,
    output_format: Annotated[OutputFormat, typer.Option("--format", help="jsonl: one object per line; "
                                                        "json: one array.")] = OutputFormat.jsonl,
    model: ModelOption = None,
) -> None:
    """Extract entities, officials, figures and decisions; print JSON, optionally archive it."""
    from kznlp.pipeline import Pipeline
    from kznlp.records import Rejected

    _quiet_libraries()
    try:
        pipeline = Pipeline(model)
        archive = _open_db(db) if db else None
    except KznlpError as error:
        raise _fail(str(error)) from None
    failures, results = 0, []
    for name in files:
        result = pipeline.process_file(name)
        if isinstance(result, Rejected):
            failures += 1
            err.print(f"[red]error:[/red] {result.source}: {result.reason}", highlight=False, soft_wrap=True)
            continue
        if archive is not None:
            from kznlp.store.archive import save_document

            try:
                save_document(archive, result, source="file")
            except KznlpError as error:
                raise _fail(str(error)) from None
        if output_format is OutputFormat.jsonl:
            sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
        else:
            results.append(result.to_dict())
    if output_format is OutputFormat.json:
        sys.stdout.write(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    sys.stdout.flush()
    if failures:
        raise typer.Exit(1)


def _open_db(path: Path, readonly: bool = False):
    from kznlp.store.archive import open_archive

    return open_archive(path, readonly=readonly)


@app.command()
def demo(
    db: Annotated[Path, typer.Option("--db", help="Archive to build.")] = Path("kznlp-demo.db"),
    model: ModelOption = None,
) -> None:
    """Process the bundled demo corpus into an archive and print a short summary."""
    from kznlp.pipeline import Pipeline
    from kznlp.store.archive import save_document, search

    _quiet_libraries()
    files = sorted(p for p in DEMO_CORPUS.glob("*") if p.suffix in (".txt", ".html"))
    if not files:
        raise _fail(f"no demo corpus in {DEMO_CORPUS}")
    try:
        pipeline = Pipeline(model)
        archive = _open_db(db)
    except KznlpError as error:
        raise _fail(str(error)) from None
    docs = []
    with out.status("processing the demo corpus…"):
        for path in files:
            result = pipeline.process_file(path)
            if hasattr(result, "reason"):
                err.print(f"skipped {path.name}: {result.reason}")
                continue
            save_document(archive, result, source="demo")
            docs.append(result)
    out.print(f"[bold]{len(docs)} documents[/bold] → {db}")
    officials = Table("official", "positions", "document", title="Officials", show_lines=False)
    for doc in docs:
        for official in doc.officials:
            officials.add_row(official.name, "; ".join(official.positions), doc.doc)
    out.print(officials)
    for doc in docs:
        for decision in doc.decisions:
            if not decision.actions:
                continue
            out.print(f"[bold]Decision[/bold] ({doc.doc}) by {decision.maker or '?'}: {decision.text}",
                      highlight=False)
            for action in decision.actions:
                extra = ", ".join(x for x in (action.frequency, action.deadline and f"by {action.deadline}",
                                              action.responsible and "responsible: " + "; ".join(action.responsible))
                                  if x)
                out.print(f"  • {action.text}" + (f"  [dim]({extra})[/dim]" if extra else ""), highlight=False)
    query = "әкім"
    hits = search(archive, query, limit=5)
    out.print(f"[bold]Search[/bold] {query!r}: {len(hits)} documents", highlight=False)
    for hit in hits:
        out.print(f"  {hit.doc_id}: {hit.snippet}", highlight=False)


@app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help="Words to find; Kazakh endings do not matter.")],
    db: Annotated[Path, typer.Option("--db", help="Archive to search.")] = Path("kznlp-demo.db"),
    limit: Annotated[int, typer.Option(help="Most documents to show.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines instead of a table.")] = False,
) -> None:
    """Find documents and their decisions in an archive."""
    from kznlp.store.archive import search

    try:
        hits = search(_open_db(db, readonly=True), query, limit=limit)
    except KznlpError as error:
        raise _fail(str(error)) from None
    if as_json:
        for hit in hits:
            sys.stdout.write(json.dumps({"doc": hit.doc_id, "title": hit.title, "published": hit.published,
                                         "snippet": hit.snippet, "decisions": list(hit.decisions)},
                                        ensure_ascii=False) + "\n")
        return
    if not hits:
        out.print(f"no documents match {query!r}", highlight=False)
        return
    table = Table("document", "published", "match", "decisions", show_lines=True)
    for hit in hits:
        decisions = "\n".join(f"{d['maker'] or '?'}: {len(d['actions'])} actions" for d in hit.decisions)
        table.add_row(hit.title or hit.doc_id, hit.published or "", hit.snippet, decisions)
    out.print(table)


@app.command("ner-eval")
def ner_eval(
    conll: Annotated[Path, typer.Argument(help="CoNLL file: 'token TAG' per line, blank line between sentences.")],
    model: ModelOption = None,
    fp32: Annotated[bool, typer.Option("--fp32", help="Run the model in plain float32 instead of int8 "
                                       "(to measure what quantisation costs).")] = False,
) -> None:
    """Tag a CoNLL file and print entity precision/recall/F1 per class; the last line is 'F1 0.xxxx'."""
    from kznlp.ner.conll import read_conll
    from kznlp.ner.metrics import entity_scores
    from kznlp.ner.tagger import NerTagger

    _quiet_libraries()
    try:
        sentences = read_conll(conll)
        tagger = NerTagger(model, quantize=not fp32)
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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
