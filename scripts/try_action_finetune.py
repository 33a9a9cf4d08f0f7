"""Experiment (not shipped): the action gate as the top K layers of the kk-ner encoder, fine-tuned.

    K=2 EPOCHS=6 LR=5e-5 python scripts/try_action_finetune.py     # about 5 minutes on 2 cores

The same candidates, labels, site folds and end-to-end threshold choice as scripts/train_actions.py
(tune part only); instead of a logistic regression over the mean-pooled last layer, a copy of the
encoder's top K layers is fine-tuned with a linear head over the pooled output and the cue flags
(the layers below stay frozen, their hidden states computed once). Prints out-of-fold action F1.
Result (2026-12-02): rules + model 0.574 against 0.622 for the shipped logistic regression; see
models/kk-actions/MODEL_CARD.md.
"""
from __future__ import annotations

import copy
import os
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import train_actions as ta  # noqa: E402
from kznlp.cli import _quiet_libraries  # noqa: E402
from kznlp.pipeline import Pipeline  # noqa: E402

TUNED = int(os.environ.get("K", "2"))
EPOCHS = int(os.environ.get("EPOCHS", "6"))
LR = float(os.environ.get("LR", "5e-5"))
BATCH = 16


class TopLayers(torch.nn.Module):
    """A trainable copy of the encoder's top layers and a linear head over the pooled output and the flags."""

    def __init__(self, layers, n_flags: int):
        super().__init__()
        self.layers = torch.nn.ModuleList(copy.deepcopy(layers)).float()
        self.out = torch.nn.Linear(384 + n_flags, 1)

    def forward(self, hidden, mask, flags):
        additive = (1.0 - mask[:, None, None, :]) * -1e9
        for layer in self.layers:
            hidden = layer(hidden, attention_mask=additive)
        m = mask.unsqueeze(-1)
        # scaled so that the head's logits can grow in a few hundred steps
        pooled = 20.0 * torch.nn.functional.normalize((hidden * m).sum(1) / m.sum(1).clamp(min=1), dim=-1)
        return self.out(torch.cat([pooled, flags], -1)).squeeze(-1)


def main() -> None:
    torch.set_num_threads(2)
    _quiet_libraries()
    pipeline = Pipeline(actions="rules")
    base = pipeline.tagger.model.base_model
    depth = len(base.encoder.layer)
    frozen: dict[str, torch.Tensor] = {}  # sentence -> hidden states below the tuned layers

    def vectors(tagger, texts):
        out = np.zeros((len(texts), 384), dtype=np.float32)
        with torch.inference_mode():
            for i, text in enumerate(texts):
                enc = tagger.tokenizer([text], truncation=True, max_length=128, return_tensors="pt")
                states = base(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"],
                              output_hidden_states=True).hidden_states
                frozen.setdefault(text, states[depth - TUNED][0].float().clone())
                out[i] = torch.nn.functional.normalize(states[-1][0].float().mean(0), dim=-1).numpy()
        return out

    docs = ta.collect(pipeline, vectors=vectors)
    texts = [[d[1].text[c.start:c.end] for c in d[2]] for d in docs]

    def examples(indices):
        return [(texts[i][j], docs[i][3][j, 384:], float(docs[i][4][j])) for i in indices for j in range(len(docs[i][2]))]

    def tensors(items):
        longest = max(frozen[t].shape[0] for t, _, _ in items)
        hidden, mask = torch.zeros(len(items), longest, 384), torch.zeros(len(items), longest)
        for i, (text, _, _) in enumerate(items):
            n = frozen[text].shape[0]
            hidden[i, :n], mask[i, :n] = frozen[text], 1
        flags = torch.tensor(np.stack([f for _, f, _ in items]), dtype=torch.float32)
        return hidden, mask, flags, torch.tensor([label for _, _, label in items], dtype=torch.float32)

    def train(items):
        torch.manual_seed(0)
        model = TopLayers(base.encoder.layer[depth - TUNED:], len(items[0][1]))
        positives = sum(label for _, _, label in items)
        positive_weight = (len(items) - positives) / max(positives, 1)
        optimiser = torch.optim.AdamW([{"params": model.layers.parameters(), "lr": LR},
                                       {"params": model.out.parameters(), "lr": 1e-3}], weight_decay=0.01)
        order = sorted(range(len(items)), key=lambda i: frozen[items[i][0]].shape[0])
        batches = [order[k:k + BATCH] for k in range(0, len(order), BATCH)]
        steps = EPOCHS * len(batches)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimiser, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps))
        rng = np.random.default_rng(0)
        model.train()
        for _ in range(EPOCHS):
            for b in rng.permutation(len(batches)):
                hidden, mask, flags, y = tensors([items[i] for i in batches[b]])
                loss = torch.nn.functional.binary_cross_entropy_with_logits(
                    model(hidden, mask, flags), y, weight=torch.where(y > 0, positive_weight, 1.0))
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
        return model.eval()

    def predict(model, items):
        with torch.inference_mode():
            return np.concatenate([torch.sigmoid(model(*tensors(items[k:k + 32])[:3])).numpy()
                                   for k in range(0, len(items), 32)])

    fold_of = ta.site_folds(docs, 5)
    oof = [np.zeros(len(d[2])) for d in docs]
    for fold in range(5):
        train_idx = [i for i, d in enumerate(docs) if d[5] in ("legacy", "sentences") or fold_of[d[5]] != fold]
        model = train(examples(train_idx))
        for i, d in enumerate(docs):
            if d[5] not in ("legacy", "sentences") and fold_of[d[5]] == fold and len(d[2]):
                oof[i] = predict(model, examples([i]))
        print(f"fold {fold} done", flush=True)
    _rules, best, model_only = ta.choose_thresholds(docs, oof)
    both = ta.end_to_end(docs, oof, best[1], best[2])
    print(f"top {TUNED} layers, {EPOCHS} epochs, lr {LR}: model alone {model_only[0]:.3f} (add >= {model_only[1]}); "
          f"rules + model {both.prf[2]:.3f} (keep >= {best[1]}, add >= {best[2]}; tp {both.tp} fp {both.fp} fn {both.fn})")


if __name__ == "__main__":
    main()
