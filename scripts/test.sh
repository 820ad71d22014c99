#!/usr/bin/env bash
# One command on a fresh machine: install, build, check style and types, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent lint
npm run --silent format:check
npm run --silent typecheck
npx vitest run "$@"
# The record tests once more over FUSE over io_uring (where the kernel has it), for a full run.
if [ "$#" = 0 ]; then bash scripts/test-io-uring.sh; fi
