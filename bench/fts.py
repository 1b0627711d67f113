"""Full-text index benchmark: ixray INVERTED against tantivy, same documents, same queries.

    .venv/bin/pip install -r bench/requirements.txt      # once: tantivy, matplotlib, ...
    .venv/bin/python bench/fts.py [--corpus a,b] [--docs-b 1000000] [--queries 300] [--quick]

Corpora (built deterministically from text on this machine; cached under --dir):
  A  Debian package descriptions: `apt-cache dumpavail`, one document per package (its
     Description field), in the order apt lists them.
  B  --docs-b paragraphs: the English man pages (/usr/share/man/man*, roff macros and
     escapes stripped, paragraphs split at macro and blank lines), then the text files of
     /usr/share/doc (split at blank lines), then the package descriptions, in sorted path
     order; paragraphs with fewer than 3 words are skipped.

Both systems index the same documents with the same analysis: tantivy's "en_stem"
(split at non-alphanumeric characters, drop tokens over 40 bytes, lower-case, English
Snowball stemmer, stop words kept) against ixray INVERTED with base_tokenizer="simple",
lower_case=True, stem=True (English Snowball), remove_stop_words=False,
ascii_folding=False, with_position=False (tantivy: index_option="freq", no positions).
Both score with BM25 (k1 = 1.2, b = 0.75; tantivy quantizes document lengths to one byte,
ixray keeps them exact, so scores near ties can order differently).

Builds run in child processes on --threads (2) threads: ixray's create_scalar_index over a
dataset written beforehand (its write time is reported apart), tantivy's IndexWriter
(num_threads=2, --tantivy-heap-mib in all) fed the same documents from Python, committed,
merges waited for. Peak RSS = the child's ru_maxrss right after the build (the baseline
before it is reported beside it: for tantivy it includes the documents loaded in Python).

Queries: --queries (300) queries of 1, 2 and 3 terms in turn, drawn with a fixed seed from
the corpus: a random document, then distinct random words of it (3+ letters, not a stop
word). Each query asks for the top 10 by BM25 with OR semantics, one at a time on one
thread: ixray `ds.to_table(full_text_query=q, limit=10, columns=["_rowid"])` (row
addresses and scores, a pyarrow table), tantivy `searcher.search(index.parse_query(q,
["text"]), 10)` (doc addresses and scores); then again with the ids of the results read
(ixray `columns=["id"]`, tantivy `searcher.doc(address)["id"]` per hit). Latency per
query = the least of --passes (3) timed passes, after a warm-up pass; p50 / p99 over the
queries. Overlap@10 = |ixray top-10 ∩ tantivy top-10| / |tantivy top-10|, averaged.

Writes bench/results/fts[-TAG].md, .png and .json (TAG: --tag, "quick" with --quick);
--report-only rewrites the .md and .png from the .json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

K = 10
RESULTS = Path(__file__).parent / "results"
STOP_WORDS = set("""a about above after again against all am an and any are as at be because
been before being below between both but by can could did do does doing down during each few
for from further had has have having he her here hers herself him himself his how i if in into
is it its itself just me more most my myself no nor not now of off on once only or other our
ours ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your yours yourself yourselves
""".split())
IXRAY_PARAMS = {"base_tokenizer": "simple", "lower_case": True, "stem": True,
                "remove_stop_words": False, "ascii_folding": False, "with_position": False}


# ---- corpora -----------------------------------------------------------------------------
def package_descriptions() -> list[str]:
    """The Description field of every package `apt-cache dumpavail` lists, in its order."""
    out = subprocess.run(["apt-cache", "dumpavail"], check=True, stdout=subprocess.PIPE).stdout
    docs = []
    for record in out.decode("utf-8", "replace").split("\n\n"):
        lines, inside = [], False
        for line in record.split("\n"):
            if line.startswith("Description:"):
                inside = True
                lines.append(line[len("Description:"):].strip())
            elif inside and line.startswith(" "):
                lines.append("" if line.strip() == "." else line.strip())
            else:
                inside = False
        if lines:
            docs.append("\n".join(lines))
    return docs


ROFF_ESCAPE = re.compile(r"\\f(\[[^\]]*\]|\(..|.)|\\\*(\[[^\]]*\]|\(..|.)|\\\(..|\\\[[^\]]*\]"
                         r"|\\s[-+]?\d+|\\.")


def man_paragraphs(text: str):
    """Paragraphs of a roff page: text lines between macro or blank lines, escapes removed."""
    para: list[str] = []
    for line in text.split("\n"):
        if line.startswith((".", "'")) or not line.strip():
            if para:
                yield " ".join(para)
                para = []
            continue
        para.append(ROFF_ESCAPE.sub(lambda m: "-" if m.group(0) == "\\-" else " ", line).strip())
    if para:
        yield " ".join(para)


def text_paragraphs(text: str):
    for para in re.split(r"\n\s*\n", text):
        para = " ".join(para.split())
        if para:
            yield para


def read_text(path: Path) -> str | None:
    try:
        raw = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile):
        return None
    if b"\0" in raw[:4096]:
        return None  # binary
    return raw.decode("utf-8", "replace")


def paragraph_corpus(limit: int) -> list[str]:
    docs: list[str] = []

    def take(paragraphs) -> bool:
        for para in paragraphs:
            if len(para.split()) >= 3:
                docs.append(para)
                if len(docs) >= limit:
                    return True
        return False

    man = sorted(p for d in sorted(Path("/usr/share/man").glob("man*"))
                 for p in d.rglob("*") if p.is_file() and not p.is_symlink())
    for path in man:
        text = read_text(path)
        if text is not None and take(man_paragraphs(text)):
            return docs
    doc_files = sorted(p for p in Path("/usr/share/doc").rglob("*")
                       if p.is_file() and not p.is_symlink()
                       and p.suffix in (".gz", ".txt", "") and "copyright" not in p.name)
    for path in doc_files:
        text = read_text(path)
        if text is not None and take(text_paragraphs(text)):
            return docs
    if take(package_descriptions()):
        return docs
    raise SystemExit(f"corpus B: only {len(docs):,} paragraphs on this machine; "
                     f"ask for fewer with --docs-b")


def make_queries(docs: list[str], count: int, seed: int = 7) -> list[str]:
    import numpy as np

    rng = np.random.default_rng(seed)
    queries, seen = [], set()
    while len(queries) < count:
        words = sorted({w for w in re.findall(r"[a-z]{3,}", docs[rng.integers(len(docs))].lower())
                        if w not in STOP_WORDS})
        want = 1 + len(queries) % 3
        if len(words) < want:
            continue
        query = " ".join(words[i] for i in rng.choice(len(words), want, replace=False))
        if query not in seen:
            seen.add(query)
            queries.append(query)
    return queries


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
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) > threads:
        os.sched_setaffinity(0, cpus[:threads])


def dir_mib(path: Path) -> float:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 2**20


def time_queries(run, queries: list[str], passes: int) -> tuple[list[float], list]:
    """Per-query latency in ms (least of `passes` passes, after a warm-up) and results."""
    for q in queries:
        run(q)
    best = [float("inf")] * len(queries)
    found = [None] * len(queries)
    for _ in range(passes):
        for i, q in enumerate(queries):
            start = time.perf_counter()
            found[i] = run(q)
            best[i] = min(best[i], (time.perf_counter() - start) * 1e3)
    return best, found


def child_prepare(spec: dict) -> dict:
    import pyarrow as pa
    import pyarrow.feather as feather

    start = time.perf_counter()
    if spec["corpus"] == "a":
        docs = package_descriptions()[: spec["docs"]]
    else:
        docs = paragraph_corpus(spec["docs"])
    seconds = time.perf_counter() - start
    queries = make_queries(docs, spec["queries_n"])
    feather.write_feather(pa.table({"id": pa.array(range(len(docs)), pa.int64()),
                                    "text": pa.array(docs, pa.string())}),
                          spec["corpus_file"], compression="uncompressed")
    Path(spec["queries_file"]).write_text(json.dumps(queries))
    words = sum(len(d.split()) for d in docs)
    return {"docs": len(docs), "words": words, "text_mib": sum(map(len, docs)) / 2**20,
            "extract_s": seconds}


def child_write(spec: dict) -> dict:
    import pyarrow.feather as feather

    import ixray

    table = feather.read_table(spec["corpus_file"])
    start = time.perf_counter()
    ixray.write_dataset(table, spec["uri"])
    return {"write_s": time.perf_counter() - start}


def child_ixray(spec: dict) -> dict:
    import ixray

    ds = ixray.dataset(spec["uri"])
    baseline = rss_mib()
    start = time.perf_counter()
    ds.create_scalar_index("text", "INVERTED", **IXRAY_PARAMS)
    build = time.perf_counter() - start
    peak = peak_rss_mib()
    uuid = ds.describe_indices()[0]["segments"][0]["uuid"]
    index_mib = dir_mib(Path(spec["uri"], "_indices", uuid))
    queries = json.loads(Path(spec["queries_file"]).read_text())

    def run(q):  # row addresses and scores only, like tantivy's search
        return ds.to_table(full_text_query=q, limit=K, columns=["_rowid"]).column("_rowid")

    def run_ids(q):  # the ids of the top 10, read from the dataset
        table = ds.to_table(full_text_query=q, limit=K, columns=["id"])
        return table.column("id").to_pylist()

    latencies, found = time_queries(run, queries, spec["passes"])
    latencies_ids, found_ids = time_queries(run_ids, queries, spec["passes"])
    top = [ds.take_rows(rows.to_numpy(), ["id"]).column("id").to_pylist() for rows in found]
    assert top == found_ids, "the ids of the row addresses differ from those read with them"
    return {"build_s": build, "baseline_rss_mib": baseline, "peak_rss_mib": peak,
            "index_mib": index_mib, "latency_ms": latencies, "latency_ids_ms": latencies_ids,
            "top": found_ids}


def child_tantivy(spec: dict) -> dict:
    import pyarrow.feather as feather
    import tantivy

    table = feather.read_table(spec["corpus_file"])
    ids, texts = table.column("id").to_pylist(), table.column("text").to_pylist()
    del table
    path = Path(spec["tantivy_dir"])
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    baseline = rss_mib()
    start = time.perf_counter()
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=False, fast=False)
    builder.add_text_field("text", stored=False, tokenizer_name="en_stem", index_option="freq")
    schema = builder.build()
    index = tantivy.Index(schema, path=str(path))
    writer = index.writer(heap_size=spec["tantivy_heap_mib"] * 2**20,
                          num_threads=spec["threads"])
    for i, text in zip(ids, texts):
        writer.add_document(tantivy.Document(id=i, text=text))
    writer.commit()
    writer.wait_merging_threads()
    build = time.perf_counter() - start
    peak = peak_rss_mib()
    del ids, texts
    index.reload()
    searcher = index.searcher()
    queries = json.loads(Path(spec["queries_file"]).read_text())

    def run(q):  # doc addresses and scores
        return searcher.search(index.parse_query(q, ["text"]), K).hits

    def run_ids(q):  # the ids of the top 10, read from the doc store
        hits = searcher.search(index.parse_query(q, ["text"]), K).hits
        return [searcher.doc(address)["id"][0] for _, address in hits]

    latencies, hits = time_queries(run, queries, spec["passes"])
    latencies_ids, found = time_queries(run_ids, queries, spec["passes"])
    return {"build_s": build, "baseline_rss_mib": baseline, "peak_rss_mib": peak,
            "index_mib": dir_mib(path), "segments": searcher.num_segments,
            "latency_ms": latencies, "latency_ids_ms": latencies_ids, "top": found}


CHILDREN = {"prepare": child_prepare, "write": child_write, "ixray": child_ixray,
            "tantivy": child_tantivy}


def run_child(spec: dict) -> dict:
    # numpy's OpenBLAS threads (imported with pyarrow) spin for a while after use and
    # take a core from a 2-core machine: one thread, for both systems.
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)], check=True,
                         stdout=subprocess.PIPE, text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---- report ------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(np.asarray(values), q))


def summarize(corpus: dict) -> dict:
    """Derived numbers of one corpus: latency percentiles, overlap, ratios."""
    ix, ta = corpus["ixray"], corpus["tantivy"]
    overlaps = []
    for a, b in zip(ix["top"], ta["top"]):
        overlaps.append(1.0 if not b and not a else len(set(a) & set(b)) / max(len(b), 1))
    out = {"overlap": sum(overlaps) / len(overlaps),
           "overlap_by_terms": {}}
    for n in (1, 2, 3):
        part = [o for i, o in enumerate(overlaps) if i % 3 == n - 1]
        out["overlap_by_terms"][str(n)] = sum(part) / max(len(part), 1)
    for name, r in (("ixray", ix), ("tantivy", ta)):
        out[name] = {"p50_ms": percentile(r["latency_ms"], 50),
                     "p99_ms": percentile(r["latency_ms"], 99),
                     "mean_ms": sum(r["latency_ms"]) / len(r["latency_ms"]),
                     "ids_p50_ms": percentile(r["latency_ids_ms"], 50),
                     "ids_p99_ms": percentile(r["latency_ids_ms"], 99),
                     "docs_per_s": corpus["docs"] / r["build_s"]}
    return out


def report(info: dict, corpora: dict, path_md: Path, path_png: Path) -> str:
    lines = [
        "# Full-text search: ixray INVERTED vs tantivy",
        "",
        (f"Run {info['date']} on {info['cpu']} ({info['cores']} cores, load average "
         f"{info['load_before']} before, {info['load_after']} after), Python {info['python']}, "
         f"ixray {info['ixray']}, tantivy {info['tantivy']}."),
        "",
        ("Analysis (both): split at non-alphanumeric characters, lower-case, English Snowball "
         "stemmer, stop words kept, no ASCII folding, no positions (tantivy `en_stem` with "
         "index_option=\"freq\"; ixray INVERTED " +
         ", ".join(f"{k}={v}" for k, v in IXRAY_PARAMS.items()) + "). BM25 k1=1.2, b=0.75, "
         "OR of the query terms, top 10."),
        "",
        (f"Builds on {info['threads']} threads (tantivy IndexWriter heap "
         f"{info['tantivy_heap_mib']} MiB, fed from Python, merges waited for; ixray "
         "create_scalar_index over a dataset written beforehand). Queries one at a time on "
         f"one thread; per-query latency is the least of {info['passes']} passes after a "
         "warm-up."),
        "",
        ("Timings are noisy: the machine's cores were shared with other developers' builds "
         "(see the load averages); each ixray run was back to back with its tantivy run."),
        "",
        "## Corpora",
        "",
        "| corpus | documents | words | text MiB | queries | ixray dataset write s |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, c in corpora.items():
        lines.append(f"| {name}: {c['description']} | {c['docs']:,} | {c['words']:,} "
                     f"| {c['text_mib']:.1f} | {c['queries']} | {c['write_s']:.1f} |")
    lines += ["", "## Builds", "",
              ("| corpus | system | build s | docs/s | peak RSS MiB | baseline RSS MiB "
               "| index MiB |"),
              "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for name, c in corpora.items():
        s = c["summary"]
        for system in ("ixray", "tantivy"):
            r = c[system]
            lines.append(f"| {name} | {system} | {r['build_s']:.2f} "
                         f"| {s[system]['docs_per_s']:,.0f} | {r['peak_rss_mib']:.0f} "
                         f"| {r['baseline_rss_mib']:.0f} | {r['index_mib']:.1f} |")
    lines += ["", "## Queries (top 10, one thread)", "",
              ("| corpus | system | p50 ms | p99 ms | mean ms | with ids: p50 ms | p99 ms "
               "| overlap@10 with tantivy (1 / 2 / 3 terms) |"),
              "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for name, c in corpora.items():
        s = c["summary"]
        by = " / ".join(f"{s['overlap_by_terms'][str(n)]:.3f}" for n in (1, 2, 3))
        for system in ("ixray", "tantivy"):
            overlap = f"{s['overlap']:.3f} ({by})" if system == "ixray" else ""
            lines.append(f"| {name} | {system} | {s[system]['p50_ms']:.3f} "
                         f"| {s[system]['p99_ms']:.3f} | {s[system]['mean_ms']:.3f} "
                         f"| {s[system]['ids_p50_ms']:.3f} | {s[system]['ids_p99_ms']:.3f} "
                         f"| {overlap} |")
    lines += ["", ("p50 / p99 / mean: the search returning row addresses and scores (ixray "
                   "`columns=[\"_rowid\"]`, tantivy `searcher.search(...).hits`). With ids: "
                   "the same plus reading the 10 results' `id` (ixray `columns=[\"id\"]`, "
                   "from its data file pages; tantivy `searcher.doc(address)` per hit, "
                   "from its doc store).")]
    lines += ["", "## Goals (ixray vs tantivy)", "",
              "| corpus | build throughput ratio (>= 1) | p50 latency ratio (<= 1) "
              "| overlap@10 (>= 0.7) |",
              "| --- | --- | --- | --- |"]
    for name, c in corpora.items():
        s = c["summary"]
        thr = s["ixray"]["docs_per_s"] / s["tantivy"]["docs_per_s"]
        lat = s["ixray"]["p50_ms"] / s["tantivy"]["p50_ms"]
        lines.append(f"| {name} | {thr:.2f} {'met' if thr >= 1 else 'missed'} "
                     f"| {lat:.2f} {'met' if lat <= 1 else 'missed'} "
                     f"| {s['overlap']:.3f} {'met' if s['overlap'] >= 0.7 else 'missed'} |")
    notes = [
        ("Build time: tantivy's includes making one tantivy.Document per row in Python and "
         "handing it over; ixray's includes reading the column from the dataset in C++."),
        ("Index size: ixray stores each document's u64 row address and u32 length (12 bytes "
         "per document), varint postings with 16-byte block headers and, for lists of 2+ "
         "blocks, 32 bytes of bound pairs per block; tantivy bitpacks its postings and keeps "
         "one-byte quantized lengths."),
        ("Overlap: many documents tie (short paragraphs with the same term counts and "
         "lengths), and which of the tied ones make the top 10 is arbitrary (ixray: lowest row "
         "address; tantivy: its segment and doc order, which depends on its indexing "
         "threads); tantivy's one-byte length quantization also changes close scores."),
        ("With ids: ixray reads, per result, the zstd page of the `id` column holding it (64K "
         "rows, decoded whole); tantivy reads its doc store (small LZ4 blocks, cached)."),
    ] + info.get("notes", [])
    lines += ["", "Notes:", ""] + [f"- {n}" for n in notes]
    text = "\n".join(lines) + "\n"
    path_md.write_text(text)
    plot(corpora, path_png)
    return text


def plot(corpora: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, axes = plt.subplots(1, len(corpora), figsize=(5.5 * len(corpora), 4), squeeze=False)
    for ax, (name, c) in zip(axes[0], corpora.items()):
        for system, color in (("ixray", "tab:blue"), ("tantivy", "tab:orange")):
            values = np.sort(np.asarray(c[system]["latency_ms"]))
            ax.plot(values, np.arange(1, len(values) + 1) / len(values), color=color,
                    label=f"{system} (build {c[system]['build_s']:.1f} s)")
        ax.set_xscale("log")
        ax.set_xlabel("query latency, ms (top 10, 1 thread)")
        ax.set_ylabel("fraction of queries")
        ax.set_title(f"corpus {name}: {c['docs']:,} docs")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
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


DESCRIPTIONS = {"A": "Debian package descriptions (apt-cache dumpavail), one per package",
                "B": "paragraphs of English man pages, /usr/share/doc text, package descriptions"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default="a,b", help="a, b or a,b")
    parser.add_argument("--docs-a", type=int, default=10**9, help="at most this many (all)")
    parser.add_argument("--docs-b", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--tantivy-heap-mib", type=int, default=256)
    parser.add_argument("--quick", action="store_true",
                        help="20,000 docs of A, 100,000 of B, 100 queries")
    parser.add_argument("--dir", default="/tmp/ixray-fts-bench")
    parser.add_argument("--tag", help="results go to bench/results/fts-TAG.{md,json,png}")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite the .md and .png from the saved .json of --tag")
    parser.add_argument("--note", action="append", default=[],
                        help="a note for the report (repeatable)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        spec = json.loads(args.child)
        pin_cpus(spec["threads"])
        print(json.dumps(CHILDREN[spec["system"]](spec)))
        return

    if args.quick:
        args.docs_a, args.docs_b, args.queries = 20_000, 100_000, 99
        args.tag = args.tag or "quick"
    stem = RESULTS / (f"fts-{args.tag}" if args.tag else "fts")
    if args.report_only:
        saved = json.loads(stem.with_suffix(".json").read_text())
        print(report(saved["info"], saved["corpora"], stem.with_suffix(".md"),
                     stem.with_suffix(".png")))
        return
    names = [c.strip().upper() for c in args.corpus.split(",") if c.strip()]
    if not names or set(names) - {"A", "B"}:
        parser.error("--corpus takes a, b or a,b")
    work = Path(args.dir)
    work.mkdir(parents=True, exist_ok=True)
    info = {**machine_info(), "date": time.strftime("%Y-%m-%d %H:%M"), "threads": args.threads,
            "passes": args.passes, "tantivy_heap_mib": args.tantivy_heap_mib,
            "load_before": load_average(), "notes": args.note}
    corpora: dict[str, dict] = {}
    for name in names:
        docs = args.docs_a if name == "A" else args.docs_b
        key = f"{name.lower()}-{docs}-{args.queries}"
        files = {"corpus_file": str(work / f"corpus-{key}.arrow"),
                 "queries_file": str(work / f"queries-{key}.json")}
        meta_file = work / f"corpus-{key}.json"
        if not meta_file.exists():  # extracting B reads ~100 MB of man pages: cache it
            meta = run_child({**files, "system": "prepare", "threads": args.threads,
                              "corpus": name.lower(), "docs": docs,
                              "queries_n": args.queries})
            meta_file.write_text(json.dumps(meta))
        c = {**json.loads(meta_file.read_text()), "description": DESCRIPTIONS[name],
             "queries": args.queries}
        common = {**files, "threads": args.threads, "passes": args.passes,
                  "uri": str(work / f"ds-{name.lower()}"),
                  "tantivy_dir": str(work / f"tantivy-{name.lower()}"),
                  "tantivy_heap_mib": args.tantivy_heap_mib}
        shutil.rmtree(common["uri"], ignore_errors=True)
        c["write_s"] = run_child({**common, "system": "write"})["write_s"]
        print(f"corpus {name}: {c['docs']:,} docs, {c['text_mib']:.0f} MiB; dataset written "
              f"in {c['write_s']:.1f}s", file=sys.stderr)
        for system in ("ixray", "tantivy"):
            c[system] = r = run_child({**common, "system": system})
            print(f"  {system:8s} build {r['build_s']:7.2f}s  peak RSS {r['peak_rss_mib']:6.0f} "
                  f"MiB  index {r['index_mib']:7.1f} MiB", file=sys.stderr)
        c["summary"] = s = summarize(c)
        print(f"  p50 ixray {s['ixray']['p50_ms']:.3f} ms tantivy {s['tantivy']['p50_ms']:.3f} "
              f"ms; overlap@10 {s['overlap']:.3f}", file=sys.stderr)
        shutil.rmtree(common["uri"], ignore_errors=True)
        shutil.rmtree(common["tantivy_dir"], ignore_errors=True)
        corpora[name] = c

    from importlib.metadata import version

    info.update(load_after=load_average(), ixray=version("ixray"), tantivy=version("tantivy"))
    RESULTS.mkdir(exist_ok=True)
    stem.with_suffix(".json").write_text(json.dumps({"info": info, "corpora": corpora}))
    print(report(info, corpora, stem.with_suffix(".md"), stem.with_suffix(".png")))


if __name__ == "__main__":
    main()
