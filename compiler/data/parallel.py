"""CSV to CSV with worker processes: the fast path of `jixiao score RULEBOOK units.csv -j N`.

The main process cuts the file into blocks of whole records and writes back, in order,
the bytes the workers return; at most 2 × jobs blocks are in flight, so memory stays
flat. A block without quotes is UTF-8 bytes of whole lines, cut without decoding; from
the first quote on, the csv module reads the records in the main process and a block
is a list of records. Workers convert each row with a converter generated for the
column layout (compiler.data.columns.Columns.fast_converter), evaluate it with the
rulebook's generated fast path and format the scores; every other row takes the general
path (compiler.data.scoring.score_cells' validation), so both paths give the same output
and the same errors, byte for byte (tests/test_batch.py).
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any, Iterator, Optional

from ..backend import runtime
from ..api import CompiledRulebook, error_msg
from .columns import Columns
from .readers import not_utf8, not_utf8_row, read_rows, unclosed_quote
from .results import BadRows, DataError, RowError, indicator_headers
from .writers import _Formats
from ..files import atomic_write
from ..safe_text import csv_cell, csv_row

_W: dict = {}   # per worker process: the compiled rulebook, converter and writer setup



def fork_is_safe() -> bool:
    """May worker processes be forked? Only where fork exists and this process runs no
    thread Python did not start: a fork copies the locks other threads hold — DuckDB's
    worker threads (native, after an embedder or the DuckDB engine used it in this
    process) — and a child that needs one waits for ever. Threads Python started (a test
    runner's, a progress poller's) are counted by ``threading`` and do not count here.
    Elsewhere the workers are spawned."""
    import multiprocessing as mp
    import os
    import threading
    if "fork" not in mp.get_all_start_methods():
        return False
    try:
        return len(os.listdir("/proc/self/task")) <= threading.active_count()
    except OSError:
        return True

def _PLAIN(cell: str) -> bool:
    """Can the cell be written without CSV quoting?"""
    return not _NEEDS_QUOTES.search(cell)


_NEEDS_QUOTES = re.compile(r'[,"\r\n]|^\s|\s$')


def _worker_init(state):
    import signal
    for name in ("SIGTERM", "SIGHUP"):      # a worker is stopped by its pool, not by the command's handler
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    if "convert" not in state:             # spawned: the converter (a closure) is made here
        state = dict(state, convert=state["columns"].fast_converter(state["rb"]))
    _W.update(state)


def _score_chunk(job):
    """In a worker: (first row number, chunk) -> (UTF-8 bytes of the scored rows, row
    errors, how many scored). A chunk is the UTF-8 bytes of whole lines without quotes or
    bare CRs, or a list of records the main process read with the csv module."""
    first, data = job
    if isinstance(data, list):
        return _score_records(first, data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # the lines before the one that is not UTF-8 are scored, as one process scores them
        lines = data.decode("utf-8", "surrogateescape").replace("\r\n", "\n").split("\n")
        bad = next(k for k, line in enumerate(lines) if not_utf8((line,)))
        return _score_records(first, _then_fail([line.split(",") for line in lines[:bad]],
                                                not_utf8_row(_W["path"], first + bad)))
    # no quoting, LF or CRLF line ends: a record is a line and a cell is what lies between
    # commas, exactly as the csv module would read it, at half the cost (a line longer than
    # the csv module's field limit goes to it, to be refused the same way)
    lines = (text.replace("\r\n", "\n") if "\r" in text else text).split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if lines and max(map(len, lines)) > csv.field_size_limit():
        return _score_records(first, _csv_records(csv.reader(io.StringIO(text, newline="")), first))
    return _score_records(first, [line.split(",") for line in lines])


def _score_records(first: int, records) -> tuple:
    chunk = ((i, r) for i, r in enumerate(records, first)
             if (r and r[0].strip()) or any(x.strip() for x in r))
    rb = _W["rb"]
    convert, columns = _W["convert"], _W["columns"]
    run, fast, table = rb.evaluator.run, rb.evaluator.fast, rb.evaluator.inputs
    with runtime._localcontext(runtime.CONTEXT):    # one decimal context for the whole chunk
        out, errors, n, first_bad, fatal = _score_rows(chunk, convert, columns, run, fast, table, _W["id_cols"],
                                                       _W.setdefault("F", _Formats()))
    cut = None if first_bad is None else len(out[:first_bad].encode("utf-8"))
    return out.encode("utf-8"), errors, n, cut, fatal


def _then_fail(records, error: DataError):
    yield from records
    raise error


def _csv_records(reader, first: int):
    """The csv module's records, its errors (a field over the size limit) as DataError."""
    row = first
    try:
        for r in reader:
            yield r
            row += 1
    except csv.Error as e:
        raise DataError(f"{_W['path']} 第{row}行：{e} / row {row}: {e}") from None


def _score_rows(chunk, convert, columns, run, fast, table, id_cols, F):
    """(CSV text of the scored rows, row errors, how many scored, where in the text the
    first bad row came or None, the message of a DataError that ended the block early or
    None). The rows before a bad row or a refused record stand, as in one process."""
    buf = io.StringIO()
    w = csv.writer(buf)
    errors: list = []
    n = 0
    first_bad = fatal = None
    try:
        for rowno, cells in chunk:
            pos = buf.tell()
            n += _score_row(rowno, cells, buf.write, w, errors, convert, columns, run, fast, table, id_cols, F)
            if first_bad is None and errors:
                first_bad = pos
    except DataError as e:          # a record the csv module refused
        fatal = str(e)
    return buf.getvalue(), errors, n, first_bad, fatal


def _score_row(rowno, cells, write, w, errors, convert, columns, run, fast, table, id_cols, F) -> int:
    """Score one record into the block's text; 1 if it was scored, 0 if it went to ``errors``."""
    values = convert(cells)
    if values is None:
        extra = columns.extra_cells(rowno, cells)
        if extra:
            errors.extend(extra)
            return 0
        raw, _ids, where = columns.row_to_inputs(cells)
        try:
            values = runtime.validate(raw, table, _W["rb"].evaluator.optional)
        except runtime.InputErrors as e:
            errors.extend(RowError(rowno, where.get(x.field), x.field, error_msg(x)) for x in e.errors)
            return 0
    try:
        try:
            scores, total, grade, na = fast(values)     # inside the chunk's decimal context
        except ArithmeticError:
            scores, total, grade, na = run(values)      # says where, as EvaluationError
    except runtime.EvaluationError as e:
        errors.append(RowError(rowno, None, e.field, error_msg(e)))
        return 0
    k = len(cells)
    row = [csv_cell(cells[c]) if c < k else "" for c in id_cols]     # as in one process (safe_text)
    row.extend([F[str(x)] for x in scores])
    row.append(F[str(total)])
    row.append(csv_cell(grade))
    if all(_PLAIN(c) for c in row[:len(id_cols)]):
        write(",".join(row))          # scores and grade names never need quoting
        write("\r\n")
    else:
        w.writerow(row)
    return 1


def csv_chunks(path: Path, chunk_bytes: int = 1 << 19) -> Iterator[tuple[int, Any]]:
    """The records after the header, about ``chunk_bytes`` at a time, as (row number of
    the first, chunk). While the file has no quote and no bare carriage return, a record
    is a line: a chunk is the UTF-8 bytes of whole lines, cut at a block's last newline,
    its rows counted without decoding it. From the first block that has either (or from
    the start, if the header has), the csv module itself reads the records — the same
    reader, so the same records and row numbers, as the one-process path — and a chunk
    is a list of records."""
    with open(path, "rb") as f:
        head = f.readline()
        if head.startswith(b"\xef\xbb\xbf"):
            head = head[3:]
        if b'"' in head or b"\r" in head.rstrip(b"\r\n") or (head.endswith(b"\r") and not head.endswith(b"\r\n")):
            yield from _parsed_chunks(path, 0, 2, chunk_bytes)      # header and all: the csv module's
            return
        row, offset, rest = 2, f.tell(), b""
        while True:
            block = f.read(chunk_bytes)
            if not block:
                break
            block = rest + block
            cut = block.rfind(b"\n") + 1
            whole = block[:cut]
            if b'"' in whole or whole.count(b"\r") != whole.count(b"\r\n"):
                yield from _parsed_chunks(path, offset, row, chunk_bytes)
                return
            rest = block[cut:]
            if cut:
                yield row, whole
                row += whole.count(b"\n")
                offset += cut
        if rest:
            if b'"' in rest or b"\r" in rest:
                yield from _parsed_chunks(path, offset, row, chunk_bytes)
            else:
                yield row, rest


def _parsed_chunks(path, offset: int, row: int, chunk_bytes: int) -> Iterator[tuple[int, list]]:
    """Records read by the csv module from byte ``offset`` (a record boundary; 0 = the
    file's start, whose header record is skipped), numbered from ``row``."""
    with open(path, "rb") as raw:
        raw.seek(offset)
        text = io.TextIOWrapper(raw, encoding="utf-8-sig" if offset == 0 else "utf-8", newline="",
                                errors="surrogateescape")       # as readers.read_rows: the bad row is named
        reader = csv.reader(text)
        start, buf, size = row, [], 0
        try:
            if offset == 0:
                next(reader, None)
            line = last_line = reader.line_num     # lines read before the last record (readers.unclosed_quote)
            for rec in reader:
                if size >= chunk_bytes:            # a full block goes once the next record is read: the
                    yield start, buf               # last record is held back, to be checked
                    start, buf, size = row, [], 0
                if not_utf8(rec):
                    if buf:
                        yield start, buf
                    raise not_utf8_row(path, row)
                buf.append(rec)
                size += sum(map(len, rec)) + len(rec)
                row += 1
                last_line, line = line, reader.line_num
        except csv.Error as e:
            if buf:
                yield start, buf
            raise DataError(f"{path} 第{row}行：{e} / row {row}: {e}") from None
        if buf:
            try:
                unclosed_quote(path, last_line, row - 1, reader.line_num - last_line, offset)
            except DataError:
                if len(buf) > 1:           # the records before it, as one process scores them first
                    yield start, buf[:-1]
                raise
            yield start, buf


def score_csv_parallel(rb: CompiledRulebook, path: Path, out: Optional[Path], *, mapping=None,
                       on_error: str = "stop", jobs: int = 2, chunk_bytes: int = 1 << 19,
                       stdout=None, progress=None) -> tuple[int, list]:
    """CSV in, CSV out, rows scored by ``jobs`` worker processes in order. The main
    process only cuts the file into blocks of whole records and writes back the bytes
    the workers return; memory stays bounded: at most 2 × jobs blocks are in flight.
    Returns (units scored, row errors)."""
    import multiprocessing as mp
    from collections import deque
    headers, rows = read_rows(path)
    next(rows, None)   # only the header is needed (the workers parse the records); started, so
    rows.close()       # that closing it closes the file
    columns = Columns(rb, headers, mapping)
    if columns.missing():
        raise DataError("数据中缺少这些输入的列 / the data has no column for: " + "、".join(columns.missing())
                        + "（可用 --mapping 指定列名 / map other header names with --mapping）")
    if columns.rows_column is not None:
        raise DataError("带指标行的数据在一个进程中评分（-j 1） / data with 指标行 is scored in one process (-j 1)")
    state = {"rb": rb, "convert": columns.fast_converter(rb), "columns": columns, "on_error": on_error,
             "id_cols": list(columns.id_columns), "path": str(path)}
    head = [columns.headers[c] for c in columns.id_columns] + indicator_headers(rb) + ["总分", "等级"]
    ctx = mp.get_context("fork" if fork_is_safe() else "spawn")
    if ctx.get_start_method() != "fork":
        del state["convert"]
    errors: list = []
    total_n = 0

    def produce(write):
        nonlocal total_n
        h = io.StringIO()
        csv.writer(h).writerow(csv_row(head))
        write(h.getvalue().encode("utf-8"))
        with ctx.Pool(jobs, initializer=_worker_init, initargs=(state,)) as pool:
            pending: deque = deque()
            try:
                chunks = csv_chunks(path, chunk_bytes)
                while True:
                    try:
                        ch = next(chunks, None)
                    except DataError:
                        # a record the csv module refused while the main process read it:
                        # the blocks before it are written first, as one process would
                        while pending:
                            total_n += _drain(pending.popleft(), write, errors, on_error, progress)
                        raise
                    if ch is None:
                        break
                    pending.append(pool.apply_async(_score_chunk, (ch,)))
                    while len(pending) >= 2 * jobs:
                        total_n += _drain(pending.popleft(), write, errors, on_error, progress)
                while pending:
                    total_n += _drain(pending.popleft(), write, errors, on_error, progress)
            except BaseException as e:
                # let the blocks in flight finish before the pool is terminated: terminating
                # while its task thread is still feeding the workers can deadlock (it hung
                # about once in a few hundred stops on a bad row). Stopped by a signal
                # (SIGTERM, SIGHUP: SystemExit), for a second at most: sent to the whole
                # process group, it has killed the workers, whose blocks never come back
                import time
                deadline = time.monotonic() + 1 if isinstance(e, SystemExit) else None
                for res in pending:
                    res.wait(None if deadline is None else max(0.0, deadline - time.monotonic()))
                raise
    if out is None:      # through the text stream: its encoding (a terminal's code page) applies
        produce(lambda b: stdout.write(b.decode("utf-8")))
        return total_n, errors

    def write(tmp):
        with open(tmp, "wb") as f:
            f.write(b"\xef\xbb\xbf")      # utf-8-sig, as the other writers: Excel reads it as UTF-8
            produce(f.write)
    atomic_write(out, write)
    return total_n, errors


def _drain(res, write, errors, on_error, progress) -> int:
    """Write a block's scored rows; stop at its first bad row (the rows before it written,
    as one process would have) or at a record the csv module refused."""
    data, errs, n, cut, fatal = res.get()
    if errs and on_error == "stop":
        write(data[:cut])
        raise BadRows([e for e in errs if e.row == errs[0].row])     # every problem of the first bad row
    errors.extend(errs)
    write(data)
    if progress:
        progress(n)
    if fatal is not None:
        raise DataError(fatal)
    return n
