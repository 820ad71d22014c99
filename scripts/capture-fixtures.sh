#!/usr/bin/env bash
# Re-captures the small real-program traces in fixtures/ with the recorder itself.
# Each program runs alone through a fresh mount so each fixture holds one workload.
set -euo pipefail
cd "$(dirname "$0")/.."
CLI="node dist/bin/interposer.js"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A fixed input tree so the tar fixture is reproducible: the fixtures' own source files.
mkdir -p "$work/src" && cp -r native/src "$work/src/native" && cp src/trace/*.ts "$work/src/"
tar -C "$work/src" -cf "$work/input.tar" .

capture() { # name, shell command run with $M = mountpoint
  local name=$1 cmd=$2
  rm -rf "$work/b" "$work/m" && mkdir -p "$work/b" "$work/m"
  $CLI mount "$work/b" "$work/m" --trace "fixtures/$name.parquet" >"$work/log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do grep -q mounted "$work/log" && break; sleep 0.1; done
  M="$work/m" INPUT="$work/input.tar" sh -c "$cmd"
  kill -TERM $pid && wait $pid
  echo "fixtures/$name.parquet: $(tail -1 "$work/log")"
}

capture tar 'mkdir "$M/x" && tar -C "$M/x" -xf "$INPUT"'
capture sqlite3 'sqlite3 "$M/f.db" "create table t(k integer primary key, v text); begin; with recursive c(x) as (select 1 union all select x+1 from c where x<500) insert into t(v) select printf(\"row%d\", x) from c; commit; update t set v = v || \"!\" where k % 7 = 0; pragma integrity_check;" >/dev/null'
capture git 'cd "$M" && git init -q r && cd r && tar -xf "$INPUT" && git add -A && git -c user.email=f@example.com -c user.name=f commit -qm fixture'
capture fio 'fio --name=fx --directory="$M" --size=2m --bs=4k --rw=randrw --rwmixread=60 --ioengine=psync --numjobs=2 --io_size=1m --randrepeat=1 --output=/dev/null'
