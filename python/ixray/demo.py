"""The ixray demo: ``python -m ixray.demo [--rows N | --quick] [--executor ray|local]``.

Generates a dataset (default 1,000,000 rows: a 128-d clustered float32
vector column, generated sentences, an int category, a float price and a
date), writes it, starts a local Ray cluster (2 CPUs) and builds three
indices through ``ixray.distributed`` with 2 workers: IVF_PQ on the
vectors, INVERTED (full-text) on the sentences and BTREE on the price. Then
it searches: vector search (recall@10 against brute force), full-text
search, a vector search with a filter the BTREE answers, and a filter scan
whose plan shows the index. It checks the answers as it goes and prints
what it did and how long each step took.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import tempfile
import time

os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # before anything may import ray

import numpy as np
import pyarrow.compute as pc

import ixray
import ixray.distributed as lr
from ixray._demo_data import Progress, recall, write

K = 10
NPROBES = 16
REFINE = 10
PRICE_CUT = 5.0  # filtered vector search: price < PRICE_CUT (about 5% of the rows)
FTS_QUERIES = ["river morning", "lance vector", "mother father children", "water"]


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m ixray.demo",
                                description=__doc__.split("\n\n")[1])
    p.add_argument("--rows", type=int, default=None, help="rows to generate (1,000,000)")
    p.add_argument("--quick", action="store_true", help="50,000 rows, fewer queries (for tests)")
    p.add_argument("--executor", choices=["ray", "local"], default="ray",
                   help="ray: a local Ray cluster with 2 CPUs (default); local: ixray's "
                        "built-in thread executor, no Ray")
    p.add_argument("--workers", type=int, default=2, help="workers per build (2)")
    p.add_argument("--queries", type=int, default=None, help="vector queries (100; 30 quick)")
    p.add_argument("--uri", default=None,
                   help="where to write the dataset (must not exist; default: a temp dir, "
                        "removed at the end)")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bars (they are drawn only when stderr is a terminal)")
    args = p.parse_args(argv)
    if args.rows is None:
        args.rows = 50_000 if args.quick else 1_000_000
    if args.queries is None:
        args.queries = 30 if args.quick else 100
    if args.rows < 1000:
        p.error("--rows must be at least 1000")
    return args


class Report:
    """Collects (step, seconds, detail) and prints each step as it ends."""

    def __init__(self):
        self.steps: list[tuple[str, float, str]] = []

    def add(self, step: str, seconds: float, detail: str = "") -> None:
        self.steps.append((step, seconds, detail))
        print(f"  {step:<44} {_duration(seconds)}  {detail}", flush=True)

    def summary(self) -> None:
        print("\nsummary")
        for step, seconds, detail in self.steps:
            print(f"  {step:<44} {_duration(seconds)}  {detail}")


def _duration(seconds: float) -> str:
    return f"{seconds:8.2f} s " if seconds >= 1 else f"{seconds * 1e3:8.1f} ms"


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"demo check failed: {message}")


def num_partitions(rows: int) -> int:
    """About sqrt(rows)/4 IVF partitions, a power of two in [16, 256]."""
    return int(min(256, max(16, 2 ** round(math.log2(math.sqrt(rows) / 4)))))


def start_ray(report: Report):
    import ray

    t = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True,
             logging_level="WARNING", log_to_driver=False)
    report.add("start Ray (num_cpus=2)", time.perf_counter() - t,
               f"ray {ray.__version__}, {int(ray.cluster_resources().get('CPU', 0))} CPUs")
    return ray


def build_indices(uri: str, args, report: Report, progress: bool):
    nparts = num_partitions(args.rows)
    common = dict(num_workers=args.workers, executor=args.executor)
    builds = [
        ("IVF_PQ on vector", lambda: lr.create_index(
            uri, "vector", "IVF_PQ", name="vector_idx", num_partitions=nparts,
            num_sub_vectors=16, **common),
         f"{nparts} partitions, 16 sub-vectors x 8 bits"),
        ("INVERTED on text", lambda: lr.create_scalar_index(
            uri, column="text", index_type="INVERTED", name="text_idx", with_position=True,
            **common),
         "simple tokenizer, stemming, stop words removed, positions (for phrases)"),
        ("BTREE on price", lambda: lr.create_scalar_index(
            uri, column="price", index_type="BTREE", name="price_idx", **common), ""),
    ]
    ds = None
    for label, build, detail in builds:
        with Progress(f"build {label}", enabled=progress) as bar:
            ds = build()
        report.add(f"build {label}", bar.elapsed, detail)
    for info in ds.describe_indices():
        print(f"    index {info['name']:<11} {info['index_type']:<9} on {info['columns'][0]:<7}"
              f" {len(info['segments'])} segments "
              f"(fragments {[s['fragment_ids'] for s in info['segments']]})")
    return ds


def vector_searches(ds, queries, truths, args, report: Report, progress: bool) -> None:
    nearest = {"column": "vector", "k": K, "nprobes": NPROBES, "refine_factor": REFINE}
    label = f"nprobes={NPROBES}, refine_factor={REFINE}"

    def run(name: str, truth, **kw) -> None:
        found, times = [], []
        with Progress(name, len(queries), " queries", enabled=progress) as bar:
            for q in queries:
                t = time.perf_counter()
                got = lr.vector_search(ds, nearest=dict(nearest, q=q), columns=["id", "price"],
                                       num_workers=args.workers, executor=args.executor, **kw)
                times.append(time.perf_counter() - t)
                found.append(got.column("id").to_pylist())
                if "filter" in kw:
                    check(pc.all(pc.less(got.column("price"), PRICE_CUT)).as_py() is not False,
                          "a filtered vector search returned a row outside the filter")
                bar.update()
        r = recall(found, truth.ids)
        ms = np.array(times) * 1e3
        report.add(name, bar.elapsed, f"recall@{K} {r:.3f}, latency median {np.median(ms):.1f} "
                   f"ms, p95 {np.percentile(ms, 95):.1f} ms ({len(queries)} queries, {label})")
        check(r >= 0.8, f"{name}: recall@{K} {r:.3f} is below 0.8")

    run("vector search", truths["all"])
    run(f"vector search, price < {PRICE_CUT:g}", truths["cheap"],
        filter=f"price < {PRICE_CUT}", scanner_options={"prefilter": True})
    # Show one answer.
    got = lr.vector_search(ds, nearest=dict(nearest, q=queries[0]),
                           columns=["id", "category", "price", "day"], num_workers=args.workers,
                           executor=args.executor)
    print("    top 3 of query 0:")
    for row in got.slice(0, 3).to_pylist():
        print(f"      id {row['id']:>8}  distance {row['_distance']:8.4f}  category "
              f"{row['category']:>2}  price {row['price']:8.2f}  day {row['day']}")


def full_text_searches(ds, report: Report) -> None:
    for text in FTS_QUERIES:
        t = time.perf_counter()
        hits = ds.to_table(full_text_query=text, columns=["id", "text"])
        dt = time.perf_counter() - t
        report.add(f"full-text search {text!r}", dt, f"{hits.num_rows:,} hits")
        scores = hits.column("_score").to_pylist()
        check(scores == sorted(scores, reverse=True), "full-text hits are not sorted by _score")
        for row in hits.slice(0, 3).to_pylist():
            snippet = row["text"] if len(row["text"]) <= 70 else row["text"][:67] + "..."
            print(f"      {row['_score']:6.2f}  id {row['id']:>8}  {snippet}")
    t = time.perf_counter()
    phrase = ds.to_table(full_text_query={"phrase": "first time", "column": "text"},
                         columns=["id", "text"])
    report.add("phrase search 'first time'", time.perf_counter() - t,
               f"{phrase.num_rows:,} hits")
    texts = [s.lower() for s in phrase.column("text").to_pylist()[:50]]
    check(all("first time" in s for s in texts), "a phrase hit lacks the phrase")


def filter_scans(ds, report: Report) -> None:
    for flt in ["price >= 500", "price BETWEEN 20 AND 20.5 AND category = 3"]:
        plan = ds.scanner(filter=flt, columns=["id", "price"]).explain_plan()
        check("price_idx" in plan, f"the plan of {flt!r} does not use price_idx:\n{plan}")
        t = time.perf_counter()
        n = ds.count_rows(flt)
        report.add(f"count_rows({flt!r})", time.perf_counter() - t, f"{n:,} rows")
        print("    explain_plan: " + plan.strip().replace("\n", "\n                  "))


def main(argv=None) -> None:
    args = parse_args(argv)
    progress = not args.no_progress and sys.stderr.isatty()
    report = Report()
    print(f"ixray {ixray.__version__} (SIMD kernels: {ixray.simd_target()}), "
          f"{os.cpu_count()} cores, executor={args.executor}, {args.workers} workers")
    tmp = None
    if args.uri is None:
        tmp = tempfile.mkdtemp(prefix="ixray-demo-")
        uri = os.path.join(tmp, "demo.ixray")
    else:
        uri = args.uri
        if os.path.exists(uri):
            raise SystemExit(f"--uri {uri} exists; remove it or pick another path")
    try:
        rows_per_file = max(1000, -(-args.rows // 8))  # 8 fragments
        filters = {"all": None,
                   "cheap": lambda b: pc.less(b.column("price"), PRICE_CUT).to_numpy(False)}
        print(f"\n1. data: {args.rows:,} rows -> {uri}")
        ds, queries, truths, seconds = write(uri, args.rows, queries=args.queries, k=K,
                                             filters=filters, rows_per_file=rows_per_file,
                                             progress=progress)
        report.add("generate + write dataset", seconds,
                   f"{len(ds.get_fragments())} fragments; id, vector[128] float32, text, "
                   f"category int32, price float64, day date32 (exact top-{K} of "
                   f"{args.queries} queries computed on the way)")

        print(f"\n2. distributed index builds ({args.workers} workers, executor={args.executor})")
        if args.executor == "ray":
            ray = start_ray(report)
        ds = build_indices(uri, args, report, progress)

        print("\n3. searches")
        if args.executor == "ray":
            lr.init_global_pool(processes=args.workers)  # vector_search reuses its workers
        vector_searches(ds, queries, truths, args, report, progress)
        full_text_searches(ds, report)
        filter_scans(ds, report)
        if args.executor == "ray":
            lr.clear_global_pool(close=True)
            ray.shutdown()
        report.summary()
        total = sum(s for _, s, _ in report.steps)
        print(f"  {'total':<44} {_duration(total)}")
        print("\nall checks passed")
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
