"""The ``kznlp batch`` command (registered in ``kznlp.cli``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from kznlp.errors import KznlpError
from kznlp.i18n import _, _n


def batch(
    inputs: Annotated[list[str], typer.Argument(help=_("Files, folders (.txt, .html, .htm, recursive), JSON Lines "
                                                       "or Parquet with id and text (title, url, published, source "
                                                       "optional)."))],
    out: Annotated[Path, typer.Option("--out", help=_("Folder for the Parquet shards and rejects.jsonl."))],
    db: Annotated[Optional[Path], typer.Option("--db", help=_("Also load the results into this archive."))] = None,
    engine: Annotated[str, typer.Option(help=_("local: worker processes on this machine; ray: Ray Data "
                                               "(pip install 'kznlp[ray]').") )] = "local",
    workers: Annotated[Optional[int], typer.Option(help=_("Worker processes or Ray actors (default: one per two "
                                                          "cores, the fastest measured)."), min=1)] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", help=_("Documents per pass through the model."),
                                            min=1)] = 8,
    shard_size: Annotated[int, typer.Option("--shard-size", help=_("Documents per shard."), min=1)] = 200,
    resume: Annotated[bool, typer.Option("--resume", help=_("Skip documents (same id and content) already in "
                                                            "--out."))] = False,
    ray_address: Annotated[Optional[str], typer.Option("--ray-address", envvar="RAY_ADDRESS",
                                                       help=_("Ray cluster to join (default: start a local "
                                                              "one)."))] = None,
    as_json: Annotated[bool, typer.Option("--json", help=_("Progress as JSON lines on stdout instead of a "
                                                           "bar."))] = False,
    model: Annotated[Optional[str], typer.Option("--model", envvar="KZNLP_MODEL",
                                                 help=_("NER model directory (default: the shipped "
                                                        "models/kk-ner)."))] = None,
    alphabet: Annotated[str, typer.Option(help=_("As for process: auto, 2021, 2018, 2017, digraph, arab or "
                                                 "none."))] = "auto",
) -> None:
    """Process many documents into Parquet shards, in parallel, resumable; on this machine or on Ray."""
    from kznlp.batch.engine import BatchOptions, run_batch
    from kznlp.batch.inputs import check_inputs
    from kznlp.cli import _fail, err
    from kznlp.progress import WordsProgress
    from kznlp.text.translit import ALPHABETS

    if alphabet not in ALPHABETS + ("auto", "none"):
        raise _fail(_("--alphabet must be auto, none or one of {names}, not {value!r}").format(
            names=", ".join(ALPHABETS), value=alphabet))
    if (problem := check_inputs(inputs)) is not None:
        raise _fail(problem)
    options = BatchOptions(out=out, engine=engine, workers=workers, batch_size=batch_size, shard_size=shard_size,
                           resume=resume, model=model, alphabet=alphabet, ray_address=ray_address)
    bar = WordsProgress(None, enabled=not as_json)

    def on_progress(stats) -> None:
        if as_json:
            sys.stdout.write(json.dumps({"event": "progress", **stats.as_dict()}) + "\n")
            sys.stdout.flush()
        bar.update(stats.documents + stats.rejected, stats.words, total=stats.total)

    try:
        with bar:
            stats = run_batch(inputs, options, on_progress=on_progress, db=db)
    except KznlpError as error:
        raise _fail(str(error)) from None
    if as_json:
        sys.stdout.write(json.dumps({"event": "summary", **stats.as_dict()}) + "\n")
    else:
        err.print(_("{documents} → {out} in {seconds:.1f} s ({rate:,.0f} words/s); {skipped} already done, "
                    "{rejected}").format(documents=_n("{n} document", "{n} documents", stats.documents).format(
                        n=stats.documents), out=out, seconds=stats.elapsed,
                        rate=stats.words / stats.elapsed if stats.elapsed else 0, skipped=stats.skipped,
                        rejected=_n("{n} rejected", "{n} rejected", stats.rejected).format(n=stats.rejected))
                  + (_("; {n} stored in {db}").format(n=stats.stored, db=db) if db else ""), highlight=False)
