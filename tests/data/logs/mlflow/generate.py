"""Writes a real MLflow file store for the readers' tests: one experiment with one run
that logs two epochs of training and validation metrics, as a training loop calling
mlflow.log_metric(key, value, step=epoch) writes them.

    python3 -m venv VENV && VENV/bin/pip install mlflow-skinny
    VENV/bin/python tests/data/logs/mlflow/generate.py tests/data/logs/mlflow/run

run/mlruns/<experiment id>/<run id>/metrics/<key> holds "timestamp value step" lines
(mlflow/store/tracking/file_store.py), meta.yaml the run's metadata, params/ and tags/
one file each. Timestamps and ids are MLflow's own; the versions used are written to
versions.txt beside run/.
"""
import os
import shutil
import sys

# MLflow 3 keeps the file store behind this switch (file_store.py, FileStore.__init__).
os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")

import mlflow  # noqa: E402

out = os.path.abspath(sys.argv[1])
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
mlflow.set_tracking_uri("file://" + os.path.join(out, "mlruns"))
mlflow.set_experiment("fixture")
values = {
    0: {"loss": 1.2, "accuracy": 0.5, "val_loss": 1.1, "val_accuracy": 0.55},
    1: {"loss": 0.9, "accuracy": 0.625, "val_loss": 0.95, "val_accuracy": 0.6},
}
with mlflow.start_run(run_name="two-epochs"):
    mlflow.log_param("lr", 0.001)
    for epoch, metrics in values.items():
        for key, value in metrics.items():
            mlflow.log_metric(key, value, step=epoch)
    # A key with a '/' lands in a subfolder of metrics/.
    mlflow.log_metric("val/f1", 0.5, step=1)
with open(os.path.join(os.path.dirname(out), "versions.txt"), "w") as f:
    f.write(f"mlflow {mlflow.__version__}\n")
