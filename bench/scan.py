"""Streaming-scan benchmark: peak memory of scanning a large dataset.

    .venv/bin/python bench/scan.py [--rows 10000000] [--dir /tmp/ixray-scan-bench]

Writes a dataset of `rows` rows x 4 columns (int64 id, float64 price, string
name, fixed_size_list<float32, 8> vector) in a child process, then scans it
in another child process with to_batches() and reports rows/s and the scan
process's peak RSS next to the data size. Results go to
bench/results/scan.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

CHUNK = 1_000_000


def write(uri: str, rows: int) -> None:
    import numpy as np
    import pyarrow as pa

    import ixray

    def batches():
        rng = np.random.default_rng(0)
        for start in range(0, rows, CHUNK):
            n = min(CHUNK, rows - start)
            vectors = rng.random((n, 8), dtype=np.float32)
            yield pa.record_batch({
                "id": pa.array(np.arange(start, start + n, dtype=np.int64)),
                "price": pa.array(rng.random(n) * 100),
                "name": pa.array(np.char.add("item-", (np.arange(n) % 5000).astype(str))),
                "vector": pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), 8),
            })

    schema = next(batches()).schema
    reader = pa.RecordBatchReader.from_batches(schema, batches())
    ixray.write_dataset(reader, uri, mode="overwrite" if os.path.exists(uri) else "create")


def scan(uri: str) -> dict:
    import ixray

    ds = ixray.dataset(uri)
    t0 = time.perf_counter()
    rows = 0
    checksum = 0
    for batch in ds.to_batches(batch_size=65536):
        rows += batch.num_rows
        checksum += batch.column(0)[batch.num_rows - 1].as_py()
    seconds = time.perf_counter() - t0
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"rows": rows, "seconds": seconds, "peak_rss_mib": peak_kib / 1024}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--dir", default="/tmp/ixray-scan-bench")
    parser.add_argument("--child", choices=["write", "scan"])
    args = parser.parse_args()
    uri = str(Path(args.dir) / "ds")
    if args.child == "write":
        write(uri, args.rows)
        return
    if args.child == "scan":
        print(json.dumps(scan(uri)))
        return

    Path(args.dir).mkdir(parents=True, exist_ok=True)
    shutil.rmtree(uri, ignore_errors=True)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--child", "write", "--rows", str(args.rows),
                    "--dir", args.dir], check=True)
    write_seconds = time.perf_counter() - t0
    size = sum(f.stat().st_size for f in Path(uri).rglob("*") if f.is_file())
    out = subprocess.run([sys.executable, __file__, "--child", "scan", "--dir", args.dir],
                         check=True, capture_output=True, text=True)
    result = json.loads(out.stdout)
    # The decoded size of the data: 8 + 8 + ~9 + 32 bytes per row.
    decoded_mib = args.rows * (8 + 8 + 9 + 32) / 2**20
    lines = [
        "# Streaming scan",
        "",
        f"{result['rows']:,} rows x 4 columns (int64, float64, string, 8-d float32 vector).",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| write time | {write_seconds:.1f} s |",
        f"| size on disk | {size / 2**20:.0f} MiB |",
        f"| decoded data size | {decoded_mib:.0f} MiB |",
        f"| scan time | {result['seconds']:.1f} s ({result['rows'] / result['seconds'] / 1e6:.1f} M rows/s) |",
        f"| scan process peak RSS | {result['peak_rss_mib']:.0f} MiB (includes the Python interpreter and pyarrow) |",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    (Path(__file__).parent / "results" / "scan.md").write_text(text)
    shutil.rmtree(args.dir, ignore_errors=True)


if __name__ == "__main__":
    main()
