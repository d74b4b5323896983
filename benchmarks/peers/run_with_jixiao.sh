#!/usr/bin/env bash
# Run the shared peer benchmark (/work/shared/bench/peers) with jixiao plugged in.
#
#   benchmarks/peers/run_with_jixiao.sh [extra run.py options]
#
# 1. copies the shared harness to a temporary directory (the shared copy is not touched);
# 2. drops in benchmarks/peers/jixiao_adapter.py as adapters/template_project.py
#    (peers `project` and `project-run`), python_decimal_adapter.py as
#    adapters/python_decimal.py (peer `python-decimal`, the harness's exact baseline),
#    registers the new names, and copies benchmarks/peers/project.jx to rules/;
# 3. creates (or reuses) a venv OUTSIDE the repository with the harness's pinned
#    requirements -- a requirement that fails to install is skipped and reported, and
#    its peers are left out -- plus `pip install -e` of this repository;
# 4. runs run.py and leaves the markdown table and raw JSON in the temporary directory
#    (and copies them to $OUT if set).
#
# Environment: PEERS_SRC (default /work/shared/bench/peers), VENV (default
# ~/.cache/jixiao-peers-venv), PEERS (comma list), UNITS (default 20000), RUNS (1),
# BUDGET (seconds per batch repeat, 5), OUT (directory for results.md / results.json).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PEERS_SRC=${PEERS_SRC:-/work/shared/bench/peers}
VENV=${VENV:-$HOME/.cache/jixiao-peers-venv}
UNITS=${UNITS:-20000}
RUNS=${RUNS:-1}
BUDGET=${BUDGET:-5}
PYTHON=${PYTHON:-python3}

case "$VENV" in "$REPO"/*) echo "VENV must be outside the repository ($REPO)" >&2; exit 2 ;; esac

WORK=$(mktemp -d /tmp/jixiao-peers.XXXXXX)
cp -r "$PEERS_SRC" "$WORK/peers"
H="$WORK/peers"
cp "$HERE/jixiao_adapter.py" "$H/adapters/template_project.py"
cp "$HERE/python_decimal_adapter.py" "$H/adapters/python_decimal.py"
cp "$HERE/project.jx" "$H/rules/project.jx"
"$PYTHON" - "$H/adapters/__init__.py" <<'PY'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
old = '    "project": "template_project",\n'
assert old in s, "adapters/__init__.py: registry layout changed"
s = s.replace(old, old + '    "project-run": "template_project",\n    "python-decimal": "python_decimal",\n')
open(p, "w", encoding="utf-8").write(s)
PY
echo "harness copy: $H" >&2

# ── environment ──
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
FAILED=()
if ! "$VENV/bin/pip" install -q -r "$H/requirements.txt" 2>"$WORK/pip.log"; then
    echo "pinned requirements did not install together; installing one by one (see $WORK/pip.log)" >&2
    while read -r req; do
        req=${req%%#*}; req=$(echo "$req" | xargs)
        [ -z "$req" ] && continue
        if ! "$VENV/bin/pip" install -q "$req" 2>>"$WORK/pip.log"; then
            FAILED+=("$req")
        fi
    done < "$H/requirements.txt"
fi
"$VENV/bin/pip" install -q -e "$REPO" 2>>"$WORK/pip.log"
[ ${#FAILED[@]} -gt 0 ] && echo "not installed: ${FAILED[*]}" >&2

# ── which peers can run: the ones whose packages import ──
ALL=${PEERS:-python,python-decimal,numpy,zen-graph,zen-expr,rule-engine,cel-compiled,simpleeval,asteval,jsonlogic-panzi,pydmnrules,openfisca,numexpr,project,project-run}
declare -A NEEDS=(
    [zen-graph]=zen [zen-expr]=zen [rule-engine]=rule_engine [cel-interp]=celpy [cel-compiled]=celpy
    [simpleeval]=simpleeval [asteval]=asteval [jsonlogic-panzi]=json_logic [pydmnrules]=pyDMNrules
    [openfisca]=openfisca_core [numexpr]=numexpr [numpy]=numpy [project]=compiler.api [project-run]=compiler.api
)
RUN=()
SKIPPED=()
IFS=, read -ra WANT <<< "$ALL"
for p in "${WANT[@]}"; do
    mod=${NEEDS[$p]:-}
    if [ -n "$mod" ] && [ "$p" != pydmnrules ] && ! "$VENV/bin/python" -c "import $mod" 2>/dev/null; then
        SKIPPED+=("$p"); continue
    fi
    if [ "$p" = pydmnrules ] && ! "$VENV/bin/python" -c "import importlib.util as u; assert u.find_spec('pyDMNrules')" 2>/dev/null; then
        SKIPPED+=("$p"); continue
    fi
    RUN+=("$p")
done
[ ${#SKIPPED[@]} -gt 0 ] && echo "left out (package missing): ${SKIPPED[*]}" >&2
PEER_LIST=$(IFS=,; echo "${RUN[*]}")

cd "$H"
"$VENV/bin/python" run.py --peers "$PEER_LIST" --units "$UNITS" --runs "$RUNS" --budget "$BUDGET" \
    --markdown "$WORK/results.md" --json "$WORK/results.json" "$@"
echo "results: $WORK/results.md, $WORK/results.json" >&2
if [ -n "${OUT:-}" ]; then
    mkdir -p "$OUT"
    cp "$WORK/results.md" "$WORK/results.json" "$OUT/"
fi
