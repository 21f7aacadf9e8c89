"""Exports of the published ``articles`` view as JSON lines, CSV or Parquet, streamed in constant memory.

Rows come through a server-side cursor in batches and go out batch by batch (a Parquet row group per batch), so
memory depends on the batch size, never on the number of rows. Values are written the same way in every format:
timestamps in ISO 8601 with their UTC offset (Parquet: UTC timestamps), days as YYYY-MM-DD, arrays as lists
(CSV: a JSON array in the cell), NULL as null (CSV: an empty cell).

CSV is opened by spreadsheets, which run a cell starting with ``=``, ``+``, ``-``, ``@``, TAB or CR as a formula
(OWASP, "CSV Injection"): a scraped title such as ``=HYPERLINK(...)`` would become a live link or worse. Such a
text cell is written with a leading ``'``, which spreadsheets show as text; the other formats keep the value.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from typing import BinaryIO

from psycopg import sql

from ingot.database import connect

FORMATS = ("jsonl", "csv", "parquet")
BATCH_ROWS = 2000
JSON_OPTIONS = {"ensure_ascii": False, "default": str}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_PREFIXES_TEXT = "=, +, -, @, TAB or CR"


def export_query(*, since: datetime.date | None, site: str | None, lang: str | None) -> tuple[sql.Composed, dict]:
    conditions = [sql.SQL("true")]
    if since is not None:
        conditions.append(sql.SQL("news_day >= %(since)s"))
    if site is not None:
        conditions.append(sql.SQL("site = %(site)s"))
    if lang is not None:
        conditions.append(
            sql.SQL("(lower(language) = lower(%(lang)s) OR lower(language) LIKE lower(%(lang)s) || '-%%')")
        )
    query = sql.SQL("SELECT * FROM {} WHERE {} ORDER BY id").format(
        sql.Identifier("news", "articles"), sql.SQL(" AND ").join(conditions)
    )
    return query, {"since": since, "site": site, "lang": lang}


def export_articles(
    db_url: str,
    out: BinaryIO,
    *,
    fmt: str,
    since: datetime.date | None = None,
    site: str | None = None,
    lang: str | None = None,
    batch_rows: int = BATCH_ROWS,
) -> int:
    """Write the matching rows of ``articles`` to the binary stream ``out``; returns the number of rows."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    query, params = export_query(since=since, site=site, lang=lang)
    count = 0
    with connect(db_url) as conn, conn.transaction(), conn.cursor(name="ingot_export") as cur:
        cur.itersize = batch_rows
        cur.execute(query, params)
        columns = [(d.name, d.type_code) for d in cur.description]
        writer = WRITERS[fmt](out, columns)
        while rows := cur.fetchmany(batch_rows):
            writer.write(rows)
            count += len(rows)
        writer.close()
    return count


def plain_value(value):
    """A JSON-ready form of one database value."""
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, list):
        return [plain_value(v) for v in value]
    return value


class JsonLinesWriter:
    def __init__(self, out: BinaryIO, columns):
        self.out, self.names = out, [name for name, _ in columns]

    def write(self, rows) -> None:
        lines = (json.dumps(dict(zip(self.names, map(plain_value, row))), **JSON_OPTIONS) + "\n" for row in rows)
        self.out.write("".join(lines).encode("utf-8"))

    def close(self) -> None:
        self.out.flush()


class CsvWriter:
    def __init__(self, out: BinaryIO, columns):
        self.text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        self.csv = csv.writer(self.text)
        self.csv.writerow([name for name, _ in columns])

    @staticmethod
    def cell(value):
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list):
            return json.dumps(plain_value(value), **JSON_OPTIONS)
        value = plain_value(value)
        return inert_cell(value) if isinstance(value, str) else value

    def write(self, rows) -> None:
        self.csv.writerows([self.cell(v) for v in row] for row in rows)

    def close(self) -> None:
        self.text.flush()
        self.text.detach()  # leave the caller's stream open


def inert_cell(text: str) -> str:
    """``text`` as a spreadsheet shows it rather than runs it: a leading ``'`` when it would start a formula."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class ParquetWriter:
    def __init__(self, out: BinaryIO, columns):
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.pa = pa
        types = {20: pa.int64(), 23: pa.int32(), 21: pa.int16(), 16: pa.bool_(), 25: pa.string(), 1043: pa.string(),
                 1184: pa.timestamp("us", tz="UTC"), 1082: pa.date32(), 1009: pa.list_(pa.string()),
                 1016: pa.list_(pa.int64()), 701: pa.float64(), 700: pa.float32()}
        self.schema = pa.schema([(name, types.get(oid, pa.string())) for name, oid in columns])
        self.stringify = [oid not in types for _, oid in columns]
        self.writer = pq.ParquetWriter(out, self.schema, compression="zstd")

    def write(self, rows) -> None:
        arrays = []
        for i, field in enumerate(self.schema):
            values = [row[i] for row in rows]
            if self.stringify[i]:
                values = [None if v is None else json.dumps(plain_value(v), **JSON_OPTIONS) for v in values]
            arrays.append(self.pa.array(values, type=field.type))
        self.writer.write_table(self.pa.Table.from_arrays(arrays, schema=self.schema))

    def close(self) -> None:
        self.writer.close()


WRITERS = {"jsonl": JsonLinesWriter, "csv": CsvWriter, "parquet": ParquetWriter}
