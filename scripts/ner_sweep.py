"""Train several NER variants side by side (one GPU), compare them on dev, bring the best back small.

    python scripts/ner_sweep.py run --sweep scripts/configs/sweep-gpu.toml --out OUT --deadline 400
    python scripts/ner_sweep.py assemble OUT --base build/e5-small-kk --to build/kk-ner-candidate

``run`` restores the base encoder from ``build/e5-small-kk.pack`` when needed (scripts/pack_base.py),
starts ``train_ner.py`` once per variant with its overrides, stops whatever is still running at the
deadline (each run has kept its best epoch so far), prints a table of dev F1 per variant, and writes
the best variant whose word embeddings were frozen to OUT without those embeddings (they are the
base's): encoder-*.safetensors parts under 16 MB and side.tar (configs, tokenizer, every log).
``assemble`` puts the base's word embeddings back and writes a complete model directory.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORD_EMBEDDINGS = "bert.embeddings.word_embeddings.weight"
PART_BYTES = 15_000_000


def best_epoch(work: Path) -> dict | None:
    log = work / "log.jsonl"
    if not log.exists():
        return None
    records = [json.loads(line) for line in log.read_text("utf-8").splitlines() if line.strip()]
    return max(records, key=lambda r: r["dev_f1"]) | {"epochs_done": len(records)} if records else None


def run(args) -> None:
    sweep = tomllib.loads(args.sweep.read_text("utf-8"))["variants"]
    base = ROOT / "build" / "e5-small-kk"
    if not (base / "model.safetensors").exists():
        subprocess.run([sys.executable, "scripts/pack_base.py", "unpack", "build/e5-small-kk.pack", str(base)],
                       cwd=ROOT, check=True)
    args.out.mkdir(parents=True, exist_ok=True)
    env = os.environ | {"OMP_NUM_THREADS": "2", "PYTHONUNBUFFERED": "1", "TOKENIZERS_PARALLELISM": "false"}
    processes = {}
    for name, variant in sweep.items():
        work = ROOT / "build" / "sweep" / name
        command = [sys.executable, "scripts/train_ner.py", "--config", str(args.config), "--work", str(work),
                   "--output", str(work / "model"), *args.extra]
        for assignment in variant.get("set", []):
            command += ["--set", assignment]
        work.mkdir(parents=True, exist_ok=True)
        log = open(work / "train.log", "w", encoding="utf-8")
        processes[name] = (subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT),
                           work, variant)
    stop_at = time.time() + args.deadline
    while time.time() < stop_at and any(p.poll() is None for p, _, _ in processes.values()):
        time.sleep(5)
    for process, _, _ in processes.values():
        if process.poll() is None:
            process.terminate()
    for process, _, _ in processes.values():
        process.wait()

    summary = {}
    print(f"{'variant':<22}{'best dev F1':>12}{'at epoch':>10}{'epochs run':>12}  exit")
    for name, (process, work, variant) in processes.items():
        best = best_epoch(work)
        summary[name] = {"set": variant.get("set", []), "exit": process.returncode, "best": best}
        if best:
            print(f"{name:<22}{best['dev_f1']:>12.4f}{best['epoch']:>10}{best['epochs_done']:>12}  "
                  f"{process.returncode}")
        else:
            print(f"{name:<22}{'-':>12}{'-':>10}{0:>12}  {process.returncode}")
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2), "utf-8")
    frozen = [n for n, s in summary.items() if s["best"] and "freeze_word_embeddings=true" in s["set"]]
    chosen = max(frozen, key=lambda n: summary[n]["best"]["dev_f1"]) if frozen else None
    export(ROOT / "build" / "sweep", chosen, args.out)
    if chosen:
        print(f"brought back: {chosen} (dev F1 {summary[chosen]['best']['dev_f1']:.4f})")
    else:
        print("no frozen-embedding variant finished an epoch: only the logs come back")


def export(sweep_dir: Path, name: str | None, out: Path) -> None:
    """At most 5 files (the transfer takes 8): encoder parts, side.tar (model side files, logs)."""
    with tarfile.open(out / "side.tar", "w") as tar:
        for path in sorted(sweep_dir.glob("*/log.jsonl")) + sorted(sweep_dir.glob("*/train.log")):
            tar.add(path, arcname=f"logs/{path.parent.name}.{path.name}")
        if name:
            for path in sorted((sweep_dir / name / "model").iterdir()):
                if path.name != "model.safetensors":
                    tar.add(path, arcname=f"model/{path.name}")
            chosen = json.dumps({"variant": name}).encode()
            info = tarfile.TarInfo("chosen.json")
            info.size = len(chosen)
            tar.addfile(info, io.BytesIO(chosen))
    if not name:
        return
    from safetensors.numpy import load_file, save_file

    state = load_file(str(sweep_dir / name / "model" / "model.safetensors"))
    state.pop(WORD_EMBEDDINGS)
    part, size, index = {}, 0, 0
    for key in sorted(state):
        if part and size + state[key].nbytes > PART_BYTES:
            save_file(part, str(out / f"encoder-{index}.safetensors"))
            part, size, index = {}, 0, index + 1
        part[key] = state[key]
        size += state[key].nbytes
    save_file(part, str(out / f"encoder-{index}.safetensors"))


def assemble(args) -> None:
    import numpy as np
    from safetensors.numpy import load_file, save_file

    args.to.mkdir(parents=True, exist_ok=True)
    with tarfile.open(args.parts / "side.tar") as tar:
        tar.extractall(args.to / "_side", filter="data")
    state = {}
    for part in sorted(args.parts.glob("encoder-*.safetensors")):
        state.update(load_file(str(part)))
    base = load_file(str(args.base / "model.safetensors"))
    state[WORD_EMBEDDINGS] = base["embeddings.word_embeddings.weight"].astype(np.float16)
    save_file(state, str(args.to / "model.safetensors"), metadata={"format": "pt"})
    for path in (args.to / "_side" / "model").iterdir():
        path.replace(args.to / path.name)
    print(f"assembled {args.to} ({len(state)} tensors); logs in {args.to / '_side' / 'logs'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="action", required=True)
    r = sub.add_parser("run")
    r.add_argument("--sweep", type=Path, default=ROOT / "scripts" / "configs" / "sweep-gpu.toml")
    r.add_argument("--config", type=Path, default=ROOT / "scripts" / "configs" / "kk-ner.toml")
    r.add_argument("--out", type=Path, required=True)
    r.add_argument("--deadline", type=float, default=400, help="seconds before unfinished runs are stopped")
    r.add_argument("extra", nargs="*", help="more train_ner.py arguments for every variant (after --)")
    a = sub.add_parser("assemble")
    a.add_argument("parts", type=Path)
    a.add_argument("--base", type=Path, default=ROOT / "build" / "e5-small-kk")
    a.add_argument("--to", type=Path, required=True)
    args = parser.parse_args()
    (run if args.action == "run" else assemble)(args)


if __name__ == "__main__":
    main()
