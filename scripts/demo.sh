#!/usr/bin/env bash
# One command on a fresh machine: install, build, mount a temp dir, run real programs through
# it, unmount and print the trace analysis.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node dist/bin/interposer.js demo "$@"
