#!/usr/bin/env python3
"""Writes the inputs of the bad-input catalogue: one folder per case under
tests/bad_inputs/cases/, holding the files the command reads and `args` (the command
line after `metricaudit`, one argument per line, paths relative to the case folder).
Each folder's `expected.txt` (exit status, stdout, stderr) is written by hand and
reviewed, not by this script; run_case.cmake runs the case and compares.

    python3 tests/bad_inputs/generate.py        # needs numpy; rewrites every input

Everything is deterministic (no random data, no timestamps), so regenerating gives the
same bytes. Files are KBs at most.
"""

import io
import os
import shutil
import struct
import zipfile
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")
N, C = 8, 3
TARGET = np.array([0, 1, 2, 0, 1, 2, 0, 1], dtype=np.int64)
# Logits whose argmax is right on rows 0-5 and wrong on rows 6 and 7: accuracy 0.75.
LOGITS = np.full((N, C), -1.0, dtype=np.float32)
for i, t in enumerate(TARGET):
    LOGITS[i, t if i < 6 else (t + 1) % C] = 2.0


def npy(arr):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.asarray(arr), allow_pickle=False)
    return buf.getvalue()


def npy_header(descr, shape, data=b""):
    """A .npy image with a hand-written header (shapes numpy itself would refuse)."""
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    header = header.encode("latin1")
    pad = 64 - (10 + len(header) + 1) % 64
    header += b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + data


def npz(members):
    """An archive of .npy members (name -> bytes), as np.savez writes it (stored)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, data in members.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            z.writestr(info, data)
    return buf.getvalue()


def masked_crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    crc ^= 0xFFFFFFFF
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def record(payload):
    length = struct.pack("<Q", len(payload))
    return (length + struct.pack("<I", masked_crc32c(length)) + payload +
            struct.pack("<I", masked_crc32c(payload)))


def varint(v):
    out = b""
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def scalar_event(step, tag, value):
    tag_b = tag.encode()
    val = b"\x0a" + varint(len(tag_b)) + tag_b + b"\x15" + struct.pack("<f", value)
    summary = b"\x0a" + varint(len(val)) + val
    return (b"\x09" + struct.pack("<d", 1.0) + b"\x10" + varint(step) + b"\x2a" +
            varint(len(summary)) + summary)


VERSION_EVENT = b"\x09" + struct.pack("<d", 1.0) + b"\x1a\x0dbrain.Event:2"

# The dump's true val_loss (mean softmax cross-entropy of LOGITS), as Keras prints it.
_lse = np.log(np.exp(LOGITS.astype(np.float64)).sum(axis=1))
VAL_LOSS = "%.4f" % float(np.mean(_lse - LOGITS[np.arange(N), TARGET]))
KERAS_CSV = (
    "epoch,accuracy,loss,val_accuracy,val_loss\n"
    "0,0.5,0.9,0.75," + VAL_LOSS + "\n"
    "1,0.6,0.8,0.75," + VAL_LOSS + "\n"
)


def case(name, args, files):
    d = os.path.join(CASES, name)
    for entry in os.listdir(d) if os.path.isdir(d) else []:
        if entry == "expected.txt":
            continue
        p = os.path.join(d, entry)
        shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)
    os.makedirs(d, exist_ok=True)
    for rel, data in files.items():
        p = os.path.join(d, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
    with open(os.path.join(d, "args"), "w") as f:
        f.write("".join(a + "\n" for a in args))


def dump_case(name, members, log=KERAS_CSV, extra_args=(), dump_name="val_epoch0.npz"):
    """A run folder: training.log (Keras CSVLogger) and predictions/<dump_name>."""
    files = {"run/training.log": log}
    if members is not None:
        files["run/predictions/" + dump_name] = npz({k: npy(v) if isinstance(v, np.ndarray) else v
                                                    for k, v in members.items()})
    case(name, ["audit", "run", *extra_args], files)


def main():
    ok = {"target": TARGET, "logits": LOGITS}
    # ---- the baseline: a clean run, so every case below differs from it in one way -------
    dump_case("ok_baseline", ok)

    # ---- shapes ------------------------------------------------------------------------
    dump_case("shape_logits_3d", {"target": TARGET, "logits": LOGITS.reshape(N, C, 1)})
    dump_case("shape_rows_mismatch", {"target": TARGET, "logits": LOGITS[:7]})
    dump_case("shape_weight_length", {**ok, "sample_weight": np.ones(5, dtype=np.float32)})
    dump_case("shape_target_columns", {"target": np.eye(4, dtype=np.int64)[TARGET % 4],
                                       "logits": LOGITS})
    dump_case("shape_2_pow_63", {"target": TARGET,
                                 "logits": npy_header("<f4", "(9223372036854775807, 2)")})
    dump_case("shape_empty_wide", {"target": np.zeros(0, dtype=np.int64),
                                   "logits": npy_header("<f4", "(0, 1099511627776)")})

    # ---- dtypes ------------------------------------------------------------------------
    dump_case("dtype_complex_logits", {"target": TARGET, "logits": LOGITS.astype(np.complex64)})
    dump_case("dtype_float_target", {"target": TARGET.astype(np.float32), "logits": LOGITS})
    dump_case("dtype_string_target", {"target": np.array(["a"] * N), "logits": LOGITS})
    dump_case("dtype_uint64_too_large", {"target": np.array([2**63] * N, dtype=np.uint64),
                                         "logits": LOGITS})

    # ---- labels and values -------------------------------------------------------------
    t = TARGET.copy()
    t[5] = 3
    dump_case("label_out_of_range", {"target": t, "logits": LOGITS})
    t = TARGET.copy()
    t[2] = -1
    dump_case("label_negative", {"target": t, "logits": LOGITS})
    onehot = np.eye(C, dtype=np.float32)[TARGET]
    onehot[4, 0] = 1.0
    dump_case("label_onehot_two_hot", {"target": onehot, "logits": LOGITS})
    for name, value in (("nan", np.nan), ("inf", np.inf)):
        lg = LOGITS.copy()
        lg[3, 1] = value
        dump_case(f"score_{name}", {"target": TARGET, "logits": lg})
    lg = LOGITS.copy()
    lg[1, :] = -np.inf
    dump_case("score_row_all_masked", {"target": TARGET, "logits": lg})
    for name, value in (("nan", np.nan), ("inf", np.inf), ("negative", -0.5)):
        w = np.ones(N, dtype=np.float32)
        w[6] = value
        dump_case(f"weight_{name}", {**ok, "sample_weight": w})
    w = np.ones(N, dtype=np.float64)
    w[2] = 1e300
    dump_case("weight_huge", {**ok, "sample_weight": w})
    lg = LOGITS.astype(np.float64)
    lg[4, 0] = 1e300
    lg[4, 1] = -1e300
    dump_case("score_spread_beyond_exact_range", {"target": TARGET, "logits": lg})

    # ---- empty evaluations, a single class ---------------------------------------------
    dump_case("empty_evaluation", {"target": np.zeros(0, dtype=np.int64),
                                   "logits": np.zeros((0, C), dtype=np.float32)})
    dump_case("single_class", {"target": np.zeros(N, dtype=np.int64),
                               "logits": np.zeros((N, 1), dtype=np.float32)},
              log="epoch,accuracy,loss,val_accuracy,val_loss\n0,1.0,0.0,1.0,0.0\n")
    dump_case("no_scores", {"target": TARGET})
    dump_case("two_scores", {**ok, "probs": np.full((N, C), 1 / 3, dtype=np.float32)})

    # ---- dumps vs logs -----------------------------------------------------------------
    dump_case("epoch_mismatch", ok, dump_name="val_epoch7.npz")
    files = {"run/training.log": KERAS_CSV,
             "run/predictions/val_epoch0.npz": npz({k: npy(v) for k, v in ok.items()}),
             "run/predictions/validation_epoch00.npz": npz({k: npy(v) for k, v in ok.items()})}
    case("dump_same_epoch_twice", ["audit", "run"], files)
    case("dump_roleless_npy", ["audit", "run"],
         {"run/training.log": KERAS_CSV, "run/predictions/val_epoch0.npy": npy(TARGET)})

    # ---- metric names and columns ------------------------------------------------------
    dump_case("unknown_metric_name",
              ok, log="epoch,auroc,val_auroc\n0,0.5,0.75\n1,0.6,0.75\n")
    dump_case("unknown_metric_kind", ok, extra_args=("--metric", "val_auroc=auroc"),
              log="epoch,auroc,val_auroc\n0,0.5,0.75\n1,0.6,0.75\n")
    dump_case("duplicated_column", ok,
              log="epoch,accuracy,loss,val_accuracy,val_accuracy\n0,0.5,0.9,0.75,0.75\n")

    # ---- text encodings and line ends --------------------------------------------------
    dump_case("non_utf8_header", ok,
              log="epoch,accuracy,loss,val_acc\xff,val_loss\n0,0.5,0.9,0.75,0.6\n".encode("latin1"))
    dump_case("non_utf8_progress_bar", ok, log=(
        b"Epoch 1/1\n8/8 [==============================] - 0s 1ms/step - loss: 0.9000"
        b" - accuracy: 0.5000 - val_loss: 0.6000 - val_accur\xe9cy: 0.7500\n"))
    dump_case("windows_line_ends", ok, log=KERAS_CSV.replace("\n", "\r\n"))
    dump_case("windows_line_ends_progress", ok, log=(
        "Epoch 1/1\r\n8/8 [==============================] - 0s 1ms/step - loss: 0.9000"
        " - accuracy: 0.5000 - val_loss: " + VAL_LOSS + " - val_accuracy: 0.7500\r\n"))
    dump_case("ragged_csv_row", ok, log="epoch,accuracy,loss\n0,0.5,0.9\n1,0.6\n")
    dump_case("non_numeric_value", ok, log="epoch,accuracy,loss\n0,0.5,zero\n")
    dump_case("truncated_progress_bar", ok, log=(
        "Epoch 1/1\n8/8 [==============================] - 0s 1ms/step - loss: 0.9000 - accur\n"))
    case("empty_log", ["audit", "empty.log"], {"empty.log": b""})
    case("unrecognised_log", ["audit", "notes.txt"], {"notes.txt": "just some notes\n"})
    deep = '{"epoch": 0, "m": ' + "{\"a\": " * 5000 + "1" + "}" * 5000 + "}\n"
    case("deep_json_nest", ["audit", "metrics.jsonl"], {"metrics.jsonl": deep})
    # fuzz_jsonl, crash-3d50a2ca: a number under "" became a point with no metric name.
    case("jsonl_empty_key", ["audit", "metrics.jsonl"],
         {"metrics.jsonl": '{"epoch": 0, "val_accuracy": 0.75}\n{"epoch": 1, "": 0.5}\n'})
    case("jsonl_truncated", ["audit", "metrics.jsonl"],
         {"metrics.jsonl": '{"epoch": 0, "val_accuracy": 0.75}\n{"epoch": 1, "val_acc'})

    # ---- TensorBoard records -----------------------------------------------------------
    good = record(VERSION_EVENT) + record(scalar_event(1, "val_accuracy", 0.75))
    bad_crc = bytearray(good)
    bad_crc[-1] ^= 0x01
    case("tfevents_crc_mismatch", ["audit", "events.out.tfevents.1"],
         {"events.out.tfevents.1": bytes(bad_crc)})
    case("tfevents_truncated", ["audit", "events.out.tfevents.1"],
         {"events.out.tfevents.1": good[:-7]})
    huge = struct.pack("<Q", 1 << 62)
    case("tfevents_length_beyond_file", ["audit", "events.out.tfevents.1"],
         {"events.out.tfevents.1": record(VERSION_EVENT) + huge +
          struct.pack("<I", masked_crc32c(huge)) + b"\0" * 16})
    case("tfevents_not_an_event", ["audit", "events.out.tfevents.1"],
         {"events.out.tfevents.1": record(VERSION_EVENT) + record(b"\xff\xff\xff")})

    # ---- archives ----------------------------------------------------------------------
    # A zip bomb: a member that declares 1 TiB uncompressed (ZIP64 extra field), refused
    # from the directory before a byte is inflated.
    case("zip_bomb", ["audit", "run"], {"run/training.log": KERAS_CSV,
                                        "run/predictions/val_epoch0.npz": zip_bomb()})
    case("npz_not_a_zip", ["audit", "run"], {"run/training.log": KERAS_CSV,
                                             "run/predictions/val_epoch0.npz": b"PK\x03\x04junk"})
    member = npy(TARGET)
    good_zip = bytearray(npz({"target": member, "logits": npy(LOGITS)}))
    at = bytes(good_zip).find(member) + len(member) - 3
    good_zip[at] ^= 0xFF
    case("npz_crc_mismatch", ["audit", "run"], {"run/training.log": KERAS_CSV,
                                                "run/predictions/val_epoch0.npz": bytes(good_zip)})

    # ---- arguments ---------------------------------------------------------------------
    case("usage_no_subcommand", [], {})
    case("usage_unknown_option", ["audit", "--bogus", "run"], {})
    dump_case("usage_metric_without_kind", ok, extra_args=("--metric", "val_acc"))
    case("usage_num_classes_zero", ["audit", "--num-classes", "0", "run"], {})
    case("usage_unknown_format", ["audit", "--log-format", "xml", "run"], {})
    case("missing_path", ["audit", "no_such_run"], {})
    dump_case("missing_preds_dir", ok, extra_args=("--preds", "nowhere"))
    dump_case("label_only_out_of_range",
              {"target": TARGET, "preds": np.array([0, 1, 2, 0, 1, 9, 0, 1], dtype=np.int64)},
              extra_args=("--num-classes", "3"))
    lg = LOGITS.copy()
    lg[0, 0] = np.nan
    case("explain_nan_score", ["explain", "val_epoch0.npz"],
         {"val_epoch0.npz": npz({"target": npy(TARGET), "logits": npy(lg)})})
    case("explain_no_such_dump", ["explain", "val_epoch3"], {})
    case("explain_two_hot_target", ["explain", "val_epoch0.npz"],
         {"val_epoch0.npz": npz({"target": npy(onehot), "logits": npy(LOGITS)})})


def zip_bomb():
    """A member whose ZIP64 directory entry declares 1 TiB: the readers' own fixture
    (tests/data/binary/generate.py writes it)."""
    with open(os.path.join(HERE, "..", "data", "binary", "npz", "bomb.npz"), "rb") as f:
        return f.read()


if __name__ == "__main__":
    main()
