"""`jixiao serve`'s API without a browser: who may use it, which files it touches, what
it answers (the same diagnostics as `jixiao check`, the case form, the 评分表)."""
from __future__ import annotations

import http.client
import json
import threading

import pytest

from jixiao.compiler.editor import formatter
from jixiao.compiler.editor.serve import MAX_BODY, LoopbackOnly, make_server


@pytest.fixture
def server(tmp_path, chenxi):
    folder = chenxi
    (tmp_path / "secret.jx").write_text("规则集 \"outside\"\n", encoding="utf-8")
    (folder / "link.jx").symlink_to(tmp_path / "secret.jx")
    (folder / "notes.txt").write_text("not a rulebook", encoding="utf-8")
    srv = make_server(folder)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv, folder
    srv.shutdown()
    srv.server_close()


def request(srv, method, path, body=None, headers=None, raw: bytes | None = None):
    host, port = srv.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=30)
    h = {"Host": f"127.0.0.1:{port}", "Content-Type": "application/json", "X-Jixiao-Token": srv.editor_token}
    h.update(headers or {})
    h = {k: v for k, v in h.items() if v is not None}
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    conn.request(method, path, body=data, headers=h)
    r = conn.getresponse()
    out = r.status, r.read(), dict(r.getheaders())
    conn.close()
    return out


def post(srv, route, body, **kw):
    status, data, _ = request(srv, "POST", "/api/" + route, body, **kw)
    return status, json.loads(data)


def test_refuses_to_listen_beyond_loopback():
    with pytest.raises(LoopbackOnly):
        make_server(".", host="0.0.0.0")
    with pytest.raises(LoopbackOnly):
        make_server(".", host="192.168.1.10")


def test_the_page_needs_the_token_and_the_api_its_header(server):
    srv, _ = server
    port = srv.server_address[1]
    status, body, headers = request(srv, "GET", f"/?token={srv.editor_token}")
    assert status == 200 and b"/static/app.js" in body
    assert "script-src 'self'" in headers["Content-Security-Policy"] and "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert request(srv, "GET", "/")[0] == 403
    assert request(srv, "GET", "/?token=guess")[0] == 403
    assert request(srv, "GET", "/static/app.js")[0] == 200          # the assets are no secret
    assert request(srv, "GET", "/static/../serve.py")[0] == 404
    assert post(srv, "files", {}, headers={"X-Jixiao-Token": None})[0] == 403
    assert post(srv, "files", {}, headers={"X-Jixiao-Token": "guess"})[0] == 403
    # another site's page: a foreign Origin, a rebound host name, a form post
    assert post(srv, "files", {}, headers={"Origin": "http://evil.example"})[0] == 403
    assert post(srv, "files", {}, headers={"Origin": f"http://127.0.0.1:{port}"})[0] == 200
    assert post(srv, "files", {}, headers={"Host": f"evil.example:{port}"})[0] == 403
    assert request(srv, "POST", "/api/files", raw=b"a=1", headers={"Content-Type": "application/x-www-form-urlencoded"})[0] == 415


def test_paths_stay_in_the_folder(server):
    srv, folder = server
    status, files = post(srv, "files", {})
    assert status == 200 and files["files"] == ["report-figures.jxc", "部门整体支出.jx"]     # no link out
    assert files["start"] == "部门整体支出.jx"
    for bad in ("../secret.jx", "/etc/passwd", "link.jx", "notes.txt", ".hidden.jx", "a/../../secret.jx", "", 3):
        status, r = post(srv, "open", {"path": bad})
        assert status in (400, 403), (bad, status, r)
    status, r = post(srv, "save", {"path": "../secret.jx", "text": "x"})
    assert status == 403
    assert (folder.parent / "secret.jx").read_text(encoding="utf-8") == "规则集 \"outside\"\n"


def test_request_size_is_limited(server):
    srv, _ = server
    host, port = srv.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.putrequest("POST", "/api/check", skip_host=True)
    for k, v in {"Host": f"127.0.0.1:{port}", "Content-Type": "application/json", "X-Jixiao-Token": srv.editor_token,
                 "Content-Length": str(MAX_BODY + 1)}.items():
        conn.putheader(k, v)
    conn.endheaders()                  # the body is never sent: the answer comes before it is read
    assert conn.getresponse().status == 413
    conn.close()
    assert post(srv, "check", None, headers={})[0] in (400, 200)
    status, body, _ = request(srv, "POST", "/api/check", raw=b"[1, 2]")
    assert status == 400
    status, body, _ = request(srv, "POST", "/api/check", raw=b"[" * 100_000 + b"]" * 100_000)    # too deep
    assert status == 400 and b"bad JSON" in body


def test_check_gives_the_diagnostics_of_jixiao_check_and_the_form(server):
    srv, _ = server
    _, opened = post(srv, "open", {"path": "部门整体支出.jx"})
    text = opened["text"].replace("指标 职责明确 1分", "指标 职责明确 2分")
    status, r = post(srv, "check", {"path": "部门整体支出.jx", "text": text})
    assert status == 200 and r["kind"] == "rulebook"
    (e,) = [p for p in r["problems"] if p["code"] == "E0401"]
    assert e["message"].startswith("「目标设定」的下级分值合计6分，不等于其分值5分 / children of `目标设定` add up to 6")
    assert e["range"][0] == next(i for i, line in enumerate(text.splitlines()) if "目标设定 5分" in line)   # 0-based
    fields = {f["name"]: f for f in r["form"]}
    assert fields["编制数"]["kind"] == "count" and fields["编制数"]["unit"] == "人" and fields["编制数"]["range"] == "(0, +∞)"
    assert fields["活动合规性要点"]["kind"] == "checklist" and len(fields["活动合规性要点"]["members"]) == 2
    assert fields["编制数"]["group"] == "投入 / 预算配置 / 财政供养人员控制率"
    # scoring stops at the error and says why
    status, s = post(srv, "score", {"path": "部门整体支出.jx", "text": text, "values": {}})
    assert not s["ok"] and [p["code"] for p in s["problems"]] == ["E0401"]


def test_score_with_the_case_and_the_form(server):
    srv, _ = server
    _, rb = post(srv, "open", {"path": "部门整体支出.jx"})
    _, case = post(srv, "open", {"path": "report-figures.jxc"})
    base = {"path": "部门整体支出.jx", "text": rb["text"], "case_path": "report-figures.jxc", "case_text": case["text"]}
    _, loaded = post(srv, "case", base)
    values = loaded["values"]
    assert values["在职人员数"] == "121" and values["活动合规性要点"] == [True, True]
    _, s = post(srv, "score", {**base, "values": values})
    assert s["ok"] and (s["total"], s["grade"]) == ("85.5", "良好")
    row = next(r for r in s["rows"] if r["path"][-1] == "财政供养人员控制率")
    assert row["score"] == "0" and row["claimed"] == "3"
    # 评分依据 as the reviewer's sentence; the trace beside it
    assert row["why"] == "在职人员数121人，编制数89人，超编32人；每1人扣0.1分，应扣3.2分，扣完为止；得0分（满分3分）。"
    assert "按单位扣分(超编人数, 0.1, 3)" in row["trace"] and "按单位扣分" not in row["why"]
    _, s = post(srv, "score", {**base, "values": {**values, "在职人员数": "89"}})
    assert s["total"] == "88.5"
    _, s = post(srv, "score", {**base, "values": {**values, "在职人员数": "-1"}})
    assert not s["ok"] and s["problems"][0]["code"] == "E0603"
    # a case that does not fit the rulebook: its diagnostics
    _, bad = post(srv, "case", {**base, "case_text": case["text"].replace("编制数 =", "编制树 =")})
    assert bad["values"] is None and bad["problems"][0]["code"] == "E0604"


def test_save_formats_through_the_adapter_and_writes_atomically(server):
    srv, folder = server
    text = (folder / "部门整体支出.jx").read_text(encoding="utf-8")
    formatter.use(lambda t, name: t.replace("满分   100", "满分 100"))
    try:
        status, r = post(srv, "save", {"path": "部门整体支出.jx", "text": text.replace("满分 100", "满分   100")})
    finally:
        formatter.use(None)
    assert status == 200 and r["formatted"] and r["text"] == text
    assert (folder / "部门整体支出.jx").read_text(encoding="utf-8") == text
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]        # no temporary file left
    # with jixiao's own formatter: a messy text is saved in the canonical layout ...
    from jixiao.dsl.fmt import format_text
    messy = text.replace("满分 100", "满分   100").replace("精度 0.01", "精度    0.01")
    status, r = post(srv, "save", {"path": "部门整体支出.jx", "text": messy})
    assert status == 200 and r["formatted"] and r["text"] == format_text(messy, str(folder / "部门整体支出.jx"))
    assert "满分 100" in r["text"]
    # ... and a text with syntax errors is saved as typed, and says so
    status, r = post(srv, "save", {"path": "新.jx", "text": "规则集 \"x\"\n满分\n"})
    assert status == 200 and not r["formatted"] and "syntax" in r["note"]
    assert (folder / "新.jx").read_text(encoding="utf-8") == "规则集 \"x\"\n满分\n"


def test_the_command_line_refuses_other_hosts(cli, tmp_path):
    r = cli(["serve", str(tmp_path), "--host", "0.0.0.0"])
    assert r.exit_code == 2 and "loopback" in r.stderr
