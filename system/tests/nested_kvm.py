#!/usr/bin/env python3
"""nested_kvm.py -- check-system-kvm: runs the whole check-system suite
against the real KVM accelerator on a machine without /dev/kvm. QEMU
(TCG) emulates an x86-64 CPU with SVM; Debian's kernel boots in it from an
initramfs holding KVM's modules, ferry-system, the test guests, python3
and the tests; the suite then finds /dev/kvm and runs every guest under
both the KVM and the hosted accelerator.

usage: nested_kvm.py FERRY_SYSTEM SYS_OUT"""
import glob, os, re, subprocess, sys

FERRY, OUT = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"
PY_MODULES = "os,re,shutil,subprocess,sys,tempfile,time,socket,signal,errno,selectors,random"


def python_files():
    code = (f"import {PY_MODULES}, encodings.utf_8, encodings.latin_1, encodings.ascii\n"
            "for m in list(sys.modules.values()):\n"
            "    f = getattr(m, '__file__', None)\n"
            "    if f: print(f)\n")
    out = subprocess.run([PY, "-S", "-c", code], capture_output=True, text=True, check=True).stdout
    return sorted(set(out.split()))


def build_initramfs(vmlinuz, path):
    modroot = os.path.join(os.path.dirname(os.path.dirname(vmlinuz)), "lib", "modules")
    args = [PY, os.path.join(HERE, "mkinitramfs.py"), path, "--init", os.path.join(HERE, "nested-init.sh"),
            "--modroot", modroot, "--modules", "kvm-amd,kvm-intel,tun",
            "--bin", f"{FERRY}:/ferry-system", "--bin", f"{PY}:/bin/python3", "--bin", "/usr/sbin/ip:/bin/ip"]
    for f in python_files():
        args += ["--file", f"{f}:{f}"]
    for f in glob.glob(os.path.join(HERE, "*.py")):
        args += ["--file", f"{f}:/tests/{os.path.basename(f)}"]
    for f in glob.glob(os.path.join(OUT, "guests", "*.elf")):
        args += ["--file", f"{f}:/out/guests/{os.path.basename(f)}"]
    for f in glob.glob(os.path.join(OUT, "hosted", "*")):
        args += ["--bin", f"{f}:/out/hosted/{os.path.basename(f)}"]
    subprocess.run(args, check=True)


def main():
    vmlinuz = subprocess.run(["sh", os.path.join(HERE, "linux_kernel.sh"), OUT], capture_output=True,
                             text=True, check=True).stdout.strip()
    initrd = os.path.join(OUT, "nested-initramfs.cpio.gz")
    build_initramfs(vmlinuz, initrd)
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", "2G", "-smp", "2", "-nographic",
           "-no-reboot", "-kernel", vmlinuz, "-initrd", initrd,
           "-append", "console=ttyS0 quiet panic=-1"]
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=1200, stdin=subprocess.DEVNULL)
        out = p.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") + "\nnested_kvm: QEMU timed out"
    lines = [l for l in out.splitlines() if re.match(r"^(PASS|FAIL|NOTE|nested|check-system)", l)]
    print("\n".join(lines) if lines else out[-3000:])
    m = re.search(r"^check-system: (\d+) passed, (\d+) failed", out, re.M)
    ok = m and m.group(2) == "0" and "nested-exit=0" in out and "kvm:" in out
    print(f"check-system-kvm: {'passed' if ok else 'FAILED'}")
    return 0 if ok else 1


sys.exit(main())
