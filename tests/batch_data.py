"""Thirty short real documents for the batch tests: openings and later passages (about 60 words, whole
lines) of the releases in ``corpora/demo`` and the saved articles of ``corpora/site``.  Short, because
the model reads about 600 words/s on 2 cores."""

from __future__ import annotations

from pathlib import Path

from kznlp.pipeline import read_document

ROOT = Path(__file__).resolve().parents[1]
RELEASES = sorted((ROOT / "corpora" / "demo").glob("*.*")) + sorted((ROOT / "corpora" / "site" / "articles").glob("*.html"))


def _passage(lines: list[str], start: int, words: int) -> tuple[str, int]:
    taken, count, index = [], 0, start
    while index < len(lines) and count < words:
        line = lines[index]
        remaining = words - count
        cut = line.split()
        taken.append(line if len(cut) <= remaining + 20 else " ".join(cut[:remaining]))
        count += len(cut)
        index += 1
    return "\n".join(taken), index


def write_documents(folder: Path, count: int = 30, words: int = 60) -> list[Path]:
    """``count`` text files in ``folder``: each release's opening (with its source URL line and date
    marker when it has them), then second passages, until there are ``count``."""
    folder.mkdir(parents=True, exist_ok=True)
    releases = []
    for path in RELEASES:
        doc = read_document(path)
        lines = [line.strip() for line in doc.text.split("\n") if line.strip()]
        header = "".join(f"{value}\n" for value in (doc.url,) if value)
        header += f"date {doc.published} " if doc.published else ""
        releases.append((path.stem, header, lines))
    written, offsets = [], {stem: 0 for stem, _, _ in releases}
    for round_ in range(10):
        for stem, header, lines in releases:
            if len(written) == count:
                return written
            if offsets[stem] >= len(lines):
                continue
            text, offsets[stem] = _passage(lines, offsets[stem], words)
            target = folder / f"{stem}-{round_ + 1}.txt"
            target.write_text((header if round_ == 0 else "") + text + "\n", "utf-8")
            written.append(target)
    return written
