"""Methods and imports: which methods a rulebook can call, and from which file.

``引用 "方法库.jx"`` names a 方法库 file. It is looked up next to the importing file,
then in the standard library (``stdlib_indicators/``). To keep a hostile rulebook from
reading arbitrary files, an import path must be relative, end in ``.jx`` and not climb
out of its folder (no ``..``), and the file it names — every symlink followed — must be a
regular file inside the importer's folder tree or inside the standard library (a symlink
``env.jx`` → ``/proc/self/environ`` is refused, E0209). A library may import other
libraries; each file is read once, so import cycles are harmless. See docs/security.md.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path, PurePosixPath

from . import ast
from .builtins import FUNCS
from .diagnostics import Diagnostic, JixiaoError, Label, make, tr
from .paths import inside, is_regular, path_problem, shown

# the standard library: the package jixiao.stdlib_indicators (a folder on disk, installed or not)
STDLIB = Path(str(resources.files(__package__.rpartition(".")[0] + ".stdlib_indicators")))
MAX_LIBRARIES = 64


def _candidates(path: str, importer: str):
    pure = PurePosixPath(path.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts or not path.endswith(".jx") or ":" in path:
        return None
    out = []        # (path, how it is shown, the folder it must lie in once symlinks are followed)
    here = Path(importer)
    if importer and not importer.startswith("<"):
        sibling = here.parent / pure
        try:
            itself = sibling.resolve() == here.resolve()
        except (OSError, ValueError, RuntimeError):
            itself = False
        if not itself:          # a file never imports itself (tests/计分方法.jx → the library)
            out.append((sibling, str(PurePosixPath(here.parent.as_posix()) / pure), here.parent))
    out.append((STDLIB / pure, f"stdlib_indicators/{pure}", STDLIB))
    return out


def _lookup(cands):
    """The first candidate that is a regular file inside its folder: (path, shown), or
    (None, None); and the candidates that exist but lie outside (a symlink out) or are not
    regular files (a FIFO, a device)."""
    refused = []
    for c, sh, root in cands:
        try:
            if not (c.is_file() or c.is_symlink() or c.exists()):
                continue
        except (OSError, ValueError):
            continue
        if not inside(c, root):
            refused.append((sh, "outside"))
        elif not is_regular(c):
            refused.append((sh, "irregular"))
        else:
            return c, sh, refused
    return None, None, refused


_PARSED: dict[tuple, "ast.Library"] = {}     # (path, shown, mtime, size) -> parsed library


def _stamp(path: Path) -> tuple:
    st = path.stat()
    return (str(path.resolve()), st.st_mtime_ns, st.st_size)


def dependencies_fresh(stamps) -> bool:
    """Are the library files recorded by ``stamps`` unchanged on disk?"""
    try:
        return all(_stamp(Path(p)) == (p, m, n) for p, m, n in stamps)
    except OSError:
        return False


def _parse_library(path: Path, shown: str):
    """A library file parsed once per content version (a rulebook compiled again, or many
    rulebooks importing one library, do not parse it again)."""
    from .parser import parse_text, read_source
    key = (shown,) + _stamp(path)
    hit = _PARSED.get(key)
    if hit is None:
        _name, text = read_source(path)
        hit = parse_text(text, shown)[0]
        if len(_PARSED) > 256:
            _PARSED.clear()
        _PARSED[key] = hit
    return hit


def _is_self(path: str, importer: str) -> bool:
    if not importer or importer.startswith("<"):
        return False
    here = Path(importer)
    try:
        return (here.parent / PurePosixPath(path.replace("\\", "/"))).resolve() == here.resolve()
    except OSError:
        return False


def collect_methods(tree, diags: list[Diagnostic], deps: list | None = None) -> dict[str, tuple[ast.Method, str]]:
    """Methods visible in ``tree`` (a Rulebook or Library): its own and every imported
    library's, by name. Problems are appended to ``diags``; the (path, mtime, size) of each
    library read to ``deps``."""

    methods: dict[str, tuple[ast.Method, str]] = {}
    seen_files: set[str] = set()
    deps = [] if deps is None else deps

    def add(m: ast.Method, origin: str):
        name = m.name.text
        if name in FUNCS:
            diags.append(make("E0210", [Label(m.name.span, tr("内置函数", "a built-in function"))], name=name,
                              reason_zh="与内置函数同名", reason_en="has the name of a built-in function"))
            return
        if name in methods:
            prev = methods[name][0]
            if prev.span.file.name == m.span.file.name and prev.span.start == m.span.start:
                return
            diags.append(make("E0203", [Label(m.name.span, ""), Label(prev.name.span, tr("首次定义", "first defined here"), False)],
                              name=name))
            return
        methods[name] = (m, origin)

    def visit(node, file_name: str):
        items = node.items
        for it in items:
            if isinstance(it, ast.Method):
                add(it, file_name)
        for it in items:
            if not isinstance(it, ast.Import):
                continue
            label = Label(it.span, "")
            bad = path_problem(it.path)
            if bad is not None:
                diags.append(make("E0209", [label], path=shown(it.path), reason_zh=f"不是允许的路径（{bad[0]}）",
                                  reason_en=f"is not an allowed path ({bad[1]})"))
                continue
            cands = _candidates(it.path, file_name)
            if cands is None:
                diags.append(make("E0209", [label], path=it.path, reason_zh="不是允许的路径（应为相对路径、以 .jx 结尾、不含 ..）",
                                  reason_en="is not an allowed path (relative, ending in .jx, without ..)"))
                continue
            found, where, refused = _lookup(cands)
            if found is None and _is_self(it.path, file_name):
                continue            # a library importing itself: nothing more to read
            if found is None and refused:
                sh, why = refused[0]
                diags.append(make("E0209", [label], path=it.path,
                                  reason_zh=("指向本文件所在文件夹之外（符号链接），不予读取" if why == "outside"
                                             else "不是普通文件（管道、设备或套接字）"),
                                  reason_en=(": it leads outside the importing file's folder (a symlink); not read"
                                             if why == "outside" else ": not a regular file (a pipe, device or socket)"),
                                  notes=[tr(f"位置：{sh}", f"at: {sh}")]))
                continue
            if found is None:
                diags.append(make("E0209", [label], path=it.path, reason_zh="找不到文件",
                                  reason_en=": no such file",
                                  notes=[tr("查找位置：" + "、".join(sh for _, sh, _r in cands),
                                            "looked in: " + ", ".join(sh for _, sh, _r in cands))]))
                continue
            key = str(found.resolve())
            if key in seen_files:
                continue
            if len(seen_files) >= MAX_LIBRARIES:
                diags.append(make("E0209", [label], path=it.path, reason_zh=f"超过 {MAX_LIBRARIES} 个方法库",
                                  reason_en=f"goes beyond {MAX_LIBRARIES} libraries"))
                continue
            seen_files.add(key)
            try:
                lib = _parse_library(found, where)
            except JixiaoError as e:
                diags.extend(e.diagnostics)
                continue
            deps.append(_stamp(found))
            if not isinstance(lib, ast.Library):
                diags.append(make("E0209", [label], path=it.path, reason_zh="不是方法库（应以「方法库」开头）",
                                  reason_en="is not a library (it should start with 方法库)"))
                continue
            visit(lib, str(found))

    visit(tree, tree.span.file.name)
    return methods
