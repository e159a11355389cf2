"""Shared Keras 3 training + checking for the keras3-* examples. Each example's
make.py holds a Config and calls run(cfg).

A digits MLP with a softmax output is trained by `model.fit(verbose=1)` with a
`keras.callbacks.CSVLogger` and `metricaudit.keras.SavePredictions` (the validation
dumps); the progress bar is recorded from a pseudo-terminal
(progress.txt), so Keras draws it as on a terminal (its dynamic display: \\b and \\r
redraws). Every logged number is checked against the saved predictions (run()
fails if the expected convention does not reproduce it) and run.json is written.
"""
import csv
import os
import shutil
import sys

import common

SEED = 0


class Config:
    name = None
    here = None
    loss = "categorical_crossentropy"
    lr = 3e-3
    batch_size = 64
    epochs = 6
    num_classes = 10
    acc_reading = "micro"          # the reading the logged `accuracy` must equal
    loss_reading = "keras_cce_probs"
    metric_description = 'metrics=["accuracy"]'

    def metrics(self):
        return ["accuracy"]

    def select_val(self, X_va, y_va):
        """The validation rows to keep (default: all)."""
        return X_va, y_va

    def on_model_built(self, model):
        """Hook called with the compiled model before training (default: nothing)."""

    def expected(self, resolved):
        raise NotImplementedError

    @property
    def pred_dir(self):
        return os.path.join(self.here, "predictions")


def train(cfg):
    import numpy as np
    import keras
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    from metricaudit.capture import PredictionWriter
    from metricaudit.keras import SavePredictions

    keras.utils.set_random_seed(SEED)
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, stratify=y, random_state=SEED)
    X_va, y_va = cfg.select_val(X_va, y_va)
    # Shuffle once here and train with shuffle=False, so that batch b of every epoch is
    # X_tr[b*bs:(b+1)*bs] and the dump callback knows what each step saw.
    perm = np.random.default_rng(SEED).permutation(len(X_tr))
    X_tr, y_tr = X_tr[perm], y_tr[perm]
    Y_tr = keras.utils.to_categorical(y_tr, cfg.num_classes).astype(np.float32)
    Y_va = keras.utils.to_categorical(y_va, cfg.num_classes).astype(np.float32)

    model = keras.Sequential([
        keras.Input(shape=(64,)),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(cfg.num_classes, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=cfg.lr),
                  loss=cfg.loss, metrics=cfg.metrics())
    cfg.on_model_built(model)

    bs = cfg.batch_size

    # The validation dumps, the documented way: metricaudit.keras.SavePredictions predicts
    # the validation data at each epoch's end and saves probs (the model ends in softmax).
    save_val = SavePredictions(cfg.here, validation_data=(X_va, Y_va), batch_size=bs)
    train_dumps = PredictionWriter(cfg.here)

    class SaveTrainingOutputs(keras.callbacks.Callback):
        """Before each training step, the predictions of the weights that step uses (so the
        concatenation over an epoch is what the running means covered). Specific to these
        examples (fit with shuffle=False, so batch b is rows [b*bs, (b+1)*bs))."""

        def on_epoch_begin(self, epoch, logs=None):
            self.out = []

        def on_train_batch_begin(self, batch, logs=None):
            m = self.model          # on JAX this syncs the in-flight training state
            xb = X_tr[batch * bs:(batch + 1) * bs]
            self.out.append(np.asarray(m(xb, training=False)))

        def on_epoch_end(self, epoch, logs=None):
            probs = np.concatenate(self.out)
            assert len(probs) == len(y_tr)
            train_dumps.write("train", epoch=epoch, target=y_tr, probs=probs)

    model.fit(X_tr, Y_tr, validation_data=(X_va, Y_va), batch_size=bs, epochs=cfg.epochs,
              shuffle=False, verbose=1,
              callbacks=[keras.callbacks.CSVLogger(os.path.join(cfg.here, "training.log")),
                         SaveTrainingOutputs(), save_val])

    # What did the string metric resolve to? Record the classes Keras built.
    resolved = {}
    for m in model.metrics:
        for sub in getattr(m, "metrics", []):
            inner = getattr(sub, "_fn", None)
            resolved[sub.name] = {"class": type(sub).__module__ + "." + type(sub).__name__,
                                  "fn": getattr(inner, "__name__", None)}
    resolved["loss"] = {"compiled": str(cfg.loss), "class": type(model.loss).__name__
                        if not isinstance(model.loss, str) else model.loss}
    common.write_json(os.path.join(cfg.here, "_resolved.json"), resolved)


def finish(cfg):
    import json
    import numpy as np

    with open(os.path.join(cfg.here, "training.log"), newline="") as f:
        rows = list(csv.DictReader(f))
    with open(os.path.join(cfg.here, "_resolved.json")) as f:
        resolved = json.load(f)
    os.remove(os.path.join(cfg.here, "_resolved.json"))

    checks = []
    for r in rows:
        e = int(r["epoch"])
        for split, prefix in (("train", ""), ("val", "val_")):
            d = np.load(os.path.join(cfg.pred_dir, f"{split}_epoch{e}.npz"))
            probs, target = d["probs"], d["target"]
            if target.ndim == 2:  # the validation dumps hold the one-hot targets fit() was given
                target = target.argmax(axis=1)
            acc = common.accuracy_readings(probs, target, cfg.num_classes)
            loss = common.loss_readings(probs, target, scores_are="probs")
            acc["keras_binary_accuracy_onehot"] = loss.pop("keras_binary_accuracy_onehot")
            logged_acc, logged_loss = float(r[prefix + "accuracy"]), float(r[prefix + "loss"])
            assert abs(acc[cfg.acc_reading] - logged_acc) < 1e-5, (split, e, acc, logged_acc)
            assert abs(loss[cfg.loss_reading] - logged_loss) < 2e-5, (split, e, loss, logged_loss)
            for metric, logged, readings in ((prefix + "accuracy", logged_acc, acc),
                                             (prefix + "loss", logged_loss, loss)):
                checks.append({"metric": metric, "epoch": e, "logged": logged,
                               "dump": f"predictions/{split}_epoch{e}.npz", "readings": readings})

    findings, clean = cfg.expected(resolved)
    d = np.load(os.path.join(cfg.pred_dir, "val_epoch0.npz"))
    dt = np.load(os.path.join(cfg.pred_dir, "train_epoch0.npz"))
    n_train = int(len(dt["target"]))
    run = {
        "example": cfg.name,
        "generator": f"examples/{cfg.name}/make.py",
        "libraries": common.versions("keras", "jax", "jaxlib", "numpy", "sklearn"),
        "keras_backend": os.environ.get("KERAS_BACKEND"),
        "data": "sklearn.datasets.load_digits, X/16, stratified 75/25 split (random_state=0), "
                "training rows shuffled once (numpy default_rng(0)) and fit with shuffle=False; "
                "targets one-hot (to_categorical)",
        "model": f"Dense(32, relu) - Dense({cfg.num_classes}, softmax), Adam lr={cfg.lr}",
        "model_outputs": "probabilities (softmax layer)",
        "loss": f"loss={cfg.loss!r} (from_logits=False)",
        "metric_objects": {"compile": cfg.metric_description, "resolved_by_keras": resolved},
        "num_classes": cfg.num_classes,
        "eval_size": {"val": int(len(d["target"])), "train_epoch": n_train},
        "batch_size": cfg.batch_size,
        "steps_per_epoch": -(-n_train // cfg.batch_size),
        "epochs": cfg.epochs,
        "logs": {
            "training.log": "keras.callbacks.CSVLogger: epoch (0-based), then sorted keys; \\r\\n line ends",
            "progress.txt": "every byte the terminal received (pseudo-terminal, 200 columns x 40 rows; "
                            "Keras' dynamic display: \\b/\\r redraws and ANSI codes, which Keras 3 uses on "
                            "any POSIX system, TTY or not; at most one redraw per 0.05 s, so not every "
                            "step is shown), "
                            "tty newline translation \\n -> \\r\\n",
        },
        "dumps": {
            "val_epoch<E>.npz": "probs of the whole validation set under the weights at the end of epoch E "
                                "(what val_loss / val_accuracy of epoch E were computed on), with the "
                                "one-hot targets given to fit(); written by metricaudit.keras.SavePredictions, "
                                "whose val_epoch<E>.json records the output activation and the loss",
            "train_epoch<E>.npz": "probs each training step of epoch E computed before its update (the "
                                  "weights change from batch to batch), concatenated in step order: "
                                  "rows [b*batch_size, (b+1)*batch_size) are step b. The logged epoch "
                                  "loss/accuracy are sample-weighted means over all rows; the progress "
                                  "bar's value after step b is the same mean over rows [0, (b+1)*batch_size)",
        },
        "expected_findings": findings,
        "expected_clean": clean,
        "checks": checks,
    }
    common.write_json(os.path.join(cfg.here, "run.json"), run)
    print(f"wrote run.json with {len(checks)} checked values")


def run(cfg, script_path):
    if os.environ.get("MA_EXAMPLE_CHILD") == "1":
        train(cfg)
        return
    shutil.rmtree(cfg.pred_dir, ignore_errors=True)
    for f in ("training.log", "progress.txt", "run.json"):
        if os.path.exists(os.path.join(cfg.here, f)):
            os.remove(os.path.join(cfg.here, f))
    env = dict(os.environ, MA_EXAMPLE_CHILD="1", PYTHONHASHSEED="0", KERAS_BACKEND="jax",
               JAX_PLATFORMS="cpu", XLA_FLAGS="--xla_cpu_multi_thread_eigen=false "
               "intra_op_parallelism_threads=1", TF_CPP_MIN_LOG_LEVEL="2")
    os.environ["KERAS_BACKEND"] = "jax"
    rc = common.run_in_pty([sys.executable, os.path.abspath(script_path)],
                           os.path.join(cfg.here, "progress.txt"), env=env)
    if rc != 0:
        sys.exit(f"training failed with exit code {rc}")
    finish(cfg)
