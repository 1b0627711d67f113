"""Scalar index benchmark: BTREE and BITMAP filters against a full scan of the same dataset.

    .venv/bin/python bench/scalar.py [--rows 10000000] [--quick]

Data: `rows` rows of (id int64 = row number, val int64 uniform in [0, 10^9), cat string,
one of 100 values "cat-00".."cat-99" uniform), written in 1M-row batches by a child
process (the default fragment size).

Filters (their selectivity in the report):
  range   val >= L AND val < L + 10^6            (0.1% of the rows; BTREE on val)
  equal   cat = 'cat-07'                          (1%; BITMAP on cat)
  both    cat = 'cat-07' AND val < 10^8           (0.1%; both indices)

Each filter runs as ds.count_rows(filter) and as ds.to_table(filter=..., columns=["id"])
(a narrow projection), first before any index exists (a full scan with the filter pushed
into the scan), then after create_scalar_index("val", "BTREE") and ("cat", "BITMAP"),
each build in its own child process (time and peak RSS). Every timing is the least of
--passes (3) runs after a warm-up; the indexed and unindexed runs must return the same
rows (checked). Speedup = full-scan time / indexed time.

Writes bench/results/scalar[-TAG].md and .json (TAG: --tag, "quick" with --quick).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
CHUNK = 1_000_000
VAL_RANGE = 10**9
CATEGORIES = 100


def filters(rows: int) -> dict[str, tuple[str, str]]:
    low = VAL_RANGE // 3
    return {
        "range": (f"val >= {low} AND val < {low + VAL_RANGE // 1000}", "BTREE on val"),
        "equal": ("cat = 'cat-07'", "BITMAP on cat"),
        "both": (f"cat = 'cat-07' AND val < {VAL_RANGE // 10}", "BITMAP on cat, BTREE on val"),
    }


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child_write(spec: dict) -> dict:
    import numpy as np
    import pyarrow as pa

    import ixray

    rows = spec["rows"]
    names = np.array([f"cat-{i:02d}" for i in range(CATEGORIES)], dtype=object)

    def batches():
        rng = np.random.default_rng(0)
        for start in range(0, rows, CHUNK):
            n = min(CHUNK, rows - start)
            yield pa.record_batch({
                "id": pa.array(np.arange(start, start + n, dtype=np.int64)),
                "val": pa.array(rng.integers(0, VAL_RANGE, n, dtype=np.int64)),
                "cat": pa.array(names[rng.integers(0, CATEGORIES, n)], pa.string()),
            })

    schema = next(batches()).schema
    start = time.perf_counter()
    ixray.write_dataset(pa.RecordBatchReader.from_batches(schema, batches()), spec["uri"])
    return {"write_s": time.perf_counter() - start, "peak_rss_mib": peak_rss_mib()}


def child_build(spec: dict) -> dict:
    import ixray

    ds = ixray.dataset(spec["uri"])
    baseline = rss_mib()
    start = time.perf_counter()
    ds.create_scalar_index(spec["column"], spec["index_type"])
    seconds = time.perf_counter() - start
    uuid = next(i for i in ds.describe_indices()
                if i["index_type"] == spec["index_type"])["segments"][0]["uuid"]
    size = sum(f.stat().st_size for f in Path(spec["uri"], "_indices", uuid).rglob("*")
               if f.is_file())
    return {"build_s": seconds, "peak_rss_mib": peak_rss_mib(), "baseline_rss_mib": baseline,
            "index_mib": size / 2**20}


def child_query(spec: dict) -> dict:
    import numpy as np

    import ixray

    ds = ixray.dataset(spec["uri"])
    out = {}

    def best(fn):
        result = fn()  # warm-up
        seconds = float("inf")
        for _ in range(spec["passes"]):
            start = time.perf_counter()
            fn()
            seconds = min(seconds, time.perf_counter() - start)
        return seconds, result

    for name, (text, _) in filters(spec["rows"]).items():
        count_s, count = best(lambda: ds.count_rows(text))
        take_s, table = best(lambda: ds.to_table(filter=text, columns=["id"]))
        ids = np.sort(table.column("id").to_numpy())
        out[name] = {"count_s": count_s, "count": count, "to_table_s": take_s,
                     "ids_digest": int(ids.sum()) ^ len(ids),
                     "plan": ds.scanner(filter=text, columns=["id"]).explain_plan()}
    out["peak_rss_mib"] = peak_rss_mib()
    return out


CHILDREN = {"write": child_write, "build": child_build, "query": child_query}


def run_child(spec: dict) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)], check=True,
                         stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def load_average() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def report(info: dict, results: dict, path: Path) -> str:
    rows = info["rows"]
    lines = [
        "# Scalar indices: BTREE and BITMAP filters vs a full scan",
        "",
        (f"Run {info['date']} on {info['cpu']} ({info['cores']} cores, load average "
         f"{info['load_before']} before, {info['load_after']} after), Python {info['python']}, "
         f"ixray {info['ixray']}."),
        "",
        (f"Data: {rows:,} rows (id int64, val int64 uniform in [0, 10^9), cat string of "
         f"{CATEGORIES} uniform values), written in {results['write']['write_s']:.1f} s. "
         f"Every timing is the least of {info['passes']} runs after a warm-up; the machine's "
         "cores were shared with other developers' builds, so compare ratios from one run."),
        "",
        "## Builds",
        "",
        "| index | build s | peak RSS MiB | baseline RSS MiB | index MiB |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name in ("BTREE", "BITMAP"):
        b = results["builds"][name]
        lines.append(f"| {name} on {'val' if name == 'BTREE' else 'cat'} | {b['build_s']:.2f} "
                     f"| {b['peak_rss_mib']:.0f} | {b['baseline_rss_mib']:.0f} "
                     f"| {b['index_mib']:.1f} |")
    lines += ["", "## Filters", "",
              ("| filter | index | rows matched | count_rows full scan s | indexed s | speedup "
               "| to_table(id) full scan s | indexed s | speedup |"),
              "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, (text, index) in filters(rows).items():
        s, i = results["scan"][name], results["indexed"][name]
        lines.append(f"| `{text}` | {index} | {i['count']:,} ({i['count'] / rows:.2%}) "
                     f"| {s['count_s']:.3f} | {i['count_s']:.4f} "
                     f"| {s['count_s'] / i['count_s']:.1f}x | {s['to_table_s']:.3f} "
                     f"| {i['to_table_s']:.4f} | {s['to_table_s'] / i['to_table_s']:.1f}x |")
    goal = results["scan"]["range"]["count_s"] / results["indexed"]["range"]["count_s"]
    goal_t = results["scan"]["range"]["to_table_s"] / results["indexed"]["range"]["to_table_s"]
    lines += ["", (f"Goal: the 0.1%-selective BTREE range filter >= 20x faster than the full "
                   f"scan: count_rows {goal:.1f}x ({'met' if goal >= 20 else 'missed'}), "
                   f"to_table {goal_t:.1f}x ({'met' if goal_t >= 20 else 'missed'})."),
              "", "Notes:", "",
              ("- count_rows with an exact index answer counts the selected rows without "
               "reading any page. to_table must read the `id` of every selected row: rows "
               "matching a 0.1% range of uniform values are spread over every 64K-row page, and "
               "a page is zstd-compressed as a whole, so the indexed read still decodes every "
               "page of `id` (it skips the filter column); what it saves is the filter column "
               "and its evaluation. Closing that gap needs finer random access in the data "
               "files (smaller or independently compressed mini-blocks, or encodings read "
               "without decompressing)."),
              ("- `both`: the BITMAP answer (1%) and the BTREE answer for `val < 10^8` (10%) "
               "are materialized and intersected; the larger one dominates."),
              "", "Plans (indexed):", ""]
    for name in filters(rows):
        lines += ["```", results["indexed"][name]["plan"].rstrip(), "```"]
    text = "\n".join(lines) + "\n"
    path.write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="1,000,000 rows")
    parser.add_argument("--dir", default="/tmp/ixray-scalar-bench")
    parser.add_argument("--tag", help="results go to bench/results/scalar-TAG.{md,json}")
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[(spec := json.loads(args.child))["system"]](spec)))
        return
    if args.quick:
        args.rows = 1_000_000
        args.tag = args.tag or "quick"
    stem = RESULTS / (f"scalar-{args.tag}" if args.tag else "scalar")
    if args.report_only:
        saved = json.loads(stem.with_suffix(".json").read_text())
        print(report(saved["info"], saved["results"], stem.with_suffix(".md")))
        return

    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    info = {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "date": time.strftime("%Y-%m-%d %H:%M"), "rows": args.rows, "passes": args.passes,
            "load_before": load_average()}
    work = Path(args.dir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    common = {"uri": str(work / "ds"), "rows": args.rows, "passes": args.passes}
    results: dict = {"write": run_child({**common, "system": "write"})}
    print(f"written {args.rows:,} rows in {results['write']['write_s']:.1f}s", file=sys.stderr)
    results["scan"] = run_child({**common, "system": "query"})
    results["builds"] = {}
    for column, index_type in (("val", "BTREE"), ("cat", "BITMAP")):
        results["builds"][index_type] = b = run_child(
            {**common, "system": "build", "column": column, "index_type": index_type})
        print(f"{index_type} built in {b['build_s']:.1f}s", file=sys.stderr)
    results["indexed"] = run_child({**common, "system": "query"})
    for name in results["scan"]:
        if name == "peak_rss_mib":
            continue
        s, i = results["scan"][name], results["indexed"][name]
        if (s["count"], s["ids_digest"]) != (i["count"], i["ids_digest"]):
            raise SystemExit(f"filter {name}: indexed rows differ from the full scan's")
        print(f"{name:6s} count {s['count_s']:.3f}s -> {i['count_s']:.4f}s  to_table "
              f"{s['to_table_s']:.3f}s -> {i['to_table_s']:.4f}s", file=sys.stderr)

    from importlib.metadata import version

    info.update(load_after=load_average(), ixray=version("ixray"))
    RESULTS.mkdir(exist_ok=True)
    stem.with_suffix(".json").write_text(json.dumps({"info": info, "results": results},
                                                    indent=1))
    print(report(info, results, stem.with_suffix(".md")))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
