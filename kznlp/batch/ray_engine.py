"""``--engine ray``: Ray Data.  Items go in as a dataset, ``map_batches`` runs an ``Extractor`` in an
actor pool (one model per actor, loaded once), each batch of ``shard_size`` documents becomes one
shard written by the actor (the same atomic writer as the local engine, so a killed run never leaves
a half shard, which ``write_parquet`` does not promise), and small summaries stream back for progress.

The model: each actor loads ``--model`` or the model shipped inside the installed kznlp package, so on
a cluster kznlp (with ``models/``) must be installed on every node, or ``--model`` a path every node
sees; ``--out`` too must be a folder every node sees (a shared file system).
"""

from __future__ import annotations

import json
import logging
import os

from kznlp.errors import KznlpError
from kznlp.i18n import _


class RayExtractor:
    """The actor: one ``Extractor``; a batch of items in, one summary row out."""

    def __init__(self, model, alphabet, threads, batch_size, out):
        from kznlp.batch.extractor import Extractor

        self.extractor = Extractor(model, alphabet, threads, batch_size)
        self.out = out

    def __call__(self, batch):
        from kznlp.batch.inputs import Item

        items = [Item(**row) for row in batch.to_pylist()]
        result = self.extractor.run(items, self.out)
        rejects = [{"id": r.id, "reason": r.reason, "content_hash": r.content_hash} for r in result.rejects]
        import pyarrow as pa

        return pa.table({"shard": [result.shard], "documents": [result.documents], "words": [result.words],
                         "rejects": [json.dumps(rejects, ensure_ascii=False)]})


def start_ray(address: str | None, cpus: int) -> bool:
    """Join ``address`` (or RAY_ADDRESS) or start a local runtime; True when this call started it."""
    try:
        import ray
    except ImportError:
        raise KznlpError(_("--engine ray needs Ray: pip install 'kznlp[ray]'")) from None
    if ray.is_initialized():
        return False
    address = address or os.environ.get("RAY_ADDRESS") or None
    # workers inherit this process's environment on a local runtime (PYTHONPATH, the offline switches)
    env = {key: os.environ[key] for key in ("PYTHONPATH", "HF_HUB_OFFLINE", "TRANSFORMERS_VERBOSITY", "KZNLP_MODEL")
           if key in os.environ}
    try:
        ray.init(address=address, num_cpus=None if address else cpus, include_dashboard=False,
                 log_to_driver=False, logging_level=logging.ERROR, runtime_env={"env_vars": env} if env else None)
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise KznlpError(_("cannot start or join Ray{at}: {error}").format(
            at=f" at {address}" if address else "", error=str(error).splitlines()[0])) from None
    return True


def run_ray(chunks, options, workers: int, threads: int, finished) -> None:
    import ray

    from kznlp.batch.engine import cpu_count
    from kznlp.batch.extractor import ChunkResult
    from kznlp.batch.inputs import Reject

    started = start_ray(options.ray_address, cpu_count())
    try:
        import ray.data

        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        logging.getLogger("ray.data").setLevel(logging.ERROR)
        items = [item.as_dict() for chunk in chunks for item in chunk]
        if not items:
            return
        out = str(options.out.resolve())
        model = str(options.model) if options.model else None
        dataset = ray.data.from_items(items).map_batches(
            RayExtractor, batch_size=options.shard_size, batch_format="pyarrow",
            compute=ray.data.ActorPoolStrategy(size=workers), num_cpus=threads,
            fn_constructor_args=(model, options.alphabet, threads, options.batch_size, out))
        for row in dataset.iter_rows():
            rejects = [Reject(r["id"], r["reason"], r["content_hash"]) for r in json.loads(row["rejects"])]
            finished(ChunkResult(row["shard"], row["documents"], row["words"], rejects))
    finally:
        if started:
            ray.shutdown()
