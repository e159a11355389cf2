#!/usr/bin/env python3
"""Writes the binary reader fixtures under tests/data/binary/ (committed; KBs in all).

Real files come from the real writers: numpy's np.save / np.savez /
np.savez_compressed / np.lib.format.write_array, PyTorch's
torch.utils.tensorboard.SummaryWriter and TensorBoard's own EventFileWriter
with events built from tensorboard.compat.proto (the TF2 tensor_content form).
Malformed files are made from those bytes or framed by hand with TensorBoard's
own masked_crc32c, so every offset in the tests' expected messages is fixed.

Environment (what made the committed files):
    /usr/bin/python3 -m venv --system-site-packages /work/venvs/tb   # Debian's numpy, python3-torch
    /work/venvs/tb/bin/pip install tensorboard
    /work/venvs/tb/bin/python tests/data/binary/generate.py

Regenerating rewrites every file; the TensorBoard files' first record carries the
writer's wall time, so those bytes change, but nothing the tests assert does.
"""

import glob
import io
import os
import shutil
import struct
import sys
import tempfile
import zipfile
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def path(*parts):
    p = os.path.join(HERE, *parts)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def write_bytes(rel, data):
    with open(path(*rel.split("/")), "wb") as f:
        f.write(data)


def npy_bytes(arr, version=None):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, version=version, allow_pickle=False)
    return buf.getvalue()


def npy_with_header(header, data=b"", version=(1, 0)):
    """A .npy image with a hand-written header dict (padded as numpy pads it)."""
    header = header.encode("latin1")
    fmt = "<H" if version == (1, 0) else "<I"
    pre = 6 + 2 + struct.calcsize(fmt)
    pad = 64 - (pre + len(header) + 1) % 64
    header = header + b" " * pad + b"\n"
    return b"\x93NUMPY" + bytes(version) + struct.pack(fmt, len(header)) + header + data


# --------------------------------------------------------------------------- .npy


def gen_npy():
    d = "npy"
    logits = np.array([[0.5, -1.25, 2.0, 0.0], [1.0, 1.5, -2.5, 3.25], [-0.75, 0.25, 4.0, -1.0]],
                      dtype=np.float32)
    np.save(path(d, "f4_2d.npy"), logits)
    np.save(path(d, "f8_1d.npy"), np.array([0.1, 0.2, -3.5, 1e300, -0.0], dtype=np.float64))
    np.save(path(d, "i4_1d.npy"), np.array([0, 3, 2, -1, 2147483647], dtype=np.int32))
    np.save(path(d, "i8_1d.npy"), np.array([0, 1, -9223372036854775808, 9223372036854775807],
                                          dtype=np.int64))
    np.save(path(d, "b1.npy"), np.array([True, False, True, True, False, False]))
    np.save(path(d, "u1.npy"), np.array([0, 1, 200, 255], dtype=np.uint8))
    np.save(path(d, "i1.npy"), np.array([-128, -1, 0, 127], dtype=np.int8))
    np.save(path(d, "i2.npy"), np.array([-32768, -2, 7, 32767], dtype=np.int16))
    np.save(path(d, "u2.npy"), np.array([0, 40000, 65535], dtype=np.uint16))
    np.save(path(d, "u4.npy"), np.array([0, 3000000000, 4294967295], dtype=np.uint32))
    np.save(path(d, "u8.npy"), np.array([0, 9223372036854775807], dtype=np.uint64))
    np.save(path(d, "u8_too_large.npy"), np.array([1, 9223372036854775808], dtype=np.uint64))
    # float16: normal, subnormal (2^-24), max, -0, inf, nan
    np.save(path(d, "f2.npy"), np.array([1.5, 2.0 ** -24, 65504.0, -0.0, np.inf, -2.0],
                                        dtype=np.float16))
    np.save(path(d, "be_f8_2d.npy"), np.array([[1.5, -2.25], [3.0, 1e-300], [0.0, 7.0]],
                                              dtype=">f8"))
    np.save(path(d, "be_i4.npy"), np.array([1, -2, 65536], dtype=">i4"))
    np.save(path(d, "be_f2.npy"), np.array([0.5, -3.0], dtype=">f2"))
    np.save(path(d, "be_u2.npy"), np.array([1, 65535], dtype=">u2"))
    np.save(path(d, "fortran_f4.npy"), np.asfortranarray(logits))
    np.save(path(d, "fortran_i8_3d.npy"),
            np.asfortranarray(np.arange(24, dtype=np.int64).reshape(2, 3, 4)))
    np.save(path(d, "fortran_be_f8.npy"),
            np.asfortranarray(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=">f8")))
    write_bytes("npy/v2.npy", npy_bytes(np.array([1.0, 2.0, 3.0], dtype=np.float32), (2, 0)))
    write_bytes("npy/v3.npy", npy_bytes(np.array([[7, 8], [9, 10]], dtype=np.int64), (3, 0)))
    np.save(path(d, "scalar.npy"), np.float64(2.5))
    np.save(path(d, "empty.npy"), np.zeros((0, 3), dtype=np.float32))
    # refused dtypes, written by numpy itself
    np.save(path(d, "object.npy"), np.array([1, "a", None], dtype=object), allow_pickle=True)
    np.save(path(d, "unicode.npy"), np.array(["ab", "c"]))
    np.save(path(d, "structured.npy"), np.zeros(2, dtype=[("a", "<f4"), ("b", "<i8")]))
    np.save(path(d, "complex.npy"), np.zeros(2, dtype=np.complex64))

    # malformed, by hand; data bytes match the header unless the file tests otherwise
    b = "npy_bad/"
    good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"
    two = np.array([1.0, 2.0], dtype=np.float32).tobytes()
    write_bytes(b + "bad_magic.npy", b"\x93NUMPX" + npy_with_header(good, two)[6:])
    write_bytes(b + "bad_version.npy", npy_with_header(good, two)[:6] + b"\x04\x00" +
                npy_with_header(good, two)[8:])
    write_bytes(b + "too_short.npy", b"\x93NUMPY\x01")
    write_bytes(b + "header_len_too_big.npy", b"\x93NUMPY\x01\x00" + struct.pack("<H", 60000) +
                b"{'descr'")
    write_bytes(b + "header_len_over_limit.npy",
                b"\x93NUMPY\x02\x00" + struct.pack("<I", 10001) + b" " * 10001)
    write_bytes(b + "unknown_key.npy", npy_with_header(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1, }", two))
    write_bytes(b + "unknown_key_bool.npy", npy_with_header(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': True, }", two))
    write_bytes(b + "duplicate_key.npy", npy_with_header(
        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", two))
    write_bytes(b + "missing_shape.npy", npy_with_header(
        "{'descr': '<f4', 'fortran_order': False, }", two))
    write_bytes(b + "bad_tuple.npy", npy_with_header(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2), }", two))
    write_bytes(b + "negative_dim.npy", npy_with_header(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", two))
    write_bytes(b + "shape_list.npy", npy_with_header(
        "{'descr': '<f4', 'fortran_order': False, 'shape': [2], }", two))
    write_bytes(b + "shape_overflow.npy", npy_with_header(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", two))
    write_bytes(b + "shape_larger_than_file.npy", npy_with_header(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000), }", two))
    write_bytes(b + "trailing_bytes.npy", npy_with_header(good, two + b"\0\0\0"))
    write_bytes(b + "fortran_not_bool.npy", npy_with_header(
        "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", two))
    write_bytes(b + "descr_not_string.npy", npy_with_header(
        "{'descr': True, 'fortran_order': False, 'shape': (2,), }", two))
    write_bytes(b + "native_order.npy", npy_with_header(
        "{'descr': '=f4', 'fortran_order': False, 'shape': (2,), }", two))
    write_bytes(b + "not_a_dict.npy", npy_with_header("('descr', '<f4')", two))
    hdr = npy_with_header(good, two)
    nl = hdr.index(b"\n")
    write_bytes(b + "no_newline.npy", hdr[:nl] + b" " + hdr[nl + 1:])
    write_bytes(b + "unterminated_string.npy", npy_with_header("{'descr': '<f4", two))


# --------------------------------------------------------------------------- .npz


def zip64_bomb():
    """One deflated member whose ZIP64 extra fields declare 1 TiB uncompressed."""
    name = b"target.npy"
    data = zlib.compress(b"\0" * 1024)[2:-4]  # raw deflate
    crc = zlib.crc32(b"\0" * 1024)
    declared = 1 << 40
    extra_local = struct.pack("<HHQQ", 1, 16, declared, len(data))
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 8, 0, 0x21, crc, 0xFFFFFFFF,
                        0xFFFFFFFF, len(name), len(extra_local)) + name + extra_local + data
    extra_central = struct.pack("<HHQQ", 1, 16, declared, len(data))
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 8, 0, 0x21, crc,
                          0xFFFFFFFF, 0xFFFFFFFF, len(name), len(extra_central), 0, 0, 0, 0,
                          0) + name + extra_central
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local), 0)
    return local + central + eocd


def gen_npz():
    d = "npz"
    target = np.array([0, 2, 1, 1, 0, 2, 2, 1], dtype=np.int64)
    logits = np.linspace(-2.0, 2.0, 24, dtype=np.float32).reshape(8, 3)
    np.savez(path(d, "savez.npz"), target=target, logits=logits)
    np.savez_compressed(path(d, "savez_compressed.npz"), target=target.astype(np.int32),
                        probs=np.full((8, 3), 1.0 / 3.0), sample_weight=np.ones(8, np.float32))
    np.savez(path(d, "extra_member.npz"), target=target, preds=target[::-1].copy(),
             notes=np.arange(3))
    with zipfile.ZipFile(path(d, "non_npy_member.npz"), "w") as z:
        z.writestr("target.npy", npy_bytes(target))
        z.writestr("README.txt", "not an array")
    write_bytes("npz/bomb.npz", zip64_bomb())
    np.savez(path(d, "bad_member.npz"), target=np.array([1, "x"], dtype=object))
    # A stored member with one data byte flipped: only libzip's CRC-32 check can tell.
    raw = bytearray(open(path(d, "savez.npz"), "rb").read())
    needle = np.float32(2.0).tobytes()  # logits' last element
    at = raw.rindex(needle)
    raw[at + 3] ^= 0x01
    write_bytes("npz/corrupt_crc.npz", bytes(raw))
    write_bytes("npz/not_a_zip.npz", b"this is not a zip archive\n")


def zip_archive(members):
    """A ZIP archive by hand: members are (name, method, payload, crc, declared size), the
    payload as stored (method 0) or raw deflate (method 8), the CRC and size as declared."""
    local, central = b"", b""
    for name, method, payload, crc, size in members:
        name = name.encode()
        offset = len(local)
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc,
                             len(payload), size, len(name), 0) + name + payload
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc,
                               len(payload), size, len(name), 0, 0, 0, 0, 0, offset) + name
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central),
                       len(local), 0)
    return local + central + eocd


def gen_npz_inflate():
    """Deflated members as libdeflate reads them: a declared CRC-32 or size that the data
    does not match, data that is not deflate, and an error after a bad deflated member
    (the first in archive order is the one reported)."""
    logits = np.linspace(-2.0, 2.0, 24, dtype=np.float32).reshape(8, 3)
    image = npy_bytes(logits)
    deflated = zlib.compress(image, 6)[2:-4]  # raw deflate, as zipfile writes it
    crc = zlib.crc32(image)
    n = len(image)
    write_bytes("npz/deflated_crc.npz", zip_archive([("logits.npy", 8, deflated, crc ^ 1, n)]))
    write_bytes("npz/deflated_short.npz", zip_archive([("logits.npy", 8, deflated, crc, n + 64)]))
    write_bytes("npz/deflated_long.npz", zip_archive([("logits.npy", 8, deflated, crc, n - 64)]))
    # BTYPE 11 (reserved) in the first block header: not deflate.
    bad = bytes([0xFF]) + deflated[1:]
    write_bytes("npz/deflated_bad_data.npz", zip_archive([("logits.npy", 8, bad, crc, n)]))
    obj = npy_with_header("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", b"\0" * 8)
    write_bytes("npz/deflated_then_bad.npz",
                zip_archive([("logits.npy", 8, deflated, crc ^ 1, n),
                             ("target.npy", 0, obj, zlib.crc32(obj), len(obj))]))


# --------------------------------------------------------------------------- dumps


def gen_dumps():
    rng = np.random.default_rng(7)
    n, c = 6, 3
    target = rng.integers(0, c, n)
    logits = rng.standard_normal((n, c)).astype(np.float32)
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    d = "dumps/ok"
    np.savez(path(d, "val_epoch0.npz"), target=target, logits=logits)
    np.savez_compressed(path(d, "val_epoch1.npz"), target=target, probs=probs,
                        sample_weight=np.linspace(0.5, 1.0, n))
    np.savez(path(d, "train_step100.npz"), target=target, preds=logits.argmax(1),
             extra=np.zeros(2))
    np.save(path(d, "test_epoch0.target.npy"), np.eye(c, dtype=np.float32)[target])
    np.save(path(d, "test_epoch0.probs.npy"), probs)
    np.save(path(d, "validation_epoch2.logits.npy"), logits.astype(np.float64))
    np.save(path(d, "validation_epoch2.target.npy"), target.astype(np.int32))
    np.save(path(d, "validation_epoch2.embedding.npy"), np.zeros((n, 2)))
    np.save(path(d, "unrelated.npy"), np.zeros(2))
    with open(path(d, "README.txt"), "w") as f:
        f.write("not a dump\n")

    def bad(name, files):
        for fname, arrays in files.items():
            if fname.endswith(".npz"):
                np.savez(path("dumps", name, fname), **arrays)
            else:
                np.save(path("dumps", name, fname), arrays)

    bad("two_scores", {"val_epoch0.npz": dict(target=target, logits=logits, probs=probs)})
    bad("no_scores", {"val_epoch0.npz": dict(target=target)})
    bad("no_target", {"val_epoch0.npz": dict(logits=logits)})
    bad("length", {"val_epoch0.npz": dict(target=target[:5], logits=logits)})
    bad("weight_length", {"val_epoch0.npz": dict(target=target, preds=target,
                                                 sample_weight=np.ones(4))})
    bad("target_rank", {"val_epoch0.npz": dict(target=np.zeros((n, c, 2)), logits=logits)})
    bad("logits_rank", {"val_epoch0.npz": dict(target=target, logits=logits[:, 0].copy())})
    bad("columns", {"val_epoch0.npz": dict(target=np.eye(4)[target], logits=logits)})
    bad("roleless", {"val_epoch0.npy": logits})
    bad("duplicate", {"val_epoch0.npz": dict(target=target, logits=logits),
                      "val_epoch0.target.npy": target})
    bad("duplicate_split", {"val_epoch1.npz": dict(target=target, logits=logits),
                            "validation_epoch01.npz": dict(target=target, logits=logits)})
    bad("npy_length", {"test_step5.target.npy": target, "test_step5.preds.npy": target[:4]})


# --------------------------------------------------------------------------- TensorBoard


def gen_tensorboard():
    from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2
    from tensorboard.compat.proto import types_pb2
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    def take_single(tmp, dest):
        files = glob.glob(os.path.join(tmp, "**", "events.out.tfevents.*"), recursive=True)
        assert len(files) == 1, files
        shutil.move(files[0], path(*dest.split("/")))

    # 1. PyTorch's SummaryWriter: simple_value (default), float_val (new_style),
    #    double_val (new_style + double_precision), plus a text summary to skip.
    #    (add_histogram of torch 1.13 fails under numpy 1.24: np.greater(dtype=int32).)
    from torch.utils.tensorboard import SummaryWriter
    with tempfile.TemporaryDirectory() as tmp:
        w = SummaryWriter(tmp)
        t0 = 1700000000.0
        for step in range(3):
            w.add_scalar("train/loss", 1.0 / (step + 1), step, walltime=t0 + step)
            w.add_scalar("val/acc", 0.25 * step, step, walltime=t0 + step)
            w.add_scalar("val_loss", 0.1 * step, step, walltime=t0 + step)
            w.add_scalar("test_acc_new", 0.1 + step, step, walltime=t0 + step, new_style=True)
            w.add_scalar("lr_double", 0.1 * (step + 1), step, walltime=t0 + step,
                         new_style=True, double_precision=True)
        w.add_text("note", "hello", 0, walltime=t0)
        w.close()
        take_single(tmp, "tensorboard/torch/events.out.tfevents.torch")

    # 2. TF2 style (tf.summary.scalar): a rank-0 DT_FLOAT / DT_DOUBLE tensor whose value is
    #    4 / 8 raw little-endian bytes in tensor_content, written by TensorBoard's own writer.
    def tf2_value(tag, value, dtype):
        np_type = np.float32 if dtype == types_pb2.DT_FLOAT else np.float64
        t = tensor_pb2.TensorProto(dtype=dtype, tensor_shape=tensor_shape_pb2.TensorShapeProto(),
                                   tensor_content=np_type(value).tobytes())
        md = summary_pb2.SummaryMetadata(
            plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars"))
        return summary_pb2.Summary.Value(tag=tag, tensor=t, metadata=md)

    def string_value(tag, text):
        t = tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING,
                                   tensor_shape=tensor_shape_pb2.TensorShapeProto(),
                                   string_val=[text.encode()])
        return summary_pb2.Summary.Value(tag=tag, tensor=t)

    def int_value(tag, v):
        t = tensor_pb2.TensorProto(dtype=types_pb2.DT_INT32,
                                   tensor_shape=tensor_shape_pb2.TensorShapeProto(), int_val=[v])
        return summary_pb2.Summary.Value(tag=tag, tensor=t)

    def matrix_value(tag):
        # a histogram-like float tensor (TF2 histograms are (k, 3) DT_DOUBLE): not a scalar
        shape = tensor_shape_pb2.TensorShapeProto(dim=[
            tensor_shape_pb2.TensorShapeProto.Dim(size=2), tensor_shape_pb2.TensorShapeProto.Dim(size=3)])
        t = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, tensor_shape=shape,
                                   float_val=[1, 2, 3, 4, 5, 6])
        return summary_pb2.Summary.Value(tag=tag, tensor=t)

    def event(step, *values):
        return event_pb2.Event(wall_time=1700000000.0 + step, step=step,
                               summary=summary_pb2.Summary(value=list(values)))

    with tempfile.TemporaryDirectory() as tmp:
        w = EventFileWriter(tmp)
        w.add_event(event(0, tf2_value("epoch_accuracy", 0.75, types_pb2.DT_FLOAT),
                          tf2_value("validation/epoch_loss", 0.1, types_pb2.DT_DOUBLE)))
        w.add_event(event(1, tf2_value("epoch_accuracy", 0.875, types_pb2.DT_FLOAT),
                          string_value("notes", "text summary"), int_value("batch_count", 12),
                          matrix_value("val_histogram")))
        w.close()
        take_single(tmp, "tensorboard/tf2/events.out.tfevents.tf2")

    # 3. The Keras TensorBoard callback's layout: logs/train and logs/validation, same tags.
    for split, loss in (("train", 0.5), ("validation", 0.625)):
        with tempfile.TemporaryDirectory() as tmp:
            w = EventFileWriter(tmp)
            w.add_event(event(0, tf2_value("epoch_loss", loss, types_pb2.DT_FLOAT)))
            w.close()
            take_single(tmp, f"tensorboard/keras/{split}/events.out.tfevents.keras")

    # 4. Malformed, framed by hand (TensorBoard's RecordWriter.write framing) so that
    #    offsets are fixed: record 0 = file_version (24 data bytes, 40 in all), record 1 at 40.
    def frame(data, length=None, length_crc=None, data_crc=None):
        header = struct.pack("<Q", len(data) if length is None else length)
        lcrc = masked_crc32c(header) if length_crc is None else length_crc
        dcrc = masked_crc32c(data) if data_crc is None else data_crc
        return header + struct.pack("<I", lcrc) + data + struct.pack("<I", dcrc)

    first = frame(event_pb2.Event(wall_time=1700000000.0,
                                  file_version="brain.Event:2").SerializeToString())
    assert len(first) == 40
    scalar_event = event_pb2.Event(wall_time=1700000001.0, step=1, summary=summary_pb2.Summary(
        value=[summary_pb2.Summary.Value(tag="val/acc", simple_value=0.5)])).SerializeToString()
    second = frame(scalar_event)
    b = "tensorboard_bad/"
    write_bytes(b + "good.tfevents", first + second)
    write_bytes(b + "empty.tfevents", b"")
    write_bytes(b + "truncated_header.tfevents", first + second[:7])
    write_bytes(b + "truncated_data.tfevents", first + second[:-5])
    huge = struct.pack("<Q", 1 << 62)
    write_bytes(b + "huge_length.tfevents", first + frame(scalar_event, length=1 << 62))
    write_bytes(b + "huge_length_bad_crc.tfevents",
                first + huge + second[8:])
    flipped = bytearray(second)
    flipped[-1] ^= 0x40
    write_bytes(b + "flipped_data_crc.tfevents", first + bytes(flipped))
    flipped = bytearray(second)
    flipped[20] ^= 0x01
    write_bytes(b + "flipped_data_byte.tfevents", first + bytes(flipped))
    write_bytes(b + "bad_payload.tfevents", first + frame(b"\x0a\xff\xff\xff\xff\x0f"))
    bad_content = event(2, summary_pb2.Summary.Value(
        tag="loss", tensor=tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT,
                                                  tensor_content=b"\0\0\0")))
    write_bytes(b + "bad_tensor_content.tfevents", first + frame(bad_content.SerializeToString()))
    no_value = event(3, summary_pb2.Summary.Value(
        tag="loss", tensor=tensor_pb2.TensorProto(dtype=types_pb2.DT_DOUBLE)))
    write_bytes(b + "no_tensor_value.tfevents", first + frame(no_value.SerializeToString()))
    write_bytes(b + "no_file_version.tfevents", second)



def main():
    np.random.seed(0)
    gen_npy()
    gen_npz()
    gen_npz_inflate()
    gen_dumps()
    gen_tensorboard()
    total = sum(os.path.getsize(f) for f in glob.glob(os.path.join(HERE, "**", "*"), recursive=True)
                if os.path.isfile(f))
    print(f"wrote fixtures: {total} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
