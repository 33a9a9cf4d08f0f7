"""The output of ``kznlp batch``: Parquet shards of documents, ``rejects.jsonl``, and the resume index.

A shard is written under a hidden temporary name (``.part-….parquet.tmp``: Parquet readers such as
``pyarrow.dataset`` and Ray skip names starting with a dot) and renamed into place only once it is
whole and synced, so a kill at any moment leaves either a complete shard or none.  One row per
document: the scalar fields of ``process``'s JSON as columns, the nested lists (entities, officials,
figures, decisions, warnings, paragraphs) as JSON text, plus the input's ``content_hash``, ``source`` and ``origin`` (a file's real path, a record's url).
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from kznlp.records import Action, Decision, Document, Entity, Figure, Mention, Official

SCALARS = ("id", "content_hash", "source", "origin", "title", "published", "language", "url", "script", "alphabet",
           "original", "text")
NESTED = ("entities", "officials", "figures", "decisions", "warnings", "paragraphs")
COLUMNS = SCALARS + NESTED
REJECTS = "rejects.jsonl"
SHARD_GLOB = "part-*.parquet"


def _schema():
    import pyarrow as pa

    return pa.schema([(name, pa.string()) for name in COLUMNS] + [("seq", pa.int64())])


def document_row(doc: Document, content_hash: str, source: str | None, origin: str | None = None,
                 seq: int = 0) -> dict:
    """The shard row of a processed document; ``source`` and ``origin`` as ``process --db`` stores them,
    ``seq`` its position among the run's inputs."""
    data = doc.to_dict()
    row = {"id": data["doc"], "content_hash": content_hash, "source": source, "origin": origin, "seq": seq}
    for name in SCALARS[4:]:
        row[name] = data.get(name)
    for name in NESTED:
        row[name] = json.dumps(data[name], ensure_ascii=False) if name in data else None
    return row


def row_json(row: dict) -> dict:
    """A shard row back as ``process``'s JSON object (``Document.to_dict()``)."""
    head = {"doc": row["id"], "title": row["title"], "published": row["published"], "language": row["language"],
            "url": row["url"], "script": row["script"]}
    if row.get("original") is not None:
        head.update(alphabet=row["alphabet"], original=row["original"])
    if row.get("paragraphs") is not None:
        head["paragraphs"] = json.loads(row["paragraphs"])
    body = {"text": row["text"], **{name: json.loads(row[name]) for name in NESTED[:-1]}}
    return {**head, **body}


def row_document(row: dict) -> Document:
    """A shard row as a ``Document`` (for the archive: what ``save_document`` stores)."""
    data = row_json(row)
    officials = tuple(Official(o["name"], tuple(o["positions"]), tuple(o["organisations"]),
                               tuple(Mention(**m) for m in o["mentions"])) for o in data["officials"])
    decisions = tuple(Decision(**{**d, "actions": tuple(Action(**{**a, "responsible": tuple(a["responsible"])})
                                                        for a in d["actions"])}) for d in data["decisions"])
    return Document(doc=data["doc"], text=data["text"], language=data["language"], title=data["title"],
                    published=data["published"], url=data["url"], script=data["script"],
                    alphabet=data.get("alphabet"), original=data.get("original"),
                    entities=tuple(Entity(**e) for e in data["entities"]), officials=officials,
                    figures=tuple(Figure(**f) for f in data["figures"]), decisions=decisions,
                    warnings=tuple(data["warnings"]))


def write_shard(folder: str | Path, rows: list[dict]) -> str | None:
    """Write ``rows`` as one complete shard (temporary name, fsync, rename); returns its file name.
    Names sort by the time they were written, so when an id occurs twice the later shard is newer."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not rows:
        return None
    folder = Path(folder)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    name = f"part-{stamp}-{uuid.uuid4().hex[:8]}.parquet"
    temporary = folder / f".{name}.tmp"
    table = pa.Table.from_pylist(rows, schema=_schema())
    with open(temporary, "wb") as handle:
        pq.write_table(table, handle, compression="zstd")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, folder / name)
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a crash
    finally:
        os.close(directory)
    return name


def shards(folder: str | Path) -> list[Path]:
    return sorted(Path(folder).glob(SHARD_GLOB))


def remove_partial(folder: str | Path) -> int:
    """Delete shards a killed run left half-written (only ever under their temporary names)."""
    stale = list(Path(folder).glob(".part-*.parquet.tmp"))
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)


def done_index(folder: str | Path) -> set[tuple[str, str]]:
    """(id, content hash) of every document already in a complete shard or in ``rejects.jsonl``."""
    import pyarrow.parquet as pq

    done: set[tuple[str, str]] = set()
    for path in shards(folder):
        table = pq.read_table(path, columns=["id", "content_hash"])
        done.update(zip(table.column("id").to_pylist(), table.column("content_hash").to_pylist()))
    for record in read_rejects(folder):
        if record.get("content_hash"):
            done.add((record["id"], record["content_hash"]))
    return done


def read_rejects(folder: str | Path) -> list[dict]:
    path = Path(folder) / REJECTS
    if not path.exists():
        return []
    records = []
    for line in path.read_text("utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:  # the last line of a killed run may be cut
            continue
    return records


def append_rejects(folder: str | Path, rejects: Iterable) -> int:
    count = 0
    with open(Path(folder) / REJECTS, "a", encoding="utf-8") as handle:
        for reject in rejects:
            handle.write(json.dumps({"id": reject.id, "reason": reject.reason, "content_hash": reject.content_hash},
                                    ensure_ascii=False) + "\n")
            count += 1
        handle.flush()
    return count


def read_rows(folder: str | Path) -> Iterator[dict]:
    """Every document row of the output, once per id (the newest shard's row when a changed input was
    processed again on resume), in input order (``seq``) shard by shard: workers finish in any order,
    and when two inputs are one release the archive must keep the first, as ``process`` does."""
    import pyarrow.parquet as pq

    paths = shards(folder)
    newest: dict[str, int] = {}
    first_seq: list[int] = []
    for number, path in enumerate(paths):
        table = pq.read_table(path, columns=["id", "seq"])
        for doc_id in table.column("id").to_pylist():
            newest[doc_id] = number
        first_seq.append(min((s or 0 for s in table.column("seq").to_pylist()), default=0))
    for number in sorted(range(len(paths)), key=lambda n: (first_seq[n], n)):
        for row in sorted(pq.read_table(paths[number]).to_pylist(), key=lambda r: r.get("seq") or 0):
            if newest.get(row["id"]) == number:
                newest.pop(row["id"])
                yield row
