/* accel_tcg.h -- private to the tcg accelerator (accel_tcg*.c): a vCPU on
 * ferry's translator, and the software MMU it reaches memory through. */
#ifndef SYS_ACCEL_TCG_H
#define SYS_ACCEL_TCG_H

#include "accel.h"
#include "guest_mem.h"
#include "x86_system.h"

struct tcg_cpu {
    struct x86_sys_cpu x;               /* the env: first */
    struct sys_vcpu *vcpu;
    pthread_mutex_t lock;               /* guards the wake-up below */
    pthread_cond_t wake;                /* hlt waits here for an interrupt or a stop */
};

static inline struct tcg_cpu *tcg_cpu_of(void *env) { return env; }

/* accel_tcg_mmu.c: guest memory for the engine (TR_MEM_SOFTMMU) and the
 * page walk behind it and behind the frontend's virt_ptr hook. */
extern struct sys_vm *tcg_vm;
const struct tr_guest_mem *tcg_guest_mem(void);
void *tcg_virt_ptr(struct x86_sys_cpu *c, uint64_t va, bool write);

#endif
