"""Filters on datasets, checked against a reference evaluated in Python with
SQL three-valued logic on the same rows."""

import datetime
import operator
import re

import numpy as np
import pyarrow as pa
import pytest

import ixray

N = 240


def make_table():
    rng = np.random.default_rng(7)

    def maybe(values, every):
        return [None if i % every == 0 else v for i, v in enumerate(values)]

    words = ["apple", "banana", "cherry", "date", "fig", "grape", "a_b", "100%"]
    base = datetime.datetime(2024, 1, 1)
    return pa.table(
        {
            "i8": pa.array(maybe(rng.integers(-128, 128, N).tolist(), 7), pa.int8()),
            "i32": pa.array(maybe(rng.integers(-1000, 1000, N).tolist(), 5), pa.int32()),
            "i64": pa.array(maybe(rng.integers(-10**12, 10**12, N).tolist(), 6), pa.int64()),
            "u8": pa.array(maybe(rng.integers(0, 256, N).tolist(), 9), pa.uint8()),
            "u64": pa.array(maybe([int(x) for x in rng.integers(0, 2**63, N, dtype=np.uint64) * 2], 8),
                            pa.uint64()),
            "f32": pa.array(maybe(rng.standard_normal(N).astype(np.float32).tolist(), 4), pa.float32()),
            "f64": pa.array(maybe((rng.standard_normal(N) * 100).tolist(), 11), pa.float64()),
            "f16": pa.array(maybe(rng.standard_normal(N).astype(np.float16).tolist(), 10), pa.float16()),
            "b": pa.array(maybe((rng.random(N) < 0.5).tolist(), 3), pa.bool_()),
            "s": pa.array(maybe([words[k] for k in rng.integers(0, len(words), N)], 6), pa.string()),
            "ls": pa.array(maybe([words[k] * 2 for k in rng.integers(0, len(words), N)], 13),
                           pa.large_string()),
            "d": pa.array(maybe([datetime.date(2024, 1, 1) + datetime.timedelta(days=int(k))
                                 for k in rng.integers(0, 400, N)], 8), pa.date32()),
            "ts": pa.array(maybe([base + datetime.timedelta(seconds=int(k))
                                  for k in rng.integers(0, 10**7, N)], 9), pa.timestamp("us")),
            "tags": pa.array(maybe([[words[k] for k in rng.integers(0, len(words), int(m))]
                                    for m in rng.integers(0, 4, N)], 12), pa.list_(pa.string())),
        }
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    table = make_table()
    ds = ixray.write_dataset(table, tmp_path_factory.mktemp("f") / "ds", max_rows_per_file=70)
    return ds, table.to_pylist()


# ---- SQL three-valued logic in Python -------------------------------------------------

def cmp(op):
    def f(a, b):
        if a is None or b is None:
            return None
        return op(a, b)
    return f


EQ, NE, LT, LE, GT, GE = (cmp(o) for o in (operator.eq, operator.ne, operator.lt, operator.le,
                                            operator.gt, operator.ge))


def AND(*xs):
    if any(x is False for x in xs):
        return False
    return None if any(x is None for x in xs) else True


def OR(*xs):
    if any(x is True for x in xs):
        return True
    return None if any(x is None for x in xs) else False


def NOT(x):
    return None if x is None else not x


def IN(a, values):
    if a is None:
        return None
    if a in [v for v in values if v is not None]:
        return True
    return None if None in values else False


def LIKE(a, pattern):
    if a is None:
        return None
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, a, re.S) is not None


def HAS_ANY(a, values):
    return None if a is None else any(v in a for v in values)


def HAS_ALL(a, values):
    return None if a is None else all(v in a for v in values)


D = datetime.date
T = datetime.datetime

CASES = [
    ("i32 = 5", lambda r: EQ(r["i32"], 5)),
    ("i32 != 5", lambda r: NE(r["i32"], 5)),
    ("i32 <> 5", lambda r: NE(r["i32"], 5)),
    ("i32 < -100", lambda r: LT(r["i32"], -100)),
    ("i32 <= 0", lambda r: LE(r["i32"], 0)),
    ("i32 > 2.5", lambda r: GT(r["i32"], 2.5)),
    ("i32 >= 999", lambda r: GE(r["i32"], 999)),
    ("-100 < i32", lambda r: LT(-100, r["i32"])),
    ("i8 < 1000", lambda r: LT(r["i8"], 1000)),
    ("i8 > -129", lambda r: GT(r["i8"], -129)),
    ("i64 > 0 AND i64 < 500000000000", lambda r: AND(GT(r["i64"], 0), LT(r["i64"], 5 * 10**11))),
    ("u8 BETWEEN 10 AND 100", lambda r: AND(GE(r["u8"], 10), LE(r["u8"], 100))),
    ("u8 NOT BETWEEN 10 AND 100", lambda r: NOT(AND(GE(r["u8"], 10), LE(r["u8"], 100)))),
    ("u64 > 9223372036854775807", lambda r: GT(r["u64"], 2**63 - 1)),
    ("u64 < 0", lambda r: LT(r["u64"], 0)),
    ("f32 > 0.5", lambda r: GT(r["f32"], 0.5)),
    ("f64 <= -50.25", lambda r: LE(r["f64"], -50.25)),
    ("f16 > 0.5", lambda r: GT(r["f16"], 0.5)),
    ("f16 < -1", lambda r: LT(r["f16"], -1)),
    ("b", lambda r: r["b"]),
    ("b = true", lambda r: EQ(r["b"], True)),
    ("NOT b", lambda r: NOT(r["b"])),
    ("b IS NULL", lambda r: r["b"] is None),
    ("b IS NOT NULL", lambda r: r["b"] is not None),
    ("s = 'apple'", lambda r: EQ(r["s"], "apple")),
    ("s > 'cherry'", lambda r: GT(r["s"], "cherry")),
    ("s IN ('fig', 'date', NULL)", lambda r: IN(r["s"], ["fig", "date", None])),
    ("s IN ('fig', 'date')", lambda r: IN(r["s"], ["fig", "date"])),
    ("s NOT IN ('fig', 'date')", lambda r: NOT(IN(r["s"], ["fig", "date"]))),
    ("s LIKE 'a%'", lambda r: LIKE(r["s"], "a%")),
    ("s LIKE '%an%'", lambda r: LIKE(r["s"], "%an%")),
    ("s LIKE '_ig'", lambda r: LIKE(r["s"], "_ig")),
    ("s NOT LIKE '%e'", lambda r: NOT(LIKE(r["s"], "%e"))),
    ("ls LIKE 'datedate'", lambda r: LIKE(r["ls"], "datedate")),
    ("ls IS NULL OR ls < 'c'", lambda r: OR(r["ls"] is None, LT(r["ls"], "c"))),
    ("d = date '2024-02-29'", lambda r: EQ(r["d"], D(2024, 2, 29))),
    ("d >= date '2024-06-01'", lambda r: GE(r["d"], D(2024, 6, 1))),
    ("ts < timestamp '2024-02-01 00:00:00'", lambda r: LT(r["ts"], T(2024, 2, 1))),
    ("ts BETWEEN timestamp '2024-01-10T00:00:00' AND timestamp '2024-03-01 12:30:00'",
     lambda r: AND(GE(r["ts"], T(2024, 1, 10)), LE(r["ts"], T(2024, 3, 1, 12, 30)))),
    ("array_has_any(tags, ['fig', 'apple'])", lambda r: HAS_ANY(r["tags"], ["fig", "apple"])),
    ("array_has_all(tags, ['fig', 'apple'])", lambda r: HAS_ALL(r["tags"], ["fig", "apple"])),
    ("tags IS NULL", lambda r: r["tags"] is None),
    ("i32 > 0 OR s = 'fig'", lambda r: OR(GT(r["i32"], 0), EQ(r["s"], "fig"))),
    ("NOT (i32 > 0 OR s = 'fig')", lambda r: NOT(OR(GT(r["i32"], 0), EQ(r["s"], "fig")))),
    ("i32 > 0 AND (b OR f32 < 0)", lambda r: AND(GT(r["i32"], 0), OR(r["b"], LT(r["f32"], 0)))),
    ("NOT i32 > 0 AND NOT b", lambda r: AND(NOT(GT(r["i32"], 0)), NOT(r["b"]))),
    ("i32 = i64", lambda r: EQ(r["i32"], r["i64"])),
    ("i32 < f64", lambda r: LT(r["i32"], r["f64"])),
    ("`s` = 'date' AND \"i8\" > 0", lambda r: AND(EQ(r["s"], "date"), GT(r["i8"], 0))),
]


@pytest.mark.parametrize("text,reference", CASES, ids=[c[0] for c in CASES])
def test_filter_matches_python_reference(data, text, reference):
    ds, rows = data
    expected = [i for i, r in enumerate(rows) if reference(r) is True]
    got = ds.to_table(filter=text, with_row_id=True)
    positions = [(rid >> 32) * 70 + (rid & 0xFFFFFFFF) for rid in got.column("_rowid").to_pylist()]
    assert positions == expected
    assert ds.count_rows(text) == len(expected)


@pytest.mark.parametrize("text", ["i32 >", "i32 = = 1", "(i32 > 1", "s LIKE", "unknown_col = 1",
                                  "array_has_any(s, ['a'])", "i32 IN ()", "d = date 'notadate'"])
def test_bad_filters_raise_value_or_type_error(data, text):
    ds, _ = data
    with pytest.raises((ValueError, TypeError)):
        ds.to_table(filter=text)
