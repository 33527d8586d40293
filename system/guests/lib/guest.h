/* guest.h -- the test guests' runtime: port and MMIO access, guest
 * physical memory, the COM1 serial port, power control, PCI and a small
 * virtio driver. Built twice: freestanding (an ELF kernel for KVM) and
 * with GUEST_HOSTED for the hosted test accelerator. */
#ifndef GUEST_H
#define GUEST_H

#include <stddef.h>
#include <stdint.h>

/* ---- what each guest provides ---- */
int guest_main(int ncpus);                 /* vCPU 0; returns the poweroff status */
void guest_ap(int cpu, int ncpus);         /* other vCPUs; weak default: idle */

/* ---- io_free.c / io_hosted.c ---- */
void outb(uint16_t port, uint8_t v);
uint8_t inb(uint16_t port);
void outl(uint16_t port, uint32_t v);
uint32_t inl(uint16_t port);
uint32_t mmio_read(uint64_t gpa, unsigned size);
void mmio_write(uint64_t gpa, uint64_t v, unsigned size);
void *phys_to_virt(uint64_t gpa);
uint64_t virt_to_phys(const void *p);
void cpu_relax(void);
void halt_forever(void) __attribute__((noreturn));
void guest_entry(int cpu, int ncpus);
/* 1 while a device asserts interrupt line `irq` (0-15). Freestanding: the
 * PIC's request register with the line made level-sensitive in the ELCR
 * (interrupts stay disabled, so nothing is delivered); hosted: the level
 * the VMM last set. */
int irq_line_level(int irq);

#define barrier() __atomic_thread_fence(__ATOMIC_SEQ_CST)

/* ---- runtime.c ---- */
void *dma_alloc(size_t size, size_t align);     /* zeroed, in guest RAM */
void *g_memset(void *d, int c, size_t n);
void *g_memcpy(void *d, const void *s, size_t n);
void serial_putc(char c);
void put_str(const char *s);
void put_dec(uint64_t v);
void put_hex(uint64_t v);
int serial_getc(void);                          /* blocks */
void poweroff(int status) __attribute__((noreturn));
void reset_machine(void) __attribute__((noreturn));
uint32_t fnv1a(const void *p, size_t n, uint32_t h);
#define FNV_INIT 2166136261u

/* ---- irq.c (freestanding only) ---- */
#define IDT_INTERRUPT_GATE 0xe                  /* IF cleared on entry */
#define IDT_TRAP_GATE 0xf
/* Points IDT entry `vector` at fn (in the current code segment). */
void idt_gate(int vector, void (*fn)(void), uint8_t type);
void idt_load(void);
uint64_t rdtsc(void);
void pit_start_100hz(void);
/* Runs with interrupts enabled until *ticks reaches n or about a second
 * or more passes; returns min(*ticks, n), interrupts disabled again. */
uint32_t wait_ticks(volatile uint32_t *ticks, uint32_t n);
/* The local APIC timer (software-enabled, divide by 1: 10 ns a count)
 * at `vector` every `count` counts (periodic) or once; then masked. */
#define LAPIC_BASE 0xfee00000ull
void lapic_timer_start(int vector, uint32_t count, int periodic);
/* Both 8259s masked, isr at `vector` and spurious at 0xff (interrupt
 * gates), the IDT loaded: the local APIC's interrupts only. */
void lapic_only_irqs(int vector, void (*isr)(void), void (*spurious)(void));
void lapic_timer_stop(void);
/* 1 while `vector` waits in the local APIC's request register. */
int lapic_requested(int vector);
/* Runs `insn` (its operands set up by `setup`) between labels: 2 is the
 * instruction that faults, 1 where the guest's handler resumes (stored in
 * the variable RESUME); the uint64_t `at` receives label 2 (exc, segments). */
#define FAULT_CASE(RESUME, setup, insn, clobbers...)                            \
    __asm__ volatile("lea 1f(%%rip), %%rax\n mov %%rax, " #RESUME "(%%rip)\n" \
                     "lea 2f(%%rip), %%rbx\n" setup "\n2: " insn "\n1:\n"      \
                     : "=b"(at) : : "rax", "rcx", "rdx", "memory", ##clobbers)

/* ---- pci.c ---- */
int pci_find(uint16_t vendor, uint16_t device);   /* slot or -1 */
uint32_t pci_cfg_read(int slot, unsigned off, unsigned size);

/* ---- virtio.c ---- */
#define VQ_SIZE 16
struct vdesc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct vqueue {
    struct vdesc *desc;
    uint16_t *avail;            /* flags, idx, ring[] */
    uint8_t *used;              /* flags, idx, ring[] of {id, len} */
    uint16_t size, used_seen, avail_idx;
    uint64_t notify_addr;
};
struct vdev {
    int slot;
    uint64_t common, isr, device, notify_base;
    uint32_t notify_mult;
    uint64_t features;          /* negotiated */
    struct vqueue q[4];
};
#define VD_NEXT  1
#define VD_WRITE 2
/* Finds virtio device type `id`, negotiates VERSION_1 + `features`, sets
 * up `nq` queues, sets DRIVER_OK. Returns 0, or -1 if absent/refused. */
int virtio_open(struct vdev *d, int id, uint64_t features, int nq);
/* Publishes descriptor `head` (already filled in) and notifies. */
void vq_publish(struct vdev *d, int q, uint16_t head);
/* Waits for the next used element; returns its length, or -1 on timeout
 * (a fixed number of spins: for completions the device makes on the kick
 * itself) or when the device needs a reset. */
long vq_wait(struct vdev *d, int q);
/* The same without the spin limit, for what another party delivers (a tap
 * peer, slirp, the VMM's stdin reader): how long that takes depends on the
 * host's load, so only the VMM's --timeout ends the wait. */
long vq_wait_external(struct vdev *d, int q);
uint8_t virtio_status(struct vdev *d);
uint32_t virtio_cfg_read(struct vdev *d, unsigned off, unsigned size);

#endif
