#!/bin/sh
# check-cpu.sh FERRY "RUNNER" PROG -- -cpu MODEL against QEMU's own models.
# For every model `ferry -cpu help` lists, PROG (cpu_model.c: CPUID feature
# words and __builtin_cpu_supports) runs under `ferry -cpu MODEL` and under
# `qemu-x86_64 -cpu MODEL` (the oracle: QEMU defines the models).  QEMU's
# TCG drops some of a model's features and says which ("TCG doesn't support
# requested feature: CPUID.07H:EBX.rdseed [bit 18]"); those bits are put
# back, since the model has them.  Then, with MAX = ferry's own CPU:
#   words(ferry, M)    == (words(qemu, M) | warned bits) & words(ferry, max)
#   supports(ferry, M) and supports(qemu, M) agree on every feature both
#                         ferry's and QEMU's max CPUs have (where QEMU's
#                         vendor is Intel or AMD; ferry keeps its own)
#   ld.so --help: x86-64-vN is "supported" under ferry -cpu M iff under
#                 qemu -cpu M and under ferry's max CPU
# and the model survives a guest execve (-cpu passed on), FERRY_CPU and
# QEMU_CPU select it, a bad name is one line and status 1.
set -u
ferry="$2 $1" prog=$3
command -v qemu-x86_64 > /dev/null || { echo "check-cpu: qemu-x86_64 missing (qemu-user)"; exit 1; }
tmp=$(mktemp -d /tmp/ferry-cpu-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
ldso=/lib64/ld-linux-x86-64.so.2

bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# expect DIR MODEL...: for each model, DIR/MODEL.q, .qerr (qemu) and .f
# (ferry) against DIR/fmax and DIR/qmax; one line per failing model.
expect() {
    python3 - "$@" <<'PY'
import re, sys
d, models = sys.argv[1], sys.argv[2:]
rd = lambda name: open("%s/%s" % (d, name)).read().splitlines()
fmax, qmax = rd("fmax"), rd("qmax")
regs = {"01H:ECX": 0, "01H:EDX": 1, "07H:EBX": 2, "07H:ECX": 3, "07H:EDX": 4,
        "0DH:EAX": 5, "80000001H:ECX": 6, "80000001H:EDX": 7}
hexw = lambda ws: " ".join("%08x" % w for w in ws)
def why(q, qerr, f):
    words = [int(x, 16) for x in q[0].split()]
    for line in qerr:
        m = re.search(r"CPUID\.([0-9A-F]+H:E[A-D]X)\.\S+ \[bit (\d+)\]", line)
        if m and m.group(1) in regs:
            words[regs[m.group(1)]] |= 1 << int(m.group(2))
    want = [w & int(x, 16) for w, x in zip(words, fmax[0].split())]
    got = [int(x, 16) for x in f[0].split()]
    if got != want:
        return "CPUID words %s, expected %s" % (hexw(got), hexw(want))
    if q[2] not in ("GenuineIntel", "AuthenticAMD"):
        return None     # libgcc answers nothing for other vendors (Dhyana's Hygon); ferry's is Intel
    common = set(fmax[1].split()) & set(qmax[1].split())
    fs, qs = set(f[1].split()) & common, set(q[1].split()) & common
    if fs != qs:
        return "__builtin_cpu_supports: ferry only %s, qemu only %s" % (sorted(fs - qs), sorted(qs - fs))
for m in models:
    w = why(rd(m + ".q"), rd(m + ".qerr"), rd(m + ".f"))
    if w:
        print("FAIL: -cpu %s: %s" % (m, w))
PY
}

# levels LDSO_HELP_OUT: the x86-64-vN levels ld.so --help says are supported.
levels() { sed -n 's/^ *\(x86-64-v[0-9]\) (supported, searched)$/\1/p' "$1" | tr '\n' ' '; }

$ferry -cpu max "$prog" > "$tmp/fmax" || bad "ferry -cpu max"
qemu-x86_64 -cpu max "$prog" > "$tmp/qmax" 2> /dev/null || bad "qemu -cpu max"
$ferry "$prog" | cmp -s - "$tmp/fmax" || bad "no -cpu differs from -cpu max"
$ferry -cpu max $ldso --help > "$tmp/ldmax" || bad "ferry ld.so --help"
models=$($ferry -cpu help | sed -n "s/^  \([A-Za-z][A-Za-z0-9_-]*\)  *QEMU's model$/\1/p")
[ -n "$models" ] || bad "-cpu help lists no models"
for m in $models; do
    n=$((n + 1))
    qemu-x86_64 -cpu "$m" "$prog" > "$tmp/$m.q" 2> "$tmp/$m.qerr" || bad "qemu -cpu $m failed"
    $ferry -cpu "$m" "$prog" > "$tmp/$m.f" 2> "$tmp/ferr" || bad "ferry -cpu $m failed: $(cat "$tmp/ferr")"
    # ld.so's view (hwcaps subdirectories), for a model of each level.
    case $m in
    qemu64|Nehalem|Haswell|EPYC|Skylake-Server) ;;
    *) continue ;;
    esac
    qemu-x86_64 -cpu "$m" $ldso --help > "$tmp/ldq" 2> /dev/null
    $ferry -cpu "$m" $ldso --help > "$tmp/ldf" 2> /dev/null
    want=""
    for l in $(levels "$tmp/ldq"); do
        case " $(levels "$tmp/ldmax")" in *" $l "*) want="$want$l " ;; esac
    done
    [ "$(levels "$tmp/ldf")" = "$want" ] || bad "-cpu $m: ld.so supports '$(levels "$tmp/ldf")', expected '$want'"
done
why=$(expect "$tmp" $models)
[ -z "$why" ] || { echo "$why"; fail=$((fail + $(echo "$why" | wc -l))); }
# The model is passed on to an exec'd program, and read from the environment.
$ferry -cpu qemu64 "$prog" > "$tmp/direct"
$ferry -cpu qemu64 /bin/sh -c "exec $prog" | cmp -s - "$tmp/direct" || bad "-cpu lost across execve"
FERRY_CPU=qemu64 $ferry "$prog" | cmp -s - "$tmp/direct" || bad "FERRY_CPU=qemu64 not applied"
[ -n "$2" ] || { QEMU_CPU=qemu64 $ferry "$prog" | cmp -s - "$tmp/direct" || bad "QEMU_CPU=qemu64 not applied"; }
$ferry -cpu Haswell-noTSX-IBRS "$prog" | cmp -s - "$($ferry -cpu Haswell "$prog" > "$tmp/h"; echo "$tmp/h")" ||
    bad "a variant name does not use its model's features"
$ferry -cpu NoSuchCPU "$prog" > "$tmp/o" 2> "$tmp/e"; st=$?
[ $st != 0 ] && [ ! -s "$tmp/o" ] && [ "$(wc -l < "$tmp/e")" = 1 ] || bad "-cpu NoSuchCPU: status $st, $(cat "$tmp/e")"
echo "check-cpu: $n models, $fail failed"
[ $fail = 0 ]
