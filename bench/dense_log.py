"""Writes a large log for the readers' memory figures (bench/README.md, Readers).

    python3 bench/dense_log.py lightning dense_lightning.csv 1024   # MB
    python3 bench/dense_log.py jsonl metrics.jsonl 1024

lightning: a dense Lightning metrics.csv, every cell of six columns filled (four values a
row, 13.9 bytes of text per value); jsonl: JSON lines as bench/readers_bench.cpp writes
them (epoch, step, loss, accuracy). Deterministic (seeded).
"""
import random
import sys


def main() -> None:
    kind, path, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if kind not in ("lightning", "jsonl"):
        sys.exit("kind: lightning or jsonl")
    target = mb << 20
    rng = random.Random(1)
    written = 0
    step = 0
    with open(path, "w") as f:
        if kind == "lightning":
            head = "epoch,step,train_acc_step,train_loss_step,val_acc,val_loss\n"
            f.write(head)
            written += len(head)
        while written < target:
            lines = []
            for _ in range(20000):
                epoch = step // 1000
                if kind == "lightning":
                    cells = ",".join(f"0.{rng.getrandbits(24):07d}" for _ in range(4))
                    lines.append(f"{epoch},{step},{cells}\n")
                else:
                    loss, acc = rng.getrandbits(53), rng.getrandbits(53)
                    lines.append(f'{{"epoch": {epoch}, "step": {step}, "loss": 0.{loss:016d}, '
                                 f'"accuracy": 0.{acc:016d}}}\n')
                step += 1
            chunk = "".join(lines)
            f.write(chunk)
            written += len(chunk)
    print(f"{path}: {written} bytes, {step} rows")


if __name__ == "__main__":
    main()
