"""Full-text search: BM25 ranking, forms of full_text_query, filters, indexed vs unindexed."""

import numpy as np
import pyarrow as pa
import pytest

import ixray

WORDS = ["river", "stone", "running", "runs", "green", "hills", "music", "Café", "the",
         "quick", "brown", "fox", "lazy", "dog"]


def docs(start, n, seed):
    rng = np.random.default_rng(seed)
    text = [None if rng.random() < 0.03 else " ".join(rng.choice(WORDS, rng.integers(0, 9)))
            for _ in range(n)]
    return pa.table({"id": pa.array(np.arange(start, start + n)), "text": pa.array(text),
                     "title": pa.array([f"doc {i} fox" if i % 7 == 0 else f"doc {i}"
                                        for i in range(start, start + n)]),
                     "group": pa.array(np.arange(start, start + n) % 4)})


@pytest.fixture()
def ds(tmp_path):
    return ixray.write_dataset(docs(0, 1200, 1), tmp_path / "docs", max_rows_per_file=300)


def hits(ds, query, **kwargs):
    t = ds.to_table(full_text_query=query, columns=["id"], **kwargs)
    return list(zip(t.column("id").to_pylist(), t.column("_score").to_pylist()))


def test_ranking_and_forms(ds):
    ds.create_scalar_index("text", "INVERTED")
    got = ds.to_table(full_text_query="running fox", limit=10)
    assert got.num_rows == 10
    assert got.schema.field("_score").type == pa.float32()
    scores = got.column("_score").to_pylist()
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    for text in got.column("text").to_pylist():
        assert "fox" in text or "run" in text   # stemming: running/runs -> run
    assert hits(ds, "running fox", limit=10) == hits(ds, {"match": "running fox",
                                                          "column": "text"}, limit=10)
    # ascii folding and lower case: "cafe" finds "Café"
    assert hits(ds, "cafe", limit=5)
    assert hits(ds, "the", limit=5) == []   # a stop word
    assert len(hits(ds, "fox")) == sum(1 for t in docs(0, 1200, 1).column("text").to_pylist()
                                       if t and "fox" in t.split())


def test_same_scores_indexed_split_or_not(tmp_path):
    one = ixray.write_dataset(docs(0, 1200, 1), tmp_path / "a", max_rows_per_file=300)
    one.create_scalar_index("text", "FTS")
    part = ixray.write_dataset(docs(0, 1200, 1), tmp_path / "b", max_rows_per_file=300)
    frags = [f.fragment_id for f in part.get_fragments()]
    part.create_scalar_index("text", "INVERTED", fragment_ids=frags[:2])
    flat = ixray.write_dataset(docs(0, 1200, 1), tmp_path / "c", max_rows_per_file=300)
    flat.create_scalar_index("text", "INVERTED", train=False)
    for q in ["quick brown dog", "music", "hills river stone"]:
        expected = hits(one, q, limit=20)
        assert hits(part, q, limit=20) == expected
        assert hits(flat, q, limit=20) == expected
    # fast_search leaves the unindexed fragments out
    fast = [i for i, _ in hits(part, "music", fast_search=True)]
    assert fast and max(fast) < 600


def test_filter_limit_delete_and_phrase(ds):
    ds.create_scalar_index("text", "INVERTED", with_position=True, remove_stop_words=False)
    ds.create_scalar_index("group", "BTREE")
    all_hits = hits(ds, "quick fox")
    filtered = hits(ds, "quick fox", filter="group = 1")
    assert filtered == [(i, s) for i, s in all_hits if i % 4 == 1]
    assert hits(ds, "quick fox", limit=3, offset=2) == all_hits[2:5]
    ds.delete("id < 600")
    assert all(i >= 600 for i, _ in hits(ds, "quick fox"))
    table = ds.to_table(full_text_query={"phrase": "quick brown", "column": "text"},
                        columns=["text"])
    assert table.num_rows > 0
    assert all("quick brown" in t for t in table.column("text").to_pylist())
    assert "FullTextSearch" in ds.scanner(full_text_query="fox").explain_plan()


def test_several_columns_and_errors(ds):
    with pytest.raises(ValueError, match="INVERTED"):
        ds.to_table(full_text_query="fox")
    ds.create_scalar_index("text", "INVERTED")
    ds.create_scalar_index("title", "INVERTED")
    ids = {i for i, _ in hits(ds, "fox")}
    text_ids = {i for i, _ in hits(ds, {"match": "fox", "column": "text"})}
    title_ids = {i for i, _ in hits(ds, {"match": "fox", "column": "title"})}
    assert ids == text_ids | title_ids and title_ids
    with pytest.raises(ValueError, match="phrase"):
        ds.to_table(full_text_query={"phrase": "quick brown", "column": "text"})
    with pytest.raises(TypeError):
        ds.create_scalar_index("id", "INVERTED")
    with pytest.raises(ValueError):
        ds.create_scalar_index("text", "INVERTED", base_tokenizer="nope")
    with pytest.raises(ValueError):
        ds.to_table(full_text_query={"match": "x", "phrase": "y"})
    with pytest.raises(TypeError):
        ds.to_table(full_text_query=42)
    with pytest.raises(ValueError, match="id"):
        ds.to_table(full_text_query={"match": "fox", "column": "id"})
