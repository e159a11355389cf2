"""metricaudit.dask on a distributed.LocalCluster with 2 worker processes: the Evaluator of
the chunked arrays equals one process's over the whole arrays, bit for bit, with every
reading, whatever the chunking."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("dask.array", reason="dask runs in .venv-frameworks (scripts/test)")
distributed = pytest.importorskip("distributed")

import dask.array as da  # noqa: E402

import metricaudit as ma  # noqa: E402
import metricaudit.dask as mdask  # noqa: E402
from _support import labelwise_readings, multiclass_readings  # noqa: E402


@pytest.fixture(scope="module")
def client():  # type: ignore[no-untyped-def]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as c:
            yield c


def test_multiclass_equals_one_process(client) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(9)
    n, c = 5003, 6
    scores = np.round(rng.normal(size=(n, c)), 1)
    target = rng.integers(0, c, n)
    weight = rng.random(n)
    options = dict(num_classes=c, top_k=[2, 3], ignore_index=5, confusion_matrix=True,
                   topk_sets=True, smoothing_columns=True)
    one = ma.Evaluator(**options)
    one.update(scores, target, sample_weight=weight)
    for chunks, split_every in [(1000, 2), (337, 8)]:
        ev = mdask.evaluate(da.from_array(scores, chunks=(chunks, 3)),
                            da.from_array(target, chunks=777), da.from_array(weight, chunks=500),
                            split_every=split_every, **options)
        assert ev == one
        assert multiclass_readings(ev) == multiclass_readings(one)
    assert len(client.scheduler_info()["workers"]) == 2


def test_multilabel_equals_one_process(client) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(10)
    scores = rng.normal(size=(2000, 4))
    target = (rng.random((2000, 4)) < 0.4).astype(np.int64)
    one = ma.Evaluator(task="multilabel", num_labels=4)
    one.update(scores, target)
    ev = mdask.evaluate(da.from_array(scores, chunks=(300, 4)), da.from_array(target, chunks=450),
                        task="multilabel", num_labels=4)
    assert ev == one and labelwise_readings(ev) == labelwise_readings(one)


def test_bad_arguments() -> None:
    scores = da.zeros((10, 3), chunks=5)
    with pytest.raises(ValueError, match="target: expected 10 rows"):
        mdask.evaluate(scores, da.zeros(9, dtype=int, chunks=5), num_classes=3)
    with pytest.raises(ValueError, match="split_every"):
        mdask.evaluate(scores, da.zeros(10, dtype=int, chunks=5), num_classes=3, split_every=1)
