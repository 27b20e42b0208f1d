#!/usr/bin/env python3
"""Reads a run directory's TensorBoard events with the `tensorboard` package, as TensorBoard
itself would, and prints each scalar tag's steps and last value: a check that the natively
written files (lib/io/tensorboard_writer) load in the real reader.

    python3 scripts/read_tensorboard.py RUN_DIR

Needs `pip install tensorboard` (not installed on the build machine; the C++ tests decode the
files with their own reader instead). Exits 2 when the package is missing.
"""
import sys

try:
    from tensorboard.backend.event_processing import event_accumulator
except ImportError:
    print("read_tensorboard: the tensorboard package is not installed (pip install tensorboard)",
          file=sys.stderr)
    sys.exit(2)

if len(sys.argv) != 2:
    print(__doc__, file=sys.stderr)
    sys.exit(1)
# A folder: the accumulator merges every events file in it (a resumed run has several).
acc = event_accumulator.EventAccumulator(sys.argv[1], size_guidance={"scalars": 0})
acc.Reload()
tags = acc.Tags().get("scalars", [])
if not tags:
    print(f"read_tensorboard: no scalars in {sys.argv[1]}", file=sys.stderr)
    sys.exit(1)
for tag in sorted(tags):
    events = acc.Scalars(tag)
    steps = [e.step for e in events]
    assert steps == sorted(set(steps)), f"{tag}: steps repeated or out of order: {steps}"
    print(f"{tag:16s} {len(events):5d} points, steps {steps[0]}..{steps[-1]}, "
          f"last {events[-1].value:.6g}")
