#!/bin/sh
# deb-build.sh -- a real Debian package build with every process translated:
# a small C package (Makefile, hand-written debian/rules, no debhelper, as
# Debian's dpkg-dev alone allows) built by `dpkg-buildpackage -b -uc -us`
# once natively and once under FERRY, both in under-ferry.sh's namespace
# (dpkg-buildpackage, its perl helpers, make, gcc/cc1/as/ld, strip,
# dpkg-shlibdeps, dpkg-deb, gzip, md5sum, ...).  The .deb files must be the
# same bytes (SOURCE_DATE_EPOCH fixed; -ffile-prefix-map hides the build
# directory), and the logs and .buildinfo the same up to the directory name
# and Build-Date.  Not in `make check`: under qemu-aarch64 it takes about 12
# minutes at load 13 (x86-64 build: 42 s; natively 19 s).
#   deb-build.sh FERRY        (FERRY: build/ferry or build/aarch64/ferry)
set -u
[ $# = 1 ] || { echo "usage: deb-build.sh FERRY" >&2; exit 2; }
ferry=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
uf=$(cd "$(dirname "$0")" && pwd)/under-ferry.sh
command -v dpkg-buildpackage > /dev/null || { echo "deb-build.sh: no dpkg-buildpackage (dpkg-dev)"; exit 0; }
tmp=$(mktemp -d /tmp/deb-build-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# The package's source tree, written into $1.
make_tree() {
    mkdir -p "$1/debian/source"
    cat > "$1/hello.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include "greet.h"
int main(int argc, char **argv)
{
    const char *who = argc > 1 ? argv[1] : "world";
    printf("%s\n", greet(who));
    return strlen(who) > 100;
}
EOF
    printf 'const char *greet(const char *who);\n' > "$1/greet.h"
    cat > "$1/greet.c" <<'EOF'
#include <stdio.h>
#include "greet.h"
const char *greet(const char *who)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "Hello, %s!", who);
    return buf;
}
EOF
    cat > "$1/Makefile" <<'EOF'
CFLAGS ?= -O2 -g
PREFIX ?= /usr
all: hello libgreet.a
libgreet.a: greet.o
	$(AR) rcs $@ $^
hello: hello.o libgreet.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ hello.o -L. -lgreet
check: hello
	test "`./hello`" = "Hello, world!"
	test "`./hello ferry`" = "Hello, ferry!"
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 hello $(DESTDIR)$(PREFIX)/bin/ferryhello
	printf '.TH FERRYHELLO 1\n.SH NAME\nferryhello \\- greets\n' | gzip -9n > $(DESTDIR)$(PREFIX)/share/man/man1/ferryhello.1.gz
clean:
	rm -f *.o *.a hello
EOF
    cat > "$1/debian/control" <<'EOF'
Source: ferryhello
Section: misc
Priority: optional
Maintainer: ferry tests <ferry@example.org>
Build-Depends: make, gcc
Standards-Version: 4.6.2

Package: ferryhello
Architecture: any
Depends: ${shlibs:Depends}, ${misc:Depends}
Description: greeting program built under ferry
 A tiny C program built as a Debian package with every process translated.
EOF
    cat > "$1/debian/changelog" <<'EOF'
ferryhello (1.0-1) unstable; urgency=medium

  * Initial release.

 -- ferry tests <ferry@example.org>  Thu, 03 Dec 2026 20:00:00 +0000
EOF
    printf '3.0 (native)\n' > "$1/debian/source/format"
    cat > "$1/debian/rules" <<'EOF'
#!/usr/bin/make -f
D := $(CURDIR)/debian/ferryhello
build build-arch build-indep:
	$(MAKE) CFLAGS="$(shell dpkg-buildflags --get CFLAGS)" LDFLAGS="$(shell dpkg-buildflags --get LDFLAGS)"
	$(MAKE) check
clean:
	$(MAKE) clean
	rm -rf debian/ferryhello debian/files debian/substvars
binary binary-arch: build
	rm -rf $(D)
	$(MAKE) install DESTDIR=$(D)
	install -d $(D)/DEBIAN $(D)/usr/share/doc/ferryhello
	gzip -9n < debian/changelog > $(D)/usr/share/doc/ferryhello/changelog.Debian.gz
	strip --strip-unneeded $(D)/usr/bin/ferryhello
	dpkg-shlibdeps -Tdebian/substvars $(D)/usr/bin/ferryhello
	dpkg-gencontrol -pferryhello -P$(D)
	cd $(D) && find usr -type f -exec md5sum {} + > DEBIAN/md5sums
	dpkg-deb --build $(D) ..
binary-indep:
.PHONY: build build-arch build-indep clean binary binary-arch binary-indep
EOF
    chmod +x "$1/debian/rules"
}

# build WHO: the package built in $tmp/WHO (WHO = native or ferry).
build() {
    make_tree "$tmp/$1/ferryhello-1.0"
    if [ "$1" = native ]; then how=--native; else how=$ferry; fi
    SOURCE_DATE_EPOCH=1796000000 sh "$uf" $how "$tmp/$1/ferryhello-1.0" \
        dpkg-buildpackage -b -uc -us > "$tmp/$1.log" 2>&1
    echo "exit $?" >> "$tmp/$1.log"
    sed "s|$tmp/$1/|DIR/|g" "$tmp/$1.log" > "$tmp/$1.norm"
    grep -v '^Build-Date:' "$tmp/$1/ferryhello_1.0-1_"*.buildinfo > "$tmp/$1.bi" 2> /dev/null
}
build native
build ferry
fail=0
for f in norm bi; do
    cmp -s "$tmp/native.$f" "$tmp/ferry.$f" ||
        { echo "FAIL deb-build: the $f files differ"; diff "$tmp/native.$f" "$tmp/ferry.$f" | head -20; fail=1; }
done
debs=$(cd "$tmp/native" && ls *.deb 2> /dev/null)
[ -n "$debs" ] || { echo "FAIL deb-build: no .deb natively"; tail "$tmp/native.log"; fail=1; }
for d in $debs; do
    cmp -s "$tmp/native/$d" "$tmp/ferry/$d" || { echo "FAIL deb-build: $d differs"; fail=1; }
done
[ $fail = 0 ] && echo "PASS deb-build: dpkg-buildpackage under $(basename "$ferry"): $debs the same bytes"
exit $fail
