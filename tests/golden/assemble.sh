#!/bin/sh
# assemble.sh CASES.txt OUT.hex -- the golden cases as hex, with the x86-64
# GNU assembler (Intel syntax): one case per line of CASES.txt, several
# instructions separated by ';'.  Lines starting with '#' are section
# titles (kept), '//' lines and blank lines are dropped.  Output lines:
# "# title" or "HEX<tab>source".  All cases go through one `as` run: each
# gets a label, and the labels' offsets cut the flat binary; line markers
# make `as` name the line of CASES.txt in its errors.
set -eu
in=$1 out=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk '/^\/\// || /^[ \t]*$/ { next }
     /^#/ { next }
     { printf "gd_case_%d:\n# %d \"%s\"\n%s\n", n++, NR, FILENAME, $0 }
     END { print "gd_case_end:" }' "$in" > "$tmp/body.s"
{ printf '.intel_syntax noprefix\n.text\n'; cat "$tmp/body.s"; } > "$tmp/cases.s"
as --64 -o "$tmp/cases.o" "$tmp/cases.s"
# A misspelt register assembles as a symbol: refuse any.
undef=$(nm -u "$tmp/cases.o")
if [ -n "$undef" ]; then
    echo "assemble.sh: $in: unknown names (misspelt registers?): $(echo $undef | tr -d U)" >&2
    exit 1
fi
objcopy -O binary -j .text "$tmp/cases.o" "$tmp/cases.bin"
nm "$tmp/cases.o" | awk '$3 ~ /^gd_case_/ { print $3, $1 }' > "$tmp/labels"
od -An -v -tx1 "$tmp/cases.bin" | tr -d ' \n' > "$tmp/hex"
awk -v hexfile="$tmp/hex" -v labfile="$tmp/labels" '
    BEGIN {
        getline hex < hexfile
        while ((getline l < labfile) > 0) {
            split(l, f, " "); off[f[1]] = strtonum_hex(f[2])
        }
    }
    function strtonum_hex(s,    v, i, c) {
        v = 0
        for (i = 1; i <= length(s); i++) {
            c = index("0123456789abcdef", tolower(substr(s, i, 1))) - 1
            v = v * 16 + c
        }
        return v
    }
    /^\/\// || /^[ \t]*$/ { next }
    /^#/ { print; next }
    {
        a = off["gd_case_" n]
        nxt = ("gd_case_" (n + 1)) in off ? off["gd_case_" (n + 1)] : off["gd_case_end"]
        printf "%s\t%s\n", substr(hex, 2 * a + 1, 2 * (nxt - a)), $0
        n++
    }' "$in" > "$out.tmp"
mv "$out.tmp" "$out"
