#!/usr/bin/env bash
# MinIO-under-Warp without a cluster: s3rver (an S3-compatible server from npm) keeps its objects
# on an interposer mount, 4 clients run a Warp-like mixed GET/STAT/PUT/DELETE load for 5 s through
# @aws-sdk/client-s3, then the trace is analyzed (object-store view + `interposer analyze`).
#   bash scripts/demo-s3.sh [--clients N] [--seconds S] [--objects N] [--object-size BYTES] [--keep DIR]
# Needs root (FUSE) and a build (`bash scripts/setup.sh` does both installs and the build).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/workloads/demo-s3.js ] && [ -d native/build ] || npm run --silent build
exec node dist/workloads/demo-s3.js "$@"
