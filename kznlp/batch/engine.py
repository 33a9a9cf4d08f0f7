"""Running a batch: inputs split into chunks (one shard each), chunks through an engine's workers,
rejects and progress gathered here, the shards loaded into an archive at the end."""

from __future__ import annotations

import dataclasses

import os
import time
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Callable, Iterator

from kznlp.batch.extractor import ChunkResult
from kznlp.batch.inputs import Item, Reject, iter_items
from kznlp.batch.shards import append_rejects, done_index, read_rows, remove_partial, row_document, shards
from kznlp.errors import InputError
from kznlp.i18n import _

ENGINES = ("local", "ray")


@dataclass
class BatchOptions:
    out: Path
    engine: str = "local"
    workers: int | None = None  # None: the fastest for this machine (default_workers)
    batch_size: int = 8  # documents per pass through the model
    shard_size: int = 200  # documents per shard (and per task handed to a worker)
    resume: bool = False
    model: str | None = None
    alphabet: str = "auto"
    ray_address: str | None = None


@dataclass
class BatchStats:
    total: int = 0  # documents to process in this run (after resume skipped the done ones)
    skipped: int = 0  # already done (resume)
    documents: int = 0
    words: int = 0
    rejected: int = 0
    shards: int = 0
    started: float = field(default_factory=time.monotonic)
    stored: int = 0

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def as_dict(self) -> dict:
        return {"total": self.total, "skipped": self.skipped, "documents": self.documents, "words": self.words,
                "rejected": self.rejected, "shards": self.shards, "stored": self.stored,
                "seconds": round(self.elapsed, 2),
                "words_per_s": round(self.words / self.elapsed, 1) if self.elapsed else 0.0}


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def default_workers(cpus: int | None = None) -> int:
    """One worker per two cores: measured on 2 cores (scripts/bench_batch.py), one process with 2 torch
    threads beats two with one each, the model's matrix products using both cores well while two
    models compete for memory bandwidth; see README, "Batch"."""
    return max(1, (cpus or cpu_count()) // 2)


def prepare_output(options: BatchOptions) -> set[tuple[str, str]]:
    """Make the output folder; with ``resume``, the (id, hash) pairs done already."""
    out = options.out
    if out.exists() and not out.is_dir():
        raise InputError(_("--out {path}: not a directory").format(path=out))
    out.mkdir(parents=True, exist_ok=True)
    if not options.resume:
        if shards(out):
            raise InputError(_("--out {path} already holds shards: add --resume to continue that run, "
                               "or choose another folder").format(path=out))
        return set()
    remove_partial(out)
    return done_index(out)


def _chunks(items: Iterator[Item], size: int) -> Iterator[list[Item]]:
    while chunk := list(islice(items, size)):
        yield chunk


def run_batch(inputs: list[str], options: BatchOptions, *, on_progress: Callable[[BatchStats], None] | None = None,
              db: Path | None = None) -> BatchStats:
    if options.engine not in ENGINES:
        raise InputError(_("--engine must be local or ray, not {engine!r}").format(engine=options.engine))
    done = prepare_output(options)
    stats = BatchStats()
    out = options.out
    for item in iter_items(inputs):  # counting pass: the total for the progress bar's ETA
        if (item.id, item.content_hash) in done:
            stats.skipped += 1
        elif isinstance(item, Item):
            stats.total += 1
    seen: set[tuple[str, str]] = set()

    def todo() -> Iterator[Item]:
        for position, item in enumerate(iter_items(inputs)):
            key = (item.id, item.content_hash)
            if key in done or (isinstance(item, Item) and key in seen):  # the same input given twice
                continue
            if isinstance(item, Reject):
                stats.rejected += append_rejects(out, [item])
                continue
            seen.add(key)
            yield dataclasses.replace(item, seq=position)

    def finished(result: ChunkResult) -> None:
        stats.documents += result.documents
        stats.words += result.words
        stats.shards += result.shard is not None
        stats.rejected += append_rejects(out, result.rejects)
        if on_progress:
            on_progress(stats)

    if on_progress:
        on_progress(stats)
    workers = options.workers or default_workers()
    threads = max(1, cpu_count() // workers)
    chunks = _chunks(todo(), max(1, options.shard_size))
    if options.engine == "local":
        from kznlp.batch.local import run_local

        run_local(chunks, options, workers, threads, finished)
    else:
        from kznlp.batch.ray_engine import run_ray

        run_ray(chunks, options, workers, threads, finished)
    if db is not None:
        stats.stored = load_archive(out, db)
    return stats


def load_archive(out: Path, db: Path) -> int:
    """Every document of the shards into the archive (``bulk_insert``: the rows ``save_document`` writes)."""
    from kznlp.store.archive import open_archive
    from kznlp.store.bulk import bulk_insert

    archive = open_archive(db)
    return bulk_insert(archive, ((row_document(row), row["source"], row.get("origin")) for row in read_rows(out)),
                       batch_size=500,
                       replace=True)
