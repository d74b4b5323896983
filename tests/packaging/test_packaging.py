"""The installed package: one top-level name (``jixiao``), nothing that shadows or is
shadowed by a user's own ``compiler`` or ``dsl`` package."""
import os
import site
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # built from a copy of what the package is made of, so no build/ or egg-info lands in the tree
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md", "__init__.py", "py.typed"):
        shutil.copy2(ROOT / name, src / name)
    for name in ("dsl", "compiler", "stdlib_indicators"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                           "--disable-pip-version-check", "-w", str(out), str(src)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (whl,) = out.glob("jixiao-*.whl")
    return whl


def test_wheel_installs_one_top_level_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops == {"jixiao", next(t for t in tops if t.endswith(".dist-info"))}
    meta = next(t for t in tops if t.endswith(".dist-info"))
    z = zipfile.ZipFile(wheel)
    assert z.read(f"{meta}/top_level.txt").decode().split() == ["jixiao"]
    entry = z.read(f"{meta}/entry_points.txt").decode()
    assert "jixiao = jixiao.compiler.cli:main" in entry
    assert "jixiao = jixiao.compiler.verify.pytest_plugin" in entry
    # the data the package reads through importlib.resources
    for data in ("jixiao/dsl/grammar.lark", "jixiao/stdlib_indicators/计分方法.jx",
                 "jixiao/stdlib_indicators/部门整体支出.jx", "jixiao/py.typed",
                 "jixiao/compiler/editor/web/index.html", "jixiao/compiler/editor/web/app.js",
                 "jixiao/compiler/editor/web/app.css",
                 "jixiao/compiler/publish/templates/report.html.j2", "jixiao/compiler/publish/templates/report.md.j2",
                 "jixiao/compiler/publish/templates/report.css"):      # jixiao serve works offline: its page ships
        assert data in names
    # no tests, benchmarks or examples in the wheel
    assert not [n for n in names if "/tests/" in n or n.startswith(("jixiao/benchmarks", "jixiao/examples"))]


def test_installed_wheel_imports_outside_the_source_tree(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=False, with_pip=False).create(env_dir)
    py = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    # the dependencies (lark, attrs, click) come from the running interpreter's site-packages, whether
    # that is the system's or a venv's; a path listed in a .pth file is searched but its own .pth files
    # (the editable install's hook among them) are not run, so only the wheel's jixiao can be imported
    site_dir = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                   capture_output=True, text=True, check=True).stdout.strip())
    parents = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (site_dir / "_parent_site.pth").write_text("\n".join(parents) + "\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps",
                           "--disable-pip-version-check", str(wheel)], capture_output=True, text=True, timeout=300)
    if "no such option: --python" in proc.stderr:          # pip < 22.3
        proc = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                               str(next((env_dir / "lib").glob("python*/site-packages"))), str(wheel)],
                              capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    code = ("import jixiao, jixiao.compiler.api as api; "
            "rb = jixiao.compile_rulebook(path=api.__file__.rsplit('compiler', 1)[0] + 'stdlib_indicators/部门整体支出.jx'); "
            "print(jixiao.__file__); print(rb.title)")
    run = subprocess.run([str(py), "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": ""})
    assert run.returncode == 0, run.stderr
    where, title = run.stdout.splitlines()
    assert Path(where).is_relative_to(env_dir)            # the wheel's copy, not the source tree
    assert title == "部门整体支出绩效评价指标体系评分表"


def test_a_project_with_its_own_compiler_and_dsl_packages(tmp_path):
    """Installed jixiao registers a pytest plugin; a project that has packages named
    ``compiler`` and ``dsl`` of its own still imports them and runs its tests."""
    for pkg, value in (("compiler", "mine"), ("dsl", "also mine")):
        (tmp_path / pkg).mkdir()
        (tmp_path / pkg / "__init__.py").write_text(f"WHO = {value!r}\n", encoding="utf-8")
    (tmp_path / "dsl.py").write_text("raise ImportError('the package wins')\n", encoding="utf-8")
    (tmp_path / "test_own.py").write_text(
        "import compiler, dsl\n"
        "from jixiao import compile_rulebook, JixiaoError\n"
        "def test_own_packages():\n"
        "    assert compiler.WHO == 'mine' and dsl.WHO == 'also mine'\n"
        "    assert callable(compile_rulebook) and issubclass(JixiaoError, Exception)\n",
        encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": ""})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout
