#!/usr/bin/env bash
# Build editors/vscode/jixiao.vsix (needs Node and npm; packages from the npm registry).
# .ci/run calls this only where Node is installed.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
npm test --silent
npm run --silent package
ls -l jixiao.vsix
