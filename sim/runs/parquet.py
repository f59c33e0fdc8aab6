"""Parquet copies of a run's tables (summary, by_year, replicates), for analysts' tools: typed
columns, one file each, read in a fraction of the CSV's time; every table gets one column per
swept key (``swept.<key>``: the member's value; empty for scenarios that were not swept), so a
sweep is analysed by its keys, not by parsing scenario names.

Written from the CSV files just written (same numbers), atomically; skipped with a note when
pyarrow is not installed.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

TABLES = (("summary.csv", "summary.parquet"), ("by_year.csv", "by_year.parquet"),
          ("replicates.csv.gz", "replicates.parquet"))


def swept_columns(scenarios) -> dict[str, dict[str, object]]:
    """``swept.<key>`` -> scenario name -> value, for every key swept in any of ``scenarios``."""
    cols: dict[str, dict[str, object]] = {}
    for sc in scenarios:
        for key, value in sc.swept.items():
            cols.setdefault(f"swept.{key}", {})[sc.name] = value
    return cols


def write_parquet(out_dir: Path, scenarios) -> list[Path]:
    """The Parquet copies of the run's tables (with the swept columns); returns their paths."""
    if importlib.util.find_spec("pyarrow") is None:
        print("note: pyarrow is not installed: no Parquet copies of the tables (pip install pyarrow)", file=sys.stderr)
        return []
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    swept = swept_columns(scenarios)
    written = []
    for csv_name, pq_name in TABLES:
        src = out_dir / csv_name
        if not src.is_file():
            continue
        dest = out_dir / pq_name
        tmp = dest.with_name(f".{pq_name}.tmp-{os.getpid()}")
        try:
            _convert(src, tmp, swept, pa, pacsv, pq)
            os.replace(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
        written.append(dest)
    return written


def _convert(src: Path, dest: Path, swept: dict, pa, pacsv, pq) -> None:
    """``src`` CSV to Parquet ``dest`` in blocks of ~1 MB (memory stays flat for millions of
    census rows), with the swept columns added; text columns stay text, the rest float64
    (integers in the census are whole floats), so every block has the same schema."""
    with (open if src.suffix != ".gz" else __import__("gzip").open)(src, "rt", encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split(",")
    types = {c: (pa.string() if c in TEXT_COLUMNS or c.startswith("swept.") else pa.float64()) for c in header}
    reader = pacsv.open_csv(src, read_options=pacsv.ReadOptions(block_size=1 << 20),
                            convert_options=pacsv.ConvertOptions(column_types=types))
    writer = None
    try:
        for batch in reader:
            table = pa.Table.from_batches([batch])
            names = table.column("scenario").to_pylist()
            for col, values in swept.items():
                if col in table.column_names:           # summary.csv has them already: retype them
                    table = table.remove_column(table.column_names.index(col))
                vals = [values.get(n) for n in names]
                kinds = {type(v) for v in values.values()}
                arr = (pa.array([None if v is None else float(v) for v in vals], type=pa.float64())
                       if kinds <= {int, float} else pa.array([None if v is None else str(v) for v in vals],
                                                            type=pa.string()))
                table = table.append_column(col, arr)
            if writer is None:
                writer = pq.ParquetWriter(dest, table.schema, compression="zstd")
            writer.write_table(table)
        if writer is None:                              # a header only (every replicate failed)
            fields = [(c, t) for c, t in types.items() if c not in swept]
            fields += [(c, pa.float64() if {type(v) for v in vals.values()} <= {int, float} else pa.string())
                       for c, vals in swept.items()]
            writer = pq.ParquetWriter(dest, pa.schema(fields), compression="zstd")
    finally:
        if writer is not None:
            writer.close()


#: Columns kept as text in the Parquet files.
TEXT_COLUMNS = ("scenario", "family", "description", "baseline", "diff_method")


__all__ = ["write_parquet", "swept_columns"]
