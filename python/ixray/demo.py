"""The ixray demo: ``python -m ixray.demo``.

Builds a table with every column type ixray stores (vectors, text, labels,
scalars, with nulls), passes it through the C++ engine and back to pyarrow,
checks that nothing changed and that the vectors were never copied, and
prints what it did.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pyarrow as pa

import ixray


def make_table(rows: int, dim: int, seed: int = 0) -> pa.Table:
    rng = np.random.default_rng(seed)
    mask = rng.random(rows) < 0.05  # 5% nulls in the scalar columns
    words = np.array(["ray", "lance", "vector", "index", "search", "fragment", "commit"])
    text = [" ".join(rng.choice(words, 6)) for _ in range(rows)]
    labels = [list(rng.choice(words, rng.integers(0, 4))) for _ in range(rows)]
    vectors = rng.standard_normal((rows, dim), dtype=np.float32)
    return pa.table(
        {
            "id": pa.array(np.arange(rows, dtype=np.int64)),
            "vector": pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), dim),
            "text": pa.array(text),
            "labels": pa.array(labels, pa.list_(pa.string())),
            "price": pa.array(rng.random(rows) * 100, mask=mask),
            "category": pa.array(rng.integers(0, 20, rows).astype(np.int32), mask=mask),
            "in_stock": pa.array(rng.random(rows) < 0.5, mask=mask),
            "day": pa.array(rng.integers(18000, 20000, rows).astype(np.int32), pa.int32())
            .cast(pa.date32()),
            "updated": pa.array(rng.integers(0, 2**40, rows), pa.timestamp("us", tz="UTC")),
            "half": pa.array(rng.random(rows).astype(np.float16), mask=mask),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--dim", type=int, default=128)
    args = parser.parse_args()

    print(f"ixray {ixray.__version__} (SIMD kernels: {ixray.simd_target()})")
    t0 = time.perf_counter()
    source = make_table(args.rows, args.dim)
    t1 = time.perf_counter()
    print(f"generated {source.num_rows:,} rows x {source.num_columns} columns "
          f"({source.nbytes / 2**20:.1f} MiB) in {t1 - t0:.2f}s")
    print(source.schema)

    engine_table = ixray.table(source)
    t2 = time.perf_counter()
    back = pa.table(engine_table)
    t3 = time.perf_counter()
    print(f"pyarrow -> ixray: {(t2 - t1) * 1e3:.1f} ms, ixray -> pyarrow: {(t3 - t2) * 1e3:.1f} ms")

    assert back.equals(source), "the table changed on its way through the engine"
    src_vectors = source.column("vector").chunk(0).values.buffers()[1].address
    out_vectors = back.column("vector").chunk(0).values.buffers()[1].address
    assert src_vectors == out_vectors, "vectors were copied"
    print("round trip: equal, vectors shared zero-copy")


if __name__ == "__main__":
    main()
