"""Rows per second of metricaudit.dask.evaluate on a local Dask cluster beside one process.

One process: ``Evaluator.update`` over the whole in-memory arrays (the pass's own OpenMP
threads, ``--threads``). Dask: the same arrays as a ``dask.array`` in row blocks on a
``distributed.LocalCluster`` of ``--workers`` processes with one thread each (one state per
block, a tree reduction of the int64 buffers, the Evaluator back on the client). Both are
checked equal (bit for bit) before anything is printed. One run each after a warm-up, as
the issue asks: a ratio, not a distribution. Run it in .venv-frameworks (scripts/bootstrap):

    .venv-frameworks/bin/python bench/dask_bench.py --n 4000000 --c 10 --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import dask.array as da
import distributed
import numpy as np

import metricaudit as ma
import metricaudit.dask as mdask


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=4_000_000, help="rows")
    ap.add_argument("--c", type=int, default=10, help="classes")
    ap.add_argument("--workers", type=int, default=2, help="Dask worker processes")
    ap.add_argument("--chunk", type=int, default=250_000, help="rows per Dask block")
    ap.add_argument("--threads", type=int, default=0, help="pass threads in one process (0: all)")
    args = ap.parse_args()

    options = dict(num_classes=args.c)

    with distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster):
        # The arrays are made on the workers and stay there, as a chunked dataset would
        # (not timed); the one-process run reads the same values from memory.
        rng = da.random.default_rng(0)
        ds = rng.standard_normal((args.n, args.c), chunks=(args.chunk, args.c), dtype=np.float32)
        dt = rng.integers(0, args.c, args.n, chunks=args.chunk)
        ds, dt = ds.persist(), dt.persist()
        distributed.wait([ds, dt])
        scores, target = ds.compute(), dt.compute()

        def one_process() -> ma.Evaluator:
            ev = ma.Evaluator(threads=args.threads, **options)
            ev.update(scores, target)
            return ev

        one_process()  # warm-up
        start = time.perf_counter()
        single = one_process()
        single_s = time.perf_counter() - start

        mdask.evaluate(ds, dt, **options)  # warm-up (imports on the workers)
        start = time.perf_counter()
        chunked = mdask.evaluate(ds, dt, **options)
        dask_s = time.perf_counter() - start
    assert chunked == single, "the Dask result differs from one process"

    result = {
        "rows": args.n,
        "classes": args.c,
        "dtype": "float32",
        "cpus": os.cpu_count(),
        "load_average_1min": os.getloadavg()[0],
        "host": platform.node(),
        "one_process_rows_per_s": args.n / single_s,
        "dask_workers": args.workers,
        "dask_block_rows": args.chunk,
        "dask_rows_per_s": args.n / dask_s,
        "dask_over_one_process": single_s / dask_s,
        "bit_identical": True,
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
