/* vm.c -- guest RAM allocation and bounds checks, stopping the machine,
 * interrupt lines and diagnostics. */
#include <stdarg.h>
#include <stdio.h>
#include <sys/mman.h>

#include "accel.h"
#include "layout.h"
#include "vm.h"

int sys_mem_alloc(struct sys_vm *vm, uint64_t size)
{
    /* On a 2 MiB boundary, with transparent huge pages asked for (as
     * QEMU's RAM): a Linux boot on tcg touched 40,000 4 KiB pages of RAM
     * one by one, each a host page fault (~20-50 us on this machine). */
    uint64_t huge = 2ull << 20;
    uint8_t *m = mmap(NULL, size + huge, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
        sys_err("cannot allocate %llu bytes of guest RAM", (unsigned long long)size);
        return -1;
    }
    uint8_t *p = (uint8_t *)(((uintptr_t)m + huge - 1) & ~(uintptr_t)(huge - 1));
    if (p > m)
        munmap(m, (size_t)(p - m));
    munmap(p + size, (size_t)(m + huge - p));
    madvise(p, size, MADV_HUGEPAGE);
    madvise(p, size, MADV_MERGEABLE);
    vm->ram = p;
    vm->ram_size = size;
    vm->low_end = size < LAYOUT_RAM_MAX ? size : LAYOUT_RAM_MAX;
    vm->high_size = size - vm->low_end;
    return 0;
}

void *sys_mem_ptr(struct sys_vm *vm, uint64_t gpa, uint64_t len)
{
    /* Written so that no addition can overflow. */
    if (gpa <= vm->low_end && len <= vm->low_end - gpa)
        return vm->ram + gpa;
    if (gpa >= LAYOUT_RAM_HIGH && gpa - LAYOUT_RAM_HIGH <= vm->high_size
        && len <= vm->high_size - (gpa - LAYOUT_RAM_HIGH))
        return vm->ram + vm->low_end + (gpa - LAYOUT_RAM_HIGH);
    return NULL;
}

void sys_vm_stop(struct sys_vm *vm, enum sys_stop why, int status)
{
    pthread_mutex_lock(&vm->stop_lock);
    if (vm->stop == STOP_NONE) {
        vm->stop = why;
        vm->exit_status = status;
    }
    pthread_cond_broadcast(&vm->stop_cond);
    pthread_mutex_unlock(&vm->stop_lock);
}

bool sys_vm_stopping(struct sys_vm *vm)
{
    return __atomic_load_n(&vm->stop, __ATOMIC_ACQUIRE) != STOP_NONE;
}

void sys_irq_line(struct sys_vm *vm, unsigned irq, int level)
{
    if (vm->accel_ready && vm->accel->irq_line)
        vm->accel->irq_line(vm, irq, level);
}

void sys_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("ferry-system: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void sys_debug(struct sys_vm *vm, const char *fmt, ...)
{
    static unsigned lines;
    if (!vm->opts->debug)
        return;
    /* An interrupt storm must not bury the log: the first lines, then a sample. */
    unsigned n = __atomic_fetch_add(&lines, 1, __ATOMIC_RELAXED);
    if (n > 4000 && n % 1000)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("ferry-system: debug: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
