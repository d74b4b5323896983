"""The DuckDB engine's whole-file tests, each a scan of the mapped file (2026-12-04: they
took 0.7 s of a 1,000,000-unit run read in blocks): ``plain_csv`` — a CSV the engine reads
line by line has no quote, no \\x01 and no carriage return but before a line feed — and
``engine_files._marked`` — DuckDB's output holds a line marked for the Python path."""
from __future__ import annotations

import pytest

from jixiao.compiler.data.engine_duckdb import plain_csv
from jixiao.compiler.data.engine_files import _marked

CASES = [
    (b"a,b\n1,2\n", None),
    (b"a,b\r\n1,2\r\n", None),                    # Excel's CRLF
    (b"a,b\r\n1,2", None),                        # no final line end
    (b"a,b\r\n1,2\r\n\r\n", None),                # a blank CRLF line
    (b"a,b\n1,\"2\"\n", "quotes"),
    (b"a,b\n\"", "quotes"),
    (b"a,b\n1,\x012\n", "control characters"),
    (b"a,b\r1,2\r\n", "bare carriage returns"),   # a CR alone among CRLFs
    (b"a,b\n1,2\r", "bare carriage returns"),     # a CR last in the file
    (b"a,b\r\r\n", "bare carriage returns"),
    (b"\r", "bare carriage returns"),
    (b"", "empty"),
    (b"a,b\n1,2\r\n", "mixed line endings"),     # DuckDB would read each CRLF as two lines
    (b"\n1,2\r\n", "mixed line endings"),
    (b"a,b\r\n1,2\n3,4\r\n", None),             # a CRLF header: LF and CRLF lines read alike
    (b"a,b\n1,2\n", None),
]


@pytest.mark.parametrize("data,why", CASES)
def test_plain_csv(tmp_path, data, why):
    p = tmp_path / "units.csv"
    p.write_bytes(data)
    assert plain_csv(p) == why


def test_plain_csv_large_file_with_a_late_bare_cr(tmp_path):
    # far past any block size the scan might use: the CR found wherever it is
    p = tmp_path / "units.csv"
    line = "U1," + ",".join(["是"] * 40) + "\r\n"
    body = line * 200_000
    p.write_bytes(("a,b\r\n" + body).encode("utf-8") + b"1,2\r3\r\n")
    assert plain_csv(p) == "bare carriage returns"
    p.write_bytes(("a,b\r\n" + body).encode("utf-8"))
    assert plain_csv(p) is None


def test_plain_csv_of_a_missing_file_says_why(tmp_path):
    assert "No such file" in plain_csv(tmp_path / "none.csv")


@pytest.mark.parametrize("data,marked", [
    (b"", False),
    (b"head\r\n", False),
    (b"head\r\n1,2\r\n", False),
    (b"head\r\n\x01U1,x\n", True),
    (b"head\r\n1,2\r\n" * 1000 + b"\x01U9,x\n", True),
    (b"head\r\n1,\x012\r\n", False),               # a \x01 not first in its line is no mark
    (b"head\r\n1,\x012\r\n\x01U1\n", True),
])
def test_marked(tmp_path, data, marked):
    p = tmp_path / "out.csv"
    p.write_bytes(data)
    assert _marked(str(p)) is marked
