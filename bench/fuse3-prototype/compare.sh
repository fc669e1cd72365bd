#!/usr/bin/env bash
# Interleaved warm benchmark: libfuse2 adapter vs libfuse3 adapter vs fuse-overlayfs, fixed mode.
# usage: bench.sh ROUNDS OUTFILE [systems...]
set -u
ROUNDS=${1:-5}; OUT=${2:-/tmp/f3c/bench.tsv}; shift 2 || true
SYSTEMS=("$@"); [[ ${#SYSTEMS[@]} -gt 0 ]] || SYSTEMS=(fuse2 fuse3 fov)
DATA=/var/tmp/unionfs-java-bench/data/full-v1-7b7aee8d
L=$DATA/lower
BIN=/tmp/wt-fuse3/bin/unionfs-java
BASE=/var/tmp/f3bench
mkdir -p $BASE
now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2-$1:.3f}')"; }
PID=
mountit() { # sys dir
  local sys=$1 d=$2
  rm -rf "$d"; mkdir -p "$d"/{u,w,m}
  case $sys in
    fuse2) UNIONFS_JAVA_OPTS="${FUSE2_OPTS:-}" $BIN mount --foreground --lower-mode=fixed --upper "$d/u" --lower $L "$d/m" >"$d/log" 2>&1 & PID=$! ;;
    fuse3*) UNIONFS_JAVA_OPTS="-Dunionfs.fuse=3 ${FUSE3_OPTS:-}" $BIN mount --foreground --lower-mode=fixed --upper "$d/u" --lower $L "$d/m" >"$d/log" 2>&1 & PID=$! ;;
    fov) fuse-overlayfs -f -o lowerdir=$L,upperdir=$d/u,workdir=$d/w "$d/m" >"$d/log" 2>&1 & PID=$! ;;
  esac
  for i in $(seq 600); do grep -q " $d/m " /proc/mounts && return 0; sleep 0.1; done
  echo "mount of $sys failed" >&2; cat "$d/log" >&2; return 1
}
unmountit() {
  local d=$1
  umount "$d/m" 2>/dev/null || umount -l "$d/m"
  for i in $(seq 100); do kill -0 $PID 2>/dev/null || break; sleep 0.1; done
  kill -0 $PID 2>/dev/null && kill $PID
  wait $PID 2>/dev/null
  rm -rf "$d"
}
cat > $BASE/xattr.py <<'PY'
import os, sys, time
d = sys.argv[1]
names = os.listdir(d)
t = time.perf_counter()
for n in names:
    p = os.path.join(d, n)
    for a in ("security.selinux", "system.posix_acl_access"):
        try:
            os.getxattr(p, a, follow_symlinks=False)
        except OSError:
            pass
print(f"{time.perf_counter() - t:.3f}")
PY
echo -e "round\tsystem\tworkload\tseconds" >> "$OUT"
for r in $(seq $ROUNDS); do
  n=${#SYSTEMS[@]}
  for k in $(seq 0 $((n-1))); do
    sys=${SYSTEMS[$(( (k + r) % n ))]}
    d=$BASE/$sys
    mountit $sys $d || continue
    m=$d/m
    (cd $m && find tree -printf '%s\n' >/dev/null)        # warm-up
    t0=$(now); (cd $m && find tree -printf '%s\n' >/dev/null); t1=$(now)
    echo -e "$r\t$sys\tfind-warm\t$(elapsed $t0 $t1)" >> "$OUT"
    (cd $m && ls -l bigdir >/dev/null)
    t0=$(now); (cd $m && ls -l bigdir >/dev/null); t1=$(now)
    echo -e "$r\t$sys\tls-l-warm\t$(elapsed $t0 $t1)" >> "$OUT"
    (cd $m && while read -r f; do : < "$f"; done < $DATA/openclose.list)
    t0=$(now); (cd $m && while read -r f; do : < "$f"; done < $DATA/openclose.list); t1=$(now)
    echo -e "$r\t$sys\topenclose\t$(elapsed $t0 $t1)" >> "$OUT"
    python3 $BASE/xattr.py $m/bigdir >/dev/null
    echo -e "$r\t$sys\tgetxattr\t$(python3 $BASE/xattr.py $m/bigdir)" >> "$OUT"
    mkdir $m/untar
    t0=$(now); tar -xf $DATA/src.tar -C $m/untar; t1=$(now)
    echo -e "$r\t$sys\tuntar\t$(elapsed $t0 $t1)" >> "$OUT"
    unmountit $d
  done
done
