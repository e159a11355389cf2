"""Writes real Hugging Face Trainer output for the readers' tests: a two-epoch run of a
tiny BERT classifier (built from a config: no download) on random token ids.

    /usr/bin/python3 -m venv --system-site-packages VENV   # Debian's python3-torch
    VENV/bin/pip install "transformers<4.47" "accelerate<1.0"
    VENV/bin/python tests/data/logs/hf/generate.py tests/data/logs/hf/run

What lands in run/ (the Trainer's own files; model weights and optimizer state of the
checkpoints are deleted to keep the fixture small):
  trainer_state.json                  trainer.save_state() after training
  checkpoint-<step>/trainer_state.json  each epoch's checkpoint (save_strategy="epoch")
  all_results.json, eval_results.json, train_results.json   trainer.save_metrics(...)
  predictions/val_epoch<E>.npz        the logits and labels compute_metrics saw, E from 0
The versions used are written to versions.txt beside run/.
"""
import os
import shutil
import sys

import numpy as np
import torch
import transformers
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

out = sys.argv[1]
shutil.rmtree(out, ignore_errors=True)
os.makedirs(os.path.join(out, "predictions"))
transformers.set_seed(0)

C, N_TRAIN, N_EVAL, LEN = 4, 64, 40, 8
rng = np.random.default_rng(0)


class Data(torch.utils.data.Dataset):
    def __init__(self, n):
        self.ids = rng.integers(5, 100, size=(n, LEN))
        # Labels that depend on the tokens, so training moves the metrics.
        self.labels = (self.ids[:, 0] % C).astype(np.int64)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": torch.tensor(self.ids[i]), "labels": torch.tensor(self.labels[i])}


config = BertConfig(vocab_size=100, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                    intermediate_size=32, max_position_embeddings=16, num_labels=C)
model = BertForSequenceClassification(config)
evaluations = []


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    epoch = len(evaluations)
    evaluations.append(epoch)
    np.savez(os.path.join(out, "predictions", f"val_epoch{epoch}.npz"),
             logits=logits.astype(np.float32), target=labels.astype(np.int64))
    # Micro accuracy, as evaluate's "accuracy" computes it.
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


args = TrainingArguments(output_dir=out, num_train_epochs=2, per_device_train_batch_size=8,
                         per_device_eval_batch_size=8, learning_rate=5e-3, eval_strategy="epoch",
                         save_strategy="epoch", logging_steps=3, report_to=[], use_cpu=True,
                         seed=0, save_safetensors=True)
trainer = Trainer(model=model, args=args, train_dataset=Data(N_TRAIN), eval_dataset=Data(N_EVAL),
                  compute_metrics=compute_metrics)
train_result = trainer.train()
trainer.save_metrics("train", train_result.metrics)
trainer.save_state()
# The final evaluation saves its own dump: it is not an epoch's.
evaluations.append("final")
metrics = trainer.evaluate()
trainer.save_metrics("eval", metrics)
os.remove(os.path.join(out, "predictions", f"val_epoch{len(evaluations) - 1}.npz"))

# Keep the Trainer's JSON files only: weights, optimizer and RNG state are not read.
for root, dirs, files in os.walk(out):
    for f in files:
        if not f.endswith(".json") and "predictions" not in root:
            os.remove(os.path.join(root, f))
    for d in ("runs",):
        if d in dirs:
            shutil.rmtree(os.path.join(root, d))
for f in ("config.json", "training_args.bin", "generation_config.json"):
    for root, _, files in os.walk(out):
        if f in files:
            os.remove(os.path.join(root, f))
with open(os.path.join(os.path.dirname(os.path.abspath(out)), "versions.txt"), "w") as f:
    f.write(f"transformers {transformers.__version__}\ntorch {torch.__version__}\n"
            f"numpy {np.__version__}\n")
