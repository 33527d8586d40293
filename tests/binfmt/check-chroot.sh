#!/bin/sh
# check-chroot.sh -- the foreign-chroot workflow: inside a debootstrap'ed
# amd64 Debian chroot (.ci/setup-chroot), the static ferry runs bash,
# `dpkg -l`, apt-cache/dpkg queries and a multi-file C project built with make and gcc, first with
# no /proc mounted, then with /proc; the same commands run natively in the
# same chroot are the oracle (output and status; the build's object files
# and program byte for byte), and a local .deb is built, installed with
# dpkg -i, run and removed.  The x86-64 build also builds Debian's zlib
# source (setup-chroot fetched it) with its own `./configure && make &&
# make check` (shared and static library; no-/proc pass) and a one-file C++ program with g++
# (/proc pass), once each: translated gcc is slow, and both passes already
# run make and gcc.  The AArch64 build (under an emulator copied into the
# chroot with its libraries) compiles one C file and installs the .deb in
# the no-/proc pass only; there zlib and the C++ program are built natively
# beforehand (compiling them translated would take half an hour) and only
# zlib's `make check` (its test programs) and the C++ program run under
# ferry.
#
#   check-chroot.sh CHROOT ARCH FERRY_BIN ["RUNNER"]
#   FERRY_CHROOT_SRC: the source cache (default CHROOT/../src-bookworm)
set -u
ch=$1 arch=$2 ferry=$3 runner=${4:-}
src=${FERRY_CHROOT_SRC:-$(dirname "$ch")/src-bookworm}
[ -e "$ch/.ferry-chroot-2" ] && [ -e "$src/.ferry-src-done" ] ||
    { echo "FAIL no chroot at $ch or no sources at $src (run .ci/setup-chroot)"; exit 1; }
if [ "$(id -u)" != 0 ]; then
    echo "SKIP check-chroot: needs root (chroot into a root-owned tree, mount /proc)"
    exit 0
fi
pass=0 fail=0
verdict() { if [ "$2" = 1 ]; then echo "PASS $1"; pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi; }
tmp=$(mktemp -d)
t=/ferry-test-$arch                    # the work tree, inside the chroot
trap 'rm -rf "$tmp" "$ch$t"' EXIT
rm -rf "$ch$t"                         # a killed run's work tree (its trap did not run)
. "$(dirname "$0")/../lib-runner.sh"
# ferry, and the emulator with its libraries run by its own loader.
runner_setup "$ch" "$t" "$ferry" $runner || { echo "FAIL cannot put ferry into $ch$t"; exit 1; }
mkdir -p "$ch$t/src"
run_ferry=$runner_ferry wrapper=$runner_wrapper

# The project: a header, three C files, a Makefile; `make check` runs it.
cat > "$ch$t/src/calc.h" << 'EOF'
long fib(int n);
unsigned crc(const char *s);
void report(const char *name, long v);
EOF
cat > "$ch$t/src/fib.c" << 'EOF'
#include "calc.h"
long fib(int n) { long a = 0, b = 1; while (n-- > 0) { long c = a + b; a = b; b = c; } return a; }
EOF
cat > "$ch$t/src/crc.c" << 'EOF'
#include "calc.h"
unsigned crc(const char *s)
{
    unsigned c = ~0u;
    for (; *s; s++) { c ^= (unsigned char)*s; for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1)); }
    return ~c;
}
EOF
cat > "$ch$t/src/main.c" << 'EOF'
#include <stdio.h>
#include <stdlib.h>
#include "calc.h"
void report(const char *name, long v) { printf("%s = %ld\n", name, v); }
int main(int argc, char **argv)
{
    report("fib(80)", fib(80));
    report("crc", crc(argc > 1 ? argv[1] : "ferry"));
    return 0;
}
EOF
printf '%s\n' 'OBJS = fib.o crc.o main.o' 'calc: $(OBJS)' '	$(CC) -o $@ $(OBJS)' \
    '%.o: %.c calc.h' '	$(CC) -O2 -c $<' 'check: calc' '	./calc chroot > out.txt && cat out.txt' \
    > "$ch$t/src/Makefile"
# A C++ program: templates, the standard library, an exception thrown
# through a frame and caught (libgcc_s's unwinder).
cat > "$ch$t/src/words.cc" << 'EOF'
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
static int parse(const std::string &w)
{
    if (w.empty() || w[0] < '0' || w[0] > '9') throw std::invalid_argument("not a number: " + w);
    return std::stoi(w);
}
int main()
{
    std::istringstream in("3 apples 12 pears 7 x 3");
    std::map<std::string, int> seen;
    long sum = 0;
    for (std::string w; in >> w;) {
        try { sum += parse(w); } catch (const std::exception &e) { seen[e.what()]++; }
    }
    for (const auto &kv : seen) std::cout << kv.first << " x" << kv.second << "\n";
    std::cout << "sum " << sum << std::endl;
    return 0;
}
EOF
# Debian's zlib (upstream tree of the source package), a configure-based
# multi-file project with its own test suite.
cp -r "$src/zlib" "$ch$t/src/zlib"

# The workloads: NAME and a bash command (run in $t/work, a fresh copy of
# the sources).  The AArch64 build, slow under emulation, builds the small
# project (make check) but not zlib.
build='make -s check && sha256sum fib.o crc.o main.o calc'
# Shared and static: ./configure builds both (PIC objects as *.lo, libz.so,
# the test programs linked each way) and make check runs all of them.
zlib='cd zlib && ./configure && make -s && make -s check &&
sha256sum *.o *.lo libz.a libz.so.* example minigzip examplesh minigzipsh example64 minigzip64'
cxx='g++ -O2 -c words.cc && g++ -o words words.o && ./words && sha256sum words.o words'
# A local .deb built, installed, run and removed (the chroot is left as it was).
deb='mkdir -p pkg/DEBIAN pkg/usr/bin &&
printf "Package: ferry-hello\nVersion: 1.0\nArchitecture: amd64\nMaintainer: ferry <ferry@example.org>\nDescription: check-chroot\n" > pkg/DEBIAN/control &&
printf "#!/bin/sh\necho hello from the package\n" > pkg/usr/bin/ferry-hello && chmod 755 pkg/usr/bin/ferry-hello &&
dpkg-deb --build --root-owner-group pkg ferry-hello.deb > /dev/null && dpkg -i ferry-hello.deb && ferry-hello &&
dpkg -s ferry-hello | grep -E "^(Status|Version)" && dpkg -r ferry-hello && [ ! -e /usr/bin/ferry-hello ]'
# apt's and dpkg's offline queries: the package cache, policy, file lists.
apt='apt-cache policy dpkg bash | head -n 12; apt-cache show bash | grep -E "^(Package|Version|Depends)";
apt-cache depends --no-recommends coreutils | head -n 6; apt-cache stats | head -n 3; dpkg -L dpkg | sort | head -n 8;
dpkg -S /bin/bash /usr/bin/gcc-12; dpkg-query -W -f="\${Package} \${Installed-Size}\n" libc6 gcc-12; apt-get -s install make | tail -n 2'
export LC_ALL=C COLUMNS=132 PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
unset FERRY_EXEC_WRAPPER
# in_chroot PROC OUT CMD: bash -c CMD in the chroot (PROC: mount /proc).
in_chroot() {
    proc=$1 out=$2
    shift 2
    rm -rf "$ch$t/work"
    cp -a "$ch$t/src" "$ch$t/work"     # -a: a prebuilt tree stays up to date for make
    if [ "$proc" = proc ]; then
        unshare -m sh -c 'mount -t proc proc "$1/proc" && shift && exec chroot "$@"' sh "$ch" "$ch" "$@"
    else
        chroot "$ch" "$@"
    fi > "$tmp/$out" 2>&1
    echo "status $?" >> "$tmp/$out"
}
# compare PROC NAME CMD
compare() {
    proc=$1 name=$2 cmd="cd $t/work && $3"
    in_chroot "$proc" native /bin/bash -c "$cmd"
    [ -n "$runner" ] && export FERRY_EXEC_WRAPPER="$wrapper"
    in_chroot "$proc" ferry $run_ferry /bin/bash -c "$cmd"
    unset FERRY_EXEC_WRAPPER
    # Equal, and the native run itself succeeded (both failing alike proves nothing).
    ok=0
    cmp -s "$tmp/native" "$tmp/ferry" && [ "$(tail -n 1 "$tmp/native")" = "status 0" ] && ok=1
    verdict "$arch, $proc: $name ($(wc -l < "$tmp/native") lines)" $ok
    [ -n "${CHECK_CHROOT_VERBOSE:-}" ] && sed 's/^/  | /' "$tmp/native"
    [ $ok = 1 ] || diff "$tmp/native" "$tmp/ferry" | head -n 12 | sed 's/^/  /'
}

# AArch64: the builds natively, before the copies (not compared: set-up).
zlib_run='cd zlib && make -s check'
cxx_run='./words'
if [ -n "$runner" ]; then
    chroot "$ch" /bin/bash -c "cd $t/src && g++ -O2 -o words words.cc && cd zlib &&
        ./configure --static && make -s" > "$tmp/prebuild" 2>&1 ||
        { verdict "$arch: native prebuild of zlib and words.cc" 0; sed 's/^/  /' "$tmp/prebuild" | tail -n 12; }
fi

for proc in no-proc proc; do
    if [ $proc = no-proc ] && [ -e "$ch/proc/self" ]; then
        verdict "$arch: the chroot has no /proc mounted" 0
    fi
    compare $proc "bash: variables, loops, arithmetic, children" \
        'echo "${BASH_VERSINFO[0]}"; for i in 1 2 3; do echo $((i * i)); done; ls /usr | sort | head -n 5; echo $(seq 3)'
    compare $proc "dpkg -l" 'dpkg -l | head -n 25; dpkg -l | wc -l'
    if [ -z "$runner" ] || [ $proc = no-proc ]; then
        compare $proc "apt-cache and dpkg queries (offline)" "$apt"
    fi
    if [ -z "$runner" ] || [ $proc = no-proc ]; then
        compare $proc "dpkg-deb --build, dpkg -i, the package's program, dpkg -r" "$deb"
        compare $proc "a C project built with make and gcc (objects and program as native)" "$build"
    else
        echo "SKIP $arch, $proc: dpkg -i and gcc (once is enough under $runner, where they take minutes)"
    fi
    if [ -n "$runner" ]; then
        if [ $proc = no-proc ]; then
            compare $proc "Debian's zlib (built natively): make check's programs" "$zlib_run"
            compare $proc "a C++ program (built natively): exceptions, iostream, map" "$cxx_run"
        else
            echo "SKIP $arch: building zlib and g++ translated (about half an hour of translated gcc under $runner)"
        fi
    elif [ $proc = no-proc ]; then
        compare $proc "Debian's zlib: ./configure, make, make check (objects, libz.a, libz.so, programs as native)" "$zlib"
    else
        compare $proc "a C++ program with g++: exceptions, iostream, map (objects and program as native)" "$cxx"
    fi
done

echo "check-chroot ($arch): $pass passed, $fail failed"
[ "$fail" = 0 ]
