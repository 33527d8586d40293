#!/usr/bin/env python3
"""nested_kvm.py -- real KVM on a machine without /dev/kvm: QEMU (TCG)
emulates an x86-64 CPU with SVM, and Debian's kernel boots in it from an
initramfs holding KVM's modules and ferry-system.

  suite       (make check-system-kvm) the initramfs also holds the test
              guests, python3 and the tests; the whole check-system suite
              runs there under both the KVM and the hosted accelerator.
  boot-linux  (make boot-linux-nested) ferry-system boots Debian's kernel
              (2 vCPUs, virtio disk, net on a tap, rng, console) inside.

usage: nested_kvm.py suite|boot-linux FERRY_SYSTEM SYS_OUT"""
import glob, os, re, subprocess, sys

MODE, FERRY, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"
LIBSLIRP = re.search(r"=> (\S+)", subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True)
                     .stdout.split("libslirp.so.0 ", 1)[-1]).group(1)
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
            "--bin", f"{FERRY}:/ferry-system", "--bin", f"{PY}:/bin/python3", "--bin", "/usr/sbin/ip:/bin/ip",
            "--bin", f"{LIBSLIRP}:{LIBSLIRP}"]     # dlopen()ed for --net user: ldd does not list it
    for f in python_files():
        args += ["--file", f"{f}:{f}"]
    for f in glob.glob(os.path.join(HERE, "*.py")):
        args += ["--file", f"{f}:/tests/{os.path.basename(f)}"]
    for f in glob.glob(os.path.join(OUT, "guests", "*.elf")):
        args += ["--file", f"{f}:/out/guests/{os.path.basename(f)}"]
    for f in glob.glob(os.path.join(OUT, "hosted", "*")):
        args += ["--bin", f"{f}:/out/hosted/{os.path.basename(f)}"]
    subprocess.run(args, check=True)


def build_boot_linux_initramfs(vmlinuz, path):
    modroot = os.path.join(os.path.dirname(os.path.dirname(vmlinuz)), "lib", "modules")
    l2 = os.path.join(OUT, "linux-initramfs.cpio.gz")
    mk = [PY, os.path.join(HERE, "mkinitramfs.py")]
    subprocess.run(mk + [l2, "--init", os.path.join(HERE, "linux-init.sh"), "--modroot", modroot,
                         "--modules", "virtio_pci,virtio_blk,virtio_net,virtio_console,virtio-rng"], check=True)
    subprocess.run(mk + [path, "--init", os.path.join(HERE, "nested-boot-linux-init.sh"), "--modroot", modroot,
                         "--modules", "kvm-amd,kvm-intel,tun", "--bin", f"{FERRY}:/ferry-system",
                         "--bin", "/usr/sbin/ip:/bin/ip", "--file", f"{vmlinuz}:/vmlinuz",
                         "--file", f"{l2}:/linux.cpio.gz"], check=True)


BOOT_LINUX_EXPECT = ["L1: tap0 up", "ferry-boot-linux: kernel ", " 2 CPUs online", "disks: vda",
                     "vda starts with: ferry-disk-image", "wrote sector 2048 of vda", "network: eth0 lo",
                     "eth0 up", "ping 10.0.2.2 answered", "L1: disk sector 2048: ferry-linux-wrote-this",
                     "hwrng: virtio_rng.0", "ferry-boot-linux: hello on hvc0", "ferry-boot-linux: done",
                     "L1: ferry-system exited 0"]


def verdict(out):
    if MODE == "boot-linux":
        print("\n".join(l for l in out.splitlines() if "ferry" in l or "L1:" in l))
        missing = [e for e in BOOT_LINUX_EXPECT if e not in out]
        sent = re.search(r"L1: hvc0 was sent: (\S+)", out)     # the line L1 gave ferry-system's stdin (may share a console line with hvc0 echo)
        if not sent or f"ferry-boot-linux: hvc0 read: {sent.group(1)}" not in out:
            missing.append("hvc0 read: <the line on stdin>")
        print(f"boot-linux-nested: {'passed' if not missing else 'FAILED, missing ' + repr(missing)}")
        return not missing
    lines = [l for l in out.splitlines() if re.match(r"^(PASS|FAIL|NOTE|nested|check-system)", l)]
    print("\n".join(lines) if lines else out[-3000:])
    m = re.search(r"^check-system: (\d+) passed, (\d+) failed", out, re.M)
    ok = m and m.group(2) == "0" and "nested-exit=0" in out and "kvm:" in out
    print(f"check-system-kvm: {'passed' if ok else 'FAILED'}")
    return ok


def main():
    vmlinuz = subprocess.run(["sh", os.path.join(HERE, "linux_kernel.sh"), OUT], capture_output=True,
                             text=True, check=True).stdout.strip()
    initrd = os.path.join(OUT, f"nested-{MODE}.cpio.gz")
    (build_boot_linux_initramfs if MODE == "boot-linux" else build_initramfs)(vmlinuz, initrd)
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", "2G", "-smp", "2", "-nographic",
           "-no-reboot", "-kernel", vmlinuz, "-initrd", initrd,
           "-append", "console=ttyS0 quiet panic=-1" + (" ferry.debug" if os.environ.get("FERRY_SYSTEM_DEBUG") else "")]
    log = os.path.join(OUT, f"nested-{MODE}.log")
    with open(log, "wb") as f:          # written as it runs: tail -f it
        p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            p.wait(timeout=2400)
            note = ""
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            note = "\nnested_kvm: QEMU timed out"
    with open(log, "rb") as f:
        out = f.read().decode(errors="replace") + note
    return 0 if verdict(out) else 1


sys.exit(main())
