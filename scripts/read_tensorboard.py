#!/usr/bin/env python3
"""Reads a run directory's TensorBoard events and prints each scalar tag's steps and last
value: a check that the natively written files (lib/io/tensorboard_writer) load.

    python3 scripts/read_tensorboard.py RUN_DIR

With the `tensorboard` package (pip install tensorboard; not installed on the build machine)
the files are read by TensorBoard's own EventAccumulator. Without it a small decoder here
(TFRecord framing with both CRC-32C checked, the Event fields by protobuf wire format) reads
them instead, so the script also works where only the standard library is.
"""
import glob
import os
import struct
import sys


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def masked(data):
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def fields(msg):
    """(field, value) pairs: varints as int, fixed64/fixed32 as bytes, length-delimited as bytes."""
    at = 0
    while at < len(msg):
        key, at = varint(msg, at)
        wire = key & 7
        if wire == 0:
            value, at = varint(msg, at)
        elif wire == 1:
            value, at = msg[at:at + 8], at + 8
        elif wire == 5:
            value, at = msg[at:at + 4], at + 4
        elif wire == 2:
            n, at = varint(msg, at)
            value, at = msg[at:at + n], at + n
        else:
            raise ValueError(f"wire type {wire}")
        yield key >> 3, value


def varint(msg, at):
    value = shift = 0
    while True:
        byte = msg[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, at


def read_dir(run_dir):
    """{tag: [(step, value)]} over every events file of the folder."""
    scalars = {}
    for path in sorted(glob.glob(os.path.join(run_dir, "*tfevents*"))):
        data = open(path, "rb").read()
        at = 0
        while at < len(data):
            header = data[at:at + 8]
            (length,) = struct.unpack("<Q", header)
            (header_crc,) = struct.unpack("<I", data[at + 8:at + 12])
            event = data[at + 12:at + 12 + length]
            (data_crc,) = struct.unpack("<I", data[at + 12 + length:at + 16 + length])
            assert header_crc == masked(header) and data_crc == masked(event), f"{path}: bad CRC"
            at += 16 + length
            step, values = 0, []
            for field, value in fields(event):
                if field == 2:
                    step = value
                elif field == 5:
                    for _, entry in fields(value):
                        parts = dict(fields(entry))
                        values.append((parts[1].decode(), struct.unpack("<f", parts[2])[0]))
            for tag, value in values:
                scalars.setdefault(tag, []).append((step, value))
    return scalars


if len(sys.argv) != 2:
    print(__doc__, file=sys.stderr)
    sys.exit(1)
try:
    from tensorboard.backend.event_processing import event_accumulator

    # A folder: the accumulator merges every events file in it (a resumed run has several).
    acc = event_accumulator.EventAccumulator(sys.argv[1], size_guidance={"scalars": 0})
    acc.Reload()
    scalars = {tag: [(e.step, e.value) for e in acc.Scalars(tag)]
               for tag in acc.Tags().get("scalars", [])}
    reader = "tensorboard"
except ImportError:
    scalars = read_dir(sys.argv[1])
    reader = "built-in decoder (no tensorboard package)"
if not scalars:
    print(f"read_tensorboard: no scalars in {sys.argv[1]}", file=sys.stderr)
    sys.exit(1)
print(f"read with: {reader}")
for tag in sorted(scalars):
    steps = [step for step, _ in scalars[tag]]
    assert steps == sorted(set(steps)), f"{tag}: steps repeated or out of order: {steps}"
    print(f"{tag:16s} {len(steps):5d} points, steps {steps[0]}..{steps[-1]}, "
          f"last {scalars[tag][-1][1]:.6g}")
