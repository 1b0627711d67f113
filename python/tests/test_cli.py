"""python -m ixray: Parquet/Arrow import, and hand-off to the native CLI."""

import json
import subprocess
import sys

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq

import ixray


def run(*args):
    return subprocess.run([sys.executable, "-m", "ixray", *args], capture_output=True, text=True)


def sample():
    return pa.table({"id": pa.array(range(1000), pa.int64()),
                     "v": pa.FixedSizeListArray.from_arrays(pa.array([0.5] * 4000, pa.float32()), 4),
                     "s": [f"r{i}" for i in range(1000)]})


def test_import_parquet_and_arrow(tmp_path):
    table = sample()
    pq.write_table(table, tmp_path / "t.parquet", row_group_size=300)
    feather.write_feather(table, tmp_path / "t.arrow")
    out = run("import", str(tmp_path / "t.parquet"), str(tmp_path / "a"))
    assert out.returncode == 0, out.stderr
    assert "1000 rows" in out.stdout
    assert ixray.dataset(tmp_path / "a").to_table().equals(table)
    out = run("import", str(tmp_path / "t.arrow"), str(tmp_path / "a"), "--mode", "append")
    assert out.returncode == 0, out.stderr
    assert ixray.dataset(tmp_path / "a").count_rows() == 2000


def test_native_commands_are_handed_over(tmp_path):
    ixray.write_dataset(sample(), tmp_path / "d")
    out = run("count", str(tmp_path / "d"), "--filter", "id < 10")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("10")
    out = run("versions", str(tmp_path / "d"), "--json")
    assert json.loads(out.stdout)[0]["version"] == 1


def test_import_errors_are_reported(tmp_path):
    out = run("import", str(tmp_path / "missing.parquet"), str(tmp_path / "x"))
    assert out.returncode == 1
    assert out.stderr.startswith("ixray:")
