#!/bin/sh
# run-suite.sh NAME COMMAND... -- one suite of make check's second step
# (tests/check.mk): runs COMMAND (the suite's own make), then prints
#     suite NAME: ok, W s wall, C s CPU
# (FAILED for a non-zero status, which it passes on; C is the user+system
# time of every process the suite waited for, from /usr/bin/time, which
# .ci/setup-deps installs; .ci/time-check tabulates these lines).
name=$1
shift
t=$(mktemp)
if [ -x /usr/bin/time ]; then
    /usr/bin/time -o "$t" -f '%e %U %S' "$@"
    st=$?
    # (a command killed by a signal: time's first line says so)
    times=$(tail -n 1 "$t" | awk 'NF == 3 { printf "%.0f s wall, %.0f s CPU", $1, $2 + $3 }')
else
    s0=$(date +%s)
    "$@"
    st=$?
    times="$(($(date +%s) - s0)) s wall"
fi
rm -f "$t"
if [ "$st" = 0 ]; then verdict=ok; else verdict=FAILED; fi
echo "suite $name: $verdict, ${times:-no times}"
exit "$st"
