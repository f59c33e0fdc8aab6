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
        # scenario names and free text stay text even when they look like numbers
        opts = pacsv.ConvertOptions(column_types={c: pa.string() for c in
                                                  ("scenario", "family", "description", "baseline", "diff_method")})
        table = pacsv.read_csv(src, convert_options=opts)
        names = table.column("scenario").to_pylist()
        for col, values in swept.items():
            if col in table.column_names:           # summary.csv has them already: retype them
                table = table.remove_column(table.column_names.index(col))
            vals = [values.get(n) for n in names]
            kinds = {type(v) for v in vals if v is not None}
            arr = pa.array([None if v is None else float(v) for v in vals], type=pa.float64()) \
                if kinds <= {int, float} else pa.array([None if v is None else str(v) for v in vals])
            table = table.append_column(col, arr)
        dest = out_dir / pq_name
        tmp = dest.with_name(f".{pq_name}.tmp-{os.getpid()}")
        try:
            pq.write_table(table, tmp, compression="zstd")
            os.replace(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
        written.append(dest)
    return written


__all__ = ["write_parquet", "swept_columns"]
