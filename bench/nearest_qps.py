"""Single-query nearest search QPS through the public API, quickly (a few seconds a setting).

A small companion of bench/vector.py for working on the query path: one dataset of clustered
vectors (the same generator), one index per kind, kept under --dir between runs (--rewrite
rebuilds them), and one line per setting: recall@10 and queries/s of
ds.to_table(nearest=..., columns=["id"]), one query at a time, plus the time of ds.take of 10
random ids and of 100 random vectors.

    .venv/bin/python bench/nearest_qps.py --kinds ivf_flat --nprobes 16
"""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).parent))
from vector import clustered  # noqa: E402

import ixray  # noqa: E402

TYPES = {"ivf_flat": "IVF_FLAT", "ivf_sq": "IVF_SQ", "ivf_pq": "IVF_PQ",
         "hnsw": "IVF_HNSW_FLAT"}
K = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--kinds", default="ivf_flat")
    parser.add_argument("--nprobes", default="16")
    parser.add_argument("--dir", default="/tmp/ixray_nearest_qps")
    parser.add_argument("--rewrite", action="store_true")
    parser.add_argument("--faiss", action="store_true",
                        help="also time FAISS IndexIVFFlat (ivf_flat only) on the same machine")
    args = parser.parse_args()

    base, queries = clustered(args.rows, args.dim, args.queries)
    truth = []
    norms = (base * base).sum(1)
    for q in queries:
        truth.append(np.argpartition(norms - 2 * base @ q, K)[:K])

    for kind in args.kinds.split(","):
        uri = Path(args.dir) / f"{kind}_{args.rows}x{args.dim}"
        if args.rewrite and uri.exists():
            shutil.rmtree(uri)
        if not uri.exists():
            table = pa.table({"id": np.arange(len(base)),
                              "vector": pa.FixedSizeListArray.from_arrays(
                                  pa.array(base.reshape(-1)), args.dim)})
            ixray.write_dataset(table, str(uri))
            ds = ixray.dataset(str(uri))
            params = {"metric": "l2", "num_partitions": 512, "max_iters": 25,
                      "sample_rate": 256}
            if kind == "ivf_pq":
                params["num_sub_vectors"] = 16
            if kind == "hnsw":
                params.update(num_partitions=1, m=20, ef_construction=150)
            start = time.perf_counter()
            ds.create_index("vector", TYPES[kind], **params)
            print(f"{kind}: index built in {time.perf_counter() - start:.1f} s")
        ds = ixray.dataset(str(uri))

        rng = np.random.default_rng(0)
        for count, column in ((K, "id"), (10 * K, "vector")):
            batches = [rng.integers(0, args.rows, count) for _ in range(20)]
            ds.take(batches[0], [column])
            start = time.perf_counter()
            for b in batches:
                ds.take(b, [column])
            us = (time.perf_counter() - start) / len(batches) * 1e6
            print(f"{kind}: take {count} {column}: {us:,.0f} us")

        for nprobes in [int(n) for n in args.nprobes.split(",")]:
            nearest = {"column": "vector", "k": K, "nprobes": nprobes}
            if kind == "ivf_pq":
                nearest["refine_factor"] = 10
            if kind == "hnsw":
                nearest.update(nprobes=1, ef=nprobes)
            best, hits = float("inf"), 0
            for _ in range(3):
                hits = 0
                start = time.perf_counter()
                for q, t in zip(queries, truth):
                    ids = ds.to_table(nearest={**nearest, "q": q}, columns=["id"])
                    hits += len(np.intersect1d(ids.column("id").to_numpy(), t))
                best = min(best, time.perf_counter() - start)
            print(f"{kind}: {'ef' if kind == 'hnsw' else 'nprobes'}={nprobes}: "
                  f"recall {hits / (len(queries) * K):.3f}, {len(queries) / best:,.0f} QPS")

    if args.faiss:
        import faiss

        faiss.omp_set_num_threads(1)
        quantizer = faiss.IndexFlatL2(args.dim)
        index = faiss.IndexIVFFlat(quantizer, args.dim, 512)
        index.cp.niter = 25
        index.train(base[np.random.default_rng(0).choice(len(base), min(len(base), 512 * 256), False)])
        index.add(base)
        for nprobes in [int(n) for n in args.nprobes.split(",")]:
            index.nprobe = nprobes
            best = float("inf")
            for _ in range(3):
                hits = 0
                start = time.perf_counter()
                for q, t in zip(queries, truth):
                    ids = index.search(q[None, :], K)[1][0]
                    hits += len(np.intersect1d(ids, t))
                best = min(best, time.perf_counter() - start)
            print(f"faiss ivf_flat: nprobes={nprobes}: recall {hits / (len(queries) * K):.3f}, "
                  f"{len(queries) / best:,.0f} QPS")


if __name__ == "__main__":
    main()
