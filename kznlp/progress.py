"""A progress bar for long work (documents, words/s, ETA) on a terminal's stderr; nothing when piped."""

from __future__ import annotations

import sys
import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from kznlp.i18n import _


class WordsProgress:
    """``advance(documents, words)``; shown only when stderr is a terminal (and ``enabled``)."""

    def __init__(self, total: int | None, unit: str | None = None, enabled: bool = True):
        self.enabled = enabled and sys.stderr.isatty()
        self.words, self.started = 0, time.monotonic()
        self.bar = None
        if self.enabled:
            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"),
                                TimeRemainingColumn(), console=Console(stderr=True), transient=True,
                                redirect_stdout=False, redirect_stderr=False)  # stdout stays the JSON
            self.task = self.bar.add_task(unit or _("documents"), total=total, rate="")

    def __enter__(self):
        if self.bar:
            self.bar.start()
        return self

    def __exit__(self, *exc):
        if self.bar:
            self.bar.stop()

    def update(self, completed: int, words: int, total: int | None = None) -> None:
        if not self.bar:
            return
        elapsed = time.monotonic() - self.started
        rate = _("{rate:,.0f} words/s").format(rate=words / elapsed) if elapsed > 0 and words else ""
        self.bar.update(self.task, completed=completed, rate=rate, **({"total": total} if total is not None else {}))
