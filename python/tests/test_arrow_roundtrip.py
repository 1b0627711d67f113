"""pyarrow -> ixray -> pyarrow round trips for every supported type."""

import datetime

import numpy as np
import pyarrow as pa
import pytest

import ixray

SUPPORTED = {
    "bool": (pa.bool_(), lambda i: i % 3 == 0),
    "int8": (pa.int8(), lambda i: (i * 7) % 256 - 128),
    "int16": (pa.int16(), lambda i: i * 31 - 5000),
    "int32": (pa.int32(), lambda i: i * 100_003 - 2**30),
    "int64": (pa.int64(), lambda i: i * 10**12 - 2**62),
    "uint8": (pa.uint8(), lambda i: i % 256),
    "uint16": (pa.uint16(), lambda i: (i * 977) % 65536),
    "uint32": (pa.uint32(), lambda i: (i * 2**27) % 2**32),
    "uint64": (pa.uint64(), lambda i: 2**64 - 1 - i),
    "float16": (pa.float16(), lambda i: np.float16(i / 8)),
    "float32": (pa.float32(), lambda i: i / 3),
    "float64": (pa.float64(), lambda i: -i / 7),
    "string": (pa.string(), lambda i: "é" * (i % 4) + str(i)),
    "large_string": (pa.large_string(), lambda i: "x" * (i % 5)),
    "binary": (pa.binary(), lambda i: bytes([i % 256]) * (i % 3)),
    "date32": (pa.date32(), lambda i: datetime.date(2024, 1, 1) + datetime.timedelta(days=i)),
    "timestamp_us": (pa.timestamp("us"), lambda i: datetime.datetime(2024, 1, 1, 0, 0, i % 60)),
    "timestamp_us_tz": (pa.timestamp("us", tz="UTC"), lambda i: i * 1_000_003),
    "list_string": (pa.list_(pa.string()), lambda i: [f"l{j}" for j in range(i % 4)]),
    "vector_f16": (pa.list_(pa.float16(), 4), lambda i: [np.float16(i + j) for j in range(4)]),
    "vector_f32": (pa.list_(pa.float32(), 8), lambda i: [float(i * j) for j in range(8)]),
    "vector_u8": (pa.list_(pa.uint8(), 16), lambda i: [(i + j) % 256 for j in range(16)]),
}


def make_column(name: str, n: int, null_every: int) -> pa.Array:
    typ, value = SUPPORTED[name]
    values = [None if null_every and i % null_every == 0 else value(i) for i in range(n)]
    return pa.array(values, type=typ)


def round_trip(data):
    return pa.table(ixray.table(data))


@pytest.mark.parametrize("name", sorted(SUPPORTED))
@pytest.mark.parametrize("null_every", [0, 1, 3])
def test_every_type_round_trips_with_nulls(name, null_every):
    source = pa.table({name: make_column(name, 50, null_every)})
    back = round_trip(source)
    assert back.schema == source.schema
    assert back.equals(source)
    assert back.column(0).null_count == source.column(0).null_count


@pytest.mark.parametrize("name", sorted(SUPPORTED))
def test_slices_and_empty_batches(name):
    column = make_column(name, 40, 4)
    source = pa.Table.from_batches(
        [
            pa.record_batch([column.slice(3, 17)], names=[name]),
            pa.record_batch([column.slice(0, 0)], names=[name]),
            pa.record_batch([column.slice(21)], names=[name]),
        ]
    )
    back = round_trip(source)
    assert back.equals(source)
    assert [b.num_rows for b in back.to_batches()] == [17, 0, 19]


def test_all_types_in_one_table_and_chunking_preserved():
    source = pa.table({name: make_column(name, 33, 5) for name in SUPPORTED})
    table = ixray.table(source)
    assert table.num_rows == 33
    assert table.column_names == list(SUPPORTED)
    assert pa.table(table).equals(source)
    assert table.equals(ixray.table(source))


def test_nullability_and_child_names_survive():
    schema = pa.schema(
        [
            pa.field("id", pa.int64(), nullable=False),
            pa.field("tags", pa.list_(pa.field("element", pa.string(), nullable=False))),
        ]
    )
    source = pa.table({"id": [1, 2], "tags": [["a"], []]}, schema=schema)
    back = round_trip(source)
    assert back.schema.field("id").nullable is False
    assert back.schema.field("tags").type.value_field.name == "element"
    assert back.schema.field("tags").type.value_field.nullable is False
    assert back.equals(source)


def test_empty_table():
    source = pa.table({"a": pa.array([], pa.int32()), "v": pa.array([], pa.list_(pa.float32(), 3))})
    back = round_trip(source)
    assert back.num_rows == 0
    assert back.schema == source.schema


def test_zero_copy_both_ways():
    vectors = np.arange(4000, dtype=np.float32).reshape(1000, 4)
    source = pa.table({"v": pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), 4)})
    back = round_trip(source)
    address = lambda t: t.column("v").chunk(0).values.buffers()[1].address  # noqa: E731
    assert address(back) == address(source)


def test_record_batch_capsules():
    batch = pa.record_batch({"a": [1, None, 3], "s": ["x", "y", None]})
    table = ixray.table(batch)
    [engine_batch] = table.to_batches()
    assert engine_batch.num_rows == 3
    assert pa.record_batch(engine_batch).equals(batch)
    assert pa.schema(engine_batch.schema) == batch.schema
    assert pa.schema(table.schema) == batch.schema
    assert pa.record_batch(engine_batch.slice(1, 2)).equals(batch.slice(1, 2))


def test_capsules_from_other_producers():
    # Any object speaking the PyCapsule protocol is accepted, not only pyarrow's classes.
    class Producer:
        def __init__(self, table):
            self.table = table

        def __arrow_c_stream__(self, requested_schema=None):
            return self.table.__arrow_c_stream__(requested_schema)

    source = pa.table({"x": [1.5, None]})
    assert round_trip(Producer(source)).equals(source)


def test_streaming_reader_is_consumed_lazily():
    schema = pa.schema([("i", pa.int64())])
    produced = []

    def batches():
        for k in range(5):
            produced.append(k)
            yield pa.record_batch([pa.array(range(k * 10, k * 10 + 10))], schema=schema)

    reader = pa.RecordBatchReader.from_batches(schema, batches())
    back = round_trip(reader)
    assert produced == [0, 1, 2, 3, 4]
    assert back.column("i").to_pylist() == list(range(50))
