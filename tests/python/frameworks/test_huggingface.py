"""metricaudit.huggingface.SavePredictions on a real Hugging Face Trainer run (Debian's
torch 1.13, transformers): a tiny BERT built from a config (nothing downloaded), two
epochs evaluated at each epoch's end, then the audit."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
import transformers

import metricaudit
from metricaudit.huggingface import SavePredictions

C = 3


class Sequences(torch.utils.data.Dataset):
    """Token sequences whose class is the most frequent of three marker tokens."""

    def __init__(self, n: int, seed: int, token_labels: bool = False) -> None:
        rng = np.random.default_rng(seed)
        self.items = []
        for _ in range(n):
            length = int(rng.integers(4, 10))
            ids = rng.integers(5, 30, size=length)
            label = int(rng.integers(0, C))
            ids[rng.integers(0, length, size=3)] = label + 1
            item = {"input_ids": torch.tensor(ids), "attention_mask": torch.ones(length, dtype=torch.long)}
            if token_labels:
                item["labels"] = torch.tensor(rng.integers(0, C, size=length))
            else:
                item["labels"] = torch.tensor(label)
            self.items.append(item)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int):
        return self.items[i]


def config() -> transformers.BertConfig:
    return transformers.BertConfig(
        vocab_size=32, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
        max_position_embeddings=16, num_labels=C,
    )


def args(run_dir: Path, **kw) -> transformers.TrainingArguments:
    return transformers.TrainingArguments(
        output_dir=str(run_dir), num_train_epochs=2, per_device_train_batch_size=16, per_device_eval_batch_size=16,
        eval_strategy="epoch", logging_strategy="epoch", save_strategy="no", report_to=[], use_cpu=True,
        learning_rate=5e-3, seed=0, disable_tqdm=True, **kw,
    )


def accuracy(eval_pred) -> dict:
    return {"accuracy": float((eval_pred.predictions.argmax(-1) == eval_pred.label_ids).mean())}


def test_trainer_run_is_saved_per_epoch_and_audits_clean(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = transformers.BertForSequenceClassification(config())
    saver = SavePredictions(tmp_path)
    trainer = transformers.Trainer(
        model=model, args=args(tmp_path), train_dataset=Sequences(96, 0), eval_dataset=Sequences(40, 1),
        data_collator=_pad, compute_metrics=saver.wrap(accuracy), callbacks=[saver],
    )
    trainer.train()
    for e in (0, 1):
        with np.load(tmp_path / "predictions" / f"val_epoch{e}.npz") as d:
            assert d["logits"].shape == (40, C) and d["target"].shape == (40,)
    # Until the trainer_state.json reader lands (issue 10 item 3), the Trainer's eval
    # entries are re-logged as JSON lines: epoch E+1.0 is the end of epoch E (0-based),
    # eval_<name> is the validation split's <name>.
    lines = []
    for entry in trainer.state.log_history:
        if "eval_loss" in entry:
            values = {f"val_{k[5:]}": v for k, v in entry.items() if k in ("eval_loss", "eval_accuracy")}
            lines.append(json.dumps({"epoch": int(round(entry["epoch"])) - 1, **values}))
    (tmp_path / "metrics.jsonl").write_text("\n".join(lines) + "\n")
    report = metricaudit.audit(tmp_path)
    assert report.exit_status == 0, str(report)
    assert len([p for p in report.points if p.dump]) == 4  # val_loss and val_accuracy, two epochs


def _pad(features):
    """Right-pads input_ids / attention_mask with 0 and token labels with -100."""
    length = max(len(f["input_ids"]) for f in features)

    def pad(t, value):
        return torch.cat([t, torch.full((length - len(t),), value, dtype=t.dtype)])

    batch = {
        "input_ids": torch.stack([pad(f["input_ids"], 0) for f in features]),
        "attention_mask": torch.stack([pad(f["attention_mask"], 0) for f in features]),
    }
    labels = [f["labels"] for f in features]
    batch["labels"] = torch.stack([pad(l, -100) for l in labels]) if labels[0].dim() else torch.stack(labels)
    return batch


def test_token_labels_lose_their_padding(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = transformers.BertForTokenClassification(config())
    saver = SavePredictions(tmp_path)
    val = Sequences(20, 2, token_labels=True)
    trainer = transformers.Trainer(
        model=model, args=args(tmp_path), eval_dataset=val, data_collator=_pad,
        compute_metrics=saver.wrap(), callbacks=[saver],
    )
    trainer.evaluate()
    dumps = list((tmp_path / "predictions").glob("*.npz"))
    assert [d.name for d in dumps] == ["val_step0.npz"]  # before training: step 0, no epoch
    tokens = sum(len(item["labels"]) for item in val.items)
    with np.load(dumps[0]) as d:
        assert d["target"].shape == (tokens,) and d["logits"].shape == (tokens, C)
        assert (d["target"] != -100).all()
        expected = np.concatenate([item["labels"].numpy() for item in val.items])
        np.testing.assert_array_equal(d["target"], expected)
    record = json.loads((tmp_path / "predictions" / "val_step0.json").read_text())
    assert record["removed_label_padding"] > 0
