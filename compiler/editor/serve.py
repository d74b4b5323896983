"""``jixiao serve [PATH]``: a local web editor — the rulebook with live diagnostics, a
case form generated from its inputs, the 评分表 with scores and 评分依据.

The standard library's ``http.server`` (threaded) serves one user on the loopback
interface: the page and its two assets ship in ``web/`` (no CDN, works offline), and a
small JSON API does the work with the same analysis as the language server
(:mod:`.analysis`), the same scoring (``compiler.api``) and the same explanations
(``compiler.publish.explain``). No web framework: the API is a handful of POSTs and a
dependency would buy nothing here.

Who may use it: only a page that knows the random token printed with the address (the
API wants it in the ``X-Jixiao-Token`` header, which another site's page cannot send
without a CORS preflight that is never answered); requests whose ``Host`` is not the
loopback address and port (DNS rebinding) or whose ``Origin`` is another site are
refused. What it may touch: files ending in .jx, .jxc or .jxt inside PATH's folder (no
``..``, no symbolic link out, no hidden files), requests of at most ``MAX_BODY`` bytes.
Rulebook text is only ever checked and compiled by jixiao, never run as code.
"""
from __future__ import annotations

import hmac
import ipaddress
import json
import os
import secrets
import socket
import threading
from decimal import Decimal
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any, Optional
from urllib.parse import parse_qs, urlsplit

from ...dsl.diagnostics import Diagnostic, JixiaoError
from ...dsl.ir import fmt_decimal
from .. import api
from ..files import atomic_write
from ..publish.explain import explain
from . import formatter
from .analysis import Document
from .model import Problem

SUFFIXES = (".jx", ".jxc", ".jxt")
MAX_BODY = 8 * 1024 * 1024      # bytes of one request (a rulebook is at most 2 M characters)
MAX_FILES = 500                 # files listed from the folder
MAX_DEPTH = 4                   # folders deep
ASSETS = {"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


class LoopbackOnly(ValueError):
    """The editor listens on the loopback interface only."""


class Refused(Exception):
    def __init__(self, status: HTTPStatus, message: str):
        super().__init__(message)
        self.status = status


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# ───────────────────────── the editor's state and work ─────────────────────────

class Editor:
    """The folder being edited and the analyses of its open files (one user: one lock)."""

    def __init__(self, path, lang: str = "both"):
        p = Path(path).resolve()
        self.root = p if p.is_dir() else p.parent
        self.start = p.name if p.is_file() else next((f for f in self.files() if f.endswith(".jx")), None)
        self.lang = lang
        self.lock = threading.Lock()
        self.docs: dict[str, Document] = {}

    # ── files ──
    def path(self, rel: Any) -> Path:
        """``rel`` inside the folder, or Refused."""
        if not isinstance(rel, str) or not rel or "\0" in rel or len(rel) > 1000:
            raise Refused(HTTPStatus.BAD_REQUEST, "bad path")
        parts = Path(rel).parts
        if Path(rel).is_absolute() or ".." in parts or any(x.startswith(".") for x in parts):
            raise Refused(HTTPStatus.FORBIDDEN, "outside the folder")
        if not rel.endswith(SUFFIXES):
            raise Refused(HTTPStatus.FORBIDDEN, "only .jx, .jxc and .jxt files")
        full = (self.root / rel).resolve()
        try:
            full.relative_to(self.root)
        except ValueError:
            raise Refused(HTTPStatus.FORBIDDEN, "outside the folder") from None
        return full

    def files(self) -> list[str]:
        out = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            rel = Path(dirpath).relative_to(self.root)
            dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")) and d != "node_modules"
                                 and len(rel.parts) < MAX_DEPTH)
            for f in sorted(filenames):
                if f.endswith(SUFFIXES) and not f.startswith(".") and not (Path(dirpath) / f).is_symlink():
                    out.append((rel / f).as_posix())
                    if len(out) >= MAX_FILES:
                        return out
        return out

    def read(self, rel: str) -> str:
        full = self.path(rel)
        from ...dsl.parser import read_source
        try:
            return read_source(full)[1]
        except JixiaoError as e:
            raise Refused(HTTPStatus.NOT_FOUND, e.diagnostics[0].message_in("en")) from None

    # ── checking ──
    def document(self, rel: str, text: str) -> Document:
        full = self.path(rel)
        doc = self.docs.get(rel)
        if doc is None:
            doc = self.docs[rel] = Document(str(full), self.lang)
        if doc.text != text:
            doc.update(text)
        return doc

    def check(self, rel: str, text: str) -> dict:
        doc = self.document(rel, text)
        out = {"kind": doc.kind, "problems": [problem_json(p) for p in doc.problems], "form": None}
        if doc.kind == "rulebook" and doc.program is not None:
            out["form"] = form(doc.program)
        return out

    def compiled(self, rel: str, text: str):
        """The rulebook compiled, or the problems that stop it."""
        doc = self.document(rel, text)
        if any(p.severity == "error" for p in doc.problems):
            return None, [problem_json(p) for p in doc.problems if p.severity == "error"]
        try:
            return api.compile_rulebook(text, name=doc.name), []
        except JixiaoError as e:
            return None, [self.diag_json(d) for d in e.diagnostics]

    def diag_json(self, d: Diagnostic) -> dict:
        sp = d.primary
        where = f"{Path(sp.file.name).name}:{sp.line}:{sp.column}" if sp is not None and sp.file.text else ""
        return {"code": d.code, "severity": d.severity, "message": d.message_in(self.lang), "where": where}

    def case(self, rb, case_rel: Optional[str], case_text: Optional[str]):
        if not case_rel or case_text is None:
            return None
        full = self.path(case_rel)
        return rb.case_from_text(case_text, str(full))

    def load_case(self, rel: str, text: str, case_rel: str, case_text: str) -> dict:
        """The values of a case for the form (or the diagnostics of the case)."""
        rb, problems = self.compiled(rel, text)
        if rb is None:
            return {"values": None, "problems": problems}
        try:
            c = self.case(rb, case_rel, case_text)
        except JixiaoError as e:
            return {"values": None, "problems": [self.diag_json(d) for d in e.diagnostics]}
        inputs = {i.name: i for i in rb.program.inputs}
        return {"values": {k: form_value(v, inputs.get(k)) for k, v in c.inputs.items()}, "problems": []}

    def score(self, rel: str, text: str, values: dict, case_rel=None, case_text=None) -> dict:
        rb, problems = self.compiled(rel, text)
        if rb is None:
            return {"ok": False, "problems": problems}
        try:
            c = self.case(rb, case_rel, case_text)
            inputs = dict(c.inputs) if c is not None else {}
            inputs.update(input_values(values, rb.program))
            result = rb.evaluate(inputs, trace=True, assessed=(c.assessed or None) if c else None,
                                 claimed=c.claimed if c else None, rows=(c.rows or None) if c else None)
        except JixiaoError as e:
            return {"ok": False, "problems": [self.diag_json(d) for d in e.diagnostics]}
        lang = "en" if self.lang == "en" else "zh"
        # 评分依据 as the report words it (the reviewer's sentence), the trace beside it
        said = {"/".join(x.path): x for x in explain(rb, result, lang)}
        rows = [{"path": list(r.path), "level": r.level, "points": fmt_decimal(r.points), "score": fmt_decimal(r.score),
                 "applicable": r.applicable, "claimed": None if r.claimed is None else fmt_decimal(r.claimed),
                 "why": said[k].reason if k in said else "", "trace": said[k].text if k in said else ""}
                for r in result.indicators for k in ["/".join(r.path)]]
        return {"ok": True, "total": fmt_decimal(result.total), "grade": result.grade,
                "points": fmt_decimal(rb.program.total), "rows": rows, "problems": []}

    def save(self, rel: str, text: str) -> dict:
        full = self.path(rel)
        note = ""
        try:
            new = formatter.format_source(text, str(full))
        except JixiaoError:
            new, note = None, "not formatted: the text has syntax errors"
        if new is None and not note:
            note = "not formatted: no formatter installed"
        out = text if new is None else new

        def write(tmp):
            with open(tmp, "w", encoding="utf-8", newline="\n") as f:
                f.write(out)
        atomic_write(full, write)
        return {"text": out, "formatted": new is not None, "note": note}


def problem_json(p: Problem) -> dict:
    r = p.range
    return {"code": p.code, "severity": p.severity, "message": p.message,
            "range": [r.line, r.col, r.end_line, r.end_col],
            "actions": [{"title": a.title, "edits": [[e.range.line, e.range.col, e.range.end_line, e.range.end_col, e.text]
                                                      for e in a.edits]} for a in p.actions]}


def _owner(program, inp) -> str:
    """The indicator whose block declares an input (its path), for grouping the form."""
    best = None
    for ind in program.walk():
        sp = ind.span
        if sp is not None and inp.span is not None and sp.file is inp.span.file and sp.start <= inp.span.start < sp.end:
            best = ind
    return " / ".join(best.path) if best is not None else ""


def form(program) -> list[dict]:
    """The case form: one field per input, with its type, unit, range and 说明."""
    out = []
    for inp in program.inputs:
        if inp.name.startswith("__"):
            continue
        out.append({"name": inp.name, "kind": inp.kind, "unit": inp.type.unit,
                    "lo": None if inp.lo is None else fmt_decimal(inp.lo), "lo_open": inp.lo_open,
                    "hi": None if inp.hi is None else fmt_decimal(inp.hi), "hi_open": inp.hi_open,
                    "range": inp.range_text() if inp.type.kind == "num" else "",
                    "members": list(inp.members), "doc": inp.doc or "", "group": _owner(program, inp)})
    return out


def form_value(v, inp) -> Any:
    """A case's value as the form shows it (rates in percent)."""
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, Decimal):
        return fmt_decimal(v * 100) if inp is not None and inp.kind == "rate" else fmt_decimal(v)
    if isinstance(v, tuple):
        return [bool(x) for x in v]
    return str(v)


def input_values(values: Any, program) -> dict:
    """The form's values as ``evaluate`` takes them: numbers as exact decimal strings
    (a rate's in percent), yes/no as booleans, checklists as lists of booleans."""
    if not isinstance(values, dict):
        return {}
    kinds = {i.name: i.kind for i in program.inputs}
    out = {}
    for name, v in values.items():
        kind = kinds.get(name)
        if kind is None or v is None or v == "":
            continue
        if kind == "rate" and isinstance(v, str):
            out[name] = v.strip() + "%"
        elif kind == "checklist" and isinstance(v, list):
            out[name] = tuple(bool(x) for x in v)
        elif isinstance(v, (str, bool)):
            out[name] = v.strip() if isinstance(v, str) else v
    return out


# ───────────────────────── HTTP ─────────────────────────

class Handler(BaseHTTPRequestHandler):
    server: "EditorServer"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):          # quiet: the terminal shows the address only
        pass

    def _send(self, status: HTTPStatus, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: HTTPStatus, obj) -> None:
        self._send(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    def _check_host(self) -> None:
        host = self.headers.get("Host", "")
        if host not in self.server.hosts:
            raise Refused(HTTPStatus.FORBIDDEN, "wrong host")
        origin = self.headers.get("Origin")
        if origin is not None and origin not in self.server.origins:
            raise Refused(HTTPStatus.FORBIDDEN, "another site")

    def do_GET(self):
        try:
            self._check_host()
            url = urlsplit(self.path)
            if url.path == "/":
                token = parse_qs(url.query).get("token", [""])[0]
                if not hmac.compare_digest(token, self.server.editor_token):
                    raise Refused(HTTPStatus.FORBIDDEN, "open the address that `jixiao serve` printed")
                return self._send(HTTPStatus.OK, _asset("index.html"), "text/html; charset=utf-8")
            name = url.path.removeprefix("/static/")
            if url.path.startswith("/static/") and name in ASSETS:
                return self._send(HTTPStatus.OK, _asset(name), ASSETS[name])
            raise Refused(HTTPStatus.NOT_FOUND, "not found")
        except Refused as e:
            self._send(e.status, str(e).encode("utf-8"), "text/plain; charset=utf-8")

    def do_POST(self):
        try:
            self._check_host()
            if not hmac.compare_digest(self.headers.get("X-Jixiao-Token", ""), self.server.editor_token):
                raise Refused(HTTPStatus.FORBIDDEN, "no token")
            if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
                raise Refused(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "JSON only")
            try:
                n = int(self.headers.get("Content-Length", ""))
            except ValueError:
                raise Refused(HTTPStatus.LENGTH_REQUIRED, "Content-Length required") from None
            if n < 0 or n > MAX_BODY:
                self.close_connection = True
                raise Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"at most {MAX_BODY} bytes")
            try:
                body = json.loads(self.rfile.read(n).decode("utf-8")) if n else {}
            except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
                raise Refused(HTTPStatus.BAD_REQUEST, "bad JSON") from None
            if not isinstance(body, dict):
                raise Refused(HTTPStatus.BAD_REQUEST, "bad JSON")
            route = ROUTES.get(urlsplit(self.path).path)
            if route is None:
                raise Refused(HTTPStatus.NOT_FOUND, "not found")
            ed = self.server.editor
            with ed.lock:
                result = route(ed, body)
            self._json(HTTPStatus.OK, result)
        except Refused as e:
            self._json(e.status, {"error": str(e)})
        except OSError as e:
            self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": e.strerror or str(e)})
        except Exception as e:       # a bug of ours: said in one line, the editor keeps serving
            self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": f"internal error ({type(e).__name__})"})


def _text(body: dict, key: str = "text") -> str:
    t = body.get(key)
    if not isinstance(t, str):
        raise Refused(HTTPStatus.BAD_REQUEST, f"{key} missing")
    return t


def _files(ed: Editor, body: dict) -> dict:
    return {"root": ed.root.name, "files": ed.files(), "start": ed.start, "lang": ed.lang,
            "formatter": formatter.formatter() is not None}


ROUTES = {
    "/api/files": _files,
    "/api/open": lambda ed, b: {"path": b.get("path"), "text": ed.read(b.get("path"))},
    "/api/check": lambda ed, b: ed.check(b.get("path"), _text(b)),
    "/api/case": lambda ed, b: ed.load_case(b.get("path"), _text(b), b.get("case_path"), _text(b, "case_text")),
    "/api/score": lambda ed, b: ed.score(b.get("path"), _text(b), b.get("values") or {}, b.get("case_path"),
                                         b.get("case_text") if isinstance(b.get("case_text"), str) else None),
    "/api/save": lambda ed, b: ed.save(b.get("path"), _text(b)),
}


def _asset(name: str) -> bytes:
    return (resources.files(__package__) / "web" / name).read_bytes()


class EditorServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, editor: Editor, host: str, port: int):
        super().__init__((host, port), Handler)
        self.editor = editor
        self.editor_token = secrets.token_urlsafe(32)
        real = self.server_address[1]
        shown = f"[{host}]" if ":" in host else host
        names = {shown, "localhost", "127.0.0.1"} if is_loopback(host) else {shown}
        self.hosts = {f"{h}:{real}" for h in names}
        self.origins = {f"http://{h}" for h in self.hosts}
        self.url = f"http://{shown}:{real}/?token={self.editor_token}"


class EditorServer6(EditorServer):
    address_family = socket.AF_INET6


def make_server(path, host: str = "127.0.0.1", port: int = 0, lang: str = "both") -> EditorServer:
    """The editor's server on ``host`` (a loopback address) and ``port`` (0: any free one)."""
    if not is_loopback(host):
        raise LoopbackOnly(f"{host}: jixiao serve listens on the loopback interface only (127.0.0.1, ::1, localhost)")
    if host == "localhost":
        host = "127.0.0.1"
    cls = EditorServer6 if ":" in host else EditorServer
    return cls(Editor(path, lang), host.strip("[]"), port)
