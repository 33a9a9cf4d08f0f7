"""``--engine local``: a pool of worker processes on this machine, the model loaded once in each and
the cores split between their torch threads.  Each task is one chunk of documents; the worker writes
its shard itself, so only small summaries come back."""

from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context

_extractor = None


def _die_with_parent() -> None:
    """A worker whose ``kznlp batch`` is killed (kill -9 included) dies too, instead of finishing a shard
    after a rerun has started (Linux; elsewhere the worker ends at its next task)."""
    import ctypes
    import os
    import signal

    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before prctl
        os._exit(1)


def _start(model, alphabet, threads, batch_size) -> None:
    global _extractor
    _die_with_parent()
    from kznlp.batch.extractor import Extractor

    _extractor = Extractor(model, alphabet, threads, batch_size)


def _run_chunk(items, out):
    return _extractor.run(items, out)


def run_local(chunks, options, workers: int, threads: int, finished) -> None:
    # spawn, not fork: the parent may hold threads (rich's refresh) and forked torch is fragile
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_start,
                             initargs=(options.model, options.alphabet, threads, options.batch_size)) as pool:
        pending = set()
        for chunk in chunks:
            pending.add(pool.submit(_run_chunk, chunk, str(options.out)))
            if len(pending) >= 2 * workers:  # bounded: inputs are read as the workers need them
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    finished(future.result())
        for future in pending:
            finished(future.result())
