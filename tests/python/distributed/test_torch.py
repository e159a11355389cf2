"""metricaudit.torch with 2 and 3 real gloo processes (tests/python/distributed/_ddp.py): the
summed state equals one process's over the whole set, bit for bit, with every reading; the
padding mask undoes DistributedSampler's repeats; differing options are refused by name."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch runs in .venv-frameworks (scripts/test)")
mp = pytest.importorskip("torch.multiprocessing")

import _ddp  # noqa: E402


@pytest.mark.parametrize("world", [2, 3])
def test_all_reduce_equals_one_process(world: int, tmp_path) -> None:  # type: ignore[no-untyped-def]
    mp.spawn(_ddp.run, args=(world, _ddp.free_port(), str(tmp_path)), nprocs=world, join=True)
    figures = json.loads((tmp_path / f"world{world}.json").read_text())
    assert figures["counted_naive"] == _ddp.N + figures["padding"] > _ddp.N
    assert figures["accuracy_masked"] == figures["accuracy_single"]
    print(json.dumps(figures))


def test_padding_mask_marks_the_repeats() -> None:
    from torch.utils.data import DistributedSampler

    import metricaudit.torch as mt

    for n, world in [(5, 2), (7, 3), (6, 3), (1, 4)]:
        seen: list[int] = []
        for rank in range(world):
            sampler = DistributedSampler(range(n), num_replicas=world, rank=rank, shuffle=True)
            order = list(iter(sampler))
            mask = mt.padding_mask(sampler)
            assert mask.dtype == np.bool_ and len(mask) == len(order)
            seen += [i for i, keep in zip(order, mask) if keep]
        assert sorted(seen) == list(range(n)), (n, world)  # every sample once


def test_importing_metricaudit_imports_neither_torch_nor_dask() -> None:
    code = "import sys, metricaudit; print('torch' in sys.modules, 'dask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
