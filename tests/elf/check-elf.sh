#!/bin/sh
# check-elf.sh -- ferry's command-line behaviour on programs it must refuse.
#
#   check-elf.sh "FERRY-COMMAND" GEN_BAD_ELF FIXTURE-DIR
#
# For every fixture listed in FIXTURE-DIR/cases.txt (see gen_bad_elf.c),
# plus a missing file and a directory, ferry must print exactly one line
# "ferry: PATH: REASON" on stderr, nothing on stdout, and exit with the
# expected status (126, or 127 for a missing file) -- never crash.
ferry=$1 gen=$2 dir=$3
pass=0 fail=0

check() { # name path status reason-pattern
    out=$($ferry "$2" 2>"$dir/$1.err" </dev/null)
    st=$?
    err=$(cat "$dir/$1.err")
    lines=$(wc -l <"$dir/$1.err")
    reason=${err#"ferry: $2: "}
    if [ "$st" = "$3" ] && [ -z "$out" ] && [ "$lines" = 1 ] && [ "$reason" != "$err" ] &&
       "$gen" --match "$4" "$reason"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $1: status $st (want $3), stderr: $err (want: ferry: $2: $4)"
    fi
}

while read -r name status reason; do
    check "$name" "$dir/$name.elf" "$status" "$reason"
done <"$dir/cases.txt"
check missing "$dir/does-not-exist" 127 "No such file or directory"
mkdir -p "$dir/a-directory"
check directory "$dir/a-directory" 126 "Is a directory"

echo "check-elf: $pass passed, $fail failed"
[ "$fail" = 0 ]
