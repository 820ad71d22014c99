#!/usr/bin/env bash
# The record tests (every real program, POSIX step-for-step, overlays, crashes, power loss)
# a second time with every mount over FUSE over io_uring, where the kernel has it. The fuse
# module's enable_uring parameter is switched on for this run only and restored afterwards:
# on a real host that is the admin's decision, not ours.
set -euo pipefail
cd "$(dirname "$0")/.."
param=/sys/module/fuse/parameters/enable_uring
if [ ! -e "$param" ]; then
  echo "test: this kernel ($(uname -r)) has no FUSE over io_uring: the record tests ran over /dev/fuse only"
  exit 0
fi
# One run at a time on a machine: another run's restore must not switch io_uring off under us.
exec 9> /run/lock/interposer-test-io-uring.lock
flock 9
was=$(cat "$param")
if [ "$was" != Y ]; then
  if ! { echo 1 > "$param"; } 2> /dev/null; then
    echo "test: cannot switch on $param (not root?): the record tests ran over /dev/fuse only"
    exit 0
  fi
  trap 'echo N > "$param"' EXIT
fi
echo "test: the record tests again, over FUSE over io_uring"
INTERPOSER_TEST_TRANSPORT=io_uring npx vitest run test/record "$@"
