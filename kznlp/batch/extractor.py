"""One worker's share of a batch run: the model loaded once, items in, a shard and rejects out.
Both engines use it: a process of the local pool holds one, a Ray actor holds one."""

from __future__ import annotations

from dataclasses import dataclass, field

from kznlp.batch.inputs import Item, Reject
from kznlp.batch.shards import document_row, write_shard
from kznlp.i18n import _
from kznlp.store.origins import origin_of, source_of


@dataclass
class ChunkResult:
    shard: str | None = None
    documents: int = 0
    words: int = 0
    rejects: list[Reject] = field(default_factory=list)


class Extractor:
    """Holds a pipeline; ``run(items, out)`` processes them and writes their rows as one shard."""

    def __init__(self, model: str | None = None, alphabet: str = "auto", threads: int | None = None,
                 batch_size: int = 8):
        import os

        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import warnings

        from transformers.utils import logging as hf_logging

        warnings.filterwarnings("ignore")
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()  # a bar per worker's model load is noise
        if threads:
            import torch

            torch.set_num_threads(threads)
        from kznlp.pipeline import Pipeline

        pipeline = Pipeline(model)
        self.pipeline = pipeline if alphabet == "auto" else pipeline.with_alphabet(
            None if alphabet == "none" else alphabet)
        self.batch_size = batch_size

    def documents(self, items: list[Item]):
        """(item, Document or Reject) for each item, files read as ``process`` reads them."""
        from kznlp.records import Rejected

        files = [item for item in items if item.path is not None]
        for item, doc in zip(files, self.pipeline.process_files([i.path for i in files], doc_ids=[i.id for i in files],
                                                                batch_size=self.batch_size)):
            yield item, (Reject(item.id, doc.reason, item.content_hash) if isinstance(doc, Rejected) else doc)
        records = []
        for item in items:
            if item.path is not None:
                continue
            text = item.text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
            if not any(ch.isalpha() for ch in text):
                yield item, Reject(item.id, _("no text in it: no letters, only digits, symbols or emoji"),
                                   item.content_hash)
            else:
                records.append((item, text))
        docs = self.pipeline.process_many([t for _i, t in records], batch_size=self.batch_size,
                                          doc_ids=[i.id for i, _t in records], titles=[i.title for i, _t in records],
                                          published=[i.published for i, _t in records],
                                          urls=[i.url for i, _t in records])
        for (item, _text), doc in zip(records, docs):
            yield item, doc

    def run(self, items: list[Item], out: str) -> ChunkResult:
        result, rows = ChunkResult(), []
        for item, doc in self.documents(items):
            if isinstance(doc, Reject):
                result.rejects.append(doc)
                continue
            # the source and origin `process --db` would store: a file's real path, a record's url
            origin = origin_of(item.path) if item.path else item.url
            source = item.source or source_of(doc, "file" if item.path else None)
            rows.append(document_row(doc, item.content_hash, source, origin, item.seq))
            result.words += len(doc.text.split())
        result.shard = write_shard(out, rows)
        result.documents = len(rows)
        return result
