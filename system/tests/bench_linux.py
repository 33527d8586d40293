#!/usr/bin/env python3
"""bench_linux.py FERRY_SYSTEM VMLINUX INITRAMFS -- make bench-system's Linux
boot: Debian's kernel (the set-up step's vmlinux, entered through its PVH
note) and the check-system-linux initramfs booted with "ferry.bench" (init
powers off through the debug-exit port right after its first line) on

  ferry-system --accel tcg              ferry's translator
  qemu-system-x86_64 -accel tcg         QEMU's TCG, -M pc, its default CPU

both with 2 vCPUs, 512 MiB, the serial console on stdout and no other
device.  For each run: host wall seconds from the start of the process to
init's first line on the console ("ferry-boot-linux: kernel ...") and to
the process's exit, and its CPU time (user + sys, all threads; under load
the steadier number); medians of N runs (BENCH_SYSTEM_RUNS, default 5), the
two VMMs alternating so that both see the same load, and the ratios
ferry / QEMU (below 1: ferry is faster).  A run that does not reach the
line or does not power off cleanly is an error, not a number."""
import os, subprocess, sys, time

FERRY, VMLINUX, INITRAMFS = sys.argv[1:4]
RUNS = int(os.environ.get("BENCH_SYSTEM_RUNS", "5"))
CPUS, MEM = 2, "512M"
APPEND = "console=ttyS0 reboot=k panic=-1 ferry.bench"
MARK = b"ferry-boot-linux: kernel "
TIMEOUT = 600


def ferry_cmd():
    return [FERRY, "--accel", "tcg", "--kernel", VMLINUX, "--initrd", INITRAMFS, "--mem", MEM,
            "--cpus", str(CPUS), "--append", APPEND, "--timeout", str(TIMEOUT)]


def qemu_cmd():
    return ["qemu-system-x86_64", "-M", "pc", "-accel", "tcg", "-smp", str(CPUS), "-m", MEM,
            "-kernel", VMLINUX, "-initrd", INITRAMFS, "-append", APPEND, "-nodefaults",
            "-display", "none", "-no-reboot", "-serial", "stdio",
            "-device", "isa-debug-exit,iobase=0x501,iosize=4"]


# The status each VMM exits with when the guest writes 0 to port 0x501:
# ferry-system exits with it, QEMU's isa-debug-exit with (value << 1) | 1.
CLEAN_EXIT = {"ferry": 0, "qemu": 1}


def one_run(name, cmd):
    """(seconds to init's first line, seconds to exit, CPU seconds) of one boot."""
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen, t_init = b"", None
    while True:
        chunk = p.stdout.read1(65536)
        if not chunk:
            break
        seen += chunk
        if t_init is None and MARK in seen:
            t_init = time.monotonic() - start
    _, status, ru = os.wait4(p.pid, 0)
    rc = p.returncode = os.waitstatus_to_exitcode(status)
    t_exit = time.monotonic() - start
    err = p.stderr.read().decode(errors="replace").strip()
    if t_init is None or rc != CLEAN_EXIT[name]:
        tail = seen.decode(errors="replace").strip().splitlines()[-3:]
        sys.exit(f"bench-system: {name} run failed (exit status {rc}, init line "
                 f"{'seen' if t_init is not None else 'not seen'}): {err} {' | '.join(tail)}")
    return t_init, t_exit, ru.ru_utime + ru.ru_stime


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def main():
    results = {"ferry": [], "qemu": []}
    for i in range(RUNS):
        for name, cmd in (("ferry", ferry_cmd()), ("qemu", qemu_cmd())):
            results[name].append(one_run(name, cmd))
            t = results[name][-1]
            print(f"  run {i + 1}/{RUNS} {name:<5} init {t[0]:6.2f} s  exit {t[1]:6.2f} s  "
                  f"CPU {t[2]:6.2f} s", flush=True)
    f_init, f_exit, f_cpu = (median([r[k] for r in results["ferry"]]) for k in range(3))
    q_init, q_exit, q_cpu = (median([r[k] for r in results["qemu"]]) for k in range(3))
    load = os.getloadavg()
    print(f"Linux boot, {CPUS} vCPUs, {MEM}, medians of {RUNS} (load {load[0]:.1f} {load[1]:.1f} "
          f"{load[2]:.1f}), seconds from start:")
    print(f"{'VMM':<36} {'init line':>10} {'poweroff':>10} {'CPU s':>8}")
    print(f"{'ferry-system --accel tcg':<36} {f_init:>10.2f} {f_exit:>10.2f} {f_cpu:>8.2f}")
    print(f"{'qemu-system-x86_64 -accel tcg':<36} {q_init:>10.2f} {q_exit:>10.2f} {q_cpu:>8.2f}")
    print(f"{'ratio ferry / qemu':<36} {f_init / q_init:>10.2f} {f_exit / q_exit:>10.2f} "
          f"{f_cpu / q_cpu:>8.2f}")


main()
