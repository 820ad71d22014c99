#!/usr/bin/env bash
# Compiler and linker flags for libfuse, for binding.gyp: the system's libfuse3 when it is
# >= 3.18, otherwise the static build scripts/libfuse.sh leaves in native/vendor/libfuse.
# Without either, the system's older libfuse (no io_uring, no KILLPRIV_V2) with a warning.
# Usage: fuse-config.sh cflags|include_dirs|libs
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
vendor=$here/vendor/libfuse/install
what=${1:?usage: fuse-config.sh cflags|include_dirs|libs}

if pkg-config --atleast-version=3.18 fuse3 2> /dev/null; then
  pc=(pkg-config fuse3)
  static_lib=
elif [ -f "$vendor/lib/libfuse3.a" ]; then
  pc=(env PKG_CONFIG_PATH="$vendor/lib/pkgconfig" pkg-config --static fuse3)
  static_lib=$vendor/lib/libfuse3.a
else
  [ "$what" = libs ] && echo "interposer: building against the system's libfuse $(pkg-config --modversion fuse3) (no io_uring, no KILLPRIV_V2); run scripts/setup.sh for 3.18" >&2
  pc=(pkg-config fuse3)
  static_lib=
fi

case "$what" in
  cflags) "${pc[@]}" --cflags-only-other ;;
  include_dirs) "${pc[@]}" --cflags-only-I | sed 's/-I//g' ;;
  libs)
    if [ -n "$static_lib" ]; then
      # The archive by path (never the system's .so), its symbols kept out of the addon's
      # exports, then what it needs (liburing, libnuma, ...).
      echo "$static_lib -Wl,--exclude-libs,libfuse3.a $("${pc[@]}" --libs | sed 's/-lfuse3//; s/-L[^ ]*//g')"
    else
      "${pc[@]}" --libs
    fi
    ;;
  *)
    echo "fuse-config.sh: unknown query $what" >&2
    exit 2
    ;;
esac
