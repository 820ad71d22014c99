#!/usr/bin/env bash
# Installs everything interposer needs on a fresh Debian/Ubuntu machine (run as root), then
# builds it. Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# Runtime: libfuse3 (our binding), fuse3 (fusermount3, /etc/fuse.conf). Build: headers, pkg-config.
# Tests and demo: the real programs driven through the mount, and tmux for the TUI test.
APT_PACKAGES=(fuse3 libfuse3-3 libfuse3-dev libfuse2 pkg-config build-essential python3
  fio sqlite3 git tar rsync attr tmux procps util-linux postgresql prometheus)
# libfuse 3.18 from Debian's source package (scripts/libfuse.sh): fetch, build, io_uring.
APT_PACKAGES+=(dpkg-dev meson ninja-build g++ liburing-dev libnuma-dev debian-archive-keyring)
# The inode data path: stress-ng stressors in the tests; strace counts syscalls in bench:rows.
APT_PACKAGES+=(stress-ng strace)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then
    echo "setup: need root to install packages (or install them yourself: apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
  # Install services (PostgreSQL) without starting them: tests start their own instances.
  policy_created=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy_created=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ "$policy_created" = 1 ] && rm -f /usr/sbin/policy-rc.d
fi

# FUSE control files (abort of hung connections).
if [ -d /sys/fs/fuse/connections ] && ! mountpoint -q /sys/fs/fuse/connections; then
  mount -t fusectl none /sys/fs/fuse/connections 2>/dev/null || true
fi

# npm dependencies, reinstalled only when the lock file changed.
stamp=node_modules/.package-lock.sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

# libfuse >= 3.18 for the addon (static) and passthrough_hp for the benchmark; cached.
bash scripts/libfuse.sh

npm run --silent build
