"""The demo (python -m ixray.demo --quick) runs end to end on Ray, and its
data helpers are right (exact top-k, generated text)."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest

from ixray._demo_data import WORDS, Generator, TopK, recall


def test_topk_matches_brute_force():
    gen = Generator(3)
    a, b = gen.vectors(700), gen.vectors(500)
    q = gen.vectors(6)
    top = TopK(q, 10)
    top.add(a, 0)
    top.add(b, 700, mask=np.arange(500) % 3 != 0)
    allv = np.concatenate([a, b]).astype(np.float64)
    keep = np.concatenate([np.ones(700, bool), np.arange(500) % 3 != 0])
    d = ((allv[None, :, :] - q[:, None, :].astype(np.float64)) ** 2).sum(-1)
    d[:, ~keep] = np.inf
    want = np.argsort(d, axis=1, kind="stable")[:, :10]
    assert (top.ids == want).all()
    assert recall(top.ids.tolist(), want) == 1.0
    assert recall([[-5] * 10] * 6, want) == 0.0


def test_generated_rows():
    batch, v = Generator(0).batch(100, 2000)
    assert batch.num_rows == 2000 and v.shape == (2000, 128)
    assert batch.column("id").to_pylist()[0] == 100
    vocabulary = set(WORDS)
    for text in batch.column("text").to_pylist()[:200]:
        assert text[0].isupper() and text.endswith(".") and "  " not in text
        words = text[:-1].lower().split(" ")
        assert 6 <= len(words) <= 16 and set(words) <= vocabulary
    assert np.allclose(np.stack(batch.column("vector").to_numpy(zero_copy_only=False)), v)


def test_demo_quick_runs_on_ray(tmp_path):
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
    uri = str(tmp_path / "demo")
    out = subprocess.run([sys.executable, "-m", "ixray.demo", "--quick", "--queries", "20",
                          "--uri", uri], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    text = out.stdout
    assert "all checks passed" in text
    recalls = [float(r) for r in re.findall(r"recall@10 ([0-9.]+)", text)]
    assert len(recalls) == 4 and min(recalls) >= 0.8, text  # 2 searches, then the summary
    for name in ("vector_idx  IVF_PQ", "text_idx    INVERTED", "price_idx   BTREE"):
        assert f"index {name}" in text and "2 segments" in text
    assert re.search(r"full-text search 'river morning' .* [1-9][0-9,]* hits", text)
    assert "explain_plan:" in text and "price_idx" in text
    assert os.path.isdir(uri)  # --uri keeps the dataset
    again = subprocess.run([sys.executable, "-m", "ixray.demo", "--quick", "--uri", uri],
                           env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode != 0 and "exists" in again.stderr
