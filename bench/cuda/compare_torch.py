#!/usr/bin/env python3
"""Side-by-side with torch on the same device and shapes as bench_cuda_pass.

torch:        argmax + cross_entropy + bincount (tp / predicted / support), the
              work one metricaudit pass replaces;
torchmetrics: MulticlassAccuracy (macro) + MulticlassF1Score, when installed.

Timings are CUDA-event times, best of --reps after a warm-up, float32 logits.
Usage: python bench/cuda/compare_torch.py [--shapes 10000000x10,1000000x1000,100000x100000]
                                          [--tsv]
--tsv: tab-separated rows "<who> <N> <C> <ms> <GB/s>" (or "<who> <N> <C> skipped <why>"),
for scripts/gpu-check.
"""
import argparse
import sys


def timed(torch, fn, reps):
    start = torch.cuda.Event(enable_timing=True)
    stop = torch.cuda.Event(enable_timing=True)
    fn()
    best = float("inf")
    for _ in range(reps):
        start.record()
        fn()
        stop.record()
        torch.cuda.synchronize()
        best = min(best, start.elapsed_time(stop))
    return best  # ms


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", default="10000000x10,1000000x1000,100000x100000")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--tsv", action="store_true")
    args = parser.parse_args()

    def row(who, n, c, ms=None, why=None):
        gb = n * c * 4 / 1e9
        if args.tsv:
            print(f"{who}\t{n}\t{c}\t" + (f"skipped\t{why}" if ms is None else
                                          f"{ms:.3f}\t{gb / (ms * 1e-3):.1f}"), flush=True)
        elif ms is None:
            print(f"{n:>10} x {c:<7} {who:<12} {why}", flush=True)
        else:
            print(f"{n:>10} x {c:<7} {who:<12} {ms:9.3f} ms  {gb / (ms * 1e-3):8.1f} GB/s",
                  flush=True)

    try:
        import torch
    except ImportError:
        print("error\ttorch is not installed" if args.tsv else "torch is not installed: nothing to compare")
        return 0
    if not torch.cuda.is_available():
        print("error\tno CUDA device for torch" if args.tsv else "no CUDA device: nothing to compare")
        return 0
    try:
        import torchmetrics.classification as tmc
    except ImportError:
        tmc = None
    if not args.tsv:
        print(f"device: {torch.cuda.get_device_name()}")
    for shape in args.shapes.split(","):
        n, c = (int(x) for x in shape.split("x"))
        gb = n * c * 4 / 1e9
        try:
            logits = torch.randn(n, c, device="cuda", dtype=torch.float32)
            target = torch.randint(0, c, (n,), device="cuda")
        except torch.cuda.OutOfMemoryError:
            row("torch", n, c, why=f"skipped: {gb:.1f} GB of scores do not fit")
            continue

        def torch_pass():
            pred = logits.argmax(dim=1)
            loss = torch.nn.functional.cross_entropy(logits, target, reduction="sum")
            hit = pred == target
            tp = torch.bincount(target[hit], minlength=c)
            predicted = torch.bincount(pred, minlength=c)
            support = torch.bincount(target, minlength=c)
            return loss, tp, predicted, support

        try:
            row("torch", n, c, timed(torch, torch_pass, args.reps))
        except torch.cuda.OutOfMemoryError:
            row("torch", n, c, why="out of memory (cross_entropy's log_softmax copy)")
        if tmc is not None and c * c >= 2**31:
            # MulticlassF1Score counts (target, pred) pairs with one bincount of C^2 bins
            # (torchmetrics/functional/classification/stat_scores.py,
            # _multiclass_stat_scores_update): past 2^31 bins the kernel's indices overflow
            # (an illegal memory access that ends the process's CUDA context).
            row("torchmetrics", n, c, why=f"skipped: its bincount of C^2 = {c * c:.0e} bins")
        elif tmc is not None:
            acc = tmc.MulticlassAccuracy(num_classes=c).cuda()
            f1 = tmc.MulticlassF1Score(num_classes=c).cuda()

            def tm_pass():
                acc.reset()
                f1.reset()
                acc.update(logits, target)
                f1.update(logits, target)
                return acc.compute(), f1.compute()

            try:
                row("torchmetrics", n, c, timed(torch, tm_pass, args.reps))
            except torch.cuda.OutOfMemoryError:
                row("torchmetrics", n, c, why="out of memory")
        del logits, target
        torch.cuda.empty_cache()
    return 0


if __name__ == "__main__":
    sys.exit(main())
