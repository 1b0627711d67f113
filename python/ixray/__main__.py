"""``python -m ixray``: the ixray command line from Python.

``python -m ixray import SOURCE URI`` imports Parquet and Arrow IPC
(``.arrow``/``.feather``/``.ipc``) files, streaming them batch by batch through
pyarrow. Every other command (and CSV, JSON lines, ``.npy``, ``.fvecs``
imports) is handed to the native ``ixray`` CLI installed beside Python.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

import pyarrow as pa

import ixray

PYARROW_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".arrow": "ipc", ".feather": "ipc",
                   ".ipc": "ipc", ".arrows": "ipc-stream"}


def open_source(path: str, fmt: str) -> pa.RecordBatchReader:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        file = pq.ParquetFile(path)
        return pa.RecordBatchReader.from_batches(file.schema_arrow, file.iter_batches(65536))
    if fmt == "ipc":
        try:
            file = pa.ipc.open_file(path)
        except pa.ArrowInvalid:
            return pa.ipc.open_stream(path)
        return pa.RecordBatchReader.from_batches(
            file.schema, (file.get_batch(i) for i in range(file.num_record_batches)))
    return pa.ipc.open_stream(path)


def native_cli() -> str:
    candidate = Path(sys.executable).parent / "ixray"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("ixray")
    if found is None:
        sys.exit("ixray: the native ixray command is not installed next to this Python")
    return found


def main(argv: list[str]) -> int:
    fmt = None
    if len(argv) >= 3 and argv[0] == "import":
        fmt = PYARROW_FORMATS.get(Path(argv[1]).suffix.lower())
        if "--format" in argv:
            given = argv[argv.index("--format") + 1]
            fmt = {"parquet": "parquet", "arrow": "ipc", "ipc": "ipc", "feather": "ipc"}.get(given)
    if fmt is None:
        os.execv(native_cli(), ["ixray", *argv])

    parser = argparse.ArgumentParser(prog="python -m ixray import",
                                     description="Import a Parquet or Arrow file into a dataset.")
    parser.add_argument("source")
    parser.add_argument("uri")
    parser.add_argument("--format", choices=["parquet", "arrow", "ipc", "feather"])
    parser.add_argument("--mode", default="create", choices=["create", "append", "overwrite"])
    parser.add_argument("--max-rows-per-file", type=int, default=1 << 20)
    args = parser.parse_args(argv[1:])
    try:
        reader = open_source(args.source, fmt)
        ds = ixray.write_dataset(reader, args.uri, mode=args.mode,
                                 max_rows_per_file=args.max_rows_per_file)
    except (OSError, ValueError, TypeError, ixray.IxrayError, pa.ArrowException) as e:
        print(f"ixray: {e}", file=sys.stderr)
        return 1
    print(f"imported {ds.count_rows()} rows into {ds.uri} at version {ds.version}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
