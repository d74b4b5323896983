"""Scoring a pandas DataFrame (compiler.frames, the optional extra jixiao[pandas])."""
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.data import BadRows, DataError, indicator_headers
from jixiao.compiler.data.frames import score_frame
# the Chenxi cases and a case value as text, as the batch tests have them (their rulebook, the
# fixture rb: conftest.py)
from test_batch import CASES, cell as text


def typed(v):
    """A case value as a DataFrame built in Python would hold it."""
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def frame(rb, cell=typed, copies=1, index=None):
    records = []
    for k in range(copies):
        for name, path in CASES.items():
            inputs = rb.load_case(path).inputs
            records.append({"单位": f"{name}-{k}", **{i.name: cell(inputs[i.name]) for i in rb.program.inputs}})
    return pd.DataFrame(records, index=index)


def expected(rb):
    out = {}
    for name, path in CASES.items():
        r = rb.evaluate(rb.load_case(path).inputs)
        out[name] = r
    return out


@pytest.mark.parametrize("cell", [typed, text, lambda v: v], ids=["numbers", "text", "as-in-the-case"])
def test_a_frame_scores_like_the_case_files(rb, cell):
    """Numbers (ints, floats by their shortest repr), text as people write it, or the
    case's own Decimals and tuples: every indicator, the total and the grade are those of
    rb.evaluate on the case file; the index and the id column are kept."""
    df = frame(rb, cell, copies=2, index=["a", "b", "c", "d"])
    out = score_frame(rb, df)
    assert list(out.index) == ["a", "b", "c", "d"]
    assert list(out.columns) == ["单位"] + indicator_headers(rb) + ["总分", "等级"]
    assert list(out["单位"]) == list(df["单位"])
    want = expected(rb)
    leaves = {"/".join(x.path): x for x in want["report-figures"].indicators}
    for _, row in out.iterrows():
        r = want[row["单位"].rsplit("-", 1)[0]]
        assert isinstance(row["总分"], Decimal)
        assert (row["总分"], row["等级"]) == (r.total, r.grade)
        by_path = {"/".join(x.path): x.score for x in r.indicators}
        assert row["财政供养人员控制率"] == by_path["投入/预算配置/财政供养人员控制率"]
    assert {r: out.loc[r, "总分"] for r in ("b", "d")} == {"b": Decimal("85.5"), "d": Decimal("85.5")}
    assert len(leaves) > 30


def test_numpy_scalars_and_floats_are_taken_as_written(rb):
    """A float is its shortest repr (96.31 → Decimal('96.31'), never the binary value);
    numpy ints, floats and bools are plain values."""
    df = frame(rb)
    df2 = df.astype(object)       # object columns hold numpy scalars as they are
    for col in df2.columns:
        for i in range(len(df2)):
            v = df2.at[i, col]
            if isinstance(v, bool):
                df2.at[i, col] = np.bool_(v)
            elif isinstance(v, int):
                df2.at[i, col] = np.int64(v)
            elif isinstance(v, float):
                df2.at[i, col] = np.float64(v)
            elif isinstance(v, tuple):
                df2.at[i, col] = np.array(v)
    cells = next(df2.itertuples(index=False, name=None))
    assert {type(c).__module__ for c in cells} == {"builtins", "numpy"}
    assert any(isinstance(c, np.bool_) for c in cells) and any(isinstance(c, np.ndarray) for c in cells)
    a, b = score_frame(rb, df), score_frame(rb, df2)
    assert a.equals(b)
    # a value whose binary float is not the decimal written: 0.1 + 0.2 ≠ 0.3, but 0.3 is 0.3
    df3 = df.copy()
    df3["部门预算数"] = df3["预算完成数"] * 1.0
    out = score_frame(rb, df3)
    assert set(out["预算完成率"]) == {Decimal("3")}


def test_bad_rows_are_listed_by_position_and_column(rb):
    df = frame(rb, copies=3, index=list("uvwxyz"))
    df["在职人员数"] = df["在职人员数"].astype(object)
    df.loc["v", "在职人员数"] = "很多"
    df.loc["y", "编制数"] = np.nan                  # empty
    with pytest.raises(BadRows) as e:
        score_frame(rb, df)
    assert [(x.row, x.column) for x in e.value.errors] == [(1, "在职人员数")]
    errors = []
    out = score_frame(rb, df, on_error="skip", errors=errors)
    assert list(out.index) == ["u", "w", "x", "z"]
    assert [(x.row, x.column, x.field) for x in errors] == [(1, "在职人员数", "在职人员数"), (4, "编制数", "编制数")]
    assert "很多" in errors[0].text()


def test_missing_values_of_every_kind_are_empty_cells(rb):
    df = frame(rb).astype(object)
    df.loc[0, "职责符合三定方案"] = pd.NA
    df.loc[1, "编制数"] = None
    errors = []
    out = score_frame(rb, df, on_error="skip", errors=errors)
    assert len(out) == 0
    assert sorted((x.row, x.field) for x in errors) == [(0, "职责符合三定方案"), (1, "编制数")]


def test_columns_mapped_or_missing(rb):
    df = frame(rb).rename(columns={"在职人员数": "实有人数"})
    with pytest.raises(DataError, match="在职人员数"):
        score_frame(rb, df)
    out = score_frame(rb, df, mapping={"实有人数": "在职人员数"})
    assert list(out["总分"]) == [r.total for r in expected(rb).values()]
    with pytest.raises(DataError, match="重复"):
        score_frame(rb, pd.concat([frame(rb), frame(rb)[["单位"]]], axis=1))
    with pytest.raises(TypeError):
        score_frame(rb, frame(rb).to_dict("records"))
    with pytest.raises(ValueError):
        score_frame(rb, frame(rb), on_error="ignore")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["在职人员数", "编制数", "重点工作完成数", "实际完成项目数"]),
                          st.integers(min_value=0, max_value=40)), min_size=1, max_size=6),
       st.integers(min_value=1, max_value=3))
def test_each_row_scores_as_rb_evaluate(rb, changes, copies):
    """Whatever the counts, a frame row scores as rb.evaluate on the same inputs, or is
    refused with the same field."""
    df = frame(rb, copies=copies)
    for k, (col, v) in enumerate(changes):
        df.loc[k % len(df), col] = v
    errors = []
    out = score_frame(rb, df, on_error="skip", errors=errors)
    scored = set(out.index)
    bad = {e.row for e in errors}
    assert scored | bad == set(range(len(df))) and not scored & bad
    for i in range(len(df)):
        inputs = {c: (bool(v) if isinstance(v, np.bool_) else Decimal(int(v)) if isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) else
                      Decimal(repr(float(v))) if isinstance(v, (float, np.floating)) else v)
                  for c, v in df.iloc[i].items() if c != "单位"}
        try:
            r = rb.evaluate(inputs)
        except Exception:
            assert i in bad
            continue
        assert (out.loc[i, "总分"], out.loc[i, "等级"]) == (r.total, r.grade)


def test_the_runtime_takes_numpy_scalars_and_float_subclasses(rb):
    """rb.evaluate from Python: numpy's float64 (whose repr is "np.float64(96.31)"),
    int64 and bool, a float subclass, are their plain values; an array is refused with a
    diagnostic, not an exception from decimal."""
    from jixiao.compiler.backend.runtime import to_bool, to_decimal

    class Money(float):
        def __repr__(self):
            return f"Money({float(self)})"
    assert to_decimal(np.float64(96.31)) == Decimal("96.31")
    assert to_decimal(Money(0.1)) == Decimal("0.1")
    assert to_decimal(np.int64(7)) == Decimal(7)
    assert to_bool(np.bool_(True)) is True and to_bool(np.int64(0)) is False
    for bad in (np.array([1, 2]), np.float64("nan"), np.bool_(True)):
        with pytest.raises(ValueError):
            to_decimal(bad)
    inputs = rb.load_case(CASES["report-figures"]).inputs
    as_numpy = {k: (np.float64(float(v)) if isinstance(v, Decimal) else np.bool_(v) if isinstance(v, bool) else v)
                for k, v in inputs.items()}
    assert rb.evaluate(as_numpy).total == rb.evaluate(inputs).total == Decimal("85.5")
    bad = dict(inputs, 编制数=np.array([1, 2]))
    from jixiao.dsl.diagnostics import JixiaoError
    with pytest.raises(JixiaoError, match="编制数"):
        rb.evaluate(bad)


def test_float32_columns_are_read_by_their_own_shortest_text(rb):
    """float32(8.24) widened to a float is 8.239999771118164: budget 10.3, spent 8.24 is
    exactly 80% (1 point) only if the value is read as written."""
    df = frame(rb).iloc[:1].copy()
    df["部门预算数"], df["预算完成数"] = [10.3], [8.24]
    want = score_frame(rb, df)
    got = score_frame(rb, df.astype({"部门预算数": "float32", "预算完成数": "float32"}))
    assert want.loc[0, "预算完成率"] == got.loc[0, "预算完成率"] == Decimal(1)
    assert want.equals(got)
    df2 = df.astype({"部门预算数": "float32"})
    df2.loc[0, "部门预算数"] = np.float32("nan")
    errors = []
    assert len(score_frame(rb, df2, on_error="skip", errors=errors)) == 0
    assert [(e.field, "缺少" in e.text()) for e in errors] == [("部门预算数", True)]


def test_mapping_keys_are_compared_as_headers_are(rb):
    df = frame(rb).rename(columns={"编制数": "Staff quota", "在职人员数": "在职人员数 "})
    out = score_frame(rb, df, mapping={"Staff quota": "编制数", "ｘ": "在职人员数"})
    assert list(out["总分"]) == [r.total for r in expected(rb).values()]


def test_result_column_names_must_not_clash(rb):
    df = frame(rb).rename(columns={"单位": "总分"})
    with pytest.raises(DataError, match="总分"):
        score_frame(rb, df)


def test_a_rows_rulebook_from_a_frame_of_records():
    """The documented JSON Lines layout read by pandas (a 指标行 column of objects) scores
    as rb.evaluate(rows=…), and the result lists each unit's rows."""
    import json
    from test_batch_rows import RULEBOOK as ROWS_RULEBOOK, records
    rb2 = compile_rulebook(path=ROWS_RULEBOOK)
    recs = records(rb2)
    for df in (pd.DataFrame(recs), pd.read_json(__import__("io").StringIO(
            "\n".join(json.dumps(r, ensure_ascii=False) for r in recs)), lines=True, dtype=False)):
        out = score_frame(rb2, df)
        assert list(out["总分"]) == [Decimal(98), Decimal(97), Decimal(98)]
        rows = out.loc[1, "指标行"]["绩效指标"]
        assert rows[-1] == {"名称": "满意度", "分值": Decimal(12), "得分": Decimal(10), "自评得分": Decimal(11)}


def test_rows_are_read_a_block_at_a_time(rb, monkeypatch):
    """score_frame reads the frame in blocks of rows (memory for one block of Python
    values): positions, bad rows and the index are the same across block boundaries."""
    from jixiao.compiler.data import frames
    df = frame(rb, copies=5, index=[f"r{k}" for k in range(10)])
    df["编制数"] = df["编制数"].astype(object)
    df.loc["r7", "编制数"] = "x"
    want_errors, got_errors = [], []
    want = score_frame(rb, df, on_error="skip", errors=want_errors)
    real = frames._rows
    monkeypatch.setattr(frames, "_rows", lambda d, m, block=3: real(d, m, block))
    got = score_frame(rb, df, on_error="skip", errors=got_errors)
    assert want.equals(got) and len(got) == 9 and "r7" not in got.index
    assert [(e.row, e.field) for e in want_errors] == [(e.row, e.field) for e in got_errors] == [(7, "编制数")]


def test_a_zero_dimensional_array_is_its_value(rb):
    df = frame(rb).astype(object)
    df.at[0, "编制数"] = np.array(89)
    df.at[1, "编制数"] = np.array([1, 2])
    errors = []
    out = score_frame(rb, df, on_error="skip", errors=errors)
    assert list(out.index) == [0] and [(e.row, e.field) for e in errors] == [(1, "编制数")]
