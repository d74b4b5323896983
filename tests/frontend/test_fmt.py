"""``jixiao fmt``: the canonical layout (dsl/fmt.py) and the command (compiler/formatting.py).

- goldens: ``tests/golden/fmt/NAME.in`` formats to ``NAME.out`` (``pytest --update-golden``
  rewrites them): every construct of the grammar (rulebook, library, methods and 指标行,
  case, suite) and every place a comment can stand, written messily; ``hostile.in`` has
  tabs, U+3000, NBSP, escapes, a \"\"\" string ending in a quote, comments with quotes and ``#``;
- every shipped file formats, in memory, to a text with the same tree and comments, and
  formatting that again changes nothing (the shipped files are not rewritten here: other
  branches pin their line numbers);
- string values survive re-escaping (hypothesis);
- the command: --check, --diff, rewriting, folders, exit codes, CRLF and BOM kept,
  permissions kept, and E0109 when the result would not parse to the same tree.
"""
import codecs
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.compiler.files import find_files
from jixiao.compiler.formatting import format_file
from jixiao.dsl import fmt as fmt_module
from jixiao.dsl.diagnostics import JixiaoError
from jixiao.dsl.fmt import _single, _string_values, _triple, format_text, normalised
from jixiao.dsl.parser import parse_text, read_source

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "fmt"
NAMES = sorted(p.stem for p in GOLDEN.glob("*.in"))
SHIPPED = find_files([ROOT / d for d in ("stdlib_indicators", "examples", "tests/golden", "tests/fixtures", "benchmarks")])


def same_meaning(a: str, b: str):
    ta, _s, ca = parse_text(a)
    tb, _s, cb = parse_text(b)
    assert normalised(ta) == normalised(tb)
    assert sorted(c.text for c in ca) == sorted(c.text for c in cb)


@pytest.mark.parametrize("name", NAMES)
def test_golden(name, golden):
    text = (GOLDEN / f"{name}.in").read_text(encoding="utf-8")
    out = format_text(text, f"{name}.in")
    golden(GOLDEN / f"{name}.out", out)
    same_meaning(text, out)
    assert format_text(out) == out


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_file_formats_to_the_same_tree(path):
    try:
        name, text = read_source(path)
        parse_text(text, name)
    except JixiaoError as e:            # the syntax-error goldens, a file that is not UTF-8
        assert all(d.code.startswith("E01") for d in e.diagnostics)
        return
    out = format_text(text, name)
    same_meaning(text, out)
    assert format_text(out, name) == out


def test_shipped_rulebooks_change_only_in_blank_lines():
    """The shipped rulebooks are already laid out canonically, but for the double blank
    lines before their sections (at most one is kept)."""
    for path in (ROOT / "stdlib_indicators").glob("*.jx"):
        text = read_source(path)[1]
        assert format_text(text).split("\n") == [ln for i, ln in enumerate(text.split("\n"))
                                                 if ln or i == 0 or text.split("\n")[i - 1]], path


def test_layout_details():
    src = ('rulebook "t"\n满分 3\n输入 a: 金额（万元）\n指标 x 3 分 :\n  得分 = 如果 a ≥ 1 且 a<2 则 - a+3 否则 max (a ,0)\n')
    assert format_text(src) == ('rulebook "t"\n满分 3\n输入 a: 金额(万元)\n指标 x 3分:\n'
                                "  得分 = 如果 a ≥ 1 且 a < 2 则 -a + 3 否则 max(a, 0)\n")


def test_numbers_keep_their_digits_and_unit():
    src = '案例 "c"\na = 96.30%\nb = 0.1个百分点\nc = 0.10pp\nd = ７０％\ne = 2406.980万元\nf = 007\n'
    assert format_text(src) == '案例 "c"\na = 96.30%\nb = 0.1个百分点\nc = 0.10pp\nd = 70%\ne = 2406.980万元\nf = 007\n'


def test_keywords_stay_in_the_authors_language():
    src = '规则集 "t"\ntotal_points 1\nlevel1 a 1分:\n  score = if 是 then 1 else 0 floor_zero\n'
    assert format_text(src) == src


def test_blank_lines_at_most_one_none_at_the_ends():
    src = '\n\n案例 "c"\n\n\n\na = 1\n\n'
    assert format_text(src) == '案例 "c"\n\na = 1\n'


def test_trailing_comments_align_by_display_width():
    src = '案例 "c"\n在职人员数 = 121人 # a\nx = 1 # b\n\ny = 2      # c\n'
    assert format_text(src) == '案例 "c"\n在职人员数 = 121人  # a\nx = 1               # b\n\ny = 2  # c\n'


def test_settings_move_to_the_top_with_their_comments():
    src = '规则集 "t"\n输入 a: 是否\n# 精度的说明\n精度 0.1  # 一位小数\n满分 1\n版本 "1"\n'
    assert format_text(src) == ('规则集 "t"\n版本 "1"\n满分 1\n# 精度的说明\n精度 0.1  # 一位小数\n'
                                "输入 a: 是否\n")


def test_a_comment_closing_a_block_stays_in_it():
    src = ('规则集 "t"\n满分 1\n一级指标 a 1分:\n    指标 b 1分:\n        得分 = 1\n        # 在 b 内\n'
           '    # 在 a 内\n# 顶层\n等级:\n  全部: 否则\n')
    assert format_text(src) == ('规则集 "t"\n满分 1\n一级指标 a 1分:\n  指标 b 1分:\n    得分 = 1\n    # 在 b 内\n'
                                '  # 在 a 内\n# 顶层\n等级:\n  全部: 否则\n')


def test_crlf_text_is_accepted():
    assert format_text('案例 "c"\r\na=1\r\n') == '案例 "c"\na = 1\n'


def test_a_syntax_error_is_the_parsers():
    with pytest.raises(JixiaoError) as e:
        format_text('规则集 "t"\n满分 1\n指标 a 1分\n  得分 = 1\n')
    assert e.value.diagnostics[0].code == "E0101"


def test_refuses_a_result_with_another_tree(monkeypatch):
    monkeypatch.setattr(fmt_module._Printer, "text", lambda self: '案例 "c"\na = 2\n')
    with pytest.raises(JixiaoError) as e:
        format_text('案例 "c"\na = 1\n')
    d = e.value.diagnostics[0]
    assert d.code == "E0109" and d.primary.line == 2


def test_refuses_a_result_that_loses_a_comment(monkeypatch):
    monkeypatch.setattr(fmt_module._Printer, "text", lambda self: '案例 "c"\na = 1\n')
    with pytest.raises(JixiaoError) as e:
        format_text('案例 "c"\na = 1  # 注\n')
    assert e.value.diagnostics[0].code == "E0109"


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
       | st.lists(st.sampled_from(["a", " ", "  ", "\n", "\t", '"', "\\", "说明", "\u00a0", "\u3000"]), max_size=12).map("".join))
def test_strings_survive_re_escaping(value):
    assert _string_values([_single(value)]) == [value]
    laid = _triple(value, "    ")
    if laid is not None:
        assert _string_values([laid]) == [value]


def test_triple_strings_stay_triple():
    for value in ["第一行\n第二行\n  缩进", "一行", "  \n".strip(), '引号"结尾"', "a\n\nb"]:
        assert _triple(value, "  ") is not None, value


# ───────────────────────── the command ─────────────────────────

MESSY = '规则集 "t"\n满分 1\n指标 a 1 分:\n    得分=1 # 注\n'
CLEAN = '规则集 "t"\n满分 1\n指标 a 1分:\n  得分 = 1  # 注\n'


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.jx").write_text(MESSY, encoding="utf-8")
    (tmp_path / "b.jxc").write_text('案例 "c"\na = 1\n', encoding="utf-8")
    (tmp_path / "notes.txt").write_text("不是规则集", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.jx").write_text("broken", encoding="utf-8")
    return tmp_path


def test_find_files(folder):
    assert [p.relative_to(folder).as_posix() for p in find_files([folder])] == ["b.jxc", "sub/a.jx"]


def test_check_lists_what_would_change(cli, folder):
    res = cli(["fmt", "--check", "."], cwd=folder)
    assert res.exit_code == 1
    assert "would reformat sub/a.jx" in res.stdout and "b.jxc" not in res.stdout
    assert "1 file(s) would be reformatted, 1 unchanged" in res.stderr
    assert (folder / "sub" / "a.jx").read_text(encoding="utf-8") == MESSY


def test_diff_prints_and_writes_nothing(cli, folder):
    res = cli(["fmt", "--diff", "sub/a.jx"], cwd=folder)
    assert res.exit_code == 0
    assert res.stdout.startswith("--- sub/a.jx\n+++ sub/a.jx\n")
    assert "-指标 a 1 分:\n-    得分=1 # 注\n+指标 a 1分:\n+  得分 = 1  # 注\n" in res.stdout
    assert (folder / "sub" / "a.jx").read_text(encoding="utf-8") == MESSY


def test_rewrites_in_place_then_check_passes(cli, folder):
    res = cli(["fmt", "."], cwd=folder)
    assert res.exit_code == 0, res.output
    assert "1 file(s) reformatted, 1 unchanged" in res.stderr
    assert (folder / "sub" / "a.jx").read_text(encoding="utf-8") == CLEAN
    assert cli(["fmt", "--check", "."], cwd=folder).exit_code == 0


def test_usage_errors(cli, folder):
    assert cli(["fmt"], cwd=folder).exit_code == 2
    assert cli(["fmt", "missing.jx"], cwd=folder).exit_code == 2
    (folder / "empty").mkdir()
    res = cli(["fmt", "empty"], cwd=folder)
    assert res.exit_code == 2 and "no .jx, .jxc or .jxt files found" in res.output


def test_a_parse_error_is_reported_and_the_file_left_alone(cli, folder):
    bad = folder / "bad.jx"
    bad.write_text('规则集 "t"\n满分 1\n指标 a 1分\n  得分 = 1\n', encoding="utf-8")
    res = cli(["fmt", "."], cwd=folder)
    assert res.exit_code == 1
    assert "error[E0101]" in res.stderr and "bad.jx:3" in res.stderr
    assert "1 file(s) reformatted, 1 unchanged, 1 with errors" in res.stderr
    assert bad.read_text(encoding="utf-8").startswith('规则集 "t"\n满分 1\n指标 a 1分\n')


def test_refusal_leaves_the_file_alone(cli, folder, monkeypatch):
    monkeypatch.setattr(fmt_module._Printer, "text", lambda self: '规则集 "t"\n满分 2\n')
    res = cli(["fmt", "sub/a.jx"], cwd=folder)
    assert res.exit_code == 1 and "error[E0109]" in res.stderr
    assert (folder / "sub" / "a.jx").read_text(encoding="utf-8") == MESSY


def test_keeps_crlf_and_bom(folder):
    path = folder / "w.jx"
    path.write_bytes(codecs.BOM_UTF8 + MESSY.replace("\n", "\r\n").encode("utf-8"))
    format_file(path).write()
    assert path.read_bytes() == codecs.BOM_UTF8 + CLEAN.replace("\n", "\r\n").encode("utf-8")
    assert not format_file(path).changed
    path.write_bytes(CLEAN.encode("utf-8"))
    assert not format_file(path).changed         # no BOM is added, LF stays LF


def test_mixed_newlines_become_the_first_lines(folder):
    path = folder / "m.jxc"
    path.write_bytes('案例 "c"\r\na = 1\nb = 2\r\n'.encode("utf-8"))
    f = format_file(path)
    assert f.changed and f.new == '案例 "c"\r\na = 1\r\nb = 2\r\n'


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions and links")
def test_keeps_permissions_and_writes_through_links(folder):
    path = folder / "sub" / "a.jx"
    os.chmod(path, 0o640)
    link = folder / "link.jx"
    link.symlink_to(path)
    format_file(link).write()
    assert link.is_symlink()
    assert path.read_text(encoding="utf-8") == CLEAN
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


def test_lang(cli, folder):
    res = cli(["fmt", "--check", "--lang", "en", "."], cwd=folder)
    assert res.stdout == "would reformat sub/a.jx\n"
    assert res.stderr == "1 file(s) would be reformatted, 1 unchanged\n"
    res = cli(["fmt", "--lang", "zh", "b.jxc"], cwd=folder)
    assert res.exit_code == 0 and res.stderr == "0 个文件已格式化，1 个不变\n"
