"""The formatter on generated rulebooks and cases: ``fmt`` is idempotent, keeps the tree
(``parse(fmt(t)) == parse(t)``, settings order aside) and every comment in order, and the
layout does not depend on how the text was spaced or indented.

Each rulebook (rulebook_gen.py: keywords in both languages, full-width colons and commas,
「…」 names, percentages, \"\"\" strings, tiers, grade bands) is also written messily
(indentation doubled, spaces added inside brackets and around commas) and with comments
and blank lines sprinkled in; a case is written from its drawn inputs. Budget: 25
rulebooks (each formatted three ways) and 25 cases, ≈ 3 s.
"""
import random
import re

from hypothesis import given, note
from hypothesis import strategies as st

from jixiao.dsl.fmt import format_text, normalised
from jixiao.dsl.parser import parse_text

from .rulebook_gen import inputs_for, profile, rulebooks

COMMENTS = ["# 注释", '# 引号 "x" 与 # 号', "#紧贴", "# ────", "# \u00a0NBSP 与「名称」"]


def messy(text: str) -> str:
    """The same rulebook, spaced and indented otherwise (nothing inside strings or 「…」 changes)."""
    out = []
    for line in text.split("\n"):
        body = line.lstrip(" ")
        line = " " * (2 * (len(line) - len(body))) + body
        out.append(line.replace("(", "(  ").replace(")", " )").replace(",", " , "))
    return "\n".join(out)


def commented(text: str, rs: random.Random) -> str:
    """Own-line and trailing comments and blank lines added here and there."""
    out, in_string = [], False
    for line in text.split("\n"):
        opens = line.count('"""') % 2 == 1
        indent = line[: len(line) - len(line.lstrip(" "))]
        if not in_string and line.strip():
            if rs.random() < 0.15:
                out.append(indent + rs.choice(COMMENTS))
            if rs.random() < 0.1:
                out.append("")
            if not opens and rs.random() < 0.2:
                line += " " * rs.randint(0, 6) + rs.choice(COMMENTS)
        out.append(line)
        in_string ^= opens
    return "\n".join(out)


def check_formats(text: str, name: str):
    note(text)
    tree, _src, comments = parse_text(text, name)
    out = format_text(text, name)
    note(out)
    again, _src, comments2 = parse_text(out, name)
    assert normalised(again) == normalised(tree)
    # generated rulebooks have their settings first already, so nothing moves
    assert [c.text for c in comments2] == [c.text for c in comments]
    assert format_text(out, name) == out
    return out


@profile(25)
@given(rulebooks(), st.integers(0, 2**32 - 1))
def test_fmt_rulebooks(book, seed):
    out = check_formats(book.text, "gen.jx")
    assert check_formats(messy(book.text), "gen.jx") == out
    check_formats(commented(messy(book.text), random.Random(seed)), "gen.jx")


def case_value(v) -> str:
    if v is True or v is False:
        return "是" if v else "否"
    if isinstance(v, tuple):
        return "[" + ", ".join("是" if x else "否" for x in v) + "]"
    return str(v)


@profile(25)
@given(st.data())
def test_fmt_cases(data):
    book = data.draw(rulebooks())
    values = data.draw(inputs_for(book))
    rs = random.Random(data.draw(st.integers(0, 2**32 - 1)))
    lines = [f'{rs.choice(["案例", "case"])} "生成的案例"']
    for name, v in values.items():
        if isinstance(v, list):
            continue                 # a list input is a block of rows in a case; not drawn here
        key = name if re.fullmatch(r"[^\W\d]\w*", name) else f"「{name}」"
        lines.append(f"{key}{rs.choice([' = ', '=', '  =  '])}{case_value(v)}")
    text = commented("\n".join(lines) + "\n", rs)
    check_formats(text, "gen.jxc")
