"""What ``kznlp batch`` reads: files, folders (recursive), JSON Lines and Parquet, as ``Item``s.

An item is small (a path, or one record's text) and carries its id and a content hash, so the resume
index can tell a document already done from one changed since.  Unusable records become ``Reject``s;
the run goes on past them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator

from kznlp.i18n import _

TEXT_SUFFIXES = (".txt", ".html", ".htm")
RECORD_FIELDS = ("title", "url", "published", "source")


@dataclass(frozen=True, slots=True)
class Item:
    """One document to process: a file (``path``) or a record's ``text`` with its metadata."""

    id: str
    content_hash: str
    path: str | None = None
    text: str | None = None
    title: str | None = None
    url: str | None = None
    published: str | None = None
    source: str | None = None
    seq: int = 0  # position among all inputs of the run (resume keeps it): the archive loads in this order

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Reject:
    id: str
    reason: str
    content_hash: str | None = None


def file_hash(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def record_hash(record: dict) -> str:
    fields = {key: record.get(key) for key in ("text",) + RECORD_FIELDS}
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def _is_jsonl(path: Path) -> bool:
    return path.suffix.lower() in (".jsonl", ".ndjson")


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq")


def _files(inputs: list[str]) -> Iterator[tuple[str, Path | None]]:
    """(name, path) of every input file in order, folders walked recursively for text and HTML files;
    (name, None) for an input that does not exist."""
    for name in inputs:
        path = Path(name)
        if path.is_dir():
            for found in sorted(p for p in path.rglob("*") if p.is_file()):
                if found.suffix.lower() in TEXT_SUFFIXES:
                    yield str(found), found
        elif path.exists():
            yield name, path
        else:
            yield name, None


def check_inputs(inputs: list[str]) -> str | None:
    """A one-line reason when no input can be read at all (nothing given, every path missing)."""
    if not inputs:
        return _("no input given")
    missing = [name for name in inputs if not Path(name).exists()]
    if len(missing) == len(inputs):
        return _("{name}: no such file or directory").format(name=missing[0])
    return None


def iter_items(inputs: list[str]) -> Iterator[Item | Reject]:
    """Every document of ``inputs``; text and HTML files get the ids ``kznlp process`` gives them."""
    from kznlp.pipeline import input_ids

    listed = list(_files(inputs))
    documents = [name for name, path in listed if path is not None and not (_is_jsonl(path) or _is_parquet(path))]
    ids = dict(zip(documents, input_ids(documents)))
    for name, path in listed:
        if path is None:
            yield Reject(name, _("no such file or directory"))
        elif _is_jsonl(path):
            yield from _jsonl_items(path)
        elif _is_parquet(path):
            yield from _parquet_items(path)
        else:
            try:
                yield Item(ids[name], file_hash(path), path=str(path))
            except OSError as error:
                yield Reject(ids[name] or name, error.strerror or str(error))


def _record_item(record, where: str) -> Item | Reject:
    if not isinstance(record, dict):
        return Reject(where, _("not a JSON object"), _text_hash(json.dumps(record)))
    doc_id, text = record.get("id"), record.get("text")
    if doc_id is None or str(doc_id) == "":
        return Reject(where, _("no id"), record_hash(record))
    if not isinstance(text, str) or not text.strip():
        return Reject(str(doc_id), _("no text in it"), record_hash(record))
    extra = {key: (str(record[key]) if record.get(key) is not None else None) for key in RECORD_FIELDS}
    return Item(str(doc_id), record_hash(record), text=text, **extra)


def _jsonl_items(path: Path) -> Iterator[Item | Reject]:
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                yield Reject(f"{path}:{number}", _("not JSON: {error}").format(error=error.msg), _text_hash(line))
                continue
            yield _record_item(record, f"{path}:{number}")


def _parquet_items(path: Path) -> Iterator[Item | Reject]:
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(path)
        columns = [c for c in ("id", "text") + RECORD_FIELDS if c in table.schema_arrow.names]
        if "id" not in columns or "text" not in columns:
            yield Reject(str(path), _("a Parquet file without id and text columns"))
            return
        row = 0
        for batch in table.iter_batches(columns=columns, batch_size=1024):
            for record in batch.to_pylist():
                row += 1
                yield _record_item(record, f"{path}:{row}")
    except (OSError, ValueError) as error:  # pyarrow's ArrowInvalid is a ValueError
        yield Reject(str(path), _("not a readable Parquet file: {error}").format(error=str(error).splitlines()[0]))
