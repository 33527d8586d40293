#!/usr/bin/env python3
"""run_tests.py -- ferry-system's tests (make check-system).

Each test boots one of the tiny guests of system/guests/ and compares what
it prints on the serial port with expectations this script computes
itself: checksums of disk images it wrote, frames it sent, strings it
passed. Guests run under every available runner: the KVM accelerator
(ferry-system, when /dev/kvm can be opened), the tcg accelerator (ferry's
own translator: every guest instruction translated), the hosted
accelerator (the same guest compiled for the host, same device models),
and, when its path is given as the third argument, the AArch64 build of
ferry-system on tcg under qemu-aarch64 (a subset of the guests). Malformed
input goes to the binaries: it is rejected before any accelerator starts.
"""
import os, re, shutil, subprocess, sys, tempfile, time

FERRY, OUT = sys.argv[1], sys.argv[2]
GUESTS, HOSTED = os.path.join(OUT, "guests"), os.path.join(OUT, "hosted")
HERE = os.path.dirname(os.path.abspath(__file__))
TMP = tempfile.mkdtemp(prefix="ferry-system-test.", dir=OUT)
MEM = 64 << 20
results = {"passed": 0, "failed": 0}


def fnv1a(data, h=2166136261):
    for b in data:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


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


RUNNERS = [("hosted", lambda g: [os.path.join(HOSTED, g)]),
           ("tcg", lambda g: [FERRY, "--accel", "tcg"])]
FERRY_A64 = sys.argv[3] if len(sys.argv) > 3 else None
A64_RUNNER = None
if FERRY_A64 and os.path.exists(FERRY_A64) and shutil.which("qemu-aarch64"):
    A64_RUNNER = ("tcg-aarch64", lambda g: ["qemu-aarch64", "-L", "/", FERRY_A64, "--accel", "tcg"])
KVM_WANTED = os.environ.get("FERRY_SYSTEM_KVM", "1") != "0"
if kvm_usable() and KVM_WANTED:
    RUNNERS.insert(0, ("kvm", lambda g: [FERRY]))
# A nested /dev/kvm can emulate guest code ~1000x slower than hardware: the
# whole kvm pass gets this many seconds; cases it cannot finish FAIL, saying so.
KVM_BUDGET = int(os.environ.get("FERRY_SYSTEM_KVM_BUDGET", "600"))
kvm_deadline = None


def case_timeout(runner, timeout):
    """The timeout a case may use: capped by what is left of the kvm budget
    (None: nothing left)."""
    global kvm_deadline
    if not runner or runner[0] != "kvm":
        return timeout
    if kvm_deadline is None:
        kvm_deadline = time.time() + KVM_BUDGET
    left = int(kvm_deadline - time.time())
    return min(timeout, left) if left >= 15 else None


def run(cmd, stdin=b"", timeout=120, runner=None):
    limit = case_timeout(runner, timeout)
    if limit is None:
        return -998, "", f"not run: the kvm runner's budget of {KVM_BUDGET} s (FERRY_SYSTEM_KVM_BUDGET) is used up"
    if "--timeout" in cmd:          # the VMM's own watchdog fires first, naming where the vCPUs were
        cmd = list(cmd)
        cmd[cmd.index("--timeout") + 1] = str(max(1, min(int(cmd[cmd.index("--timeout") + 1]), limit - 10)))
    try:
        p = subprocess.run(cmd, input=stdin, capture_output=True, timeout=limit)
        return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        return -999, (e.stdout or b"").decode(errors="replace"), f"timed out after {limit} s, killed"


def boot(runner, guest, args=(), stdin=b"", timeout=120, kernel=None):
    cmd = runner[1](guest) + ["--kernel", os.path.join(GUESTS, (kernel or guest) + ".elf"),
                             "--mem", "64M", "--timeout", str(timeout - 10)] + list(args)
    return run(cmd, stdin, timeout, runner)


def check(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + detail), flush=True)


def field(out, pattern):
    m = re.search(pattern, out, re.M)
    return m.group(1) if m else None


# ---- tests over guests ----

def t_serial(r):
    for line in ["7 seven", "0zero", "3"]:
        rc, out, err = boot(r, "hello", stdin=(line + "\n").encode())
        ok = ("hello from the ferry-system guest" in out
              and ("reversed: " + line[::-1]) in out and rc == int(line[0]))
        check(f"{r[0]}: serial in/out and poweroff status {line[0]}", ok, f"rc={rc} out={out!r} err={err!r}")


def t_reset(r):
    rc, out, err = boot(r, "reset")
    check(f"{r[0]}: i8042 reset ends the machine", rc == 0 and "before reset" in out
          and "after reset" not in out and "reset" in err, f"rc={rc} out={out!r} err={err!r}")


def make_image(name, sectors=128):
    data = os.urandom(sectors * 512)
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data)
    return path, data


def sector_sums_ok(out, data, count=16):
    for s in range(count):
        want = f"sector {s} status 0 fnv {fnv1a(data[s*512:(s+1)*512]):#x}"
        if want not in out:
            return False
    return True


def t_blk_rw(r):
    path, data = make_image(f"rw-{r[0]}.img")
    rc, out, err = boot(r, "blk", ["--disk", path])
    after = open(path, "rb").read()
    pattern = bytes((i * 7 + 3 + (i >> 9) * 101) & 0xFF for i in range(1024))
    check(f"{r[0]}: virtio-blk capacity, id, reads", rc == 0 and "capacity 128" in out
          and "serial ferry-blk-0" in out and sector_sums_ok(out, data), f"rc={rc} out={out!r} err={err!r}")
    check(f"{r[0]}: virtio-blk write+flush reach the image file", "write status 0" in out
          and "flush status 0" in out and after[20*512:22*512] == pattern
          and f"sector 20 status 0 fnv {fnv1a(pattern[:512]):#x}" in out
          and f"sector 21 status 0 fnv {fnv1a(pattern[512:]):#x}" in out, f"out={out!r}")
    check(f"{r[0]}: virtio-blk discard zeroes sectors 24-31, rest untouched",
          "discard status 0" in out and after[24*512:32*512] == bytes(8*512)
          and after[:20*512] == data[:20*512] and after[32*512:] == data[32*512:], f"out={out!r}")
    check(f"{r[0]}: virtio-blk read past the end fails", "read past end status 1" in out, out)


def t_blk_ro(r):
    path, data = make_image(f"ro-{r[0]}.img")
    rc, out, err = boot(r, "blk", ["--disk", path + ",ro"])
    check(f"{r[0]}: read-only virtio-blk reads, refuses writes and discards, file untouched",
          rc == 0 and sector_sums_ok(out, data) and "write status 1" in out
          and "discard status 1" in out and open(path, "rb").read() == data, f"rc={rc} out={out!r} err={err!r}")


def t_rng(r):
    rc, out, err = boot(r, "rng", ["--rng"])
    got = re.findall(r"^rng len (\d+) bytes ([0-9a-f]+)$", out, re.M)
    ok = (rc == 0 and len(got) == 2 and all(n == "64" and len(h) == 128 for n, h in got)
          and got[0][1] != got[1][1] and len(set(bytes.fromhex(got[0][1]))) > 16)
    check(f"{r[0]}: virtio-rng fills buffers with fresh random bytes", ok, f"rc={rc} out={out!r} err={err!r}")


def t_vconsole(r):
    rc, out, err = boot(r, "vconsole", ["--vconsole"])
    ok = (rc == 0 and "hvc0: hello over virtio-console\n" in out and "hvc0: second buffer\n" in out
          and out.count("[serial] sent") == 2)
    check(f"{r[0]}: virtio-console transmits to stdout", ok, f"rc={rc} out={out!r} err={err!r}")


def t_vconsole_input(r):
    data = os.urandom(10000)                # more than the VMM's 4 KiB input ring
    stdin = len(data).to_bytes(4, "little") + data
    rc, out, err = boot(r, "vconsole_in", ["--console", "virtio"], stdin=stdin)
    want = f"vcin bytes {len(data)} fnv {fnv1a(data):#x}\nuart rx empty yes\n"
    check(f"{r[0]}: --console virtio: stdin reaches hvc0's receive queue (not ttyS0)",
          rc == 0 and want in out, f"rc={rc} want={want!r} out={out!r} err={err!r}")
    rc, out, err = boot(r, "hello", ["--vconsole"], stdin=b"5 via uart\n")
    check(f"{r[0]}: --vconsole without --console virtio leaves stdin to ttyS0",
          rc == 5 and "reversed: trau aiv 5" in out, f"rc={rc} out={out!r} err={err!r}")


def t_intx(r):
    """INTx level semantics; the console input is sent only once the guest
    runs, so the VMM's stdin thread (not the vCPU) raises that interrupt."""
    limit = case_timeout(r, 60)
    if limit is None:
        check(f"{r[0]}: INTx", False, f"not run: kvm budget of {KVM_BUDGET} s used up")
        return
    cmd = r[1]("intx") + ["--kernel", os.path.join(GUESTS, "intx.elf"), "--mem", "64M", "--rng",
                          "--console", "virtio", "--timeout", str(limit - 10)]
    data = os.urandom(40)
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    first = b""
    while b"\n" not in first:              # the rng line: the guest is running
        chunk = p.stdout.read(1)            # unbuffered: communicate() gets the rest
        if not chunk:
            break
        first += chunk
    try:
        rest, err = p.communicate(input=data, timeout=limit)
    except subprocess.TimeoutExpired:
        p.kill()
        rest, err = p.communicate()
    out = (first + rest).decode(errors="replace")
    irqs = re.findall(r"irq (\d+) ", out)
    ok = (p.returncode == 0 and len(irqs) == 2 and irqs[0] != irqs[1] and all(0 < int(i) < 16 for i in irqs)
          and f"rng: irq {irqs[0]} idle 0 used 1 used2 1 isr 1 after 0 isr2 0 after2 0 " in out)
    check(f"{r[0]}: INTx: line asserted by a used buffer, held until the ISR read, then dropped", ok,
          f"rc={p.returncode} out={out!r} err={err!r}")
    ok = len(irqs) == 2 and f"console: irq {irqs[1]} len 40 used 1 isr 1 after 0 fnv {fnv1a(data):#x}" in out
    check(f"{r[0]}: INTx raised from the VMM's input thread (virtio-console receive)", ok,
          f"rc={p.returncode} out={out!r} err={err!r}")


def t_timer(r):
    rc, out, err = boot(r, "timer")
    pin = field(out, r"^timer: mp table irq 0 -> ioapic pin (\d+)$")
    if r[0] == "hosted":    # no PIT in the hosted runner: only the MP table is checked here
        check(f"{r[0]}: the MP table routes ISA IRQ 0 to an IOAPIC pin", rc == 0 and pin not in (None, "99"),
              f"rc={rc} out={out!r} err={err!r}")
        return
    check(f"{r[0]}: PIT ticks arrive through the IOAPIC pin the MP table gives for IRQ 0",
          rc == 0 and "timer: ticks 5\n" in out, f"rc={rc} out={out!r} err={err!r}")


def t_pic(r):
    if r[0] == "hosted":
        return
    rc, out, err = boot(r, "pic")
    check(f"{r[0]}: PIT ticks through the 8259s and LINT0 ExtINT (virtual wire), EOI empties ISR",
          rc == 0 and "pic: ticks 5 isr 0x0\n" in out, f"rc={rc} out={out!r} err={err!r}")


# (case, vector, error code, IF in the pushed RFLAGS): Intel SDM vol. 3,
# ch. 6 (vectors, which push an error code, fault vs trap RIP) and 4.7
# (page-fault error code: P=1 W=2 U=4 RSVD=8 I=0x10), 6.15 (#DF: error code 0).  make check-system-kvm runs
# the same expectations on real KVM.
EXC_CASES = [("de", 0, 0, 0), ("bp", 3, 0, 0), ("ud", 6, 0, 0), ("gp-non-canonical", 13, 0, 0),
             ("int-0x40-trap-gate", 64, 0, 1), ("pf-read-not-present", 14, 0, 0),
             ("pf-write-not-present", 14, 2, 0), ("pf-read-add-operand", 14, 0, 0),
             ("pf-write-read-only", 14, 3, 0),
             ("pf-fetch-nx", 14, 0x11, 0), ("pf-fetch-not-present", 14, 0x10, 0),
             ("pf-after-cmp", 14, 0, 0), ("pf-dead-flags", 14, 0, 0), ("df-gp-gate-not-present", 8, 0, 0),
             ("pf-rsvd-read", 14, 9, 0), ("pf-rsvd-write", 14, 0xb, 0), ("pf-rsvd-fetch", 14, 0x19, 0)]


def t_exc(r):
    if r[0] == "hosted":
        return
    rc, out, err = boot(r, "exc")
    for name, vec, code, flag in EXC_CASES:
        want = f"exc {name} vector {vec} err {code:#x} cr2 ok rip ok if {flag}\n"
        check(f"{r[0]}: guest exception {name}: vector {vec}, error code {code:#x}, CR2, RIP",
              rc == 0 and want in out, f"rc={rc} want={want!r} out={out!r} err={err!r}")
    want = "exc pf-after-cmp rflags cf 1 zf 0 sf 1\n"      # cmp 2, 1: 1 - 2 borrows, negative
    check(f"{r[0]}: the RFLAGS a #PF pushes hold the flags of the instruction before it",
          rc == 0 and want in out, f"rc={rc} want={want!r} out={out!r}")
    want = "exc pf-dead-flags rflags as the CPU's\n"   # the guest runs the same cmp
    check(f"{r[0]}: ... also where the code after the access overwrites them before reading",
          rc == 0 and want in out, f"rc={rc} want={want!r} out={out!r}")


def t_irqstorm(r):
    if r[0] == "hosted":
        return
    rc, out, err = boot(r, "irqstorm")
    want = bytes((i * 131 + 7) & 0xFF for i in range(64 << 10))
    line = f"irqstorm storm fnv {fnv1a(want):#x} bad 0 ticks 20+\n"
    check(f"{r[0]}: local APIC timer storm (periodic, 20 us): 20+ ticks with EOI, checksum right every round",
          rc == 0 and line in out, f"rc={rc} want={line!r} out={out!r} err={err!r}")
    line = "irqstorm rep-movs bad-regs 0 bad-data 0 mid-rep 3+\n"
    check(f"{r[0]}: timer interrupts taken in the middle of rep movsb, iretq resumes it (RCX/RSI/RDI, data)",
          rc == 0 and line in out, f"rc={rc} want={line!r} out={out!r} err={err!r}")


# The RFLAGS a timer interrupt pushes where the incoming flags are dead
# (the guest's loops `cmp A; jmp` into code that overwrites them, through
# a jmp, `dec; jnz`, a rep movsb): the guest's ISR recomputes the flags
# for the pushed RIP from the saved registers with the same instructions
# (the CPU is the oracle) and counts mismatches; 200 interrupts a loop.
IRQFLAGS_CASES = ["jmp into dead flags", "dec; jnz into dead flags", "rep movsb before the writer",
                  "jmp straight into the writer"]


def boot_case_lines(r, guest, cases, result, title):
    """Boot guest once (not hosted); each case must print its line
    "GUEST CASE: RESULT" and the guest "GUEST done"."""
    if r[0] == "hosted":
        return
    rc, out, err = boot(r, guest)
    for name in cases:
        want = f"{guest} {name}: {result}\n"
        check(f"{r[0]}: {title}: {name}", rc == 0 and want in out and f"{guest} done\n" in out,
              f"rc={rc} want={want!r} out={out!r} err={err!r}")


def t_irqflags(r):
    boot_case_lines(r, "irqflags", IRQFLAGS_CASES, "interrupts 200 wrong flags 0",
                    "interrupt frames hold the CPU's RFLAGS")


# The interrupt shadow of sti (SDM vol. 2, STI): with the timer's vector
# already requested, `sti; hlt` wakes after the hlt and `sti; inc` is
# interrupted after the inc; the guest's ISR records the pushed RIP.
STISHADOW_CASES = ["sti; hlt", "sti; inc"]


def t_stishadow(r):
    boot_case_lines(r, "stishadow", STISHADOW_CASES, "interrupts 100 inside the shadow 0",
                    "no interrupt inside sti's shadow")


# CPL 3 (SDM vol. 3, 5.8.8 syscall/sysret, 6.12 stack switch to RSP0,
# 4.7 page-fault error codes with U=4): the user code segment 0x33, #GP(0)
# for cli and hlt, #PF 5 (read of a supervisor page), 7 (write to a
# read-only user page); RFLAGS 0x2 in R11 (the user ran with only bit 1).
RING3_CASES = [("cli", 13, 0), ("hlt", 13, 0), ("read-supervisor-page", 14, 5), ("write-read-only-page", 14, 7)]


def t_ring3(r):
    if r[0] == "hosted":
        return
    rc, out, err = boot(r, "ring3")
    want = "r3 syscall count 2 rcx ok r11 0x2 after-sysret rcx ok kernel cs 0x10\n"
    check(f"{r[0]}: CPL 3: syscall to LSTAR (RCX, R11, kernel CS), sysretq back to user",
          rc == 0 and want in out, f"rc={rc} want={want!r} out={out!r} err={err!r}")
    for name, vec, code in RING3_CASES:
        want = f"r3 {name} vector {vec} err {code:#x} cs 0x33 cr2 ok rip ok stack ok\n"
        check(f"{r[0]}: CPL 3: {name} faults with vector {vec}, error code {code:#x}, on the RSP0 stack",
              rc == 0 and want in out, f"rc={rc} want={want!r} out={out!r} err={err!r}")


# Segments from the GDT (Intel SDM vol. 2: JMP/CALL far, RET far, MOV to a
# segment register, INT n; vol. 3 6.13 error codes): a far transfer to a
# data segment or a null selector is #GP(selector) / #GP(0); DS beyond the
# GDT limit #GP(0x80); a not-present data segment #NP(0x38) (vector 11); a
# read-only SS #GP(0x30); DS with DPL 0 from CPL 3 #GP(0x18); int $0x41 and
# int3 from CPL 3 through DPL 0 gates #GP(n * 8 + 2) at the instruction;
# int $0x42 through a DPL 3 gate is delivered (RIP after it, 2 bytes).
SEG_CASES = [("ljmp-data-segment", 13, 0x18), ("ljmp-null", 13, 0), ("ds-beyond-limit", 13, 0x80),
             ("es-not-present", 11, 0x38), ("ss-read-only", 13, 0x30),
             ("int-0x41-dpl0-from-cpl3", 13, 0x41 * 8 + 2), ("int-0x42-dpl3-from-cpl3", 0x42, 0),
             ("int3-dpl0-from-cpl3", 13, 3 * 8 + 2), ("ds-dpl0-from-cpl3", 13, 0x18)]


def t_segments(r):
    if r[0] == "hosted":
        return
    rc, out, err = boot(r, "segments")
    # compat-mode result: 0x1234 doubled by a 32-bit call (4-byte slots) in
    # the high half, the stack imbalance (0) in the low half.
    for line in ["seg ljmp-m16-64 ok", "seg lcall-lret cs 0x10", "seg compat-mode result 0x24680000",
                 "seg fs-base ok", "seg ss-null-cpl0 ok",
                 "seg verw-data 1 verw-read-only 0 verr-code 1", "seg done"]:
        check(f"{r[0]}: segments: {line[4:]}", rc == 0 and line + "\n" in out,
              f"rc={rc} out={out!r} err={err!r}")
    for name, vec, code in SEG_CASES:
        want = f"seg {name} vector {vec} err {code:#x} rip ok\n"
        check(f"{r[0]}: segments: {name} raises vector {vec}, error code {code:#x}",
              rc == 0 and want in out, f"rc={rc} want={want!r} out={out!r} err={err!r}")


# fxsave/fxrstor (SDM vol. 1 table 10-2: XMM6 at byte 256, XMM7 at 272) and
# rep movsb/stosb on areas that cross between virtual pages whose physical
# pages are not adjacent: each byte lands where the page tables say; code
# that crosses into a page which is then mapped elsewhere runs its new bytes
# (mov $0x7f000001 instead of $1: the imm's top byte is on the new page).
FXPAGE_CASES = ["fxsave-xmm6-in-second-page", "fxrstor-xmm7-from-second-page",
                "rep-movsb-across-pages", "rep-stosb-across-pages", "rep-movsb-3000-bytes-across-pages",
                "rep-stosq-600-across-pages", "code-across-pages-remapped"]


def boot_cases(r, guest, what, cases, args=()):
    """Boots a guest that prints "GUEST CASE ok" per case it passes, then
    "GUEST done" (tcg only: not on the hosted runner); one check a case."""
    if r[0] == "hosted":
        return
    rc, out, err = boot(r, guest, args)
    for name in cases:
        check(f"{r[0]}: {what}: {name}",
              rc == 0 and f"{guest} {name} ok\n" in out and f"{guest} done\n" in out,
              f"rc={rc} out={out!r} err={err!r}")


def t_fxpage(r):
    boot_cases(r, "fxpage", "guest memory across non-adjacent pages", FXPAGE_CASES)


# Code that changes after it ran: a store, rep movsb, a store through an
# alias, a remap, a store ahead in the running block, code written through
# one alias and run through the other, two address spaces with other code
# at one pc, a store by the other vCPU (system/guests/smc.c; tcg's write
# tracking of code pages, blocks found by where their code lives).
SMC_CASES = ["plain-store", "rep-movsb", "alias-store", "remap", "store-ahead-in-block",
             "alias-exec", "cr3-switch", "other-vcpu-store"]


def t_smc(r):
    boot_cases(r, "smc", "code changed after it ran runs changed", SMC_CASES, ("--cpus", "2"))


# Stores that cross into a page that faults (not present, then read-only
# under CR0.WP): #PF with CR2 the second page's first byte and the first
# page unchanged, as x86 writes all of a store or none (SDM vol. 3, 6.15
# "Interrupt 14": the faulting instruction is not executed); then the same
# stores to a present page land whole (system/guests/stpage.c; tcg's
# software MMU checks every page before writing, a ymm store's two halves
# as one).
STPAGE_STORES = ["mov-qword-4-before", "movdqu-8-before", "vmovdqu-ymm-16-before",
                 "vmovdqu-ymm-8-before", "vmovdqu-ymm-24-before"]


def t_stpage(r):
    boot_cases(r, "stpage", "store across pages all-or-nothing",
               [f"{name}-{how}" for name in STPAGE_STORES for how in ["not-present", "read-only", "lands"]])


# Code whose instruction crossing into a page mapped elsewhere is not the
# first of its block (system/guests/xpage.c; Linux's virtio_console oops).
XPAGE_CASES = ["second-insn-crosses", "rex-prefix-then-opcode", "imm64-on-second-page"]


def t_xpage(r):
    boot_cases(r, "xpage", "an instruction crossing into a non-adjacent page decodes its bytes", XPAGE_CASES)


# INIT/SIPI start vCPU 1 in real mode; it walks to long mode as Linux's AP
# trampoline does (system/guests/sipi.c).
SIPI_CASES = ["real-mode-call-ret", "real-mode-push-pop", "real-mode-es-base", "real-mode-pushfl",
              "protected-mode", "long-mode"]


def t_sipi(r):
    boot_cases(r, "sipi", "INIT/SIPI start an AP in real mode", SIPI_CASES, ["--cpus", "2"])


def t_smp(r):
    rc, out, err = boot(r, "smp", ["--cpus", "2"])
    ok = rc == 0 and "smp: ping-pong rounds 10000" in out and "all aps checked in yes" in out \
        and "vcpu1 saw vcpus 2" in out
    if not ok and r[0] == "kvm" and "ping-pong rounds 0" in out:
        print("NOTE kvm: this KVM did not run the second vCPU (AP); checked the BSP only")
        ok = "smp: vcpus 2" in out
    check(f"{r[0]}: 2 vCPUs run at the same time (token ping-pong)", ok, f"rc={rc} out={out!r} err={err!r}")


def t_malformed(r):
    path, data = make_image(f"malformed-{r[0]}.img")
    rc, out, err = boot(r, "malformed", ["--disk", path, "--rng"])
    cases = ["data-outside-ram", "loop-writable", "loop", "oversize-length", "next-out-of-range",
             "head-out-of-range", "avail-index-jump", "rng-oversize"]
    bad = [c for c in cases if f"case {c}: used no needs_reset 1" not in out]
    if "case ring-outside-ram: enabled 0 needs_reset 1" not in out:
        bad.append("ring-outside-ram")
    errors = len(re.findall(r"^ferry-system: virtio-(blk|rng) \(slot \d\): device error: ", err, re.M))
    check(f"{r[0]}: malformed descriptors set DEVICE_NEEDS_RESET, VMM survives", rc == 0 and not bad
          and errors == 9, f"rc={rc} bad={bad} errors={errors} out={out!r} err={err!r}")
    check(f"{r[0]}: image untouched by malformed requests, device recovers after reset",
          open(path, "rb").read() == data
          and f"valid read after resets: len 513 status 0 fnv {fnv1a(data[512:1024]):#x}" in out, out)


def t_fuzz(r):
    path, data = make_image(f"fuzz-{r[0]}.img")
    rc, out, err = boot(r, "fuzz", ["--disk", path + ",ro", "--rng"], timeout=300)
    m = re.search(r"^fuzz rounds 3000 resets (\d+)$", out, re.M)
    check(f"{r[0]}: 3000 random descriptor chains: VMM survives, image untouched",
          rc == 0 and m and int(m.group(1)) > 100 and open(path, "rb").read() == data,
          f"rc={rc} out={out!r} err={err[-2000:]!r}")


def t_highmem(r):
    path, data = make_image(f"high-{r[0]}.img")
    want = fnv1a(data[3*512:4*512])
    rc, out, err = run(r[1]("highmem") + ["--kernel", os.path.join(GUESTS, "highmem.elf"), "--mem", "5G",
                                        "--disk", path, "--timeout", "100"], timeout=110, runner=r)
    check(f"{r[0]}: RAM above 4 GiB (--mem 5G): DMA into a buffer at 4.5 GiB",
          rc == 0 and f"high status 0 fnv {want:#x}" in out and f"low status 0 fnv {want:#x}" in out,
          f"rc={rc} out={out!r} err={err!r}")
    rc, out, err = run(r[1]("bootinfo") + ["--kernel", os.path.join(GUESTS, "bootinfo.elf"), "--mem", "5G",
                                         "--timeout", "100"], timeout=110, runner=r)
    check(f"{r[0]}: --mem 5G memory map: RAM to 3 GiB, then 2 GiB from 4 GiB",
          rc == 0 and "map 0x100000 0xbff00000 1" in out and "map 0x100000000 0x80000000 1" in out,
          f"rc={rc} out={out!r} err={err!r}")


def t_net(r):
    ns, tap = f"ferrysys{os.getpid()}{r[0]}", "ftap0"
    nsx = ["ip", "netns", "exec", ns]
    setup = [["ip", "netns", "add", ns], nsx + ["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"],
             nsx + ["sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"],
             nsx + ["ip", "tuntap", "add", "dev", tap, "mode", "tap"], nsx + ["ip", "link", "set", tap, "up"]]
    try:
        for c in setup:
            if subprocess.run(c, capture_output=True).returncode:
                check(f"{r[0]}: virtio-net over a tap in a netns", False, "cannot set up: " + " ".join(c))
                return
        peer = subprocess.Popen(nsx + [sys.executable, os.path.join(HERE, "net_peer.py"), tap],
                                stdout=subprocess.PIPE, text=True)
        if peer.stdout.readline().strip() != "ready":
            check(f"{r[0]}: virtio-net over a tap in a netns", False, "peer did not start")
            return
        cmd = nsx + r[1]("net") + ["--kernel", os.path.join(GUESTS, "net.elf"), "--mem", "64M",
                                  "--timeout", "100", "--net", "tap=" + tap]
        rc, out, err = run(cmd, timeout=110, runner=r)
        try:
            peer_out, _ = peer.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            peer.kill()
            peer_out = "peer timed out"
        net_verdict(r, rc, out, err, peer_out)
    finally:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def net_verdict(r, rc, out, err, peer_out):
    got = bytes.fromhex(field(peer_out, r"^got ([0-9a-f]+)$") or "")
    sent = bytes.fromhex(field(peer_out, r"^sent ([0-9a-f]+)$") or "")
    mac = field(out, r"^mac ([0-9a-f:]+)$") or "?"
    tx_ok = (len(got) >= 31 and got[:6] == b"\xff" * 6 and got[6:12].hex(":") == mac
             and got[12:14] == b"\x88\xb5" and got[14:31] == b"ferry guest frame")
    check(f"{r[0]}: virtio-net frame from the guest arrives on the tap", rc == 0 and tx_ok,
          f"rc={rc} out={out!r} err={err!r} peer={peer_out!r}")
    payload = sent[14:].rstrip(b"\0").decode(errors="replace")
    want = f"rx len {len(sent)} fnv {fnv1a(sent):#x} payload {payload}"
    check(f"{r[0]}: virtio-net frame sent on the tap reaches the guest", len(sent) == 60 and want in out,
          f"want={want!r} out={out!r}")
    peer_burst = field(peer_out, r"^peer burst 32 fnv (0x[0-9a-f]+)$")
    check(f"{r[0]}: virtio-net: a burst of 32 frames from the tap all reach the guest, in order",
          peer_burst is not None and f"burst rx 32 fnv {peer_burst}\n" in out, f"peer={peer_out!r} out={out!r}")
    h = 2166136261
    for i in range(32):                 # the guest's burst_frame(i), recomputed
        n = 14 + 46 + (i * 37) % 1400
        f = b"\xff" * 6 + bytes.fromhex(mac.replace(":", "")) + b"\x88\xb7" + \
            bytes((i + j * 13) & 0xFF for j in range(14, n))
        h = fnv1a(f, h)
    check(f"{r[0]}: virtio-net: a burst of 32 frames from the guest all arrive on the tap, in order",
          "burst tx 32" in out and f"guest burst 32 fnv {h:#x}" in peer_out, f"peer={peer_out!r} out={out!r}")


def t_net_user(r):
    rc, out, err = boot(r, "netuser", ["--net", "user"])
    check(f"{r[0]}: virtio-net with libslirp: ARP for the gateway 10.0.2.2 is answered",
          rc == 0 and "arp request sent" in out and re.search(r"^arp reply: 10\.0\.2\.2 is-at "
          r"(?!00:00:00:00:00:00)[0-9a-f:]{17}$", out, re.M), f"rc={rc} out={out!r} err={err!r}")


# ---- boot protocols ----

def t_pvh(r):
    initrd = os.urandom(10000)
    path = os.path.join(TMP, "initrd.bin")
    open(path, "wb").write(initrd)
    cmdline = "console=ttyS0 ferry=" + os.urandom(4).hex()
    for kernel, what in [("bootinfo", "ELF64"), ("bootinfo32", "ELF32 i386 (as QEMU takes)"),
                         ("bootinfo32x", "ELF32 x86-64 (as QEMU takes)")]:
        rc, out, err = boot(r, "bootinfo", ["--append", cmdline, "--initrd", path], kernel=kernel)
        ok = (rc == 0 and "protocol pvh" in out and "magic 0x336ec578" in out
              and f"cmdline {cmdline}\n" in out and f"initrd size 10000 fnv {fnv1a(initrd):#x}" in out
              and e820_ok(out))
        check(f"{r[0]}: PVH boot of an {what} kernel: start info, command line, memory map, initrd", ok,
              f"rc={rc} out={out!r} err={err!r}")


def e820_ok(out):
    return ("map 0x0 0x9fc00 1" in out and "map 0x9fc00 0x60400 2" in out
            and f"map 0x100000 {MEM - 0x100000:#x} 1" in out)


def fake_bzimage(kernel, setup_sects=4, version=0x20F):
    setup = bytearray((setup_sects + 1) * 512)
    setup[0x1F1] = setup_sects
    setup[0x1F4:0x1F8] = (len(kernel) // 16).to_bytes(4, "little")
    setup[0x1FE:0x200] = b"\x55\xaa"
    setup[0x201] = 0x66                                 # header ends at 0x268
    setup[0x202:0x206] = b"HdrS"
    setup[0x206:0x208] = version.to_bytes(2, "little")
    setup[0x211] = 0x01                                 # LOADED_HIGH
    setup[0x22C:0x230] = (0x7FFFFFFF).to_bytes(4, "little")
    setup[0x236] = 0x01                                 # XLF_KERNEL_64
    return bytes(setup) + kernel


def t_bzimage():
    kernel, initrd = os.urandom(8192), os.urandom(5000)
    kpath, ipath = os.path.join(TMP, "fake.bzImage"), os.path.join(TMP, "initrd2.bin")
    open(kpath, "wb").write(fake_bzimage(kernel))
    open(ipath, "wb").write(initrd)
    cmd = [os.path.join(HOSTED, "bootinfo"), "--kernel", kpath, "--mem", "64M", "--timeout", "60",
           "--append", "root=/dev/vda rw", "--initrd", ipath]
    rc, out, err = run(cmd)
    ok = (rc == 0 and "protocol bzimage" in out and "loader 0xff" in out
          and "cmdline root=/dev/vda rw\n" in out and e820_ok(out)
          and f"initrd size 5000 fnv {fnv1a(initrd):#x}" in out
          and f"kernel size 8192 fnv {fnv1a(kernel):#x}" in out)
    check("hosted: bzImage boot protocol: zero page, command line, e820, initrd, kernel at 1 MiB",
          ok, f"rc={rc} out={out!r} err={err!r}")


# ---- bad input: one line, non-zero exit, no crash ----

def bad_inputs():
    elf = open(os.path.join(GUESTS, "hello.elf"), "rb").read()
    wrong_machine = bytearray(elf); wrong_machine[18:20] = (183).to_bytes(2, "little")
    far_segment = bytearray(elf)
    phoff = int.from_bytes(elf[32:40], "little")
    far_segment[phoff + 24:phoff + 32] = (0x7FFF0000).to_bytes(8, "little")   # p_paddr
    huge_filesz = bytearray(elf)
    huge_filesz[phoff + 32:phoff + 40] = (1 << 40).to_bytes(8, "little")       # p_filesz
    elf32 = open(os.path.join(GUESTS, "bootinfo32.elf"), "rb").read()
    no_pvh_note32 = bytearray(elf32)
    ph32 = int.from_bytes(elf32[28:32], "little")
    for i in range(int.from_bytes(elf32[44:46], "little")):         # PT_NOTE -> PT_NULL
        if elf32[ph32 + 32 * i:ph32 + 32 * i + 4] == (4).to_bytes(4, "little"):
            no_pvh_note32[ph32 + 32 * i:ph32 + 32 * i + 4] = bytes(4)
    files = {
        "empty": b"", "garbage": os.urandom(5000), "truncated-elf": elf[:200],
        "truncated-elf32-header": elf32[:40], "truncated-elf32-phdrs": elf32[:100],
        "truncated-elf32-segment": elf32[:5000], "elf32-without-pvh-note": bytes(no_pvh_note32),
        "wrong-machine-elf": bytes(wrong_machine), "segment-outside-ram": bytes(far_segment),
        "segment-past-file-end": bytes(huge_filesz),
        "truncated-bzimage": fake_bzimage(os.urandom(4096), setup_sects=60)[:4096],
        "old-bzimage": fake_bzimage(os.urandom(4096), version=0x200),
    }
    cases = []
    for name, data in files.items():
        path = os.path.join(TMP, "bad-" + name)
        open(path, "wb").write(data)
        cases.append((name, ["--kernel", path]))
    good = os.path.join(GUESTS, "hello.elf")
    big = os.path.join(TMP, "bad-initrd-larger-than-ram")
    with open(big, "wb") as f:
        f.truncate(32 << 20)                            # sparse
    cases += [("initrd-larger-than-ram", ["--kernel", good, "--mem", "16M", "--initrd", big]),
              ("cmdline-too-long", ["--kernel", os.path.join(GUESTS, "bootinfo.elf"), "--append", "x" * 70000]),
              ("missing-kernel", ["--kernel", os.path.join(TMP, "nope")]),
              ("missing-initrd", ["--kernel", good, "--initrd", os.path.join(TMP, "nope")]),
              ("missing-disk", ["--kernel", good, "--disk", os.path.join(TMP, "nope")]),
              ("bad-disk-flag", ["--kernel", good, "--disk", good + ",rw"]),
              ("bad-mem", ["--kernel", good, "--mem", "12X"]), ("huge-mem", ["--kernel", good, "--mem", "100G"]),
              ("bad-cpus", ["--kernel", good, "--cpus", "0"]), ("unknown-option", ["--kernel", good, "--frob"]),
              ("no-kernel", ["--mem", "64M"]), ("bad-net", ["--kernel", good, "--net", "vde"]),
              ("bad-console", ["--kernel", good, "--console", "uart"]),
              ("missing-value", ["--kernel", good, "--mem"]), ("stray-argument", ["--kernel", good, "extra"]),
              ("value-for-a-flag", ["--kernel", good, "--rng=yes"])]
    return cases


def t_bad_input():
    for binary in [FERRY, os.path.join(HOSTED, "hello")]:
        for name, args in bad_inputs():
            rc, out, err = run([binary] + args, timeout=30)
            lines = err.splitlines()
            ok = (0 < rc < 128 and len(lines) == 1 and lines[0].startswith("ferry-system: ") and out == ""
                  and "/dev/kvm" not in err)     # rejected before any accelerator starts
            check(f"{os.path.basename(binary)}: bad input {name}: one-line error, exit {rc}", ok,
                  f"rc={rc} err={err!r}")


def t_no_kvm():
    if not KVM_WANTED:
        print("NOTE FERRY_SYSTEM_KVM=0: the kvm runner is off; guests run on the hosted accelerator only")
    if RUNNERS[0][0] == "kvm" or (kvm_usable() and not KVM_WANTED):
        return
    rc, out, err = run([FERRY, "--kernel", os.path.join(GUESTS, "hello.elf"), "--mem", "64M"],
                       stdin=b"4 auto\n", timeout=60)
    why = "is PVM (kvm_pvm)" if kvm_is_pvm_only() else "cannot be opened"
    print(f"NOTE /dev/kvm {why} here: guests run on the hosted and tcg accelerators")
    check("ferry-system without KVM: chooses tcg by itself, saying so in one line naming /dev/kvm",
          rc == 4 and err.count("\n") == 1 and "/dev/kvm" in err and "using --accel tcg" in err
          and "reversed: otua 4" in out, f"rc={rc} out={out!r} err={err!r}")


def t_kvm_not_kvm():
    """A /dev/kvm that is not KVM (here /dev/null bound over it in a private
    mount namespace): one line, exit 1, no hang."""
    if not shutil.which("unshare"):
        print("NOTE no unshare here: the broken-/dev/kvm case is not run")
        return
    guest = os.path.join(GUESTS, "hello.elf")
    script = ('d=$(mktemp -d) && mount --bind /dev "$d" && mount -t tmpfs none /dev && touch /dev/kvm '
              '&& mount --bind "$d/null" /dev/kvm && exec "$0" --kernel "$1" --mem 64M')
    rc, out, err = run(["unshare", "-m", "sh", "-c", script, FERRY, guest], timeout=30)
    if "unshare failed" in err or "mount:" in err:
        print(f"NOTE cannot make a fake /dev/kvm here ({err.strip()[:80]}); broken-KVM case not run")
        return
    check("ferry-system with a /dev/kvm that is not KVM: one-line error, exit 1",
          rc == 1 and err.count("\n") == 1 and "KVM" in err and out == "", f"rc={rc} err={err!r}")


def t_watchdog(r):
    cmd = r[1]("hello") + ["--kernel", os.path.join(GUESTS, "hello.elf"), "--mem", "64M", "--timeout", "2"]
    start = time.time()
    rc, out, err = run(cmd, stdin=b"", timeout=60, runner=r)   # the guest waits for input forever
    ok = rc == 124 and "watchdog: guest still running after 2 s" in err and time.time() - start < 30
    if r[0] == "kvm":       # where each vCPU was: the last KVM exit and the guest RIP
        ok = ok and re.search(r"vCPU 0: stopped by the watchdog: last KVM exit \d+ \(IO\), guest RIP=0x1", err)
    check(f"{r[0]}: watchdog stops a guest that never finishes (exit 124, reason on stderr)",
          bool(ok), f"rc={rc} err={err!r}")


def main():
    t_bad_input()
    t_no_kvm()
    t_kvm_not_kvm()
    t_bzimage()
    for r in RUNNERS:
        for t in [t_serial, t_reset, t_blk_rw, t_blk_ro, t_rng, t_vconsole, t_vconsole_input, t_intx, t_timer, t_pic, t_exc, t_irqstorm, t_irqflags, t_stishadow, t_ring3, t_segments, t_fxpage, t_xpage, t_stpage, t_smc, t_sipi, t_smp, t_malformed, t_fuzz, t_highmem,
                  t_pvh, t_net, t_net_user, t_watchdog]:
            t(r)
    if A64_RUNNER:          # under qemu-aarch64: the guests that exercise the CPU, briefly
        for t in [t_serial, t_reset, t_blk_rw, t_rng, t_intx, t_timer, t_pic, t_exc, t_irqstorm, t_irqflags, t_stishadow, t_ring3, t_segments, t_fxpage, t_xpage, t_stpage, t_smc, t_sipi, t_pvh, t_smp, t_watchdog]:
            t(A64_RUNNER)
    shutil.rmtree(TMP, ignore_errors=True)
    print(f"check-system: {results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


sys.exit(main())
