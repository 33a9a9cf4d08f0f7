"""CoNLL files: one ``token TAG`` per line, a blank line between sentences."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class TaggedSentence:
    tokens: tuple[str, ...]
    tags: tuple[str, ...]


def read_conll(path: str | Path) -> list[TaggedSentence]:
    """Read a CoNLL file; the tag is the last column, the token the first."""
    sentences: list[TaggedSentence] = []
    tokens: list[str] = []
    tags: list[str] = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            fields = line.split()
            if not fields or line.startswith("-DOCSTART-"):
                if tokens:
                    sentences.append(TaggedSentence(tuple(tokens), tuple(tags)))
                    tokens, tags = [], []
                continue
            if len(fields) < 2:
                raise ValueError(f"{path}:{number}: expected 'token TAG', got {line.strip()!r}")
            tokens.append(fields[0])
            tags.append(fields[-1])
    if tokens:
        sentences.append(TaggedSentence(tuple(tokens), tuple(tags)))
    return sentences


def write_conll(path: str | Path, sentences: list[TaggedSentence]) -> None:
    """Write sentences as CoNLL; written to a temporary file first, so a kill leaves no half file."""
    path = Path(path)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        for sentence in sentences:
            handle.writelines(f"{t} {g}\n" for t, g in zip(sentence.tokens, sentence.tags))
            handle.write("\n")
    tmp.replace(path)
