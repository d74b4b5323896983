"""``--lang en`` speaks English and ``--lang zh`` Chinese: no message, label, note or
help of ``jixiao check`` mixes in the other language. Names the user wrote (inputs,
indicators, grades, files) are data and appear as written; keywords may appear only
quoted in backticks in English."""
import json
import re
from pathlib import Path

import pytest
from conftest import run_cli

from jixiao.dsl.keywords import ZH_EN

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")
FILES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests" / "golden" / "checks").glob("*.jx")) + [
    "tests/fixtures/附件2-literal.jx", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "stdlib_indicators").glob("*.jx"))]
KEYWORDS = set(ZH_EN)
UNITS = {"人", "项", "个", "件", "次", "家", "户", "天", "万元", "元", "分"}


def diagnostics(lang: str) -> list[dict]:
    res = run_cli(["check", "--lang", lang, "--format", "json", *FILES], ROOT)
    return json.loads(res.stdout)


def texts(d: dict) -> list[str]:
    return [d["message"], *d["helps"], *d["notes"], *(l["caption"] for l in d["labels"])]


def names_in(files: set[str]) -> set[str]:
    """Every run of Chinese characters in the files (outside comments) that is not a keyword."""
    out = set()
    for f in files:
        for line in (ROOT / f).read_text(encoding="utf-8", errors="replace").splitlines():
            out.update(r for r in CJK.findall(line.split("#", 1)[0]) if r not in KEYWORDS)
    return out


def test_english_messages_hold_no_chinese_but_names():
    diags = diagnostics("en")
    assert len(diags) > 50
    names = names_in(set(FILES) | {"stdlib_indicators/计分方法.jx"}) | UNITS
    for d in diags:
        for text in texts(d):
            text = re.sub(r"`[^`]*`", "", text)                 # quoted names and keywords
            for path in {d["file"], *(l["file"] for l in d["labels"])} - {None}:
                text = text.replace(path, "")
            for run in CJK.findall(text):
                parts = [p for p in re.split(r"[、，：；。（）]", run) if p]
                bad = [p for p in parts if not any(p in n for n in names) or p in KEYWORDS]
                assert not bad, f"{d['code']}: Chinese in English text: {text!r}"


def test_chinese_messages_hold_no_english_sentences():
    for d in diagnostics("zh"):
        for text in texts(d):
            text = re.sub(r"`[^`]*`|「[^」]*」|[A-Za-z_][\w.]*\.jx\w?|\b(min|max|pp)\b", "", text)
            words = re.findall(r"[A-Za-z]{3,}(?: [A-Za-z]{2,})+", text)    # two English words in a row
            assert not words, f"{d['code']}: English in Chinese text: {text!r}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_one_language_has_no_bilingual_separator(lang):
    for d in diagnostics(lang):
        assert " / " not in d["message"].replace("执行数 / 预算数", ""), d["message"]
