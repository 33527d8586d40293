#!/usr/bin/env python3
"""bench.py FERRY_SYSTEM OUTDIR -- make bench-system: what the issue asks
of the VMM, for ferry-system and for qemu-system-x86_64 -M microvm,
measured the same way (median of 5 runs each, 64 MiB guests):

  start-up CPU ms   user + sys CPU time (wait4) of booting firstinsn.elf, whose
                    PVH entry's first instructions write status 0 to the
                    debug-exit port 0x501: start-up to the first guest
                    instruction, plus the exit (an upper bound).
  overhead KiB      while bootinfo.elf idles after booting ("bench idle" on
                    the serial port): the process's RSS minus the RSS of the
                    guest RAM mapping (the anonymous mapping of exactly the
                    guest's size), i.e. minus the guest pages touched.

Without /dev/kvm, ferry-system runs its hosted test accelerator (no guest
instruction is executed, the devices and loader are the same) and QEMU
runs TCG; the table says so."""
import os, re, subprocess, sys

FERRY, OUT = sys.argv[1], sys.argv[2]
GUESTS, MEM_MIB, RUNS = os.path.join(OUT, "guests"), 64, 5


def kvm_is_pvm_only():
    """/dev/kvm served by PVM alone (kvm_pvm): it runs only PVM-enabled guest
    kernels, and ferry-system picks tcg there by itself (system/main.c)."""
    m = "/sys/module/"
    return os.path.exists(m + "kvm_pvm") and not os.path.exists(m + "kvm_intel") \
        and not os.path.exists(m + "kvm_amd")


def kvm_usable():
    try:
        os.close(os.open("/dev/kvm", os.O_RDWR))
    except OSError:
        return False
    return not kvm_is_pvm_only()


def cpu_ms(cmd):
    pid = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL).pid
    _, _, ru = os.wait4(pid, 0)
    return (ru.ru_utime + ru.ru_stime) * 1000


def rss_split(pid):
    """(total RSS KiB, RSS KiB of the guest RAM mapping) from /proc/PID/smaps."""
    total, guest, size, anon = 0, 0, 0, False
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$", line)
            if m:
                size = int(m.group(2), 16) - int(m.group(1), 16)
                anon = m.group(3) == "rw-p" and not m.group(4)
            elif line.startswith("Rss:"):
                kib = int(line.split()[1])
                total += kib
                if anon and size == MEM_MIB << 20:
                    guest = max(guest, kib)
    return total, guest


def overhead_kib(cmd):
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    seen = b""
    while b"bench idle" not in seen:
        chunk = p.stdout.read1(4096)
        if not chunk:
            p.wait()
            raise SystemExit(f"bench-system: {cmd[0]} ended before the guest idled")
        seen += chunk
    total, guest = rss_split(p.pid)
    p.kill()
    p.wait()
    return total - guest, guest


def median(xs):
    return sorted(xs)[len(xs) // 2]


def measure(label, cmd_for):
    first = [cpu_ms(cmd_for("firstinsn.elf", [])) for _ in range(RUNS)]
    mem = [overhead_kib(cmd_for("bootinfo.elf", ["bench.idle"])) for _ in range(RUNS)]
    over = median([m[0] for m in mem])
    guest = median([m[1] for m in mem])
    print(f"{label:<42} {median(first):>10.1f} {over:>12} {guest:>11}", flush=True)


def ferry_cmd(binary):
    def cmd(guest, append):
        name = guest[:-4]
        exe = binary if binary == FERRY else os.path.join(OUT, "hosted", name)
        return [exe, "--kernel", os.path.join(GUESTS, guest), "--mem", f"{MEM_MIB}M"] + \
               (["--append", " ".join(append)] if append else [])
    return cmd


def qemu_cmd(accel):
    def cmd(guest, append):
        return ["qemu-system-x86_64", "-M", "microvm", "-accel", accel, "-m", f"{MEM_MIB}M",
                "-kernel", os.path.join(GUESTS, guest), "-nographic", "-no-reboot", "-nodefaults",
                "-serial", "stdio", "-device", "isa-debug-exit,iobase=0x501,iosize=4"] + \
               (["-append", " ".join(append)] if append else [])
    return cmd


def main():
    kvm = kvm_usable()
    print(f"{'VMM (64 MiB guest, median of 5)':<42} {'start-up ms':>10} {'overhead KiB':>12} "
          f"{'guest KiB':>11}")
    if kvm:
        measure("ferry-system (KVM)", ferry_cmd(FERRY))
    else:
        print("note: no usable /dev/kvm here: ferry-system's hosted test accelerator "
              "and QEMU's TCG instead of KVM")
        measure("ferry-system (hosted accelerator)", ferry_cmd("hosted"))
    if subprocess.run(["sh", "-c", "command -v qemu-system-x86_64"], capture_output=True).returncode:
        print("qemu-system-x86_64 not installed (apt-get install qemu-system-x86): no comparison")
        return
    measure(f"qemu-system-x86_64 -M microvm ({'kvm' if kvm else 'tcg'})", qemu_cmd("kvm" if kvm else "tcg"))


main()
