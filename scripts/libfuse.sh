#!/usr/bin/env bash
# Builds libfuse >= 3.18 (FUSE over io_uring, FUSE_HANDLE_KILLPRIV_V2) from Debian unstable's fuse3
# source package when the system's is older (Debian 12 ships 3.14), plus libfuse's own
# example/passthrough_hp, the benchmark's reference server. The result is cached in
# native/vendor/libfuse (ignored by git), so a second run only checks a stamp.
#
# The source is fetched with `apt-get source` through a private sources list and private apt
# state/cache directories: the machine's apt configuration is never touched.
#
# Output (read by native/fuse-config.sh and bench/record.mjs):
#   native/vendor/libfuse/install/{lib/libfuse3.a,lib/pkgconfig/fuse3.pc,include/fuse3/}
#   native/vendor/libfuse/bin/passthrough_hp
set -euo pipefail
cd "$(dirname "$0")/.."

MIN_VERSION=3.18
# Debian's source package name and the suite that carries >= MIN_VERSION.
SOURCE_PACKAGE=fuse3
SOURCE_SUITE=unstable
MIRROR=${INTERPOSER_DEBIAN_MIRROR:-http://deb.debian.org/debian}

root=$PWD/native/vendor/libfuse
stamp=$root/stamp
# Bump when the build recipe below changes, so cached trees are rebuilt.
recipe=3

if [ -f "$stamp" ] && [ "$(cut -d' ' -f1 "$stamp")" = "$recipe" ] &&
  [ -f "$root/install/lib/libfuse3.a" ] && [ -x "$root/bin/passthrough_hp" ]; then
  exit 0
fi

echo "setup: building libfuse >= $MIN_VERSION from Debian's $SOURCE_PACKAGE source package (cached in native/vendor/libfuse)"
rm -rf "$root"
mkdir -p "$root"/apt/{lists/partial,cache/archives/partial,sources.list.d} "$root/src"
printf 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
  "$MIRROR" "$SOURCE_SUITE" > "$root/apt/sources.list"
apt_private=(-o "Dir::Etc::SourceList=$root/apt/sources.list"
  -o "Dir::Etc::SourceParts=$root/apt/sources.list.d"
  -o "Dir::State::Lists=$root/apt/lists"
  -o "Dir::Cache=$root/apt/cache"
  -o "APT::Sandbox::User=root")
apt-get "${apt_private[@]}" -qq update
(cd "$root/src" && apt-get "${apt_private[@]}" -qq source "$SOURCE_PACKAGE" > /dev/null)
src=$(find "$root/src" -mindepth 1 -maxdepth 1 -type d -name "$SOURCE_PACKAGE-*" | head -n1)
if [ -z "$src" ]; then
  echo "setup: apt-get source $SOURCE_PACKAGE produced no source tree" >&2
  exit 1
fi
version=${src##*/"$SOURCE_PACKAGE"-}
if ! dpkg --compare-versions "$version" ge "$MIN_VERSION"; then
  echo "setup: $SOURCE_SUITE has $SOURCE_PACKAGE $version, need >= $MIN_VERSION" >&2
  exit 1
fi

# Static library (the addon links it in: the system's libfuse3.so.3 stays untouched), with
# io_uring; no tests; no versioned symbols (they need the shared library's version script,
# which a static link lacks). fusermount3 is built but never installed setuid (see below).
meson setup "$root/build" "$src" --prefix="$root/install" --libdir=lib --buildtype=release \
  --default-library=static -Db_staticpic=true -Dutils=true -Dtests=false -Dexamples=true \
  -Denable-io-uring=true -Dinitscriptdir= -Ddisable-libc-symbol-version=true > "$root/meson.log" 2>&1 || {
  tail -n 30 "$root/meson.log" >&2
  exit 1
}
if ! grep -q '#define HAVE_URING' "$root/build/fuse_config.h"; then
  echo "setup: libfuse $version configured without io_uring (liburing-dev/libnuma-dev missing?)" >&2
  exit 1
fi
ninja -C "$root/build" lib/libfuse3.a example/passthrough_hp util/fusermount3 > "$root/ninja.log" 2>&1 || {
  tail -n 30 "$root/ninja.log" >&2
  exit 1
}
meson install -C "$root/build" --no-rebuild --tags devel > "$root/install.log" 2>&1 || {
  tail -n 30 "$root/install.log" >&2
  exit 1
}
mkdir -p "$root/bin" "$root/install/bin"
cp "$root/build/example/passthrough_hp" "$root/bin/passthrough_hp"
# libfuse runs <prefix>/bin/fusermount3 before the one on PATH. The system's setuid fusermount3
# stays the one that mounts for non-root users; only the mode libfuse >= 3.17 added for root
# mounts with auto_unmount (`fusermount3 --auto-unmount -- MNT`: watch, then unmount), which an
# older fusermount3 rejects, goes to the new one. Root needs no setuid bit for it.
cp "$root/build/util/fusermount3" "$root/bin/fusermount3-new"
cat > "$root/install/bin/fusermount3" << 'WRAPPER'
#!/bin/sh
if [ "$1" = --auto-unmount ] && [ "$(id -u)" = 0 ]; then
  exec "$(dirname "$0")/../../bin/fusermount3-new" "$@"
fi
exec fusermount3 "$@"
WRAPPER
chmod 755 "$root/install/bin/fusermount3"
# Objects and apt lists are not needed any more (the source tree stays for reference).
rm -rf "$root/apt" "$root/build"
echo "$recipe $version" > "$stamp"
echo "setup: libfuse $version built (static, io_uring), passthrough_hp in native/vendor/libfuse/bin"
