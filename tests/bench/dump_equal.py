#!/usr/bin/env python3
"""dump_equal.py -- whether two `ferry -d ir,out_asm -D LOG` dumps of the
same run (same program, same inputs, `setarch -R`, a fixed hash seed) hold
the same IR and host code, for changes meant to leave the emitted code
alone (two builds of ferry, before and after).  The dumps must have the
same lines; a line may differ only where it calls (`call`, `bl`) or builds
with movz/movk the address of a function in ferry's own image -- a helper,
which moves when ferry's code changes.  Any other difference is printed
and the exit status is 1.

    dump_equal.py BASE_LOG NEW_LOG IMAGE_LO IMAGE_HI   (hex: ferry's image)

Under `setarch -R` ferry's image sits at 0x7ffff7a00000.. on the x86-64
host and at 0x5500000000.. under qemu-aarch64 (see a `call`/`bl` target
in the dump).
"""
import re
import sys

CALL = re.compile(r'(?:call|bl)\s+#?(0x[0-9a-f]+)$')
MOVZ = re.compile(r'movz\s+(x\d+), #(0x[0-9a-f]+|\d+)(?:, lsl #(\d+))?$')


def built_value(lines, i):
    """The value a movz at line i and the movk lines after it build."""
    m = MOVZ.search(lines[i])
    if not m:
        return None
    reg, v = m.group(1), int(m.group(2), 0) << int(m.group(3) or 0)
    movk = re.compile(r'movk\s+' + reg + r', #(0x[0-9a-f]+|\d+), lsl #(\d+)$')
    for line in lines[i + 1:]:
        k = movk.search(line)
        if not k:
            break
        s = int(k.group(2))
        v = (v & ~(0xffff << s)) | (int(k.group(1), 0) << s)
    return v


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    a = open(sys.argv[1]).read().split('\n')
    b = open(sys.argv[2]).read().split('\n')
    lo, hi = int(sys.argv[3], 16), int(sys.argv[4], 16)

    def helper(v):
        return v is not None and lo <= v < hi

    if len(a) != len(b):
        print(f"the dumps differ in length: {len(a)} and {len(b)} lines")
        return 1
    helpers = other = 0
    for i, (x, y) in enumerate(zip(a, b)):
        if x == y:
            continue
        cx, cy = CALL.search(x), CALL.search(y)
        same_place = x.split(':')[0] == y.split(':')[0]
        if cx and cy and same_place and helper(int(cx.group(1), 16)) and helper(int(cy.group(1), 16)):
            helpers += 1
            continue
        if same_place and helper(built_value(a, i)) and helper(built_value(b, i)):
            helpers += 1
            continue
        other += 1
        if other <= 10:
            print(f"line {i + 1}: {x!r} / {y!r}")
    blocks = sum(1 for line in a if line.startswith('IR '))
    print(f"{len(a)} lines, {blocks} blocks; helper addresses differing: {helpers} lines; "
          f"other differences: {other}")
    return 1 if other else 0


if __name__ == '__main__':
    sys.exit(main())
