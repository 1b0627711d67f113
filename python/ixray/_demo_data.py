"""Data for the ixray demo (and bench/distributed.py): a generated table of
clustered vectors, sentences, categories, prices and dates, made batch by
batch so that a million rows never sit in memory twice, and the exact
nearest neighbours of a set of queries, computed while the batches go by.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Callable, Iterator, Optional

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# ~300 everyday English words; sentences draw from them with Zipf-like
# frequencies, so a few words are everywhere and most are rare (as in text).
WORDS = """
the of and to in is that it for was on are as with his they at be this from have or by one
had not but what all were when we there can an your which their said if do will each about
how up out them then she many some so these would other into has more her two like him see
time could no make than first been its who now people my made over did down only way find
use may water long little very after words called just where most know get through back
much before go good new write our used me man too any day same right look think also around
another came come work three word must because does part even place well such here take why
things help put years different away again off went old number great tell men say small
every found still between name should home big give air line set own under read last never
us left end along while might next sound below saw something thought both few those always
looked show large often together asked house world going want school important until form
food keep children feet land side without boy once animals life enough took sometimes four
head above kind began almost live page got earth need far hand high year mother light parts
country father let night following picture being study second eyes soon times story boys
since white days ever paper hard near sentence better best across during today others
however sure means knew try told young miles sun ways thing whole hear example heard several
change answer room sea against top turned learn point city play toward five using himself
usually money seen car morning river lance ray vector index search fragment commit cluster
""".split()

DIM = 128
CLUSTERS = 1000
CATEGORIES = 50
FIRST_DAY = np.datetime64("2020-01-01")
DAYS = 5 * 365


class Progress:
    """A one-line progress bar on stderr; without a total, an elapsed-time ticker.

    Use as a context manager. Thread-safe: update() may be called from any thread.
    """

    def __init__(self, label: str, total: Optional[int] = None, unit: str = "",
                 stream=None, enabled: bool = True):
        self.label, self.total, self.unit = label, total, unit
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.done = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: Optional[threading.Thread] = None
        self.start = time.perf_counter()

    def __enter__(self) -> "Progress":
        self.start = time.perf_counter()
        if self.enabled:
            self._ticker = threading.Thread(target=self._tick, daemon=True)
            self._ticker.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        if self.enabled:
            self._draw(final=True)
            self.stream.write("\n")
            self.stream.flush()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def update(self, n: int = 1) -> None:
        with self._lock:
            self.done += n

    def _tick(self) -> None:
        while not self._stop.wait(0.25):
            self._draw()

    def _draw(self, final: bool = False) -> None:
        with self._lock:
            done = self.done
        t = self.elapsed
        if self.total:
            frac = min(1.0, done / self.total)
            bar = "#" * int(frac * 30)
            text = (f"\r  {self.label:<28} [{bar:<30}] {frac:4.0%} "
                    f"{done:,}/{self.total:,}{self.unit} {t:6.1f}s")
        else:
            spin = "-\\|/"[int(t * 4) % 4] if not final else " "
            text = f"\r  {self.label:<28} {spin} {t:6.1f}s"
        self.stream.write(text)
        self.stream.flush()


class Generator:
    """The demo table, batch by batch, reproducible from `seed`.

    Vectors: CLUSTERS gaussian clusters in a random 16-d subspace rotated into
    DIM dimensions, plus small noise (low intrinsic dimension, like embeddings).
    Text: 6 to 16 words from WORDS, Zipf-like. category: int32 in
    [0, CATEGORIES), Zipf-like too; price: float64 log-normal; day: date32 in
    2020-2024. Not thread-safe.
    """

    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)
        sub = 16
        self.centers = self.rng.standard_normal((CLUSTERS, sub)).astype(np.float32)
        self.spread = self.rng.uniform(0.4, 0.8, CLUSTERS).astype(np.float32)
        self.basis = np.linalg.qr(self.rng.standard_normal((DIM, sub)))[0].T.astype(np.float32)
        rank = np.arange(1, len(WORDS) + 1, dtype=np.float64)
        self.word_p = (1.0 / rank) / (1.0 / rank).sum()
        self.words = pa.array([" " + w for w in WORDS])
        crank = np.arange(1, CATEGORIES + 1, dtype=np.float64) ** 0.7
        self.category_p = (1.0 / crank) / (1.0 / crank).sum()

    def vectors(self, n: int) -> np.ndarray:
        labels = self.rng.integers(0, CLUSTERS, n)
        low = self.centers[labels] + self.rng.standard_normal(
            (n, self.centers.shape[1]), dtype=np.float32) * self.spread[labels, None]
        out = low @ self.basis
        out += self.rng.standard_normal((n, DIM), dtype=np.float32) * 0.02
        return out

    def sentences(self, n: int) -> pa.Array:
        lengths = self.rng.integers(6, 17, n)
        flat = self.rng.choice(len(WORDS), int(lengths.sum()), p=self.word_p)
        words = self.words.take(pa.array(flat))  # " w1", " w2", ... back to back
        word_offsets = np.frombuffer(words.buffers()[1], np.int32)[: len(flat) + 1]
        bounds = np.concatenate([[0], np.cumsum(lengths)])
        offsets = pa.py_buffer(np.ascontiguousarray(word_offsets[bounds], np.int32))
        joined = pa.StringArray.from_buffers(n, offsets, words.buffers()[2])
        text = pc.utf8_capitalize(pc.utf8_ltrim_whitespace(joined))
        return pc.binary_join_element_wise(text, pa.scalar("."), "")

    def batch(self, first_id: int, n: int) -> tuple[pa.RecordBatch, np.ndarray]:
        """The rows [first_id, first_id + n), and their vectors as numpy."""
        v = self.vectors(n)
        days = self.rng.integers(0, DAYS, n).astype(np.int32)
        batch = pa.record_batch({
            "id": pa.array(np.arange(first_id, first_id + n, dtype=np.int64)),
            "vector": pa.FixedSizeListArray.from_arrays(pa.array(v.reshape(-1)), DIM),
            "text": self.sentences(n),
            "category": pa.array(self.rng.choice(CATEGORIES, n, p=self.category_p)
                                 .astype(np.int32)),
            "price": pa.array(np.round(np.exp(self.rng.normal(3.0, 1.0, n)), 2)),
            "day": pa.array(days + np.int32((FIRST_DAY - np.datetime64("1970-01-01"))
                                            .astype(np.int32)), pa.int32()).cast(pa.date32()),
        })
        return batch, v


class TopK:
    """Exact top-k (squared L2) of `queries` over the vectors fed to it, with
    an optional row mask per batch (for filtered ground truth)."""

    def __init__(self, queries: np.ndarray, k: int):
        self.q = np.asarray(queries, np.float32)
        self.k = k
        self.ids = np.full((len(self.q), 0), -1, np.int64)
        self.dist = np.zeros((len(self.q), 0), np.float64)

    def add(self, vectors: np.ndarray, first_id: int, mask: Optional[np.ndarray] = None) -> None:
        ids = np.arange(first_id, first_id + len(vectors), dtype=np.int64)
        if mask is not None:
            vectors, ids = vectors[mask], ids[mask]
        if len(ids) == 0:
            return
        # float32 products to find candidates, float64 to rank them.
        d32 = ((self.q ** 2).sum(1)[:, None] - 2 * self.q @ vectors.T
               + (vectors ** 2).sum(1)[None, :])
        m = min(self.k * 4, len(ids))
        cand = np.argpartition(d32, m - 1, axis=1)[:, :m]
        diff = vectors[cand].astype(np.float64) - self.q[:, None, :].astype(np.float64)
        d64 = (diff ** 2).sum(-1)
        all_ids = np.concatenate([self.ids, ids[cand]], 1)
        all_d = np.concatenate([self.dist, d64], 1)
        order = np.argsort(all_d, axis=1, kind="stable")[:, : self.k]
        self.ids = np.take_along_axis(all_ids, order, 1)
        self.dist = np.take_along_axis(all_d, order, 1)


def recall(found: list[list[int]], truth: np.ndarray) -> float:
    """Mean recall@k of `found` id lists against the rows of `truth`."""
    hits = sum(len(set(f) & set(t[t >= 0].tolist())) for f, t in zip(found, truth))
    total = sum(int((t >= 0).sum()) for t in truth)
    return hits / max(1, total)


def write(uri: str, rows: int, *, queries: int, k: int, filters: dict[str, Callable],
          rows_per_file: int, seed: int = 0, batch_rows: int = 50_000,
          progress: bool = True):
    """Writes the demo dataset to `uri`; returns (dataset, query vectors,
    {name: TopK}) with the exact top k for each filter in `filters`
    (name -> function(batch) -> boolean mask, or None for no filter)."""
    import ixray

    gen = Generator(seed)
    qs = Generator(seed + 1)
    qs.centers, qs.spread, qs.basis = gen.centers, gen.spread, gen.basis
    query_vectors = qs.vectors(queries)
    truths = {name: TopK(query_vectors, k) for name in filters}
    schema = gen.batch(0, 1)[0].schema

    with Progress("generate + write", rows, " rows", enabled=progress) as bar:
        def batches() -> Iterator[pa.RecordBatch]:
            for first in range(0, rows, batch_rows):
                batch, v = gen.batch(first, min(batch_rows, rows - first))
                for name, f in filters.items():
                    mask = None if f is None else np.asarray(f(batch), bool)
                    truths[name].add(v, first, mask)
                bar.update(batch.num_rows)
                yield batch

        reader = pa.RecordBatchReader.from_batches(schema, batches())
        ds = ixray.write_dataset(reader, uri, max_rows_per_file=rows_per_file)
    return ds, query_vectors, truths, bar.elapsed
