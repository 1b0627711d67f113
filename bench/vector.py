"""Vector index benchmark: ixray against FAISS and hnswlib, same data, same parameters.

    .venv/bin/pip install -r bench/requirements.txt      # once: faiss-cpu, hnswlib, matplotlib
    .venv/bin/python bench/vector.py [--rows 200000] [--dim 128] [--queries 1000]
                                     [--fvecs base.fvecs --query-fvecs q.fvecs] [--quick]

Data: `rows` points from 1000 gaussian clusters in a 16-d subspace, randomly rotated into
`dim` dimensions, plus small isotropic noise (low intrinsic dimension, like embeddings),
and `queries` fresh points from the same distribution; or TEXMEX .fvecs files. The exact
top-10 comes from brute force (blocked float32 matrix products, candidates re-ranked in
float64).

Pairs, built with the same parameters (partitions, k-means rounds, training sample size,
PQ sub-vectors, HNSW M and ef_construction) and 2 threads each (ixray: its thread pool;
FAISS: omp_set_num_threads; hnswlib: num_threads):

    ixray IVF_FLAT                  faiss.IndexIVFFlat
    ixray IVF_SQ                    faiss.IndexIVFScalarQuantizer(QT_8bit), residual
    ixray IVF_PQ + refine_factor    faiss.IndexIVFPQ in faiss.IndexRefineFlat(k_factor)
    ixray IVF_HNSW_FLAT, 1 partition faiss.IndexHNSWFlat and hnswlib

Every build runs in its own child process (peak RSS = that process's ru_maxrss right after
the build; the baseline, the RSS before the build with the interpreter, libraries and, for
FAISS and hnswlib, the vectors loaded, is reported beside it). The ixray dataset is written
once beforehand with ixray.write_dataset (its time is reported apart). ixray's training time
is a separate ixray._core.train_vector_index call; its build time is the create_index wall
time (train + build + commit). FAISS's are index.train and train + add.

Queries: one query per call on one thread, for every system (FAISS with
omp_set_num_threads(1), hnswlib with num_threads=1; ixray's search is single-threaded),
after a warm-up, the best of up to 3 timed passes (no more once they took 4 s). ixray
queries go through the public API, ds.to_table(nearest=..., columns=["id"]), which also
reads the ids of the results from the dataset and returns a pyarrow table; FAISS and
hnswlib return labels from memory. The report adds the cost of those reads alone.

Writes bench/results/vector[-TAG].md, .png and .json (TAG: --tag, "quick" with --quick);
--report-only rewrites the .md and .png from the .json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

K = 10
NPROBES = [1, 2, 4, 8, 16, 32, 64]
EFS = [16, 32, 64, 128]
KINDS = ["ivf_flat", "ivf_sq", "ivf_pq", "hnsw"]
IXRAY_TYPE = {"ivf_flat": "IVF_FLAT", "ivf_sq": "IVF_SQ", "ivf_pq": "IVF_PQ",
              "hnsw": "IVF_HNSW_FLAT"}
FAISS_NAME = {"ivf_flat": "IndexIVFFlat", "ivf_sq": "IndexIVFScalarQuantizer(QT_8bit)",
              "ivf_pq": "IndexIVFPQ + IndexRefineFlat", "hnsw": "IndexHNSWFlat"}
RESULTS = Path(__file__).parent / "results"


# ---- data --------------------------------------------------------------------------------
def clustered(rows: int, dim: int, queries: int, seed: int = 0):
    """Base and query points: 1000 gaussian clusters in a random 16-d subspace + noise."""
    import numpy as np

    rng = np.random.default_rng(seed)
    clusters, sub = 1000, min(16, dim)
    centers = rng.standard_normal((clusters, sub))
    spread = rng.uniform(0.4, 0.8, clusters)
    basis = np.linalg.qr(rng.standard_normal((dim, sub)))[0].T  # sub x dim, orthonormal rows

    def sample(n):
        out = np.empty((n, dim), np.float32)
        for start in range(0, n, 100_000):
            m = min(100_000, n - start)
            labels = rng.integers(0, clusters, m)
            low = centers[labels] + rng.standard_normal((m, sub)) * spread[labels, None]
            out[start:start + m] = low @ basis + rng.standard_normal((m, dim)) * 0.02
        return out

    return sample(rows), sample(queries)


def read_fvecs(path: str, limit: int | None = None):
    import numpy as np

    raw = np.fromfile(path, dtype=np.int32)
    dim = int(raw[0])
    vectors = raw.reshape(-1, dim + 1)[:, 1:].view(np.float32)
    return np.ascontiguousarray(vectors[:limit] if limit else vectors)


def ground_truth(base, queries, k: int = K):
    """Exact top-k ids (squared L2): blocked float32 GEMM, then float64 re-ranking."""
    import numpy as np

    keep = 4 * k
    candidates = []
    norms = (base.astype(np.float64) ** 2).sum(1).astype(np.float32)
    for start in range(0, len(base), 50_000):
        block = base[start:start + 50_000]
        d = norms[None, start:start + len(block)] - 2 * (queries @ block.T)
        part = np.argpartition(d, min(keep, len(block) - 1), axis=1)[:, :keep]
        candidates.append(part + start)
    candidates = np.concatenate(candidates, axis=1)
    exact = ((base[candidates].astype(np.float64) - queries[:, None, :]) ** 2).sum(-1)
    order = np.argsort(exact, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(candidates, order, axis=1)


# ---- child processes -----------------------------------------------------------------------
def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pin_cpus(threads: int) -> None:
    """Keeps the child on `threads` CPUs when the machine has more (ixray sizes its pool
    from the hardware threads; pinning caps what it can use)."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) > threads:
        os.sched_setaffinity(0, cpus[:threads])


def query_loop(search, queries, gt, passes: int = 3, budget_s: float = 4.0) -> dict:
    """Recall@K and QPS of `search(q) -> ids` over all queries, one at a time: the best of
    up to `passes` timed passes (the machine is shared; the best pass is the least
    disturbed), repeated only while the passes so far took under `budget_s` in all."""
    import numpy as np

    for q in queries[: min(50, len(queries))]:  # warm-up: index files, caches
        search(q)
    seconds, spent = float("inf"), 0.0
    for _ in range(passes):
        start = time.perf_counter()
        found = [search(q) for q in queries]
        elapsed = time.perf_counter() - start
        seconds, spent = min(seconds, elapsed), spent + elapsed
        if spent >= budget_s:
            break
    hits = 0
    for ids, truth in zip(found, gt):
        hits += len(np.intersect1d(np.asarray(ids)[:K], truth))
    return {"recall": hits / (len(queries) * K), "qps": len(queries) / seconds}


def child_ixray(spec: dict) -> dict:
    import numpy as np

    import ixray

    ds = ixray.dataset(spec["uri"])
    kind, p = spec["kind"], spec["params"]
    params = {"metric": "l2", "num_partitions": p["nlist"], "max_iters": p["max_iters"],
              "sample_rate": p["sample_rate"]}
    if kind == "ivf_pq":
        params["num_sub_vectors"] = p["pq_m"]
    if kind == "hnsw":
        params.update(num_partitions=1, m=p["hnsw_m"], ef_construction=p["ef_construction"])
    baseline = rss_mib()
    start = time.perf_counter()
    ds.create_index("vector", IXRAY_TYPE[kind], **params)
    build = time.perf_counter() - start
    peak = peak_rss_mib()
    start = time.perf_counter()
    ixray._core.train_vector_index(ds._ds, "vector", IXRAY_TYPE[kind], params)
    train = time.perf_counter() - start
    uuid = ds.describe_indices()[0]["segments"][0]["uuid"]
    index_bytes = sum(f.stat().st_size for f in Path(spec["uri"], "_indices", uuid).rglob("*")
                      if f.is_file())

    queries, gt = np.load(spec["queries"]), np.load(spec["gt"])

    def search(**nearest):
        def run(q):
            table = ds.to_table(nearest={"column": "vector", "q": q, "k": K, **nearest},
                                columns=["id"])
            return table.column("id").to_numpy()
        return run

    # Diagnostics: part of every query is reading its results' ids from the dataset (and,
    # with refine, the candidates' vectors); time those reads alone, at random rows.
    rng = np.random.default_rng(0)
    rows = ds.count_rows()
    takes = {"take_ids_us": (K, "id")}
    if kind == "ivf_pq":
        takes["take_vectors_us"] = (K * p["refine_factor"], "vector")
    diagnostics = {}
    for name, (count, column) in takes.items():
        batches = [rng.integers(0, rows, count) for _ in range(20)]
        ds.take(batches[0], [column])  # warm-up
        start = time.perf_counter()
        for batch in batches:
            ds.take(batch, [column])
        diagnostics[name] = (time.perf_counter() - start) / len(batches) * 1e6
    sweep = []
    if kind == "hnsw":
        for ef in EFS:
            sweep.append({"ef": ef, **query_loop(search(nprobes=1, ef=ef), queries, gt)})
    else:
        extra = {"refine_factor": p["refine_factor"]} if kind == "ivf_pq" else {}
        for nprobes in NPROBES:
            if nprobes <= p["nlist"]:
                sweep.append({"nprobes": nprobes,
                              **query_loop(search(nprobes=nprobes, **extra), queries, gt)})
    return {"train_s": train, "build_s": build, "baseline_rss_mib": baseline,
            "peak_rss_mib": peak, "index_mib": index_bytes / 2**20, **diagnostics,
            "sweep": sweep}


def child_faiss(spec: dict) -> dict:
    import faiss
    import numpy as np

    kind, p = spec["kind"], spec["params"]
    faiss.omp_set_num_threads(spec["threads"])
    base = np.load(spec["base"])
    n, d = base.shape
    baseline = rss_mib()
    train = 0.0
    start = time.perf_counter()
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(d, p["hnsw_m"])
        index.hnsw.efConstruction = p["ef_construction"]
    else:
        quantizer = faiss.IndexFlatL2(d)
        if kind == "ivf_flat":
            ivf = faiss.IndexIVFFlat(quantizer, d, p["nlist"])
        elif kind == "ivf_sq":
            ivf = faiss.IndexIVFScalarQuantizer(quantizer, d, p["nlist"],
                                                faiss.ScalarQuantizer.QT_8bit)
        else:
            ivf = faiss.IndexIVFPQ(quantizer, d, p["nlist"], p["pq_m"], 8)
            ivf.pq.cp.niter = p["max_iters"]
        ivf.cp.niter = p["max_iters"]
        index = ivf
        if kind == "ivf_pq":
            index = faiss.IndexRefineFlat(ivf)
            index.k_factor = p["refine_factor"]
        # The same training sample size as ixray: sample_rate rows per partition (and per
        # PQ centroid: sample_rate * 256).
        want = p["sample_rate"] * p["nlist"]
        if kind != "ivf_flat":
            want = max(want, p["sample_rate"] * 256)
        rows = np.random.default_rng(42).choice(n, min(want, n), replace=False)
        sample = base[np.sort(rows)]
        ivf.cp.max_points_per_centroid = p["sample_rate"]
        train_start = time.perf_counter()
        index.train(sample)
        train = time.perf_counter() - train_start
        del sample
    index.add(base)
    build = time.perf_counter() - start
    peak = peak_rss_mib()
    index_bytes = faiss.serialize_index(index).nbytes
    del base

    faiss.omp_set_num_threads(1)
    queries, gt = np.load(spec["queries"]), np.load(spec["gt"])
    ivf = None if kind == "hnsw" else faiss.extract_index_ivf(index)

    def run(q):
        return index.search(q[None, :], K)[1][0]

    sweep = []
    if kind == "hnsw":
        for ef in EFS:
            index.hnsw.efSearch = ef
            sweep.append({"ef": ef, **query_loop(run, queries, gt)})
    else:
        for nprobes in NPROBES:
            if nprobes <= p["nlist"]:
                ivf.nprobe = nprobes
                sweep.append({"nprobes": nprobes, **query_loop(run, queries, gt)})
    return {"train_s": train, "build_s": build, "baseline_rss_mib": baseline,
            "peak_rss_mib": peak, "index_mib": index_bytes / 2**20, "sweep": sweep}


def child_hnswlib(spec: dict) -> dict:
    import hnswlib
    import numpy as np

    p = spec["params"]
    base = np.load(spec["base"])
    n, d = base.shape
    baseline = rss_mib()
    start = time.perf_counter()
    index = hnswlib.Index(space="l2", dim=d)
    index.init_index(max_elements=n, ef_construction=p["ef_construction"], M=p["hnsw_m"],
                     random_seed=42)
    index.add_items(base, np.arange(n), num_threads=spec["threads"])
    build = time.perf_counter() - start
    peak = peak_rss_mib()
    del base
    queries, gt = np.load(spec["queries"]), np.load(spec["gt"])

    def run(q):
        return index.knn_query(q[None, :], k=K, num_threads=1)[0][0]

    sweep = []
    for ef in EFS:
        index.set_ef(ef)
        sweep.append({"ef": ef, **query_loop(run, queries, gt)})
    return {"train_s": 0.0, "build_s": build, "baseline_rss_mib": baseline,
            "peak_rss_mib": peak, "index_mib": index.index_file_size() / 2**20, "sweep": sweep}


def child_write(spec: dict) -> dict:
    import numpy as np
    import pyarrow as pa

    import ixray

    base = np.load(spec["base"])
    table = pa.table({"id": np.arange(len(base)),
                      "vector": pa.FixedSizeListArray.from_arrays(pa.array(base.reshape(-1)),
                                                                  base.shape[1])})
    start = time.perf_counter()
    ixray.write_dataset(table, spec["uri"])
    return {"write_s": time.perf_counter() - start}


def child_prepare(spec: dict) -> dict:
    import numpy as np

    if spec["fvecs"]:
        base = read_fvecs(spec["fvecs"], spec["rows"])
        queries = read_fvecs(spec["query_fvecs"], spec["queries_n"])
        data = data_short = Path(spec["fvecs"]).name
    else:
        base, queries = clustered(spec["rows"], spec["dim"], spec["queries_n"])
        data = ("1000 gaussian clusters (centers N(0, 1), spreads U(0.4, 0.8)) in a 16-d "
                f"subspace rotated into {spec['dim']}-d, + N(0, 0.02^2) noise")
        data_short = "1000 clusters, 16-d subspace"
    start = time.perf_counter()
    gt = ground_truth(base, queries)
    seconds = time.perf_counter() - start
    np.save(spec["base"], base)
    np.save(spec["queries"], queries)
    np.save(spec["gt"], gt)
    return {"rows": len(base), "dim": base.shape[1], "queries": len(queries), "data": data,
            "data_short": data_short, "ground_truth_s": seconds}


CHILDREN = {"prepare": child_prepare, "write": child_write, "ixray": child_ixray,
            "faiss": child_faiss, "hnswlib": child_hnswlib}


def run_child(spec: dict, omp_wait_policy: str = "default") -> dict:
    env = dict(os.environ)
    if omp_wait_policy != "default":
        env["OMP_WAIT_POLICY"] = omp_wait_policy.upper()
    out = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)],
                         check=True, stdout=subprocess.PIPE, text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---- report ------------------------------------------------------------------------------
def best_at(sweep: list[dict], target: float = 0.95) -> dict | None:
    """The cheapest setting (fewest nprobes, smallest ef) with recall >= target. Not the
    highest measured QPS: where QPS hardly moves with the setting, that pick is noise."""
    ok = [s for s in sweep if s["recall"] >= target]
    return ok[0] if ok else None


def setting(s: dict) -> str:
    return f"nprobes={s['nprobes']}" if "nprobes" in s else f"ef={s['ef']}"


def index_name(kind: str, system: str) -> str:
    return {"ixray": IXRAY_TYPE, "faiss": FAISS_NAME}.get(system, {}).get(kind, "HNSW")


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b > 0 else "n/a"


def report(info: dict, results: dict, path_md: Path, path_png: Path) -> str:
    p = info["params"]
    lines = [
        "# Vector indices: ixray vs FAISS and hnswlib",
        "",
        (f"Run {info['date']} on {info['cpu']} ({info['cores']} cores, load average "
         f"{info['load_before']} before, {info['load_after']} after), Python {info['python']}, "
         f"ixray {info['ixray']}, faiss-cpu {info['faiss']}, hnswlib {info['hnswlib']}."),
        "",
        (f"Data: {info['data']}; {info['rows']:,} x {info['dim']} float32, {info['queries']:,} "
         f"queries, recall@{K} against brute force. ixray dataset written in "
         f"{info['write_s']:.1f} s (not in the build times)."),
        "",
        (f"Parameters (both systems): {p['nlist']} partitions, {p['max_iters']} k-means rounds "
         f"at most (ixray stops early at a relative objective change <= 1e-4; FAISS runs all), "
         f"training sample {p['sample_rate']} rows per partition (IVF_SQ / IVF_PQ: at least "
         f"{p['sample_rate'] * 256:,}), PQ {p['pq_m']} sub-vectors x 8 bits with refine factor "
         f"{p['refine_factor']}, HNSW M={p['hnsw_m']} ef_construction={p['ef_construction']} "
         f"(ixray: IVF_HNSW_FLAT with 1 partition). Builds on {info['threads']} threads; "
         f"queries one at a time on one thread (best of up to 3 passes over all queries)."),
        "",
        ("Timings are noisy: the machine's cores were shared with other developers' builds; "
         "each ixray build ran back to back with its FAISS (and hnswlib) counterpart. FAISS ran "
         f"with OMP_WAIT_POLICY={info['omp_wait_policy']} (on a loaded machine OpenMP threads "
         "spinning at barriers made FAISS's k-means 2-3x slower than with passive waiting)."),
        "",
        "## Builds",
        "",
        ("| index | system | train s | build s (train + add) | peak RSS MiB | baseline RSS MiB "
         "| index MiB |"),
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, systems in results.items():
        for system, r in systems.items():
            lines.append(f"| {kind} | {system} {index_name(kind, system)} "
                         f"| {r['train_s']:.2f} | {r['build_s']:.2f} "
                         f"| {r['peak_rss_mib']:.0f} | {r['baseline_rss_mib']:.0f} "
                         f"| {r['index_mib']:.1f} |")
    lines += ["", ("Baseline RSS: the process before the build (interpreter, libraries; for FAISS "
               "and hnswlib the vectors, which they need in memory). ixray reads them from the "
               "dataset. IndexRefineFlat keeps a full copy of the vectors in the index; ixray "
               "refines from the dataset."), "", "## Search (recall@10, queries/s)", ""]
    for kind, systems in results.items():
        names = list(systems)
        lines.append(f"### {kind}")
        lines.append("")
        lines.append("| setting | " + " | ".join(f"{s} recall | {s} QPS" for s in names) + " |")
        lines.append("| --- | " + " | ".join("---: | ---:" for _ in names) + " |")
        for i, s in enumerate(systems[names[0]]["sweep"]):
            cells = []
            for name in names:
                row = systems[name]["sweep"][i]
                cells.append(f"{row['recall']:.3f} | {row['qps']:,.0f}")
            lines.append(f"| {setting(s)} | " + " | ".join(cells) + " |")
        lines.append("")
    takes = {kind: s["ixray"] for kind, s in results.items() if "take_ids_us" in s["ixray"]}
    if takes:
        lines += [(f"Reads inside every ixray query (the public API returns rows): taking the "
                   f"{K} result ids at random rows (ds.take) costs "
                   + ", ".join(f"{r['take_ids_us']:,.0f} us" for r in takes.values())
                   + " per call in the successive ixray runs"
                   + (f"; IVF_PQ's refine reads {K * p['refine_factor']} vectors, "
                      f"{takes['ivf_pq']['take_vectors_us']:,.0f} us per call"
                      if "ivf_pq" in takes else "")
                   + ". FAISS and hnswlib return labels from memory."), ""]
    lines += ["## Ratios ixray / FAISS", "",
              ("QPS at recall >= 0.95: each system's cheapest setting reaching it. The last "
               "column is an estimate of ixray's QPS without its result reads: 1 / (1 / QPS - "
               "the read times above, measured apart), so it is as noisy as both."), "",
              ("| index | train time | build time | peak RSS | QPS at recall >= 0.95 "
               "| same, ixray without result reads (estimate) |"),
              "| --- | ---: | ---: | ---: | --- | --- |"]
    for kind, systems in results.items():
        ix, fa = systems["ixray"], systems["faiss"]
        a, b = best_at(ix["sweep"]), best_at(fa["sweep"])
        rows = [("FAISS", fa, b)]
        if "hnswlib" in systems:
            rows.append(("hnswlib", systems["hnswlib"], best_at(systems["hnswlib"]["sweep"])))
        for other_name, other, c in rows:
            if a and c:
                qps = (f"{ratio(a['qps'], c['qps'])} (ixray {a['qps']:,.0f} at {setting(a)}, "
                       f"{other_name} {c['qps']:,.0f} at {setting(c)})")
                reads = (ix.get("take_ids_us", 0) + ix.get("take_vectors_us", 0)) / 1e6
                left = 1 / a["qps"] - reads
                estimate = (f"{ratio(1 / left, c['qps'])} (ixray ~{1 / left:,.0f})"
                            if reads and left > 0 else "n/a")
            else:
                qps = (f"n/a (ixray {'reaches it at ' + setting(a) if a else 'never reaches it'},"
                       f" {other_name} {'reaches it at ' + setting(c) if c else 'never does'})")
                estimate = "n/a"
            train = (ratio(ix["train_s"], other["train_s"]) if kind != "hnsw"
                     else "no training")
            label = kind if other_name == "FAISS" else f"{kind} vs {other_name}"
            lines.append(f"| {label} | {train} | {ratio(ix['build_s'], other['build_s'])} "
                         f"| {ratio(ix['peak_rss_mib'], other['peak_rss_mib'])} | {qps} "
                         f"| {estimate} |")
    notes = []
    sample = max(p["sample_rate"] * p["nlist"], p["sample_rate"] * 256)
    if "ivf_pq" in results and sample > 256 * 256:
        notes.append(f"IVF_PQ training: ixray fits the PQ codebook on the whole training "
                     f"sample ({sample:,} residuals) while FAISS subsamples 256 per centroid "
                     f"(65,536), so ixray's PQ k-means does {sample / 65536:.0f}x the work here.")
    if p["nlist"] >= 1024:
        notes.append(f"ixray trains {p['nlist']} partitions with two-level k-means (k >= 1024: "
                     "sqrt(k) coarse clusters split, then global rounds); FAISS runs flat "
                     "k-means.")
    if notes:
        lines += ["", "Notes:", ""] + [f"- {note}" for note in notes]
    text = "\n".join(lines) + "\n"
    path_md.write_text(text)
    plot(results, path_png, info)
    return text


def plot(results: dict, path: Path, info: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(11, 8.5))
    styles = {"ixray": ("tab:blue", "o"), "faiss": ("tab:orange", "s"),
              "hnswlib": ("tab:green", "^")}
    for ax, (kind, systems) in zip(axes.flat, results.items()):
        for system, r in systems.items():
            color, marker = styles[system]
            ax.plot([s["recall"] for s in r["sweep"]], [s["qps"] for s in r["sweep"]],
                    marker=marker, color=color, label=f"{system} {index_name(kind, system)}")
        ax.set_yscale("log")
        ax.set_title(kind)
        ax.set_xlabel(f"recall@{K}")
        ax.set_ylabel("queries / s (1 thread)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    for ax in list(axes.flat)[len(results):]:
        ax.axis("off")
    fig.suptitle(f"{info['rows']:,} x {info['dim']}, {info['queries']:,} queries "
                 f"({info['data_short']})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


# ---- main --------------------------------------------------------------------------------
def machine_info() -> dict:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version()}


def load_average() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--fvecs", help="base vectors (.fvecs) instead of generated ones")
    parser.add_argument("--query-fvecs", help="query vectors (.fvecs), with --fvecs")
    parser.add_argument("--quick", action="store_true", help="20,000 rows, 500 queries")
    parser.add_argument("--kinds", default=",".join(KINDS), help="subset of " + ",".join(KINDS))
    parser.add_argument("--nlist", type=int, help="partitions (default: ~sqrt(rows), power of 2)")
    parser.add_argument("--max-iters", type=int, default=25)
    parser.add_argument("--sample-rate", type=int, default=256)
    parser.add_argument("--pq-m", type=int, help="PQ sub-vectors (default: dim / 8)")
    parser.add_argument("--refine-factor", type=int, default=10)
    parser.add_argument("--hnsw-m", type=int, default=20)
    parser.add_argument("--ef-construction", type=int, default=150)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--omp-wait-policy", choices=["passive", "active", "default"],
                        default="passive",
                        help="OMP_WAIT_POLICY of the FAISS processes (passive: its threads "
                             "sleep instead of spinning at barriers, much faster on a loaded "
                             "machine)")
    parser.add_argument("--dir", default="/tmp/ixray-vector-bench")
    parser.add_argument("--tag", help="results go to bench/results/vector-TAG.{md,png}")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite the .md and .png from the saved .json of --tag")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        spec = json.loads(args.child)
        pin_cpus(spec["threads"])
        print(json.dumps(CHILDREN[spec["system"]](spec)))
        return

    if args.quick:
        args.rows, args.queries = 20_000, 500
        args.tag = args.tag or "quick"
    stem = RESULTS / (f"vector-{args.tag}" if args.tag else "vector")
    if args.report_only:
        saved = json.loads(stem.with_suffix(".json").read_text())
        print(report(saved["info"], saved["results"], stem.with_suffix(".md"),
                     stem.with_suffix(".png")))
        return
    kinds = [k for k in args.kinds.split(",") if k]
    if unknown := set(kinds) - set(KINDS):
        parser.error(f"unknown --kinds {sorted(unknown)}")
    if args.fvecs and not args.query_fvecs:
        parser.error("--fvecs needs --query-fvecs")
    work = Path(args.dir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    info = {**machine_info(), "date": time.strftime("%Y-%m-%d %H:%M"), "threads": args.threads,
            "load_before": load_average(), "omp_wait_policy": args.omp_wait_policy}

    # The data and the ground truth are made in a child too: this process stays small, so
    # the children (which inherit its peak RSS across fork and exec) report their own.
    paths = {name: str(work / f"{name}.npy") for name in ("base", "queries", "gt")}
    info.update(run_child({**paths, "system": "prepare", "threads": os.cpu_count(),
                           "rows": args.rows, "dim": args.dim, "queries_n": args.queries,
                           "fvecs": args.fvecs, "query_fvecs": args.query_fvecs}))
    print(f"data: {info['rows']:,} x {info['dim']}, {info['queries']:,} queries; ground truth "
          f"in {info['ground_truth_s']:.1f}s", file=sys.stderr)

    nlist = args.nlist or 2 ** round(math.log2(math.sqrt(info["rows"])))
    params = {"nlist": nlist, "max_iters": args.max_iters, "sample_rate": args.sample_rate,
              "pq_m": args.pq_m or info["dim"] // 8, "refine_factor": args.refine_factor,
              "hnsw_m": args.hnsw_m, "ef_construction": args.ef_construction}
    info["params"] = params
    common = {**paths, "uri": str(work / "ds"), "threads": args.threads, "params": params}

    info["write_s"] = run_child({**common, "system": "write"})["write_s"]
    print(f"ixray dataset written in {info['write_s']:.1f}s", file=sys.stderr)
    results: dict[str, dict] = {}
    for kind in kinds:
        systems = ["ixray", "faiss"] + (["hnswlib"] if kind == "hnsw" else [])
        results[kind] = {}
        for system in systems:
            r = run_child({**common, "system": system, "kind": kind},
                          args.omp_wait_policy if system == "faiss" else "default")
            results[kind][system] = r
            best = best_at(r["sweep"])
            reached = f"{best['qps']:,.0f} QPS at {setting(best)}" if best else "not reached"
            print(f"{kind:8s} {system:7s} train {r['train_s']:7.2f}s  build {r['build_s']:7.2f}s"
                  f"  peak RSS {r['peak_rss_mib']:6.0f} MiB  recall>=0.95: {reached}",
                  file=sys.stderr)

    from importlib.metadata import version

    info.update(load_after=load_average(), ixray=version("ixray"), faiss=version("faiss-cpu"),
                hnswlib=version("hnswlib"))
    RESULTS.mkdir(exist_ok=True)
    stem.with_suffix(".json").write_text(json.dumps({"info": info, "results": results}, indent=1))
    print(report(info, results, stem.with_suffix(".md"), stem.with_suffix(".png")))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
