"""metricaudit.huggingface.SavePredictions on a real Hugging Face Trainer run (Debian's
torch 1.13, transformers): a tiny BERT built from a config (nothing downloaded), two
epochs evaluated at each epoch's end, then the audit of what the Trainer wrote
(trainer_state.json, all_results.json) against the saved predictions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
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
    options = dict(
        output_dir=str(run_dir), num_train_epochs=2, per_device_train_batch_size=16, per_device_eval_batch_size=16,
        eval_strategy="epoch", logging_strategy="epoch", save_strategy="no", report_to=[], use_cpu=True,
        learning_rate=5e-3, seed=0, disable_tqdm=True,
    )
    return transformers.TrainingArguments(**{**options, **kw})


def accuracy(eval_pred) -> dict:
    return {"accuracy": float((eval_pred.predictions.argmax(-1) == eval_pred.label_ids).mean())}


def test_trainer_run_is_saved_per_epoch_and_audits_clean(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = transformers.BertForSequenceClassification(config())
    saver = SavePredictions(tmp_path)
    # What the Trainer leaves in output_dir as Hugging Face's example scripts run it
    # (examples/pytorch/text-classification/run_glue.py): a checkpoint per epoch, then
    # save_state() (trainer_state.json) and save_metrics() (<split>_results.json and
    # all_results.json) after training and after the final evaluation.
    trainer = transformers.Trainer(
        model=model, args=args(tmp_path, save_strategy="epoch"), train_dataset=Sequences(96, 0),
        eval_dataset=Sequences(40, 1), data_collator=_pad, compute_metrics=saver.wrap(accuracy),
        callbacks=[saver],
    )
    result = trainer.train()
    trainer.save_metrics("train", result.metrics)
    trainer.save_state()
    trainer.save_metrics("eval", trainer.evaluate())
    for e in (0, 1):
        with np.load(tmp_path / "predictions" / f"val_epoch{e}.npz") as d:
            assert d["logits"].shape == (40, C) and d["target"].shape == (40,)
    assert sorted(p.name for p in tmp_path.glob("checkpoint-*/trainer_state.json")) == ["trainer_state.json"] * 2

    # The run directory as the Trainer left it: its trainer_state.json (the checkpoints'
    # copies are left out, holding nothing it does not) and all_results.json (eval_ and
    # train_results.json are left out for the same reason).
    report = metricaudit.audit(tmp_path)
    assert report.exit_status == 0, str(report)
    # The checkpoints' weights, optimizer and RNG states are not logs, and not warned about.
    assert report.warnings == [], report.warnings
    logs = {Path(log.path).name: log.format for log in report.logs}
    assert logs == {"trainer_state.json": "hf-trainer", "all_results.json": "hf-results"}, logs
    # Each epoch's eval_loss and eval_accuracy, recomputed from that epoch's dump.
    checked = sorted(
        (p.point.metric, p.point.epoch, Path(p.dump).name) for p in report.points if p.dump
    )
    assert checked == [
        (m, e, f"val_epoch{e}.npz") for m in ("eval_accuracy", "eval_loss") for e in (0, 1)
    ], checked
    assert all(Path(p.point.file).name == "trainer_state.json" for p in report.points)
    # The logged values are the Trainer's own: the last epoch's eval_accuracy is the one
    # in log_history.
    logged = [r["eval_accuracy"] for r in trainer.state.log_history if "eval_accuracy" in r]
    by_epoch = {p.point.epoch: p.point.value for p in report.points if p.point.metric == "eval_accuracy"}
    assert by_epoch == {0: logged[0], 1: logged[1]}


def test_trainer_state_without_evaluations_is_refused(tmp_path: Path) -> None:
    """A trainer_state.json from which no metric can be read (a run stopped before its
    first log) is an input error naming the file, not a clean audit."""
    torch.manual_seed(0)
    trainer = transformers.Trainer(
        model=transformers.BertForSequenceClassification(config()), args=args(tmp_path),
        train_dataset=Sequences(16, 0), data_collator=_pad,
    )
    trainer.save_state()  # log_history is still empty
    state = tmp_path / "trainer_state.json"
    assert json.loads(state.read_text())["log_history"] == []
    with pytest.raises(metricaudit.InputError, match=r"trainer_state\.json: no metric value read"):
        metricaudit.audit(tmp_path)


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
