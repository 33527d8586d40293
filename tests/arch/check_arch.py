#!/usr/bin/env python3
"""check_arch.py -- fails when a source file crosses a forbidden arrow
between ferry's parts (docs/architecture.md, "Parts and arrows").

    check_arch.py [ROOT]      checks the tree at ROOT (default: .)

Every #include "..." in translator/, frontends/, backends/, loader/,
syscalls/ and system/ is resolved to the header it names and judged by
two tables below: which parts a part may include from, and which headers
are a part's public face (everything else in a part is private to it).
Also refused: host-architecture #if in the generic parts.  Prints one
line per violation ("FILE:LINE: why") and exits 1 if there is any.
"""
import os
import re
import sys

# A part is a directory; the first matching prefix names a file's part.
PARTS = [
    ("frontends/", "frontends"),
    ("backends/", "backends"),
    ("translator/", "translator"),
    ("loader/", "loader"),
    ("syscalls/", "syscalls"),
    ("system/", "system"),
]

# The public face of each part: the only headers other parts may include.
PUBLIC = {
    "translator": {"translator/translator.h", "translator/runtime.h", "translator/guest_mem.h",
                   "translator/ir.h", "translator/ir_ops.def", "translator/options.h",
                   "translator/cli.h"},
    "frontends": {"frontends/frontend.h", "frontends/x86_64/x86_cpu.h", "frontends/x86_64/x86_system.h"},
    "backends": {"backends/backend.h"},
    "loader": {"loader/loader.h", "loader/ld_elf.h"},
    "syscalls": {"syscalls/syscalls.h"},
    "system": set(),
}

# Allowed arrows: part -> parts whose public headers it may include.  The
# engine (translator) sees a frontend and a backend only through their
# interfaces; loader is a leaf; user-mode parts never reach into system.
ALLOWED = {
    "translator": {"frontends", "backends"},
    "frontends": {"translator"},
    "backends": {"translator"},
    "loader": set(),
    "syscalls": {"translator", "frontends", "loader"},
    "system": {"translator", "frontends", "loader"},
}

# translator/main.c is ferry's program (user mode), not the engine: it
# wires the parts together and may use every user-mode part's public face.
PROGRAM_ALLOWED = {
    "translator/main.c": {"frontends", "backends", "loader", "syscalls"},
    "translator/cli_ferry.c": {"frontends", "backends", "loader", "syscalls"},
}

# Parts that must not test the host architecture with #if: the host is
# the backends' business alone.
NO_HOST_IF = {"translator", "frontends", "loader", "syscalls"}
HOST_MACROS = re.compile(r"__(x86_64|amd64|aarch64|arm|i386|riscv|powerpc64|s390x)__|"
                         r"__ARM_ARCH|_M_X64|_M_ARM64")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
HOST_IF = re.compile(r"^\s*#\s*(if|ifdef|ifndef|elif)\b(.*)")


def part_of(path):
    for prefix, part in PARTS:
        if path.startswith(prefix):
            return part
    return None


def source_files(root):
    for prefix, _ in PARTS:
        top = os.path.join(root, prefix)
        for d, _, names in os.walk(top):
            for n in sorted(names):
                if n.endswith((".c", ".h", ".def")):
                    yield os.path.relpath(os.path.join(d, n), root)


def header_index(root):
    """Header base name -> the repository paths that define it."""
    index = {}
    for path in source_files(root):
        if path.endswith((".h", ".def")):
            index.setdefault(os.path.basename(path), []).append(path)
    return index


def resolve(name, including, index):
    """The header a quoted include names: next to the includer first (as
    the compiler does), else the one of that name in the tree."""
    local = os.path.normpath(os.path.join(os.path.dirname(including), name))
    candidates = index.get(os.path.basename(name), [])
    if local in candidates:
        return local
    return candidates[0] if len(candidates) == 1 else None


def check_include(path, header):
    """None if path may include header, else why not."""
    src, dst = part_of(path), part_of(header)
    if dst is None or src == dst:
        return None
    allowed = ALLOWED[src] | PROGRAM_ALLOWED.get(path, set())
    if dst not in allowed:
        return "%s -> %s is a forbidden arrow (%s)" % (src, dst, header)
    if header not in PUBLIC[dst]:
        return "%s is private to %s/" % (header, dst)
    return None


def check_file(root, path, index):
    errors = []
    with open(os.path.join(root, path), errors="replace") as f:
        lines = f.readlines()
    for n, line in enumerate(lines, 1):
        m = INCLUDE.match(line)
        if m:
            header = resolve(m.group(1), path, index)
            why = check_include(path, header) if header else None
            if why:
                errors.append("%s:%d: %s" % (path, n, why))
        m = HOST_IF.match(line)
        if m and part_of(path) in NO_HOST_IF and HOST_MACROS.search(m.group(2)):
            errors.append("%s:%d: host #if in %s/ (host differences belong in backends/)"
                          % (path, n, part_of(path)))
    return errors


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    index = header_index(root)
    errors = []
    files = list(source_files(root))
    for path in files:
        errors += check_file(root, path, index)
    for e in errors:
        print(e)
    print("check-arch: %d files, %d violations" % (len(files), len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
