#!/bin/sh
# check-arch.sh -- `make check-arch`: the tree respects the arrows between
# ferry's parts (tests/arch/check_arch.py), and the checker itself catches
# each kind of violation: every case below copies the tree's sources to a
# scratch directory, adds one forbidden line and expects the checker to fail
# naming that file.
#
# Then, with the include paths the GNUmakefile gives each part (INC_<part>
# in the environment, set by `make check-arch`), a forbidden include must
# not even compile.
set -u
ROOT=$(pwd)
CHECK="python3 $ROOT/tests/arch/check_arch.py"
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
pass=0; fail=0

ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }

if $CHECK "$ROOT" >"$SCRATCH/out" 2>&1; then
    ok "tree"
else
    cat "$SCRATCH/out"; ko "tree"
fi

# case NAME FILE LINE: FILE with LINE added must be refused.
case_refused() {
    name=$1 file=$2 line=$3
    rm -rf "$SCRATCH/t" && mkdir -p "$SCRATCH/t"
    (cd "$ROOT" && tar cf - translator frontends backends loader syscalls system) |
        (cd "$SCRATCH/t" && tar xf -)
    printf '%s\n' "$line" >>"$SCRATCH/t/$file"
    if $CHECK "$SCRATCH/t" >"$SCRATCH/out" 2>&1; then
        ko "$name (not caught)"
    elif grep -q "^$file:" "$SCRATCH/out"; then
        ok "$name"
    else
        cat "$SCRATCH/out"; ko "$name (wrong report)"
    fi
}

case_refused frontend-to-backend   frontends/x86_64/x86_alu.c   '#include "backend.h"'
case_refused backend-to-frontend   backends/aarch64/a64_ops.c   '#include "x86_cpu.h"'
case_refused loader-to-translator  loader/ld_map.c              '#include "translator.h"'
case_refused loader-to-syscalls    loader/ld_map.c              '#include "syscalls.h"'
case_refused syscalls-to-backend   syscalls/sys_mm.c            '#include "backend.h"'
case_refused private-frontend      syscalls/sys_mm.c            '#include "x86_internal.h"'
case_refused private-translator    frontends/x86_64/x86_alu.c   '#include "tr_internal.h"'
case_refused private-loader        syscalls/sys_fs.c            '#include "ld_internal.h"'
case_refused user-mode-to-system   syscalls/sys_fs.c            '#include "vm.h"'
case_refused translator-to-syscall translator/dispatch.c        '#include "syscalls.h"'
case_refused host-if-translator    translator/dispatch.c        '#if defined(__aarch64__)'
case_refused host-ifdef-frontend   frontends/x86_64/x86_alu.c   '#ifdef __x86_64__'

# uncompilable PART HEADER: HEADER is out of PART's include path.
uncompilable() {
    part=$1 header=$2
    flags=$(eval echo "\${INC_$part:-}")
    if [ -z "$flags" ]; then
        ko "no-compile $part $header (INC_$part not set: run make check-arch)"
    elif printf '#include "%s"\n' "$header" |
            ${CC:-cc} $flags -fsyntax-only -x c - >/dev/null 2>&1; then
        ko "no-compile $part $header (it compiles)"
    else
        ok "no-compile $part $header"
    fi
}

uncompilable frontends backend.h
uncompilable backends  x86_cpu.h
uncompilable loader    translator.h
uncompilable loader    syscalls.h
uncompilable loader    x86_cpu.h
uncompilable syscalls  backend.h
uncompilable translator syscalls.h
uncompilable translator loader.h
uncompilable syscalls  vm.h
# ... and what a part may use does compile (the flags are not just broken).
if printf '#include "translator.h"\n#include "loader.h"\n#include "x86_cpu.h"\n' |
        ${CC:-cc} $INC_syscalls -fsyntax-only -x c - >/dev/null 2>&1; then
    ok "compiles syscalls public headers"
else
    ko "compiles syscalls public headers"
fi

echo "check-arch: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
