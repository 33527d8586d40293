/* sys_ipc.c -- System V IPC: shared memory, semaphores, message queues.
 *
 * The guest's structures are those of x86-64 (LP64, asm-generic for
 * ipc64_perm, shmid64_ds, msqid64_ds, shminfo64, seminfo, msginfo, sembuf,
 * msgbuf: the same on arm64) except semid64_ds, where x86-64 keeps a
 * padding word after each time; semctl's IPC_STAT/SEM_STAT(_ANY)/IPC_SET
 * convert it (sys_conv.c).  shmat maps at a guest address (guest addresses are host
 * addresses; SHM_RND/SHM_RDONLY/SHM_EXEC/SHM_REMAP are the same bits;
 * shmat(NULL) below the guest's top where ferry places guest mappings,
 * sys_guest_va.c; at an address in the main stack's room, over its
 * reservation, sys_stack_grow.c) and
 * tells the translator, which keeps its own map of guest mappings; shmdt
 * needs the size of what it unmaps, so attachments are remembered here
 * (inherited by fork like the attachments themselves). */
#define _GNU_SOURCE
#include <linux/ipc.h>
#include <linux/msg.h>
#include <linux/sem.h>
#include <linux/shm.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys_conv.h"
#include "sys_block.h"
#include "sys_handlers.h"
#include "translator.h"

#define SYS_IPC_PAGE 4096ull

_Static_assert(sizeof(struct shmid64_ds) == 112, "shmid64_ds is asm-generic's (as x86-64's)");
_Static_assert(sizeof(struct msqid64_ds) == 120, "msqid64_ds is asm-generic's (as x86-64's)");
_Static_assert(sizeof(struct sembuf) == 6, "sembuf");

/* ---- shared memory ------------------------------------------------------ */

struct sys_shm_attach { uint64_t addr, len; };
static struct sys_shm_attach *sys_shm_at;
static size_t sys_shm_n, sys_shm_cap;
static pthread_mutex_t sys_shm_lock = PTHREAD_MUTEX_INITIALIZER;

static void sys_shm_remember(uint64_t addr, uint64_t len)
{
    pthread_mutex_lock(&sys_shm_lock);
    if (sys_shm_n == sys_shm_cap) {
        size_t cap = sys_shm_cap ? 2 * sys_shm_cap : 16;
        struct sys_shm_attach *p = realloc(sys_shm_at, cap * sizeof *p);
        if (p) sys_shm_at = p, sys_shm_cap = cap;
    }
    if (sys_shm_n < sys_shm_cap) sys_shm_at[sys_shm_n++] = (struct sys_shm_attach){ addr, len };
    pthread_mutex_unlock(&sys_shm_lock);
}

/* The length attached at addr (forgotten), 0 if unknown. */
static uint64_t sys_shm_forget(uint64_t addr)
{
    uint64_t len = 0;
    pthread_mutex_lock(&sys_shm_lock);
    for (size_t i = 0; i < sys_shm_n; i++)
        if (sys_shm_at[i].addr == addr) {
            len = sys_shm_at[i].len;
            sys_shm_at[i] = sys_shm_at[--sys_shm_n];
            break;
        }
    pthread_mutex_unlock(&sys_shm_lock);
    return len;
}

static int sys_shm_prot(uint64_t shmflg)
{
    int prot = TR_PROT_READ | TR_PROT_SHARED;
    if (!(shmflg & SHM_RDONLY)) prot |= TR_PROT_WRITE;
    if (shmflg & SHM_EXEC) prot |= TR_PROT_EXEC;
    return prot;
}

SYS_HANDLER(sys_shmget)
{
    return sys_ret(syscall(SYS_shmget, (key_t)a[0], (size_t)a[1], (int)a[2]));
}

/* shmat(NULL) where ferry places guest mappings (sys_guest_va.c): over
 * room reserved below the guest's top (SHM_REMAP replaces it). */
static long sys_shmat_placed(int id, int flags)
{
    struct shmid64_ds ds;
    if (syscall(SYS_shmctl, id, IPC_STAT, &ds) != 0)
        return syscall(SYS_shmat, id, NULL, flags);     /* the kernel's answer (EINVAL, EACCES) */
    void *to = sys_va_reserve(ds.shm_segsz);
    if (to == MAP_FAILED)
        return -1;
    long r = syscall(SYS_shmat, id, to, flags | SHM_REMAP);
    if (r == -1) {
        int err = errno;
        munmap(to, ds.shm_segsz);
        errno = err;
    }
    return r;
}

/* shmat at an address in the main stack's reserved room: the
 * reservation gives way as to mmap's MAP_FIXED (SHM_REMAP) or
 * MAP_FIXED_NOREPLACE (sys_stack_grow.c), as Linux's empty room does. */
static void sys_shmat_room(int id, uint64_t addr, int flags)
{
    struct shmid64_ds ds;
    if ((!(addr & (SYS_IPC_PAGE - 1)) || (flags & SHM_RND)) &&
        syscall(SYS_shmctl, id, IPC_STAT, &ds) == 0)
        sys_stack_room_fixed(addr & ~(SYS_IPC_PAGE - 1), ds.shm_segsz, !(flags & SHM_REMAP));
}

static long sys_shmat_host(int id, uint64_t addr, int flags)
{
    if (!addr && sys_va_placing())
        return sys_shmat_placed(id, flags);
    if (addr)
        sys_shmat_room(id, addr, flags);
    return syscall(SYS_shmat, id, sys_ptr(addr), flags);
}

SYS_HANDLER(sys_shmat)
{
    struct shmid64_ds ds;
    long r = sys_shmat_host((int)a[0], a[1], (int)a[2]);
    if (r == -1) return -errno;
    uint64_t addr = (uint64_t)r, len = 0;
    if (syscall(SYS_shmctl, (int)a[0], IPC_STAT, &ds) == 0)
        len = (ds.shm_segsz + SYS_IPC_PAGE - 1) & ~(SYS_IPC_PAGE - 1);
    /* Linux's may_expand_vm for a new mapping (not checked for SHM_REMAP,
     * whose old pages are gone by now) */
    if (len && !(a[2] & SHM_REMAP) && sys_rlimit_mem_check(len, sys_shm_prot(a[2])) != 0) {
        syscall(SYS_shmdt, sys_ptr(addr));
        return -ENOMEM;
    }
    if (len) {
        tr_map_changed(sys_engine, TR_MAP, addr, len, sys_shm_prot(a[2]));
        sys_shm_remember(addr, len);
    }
    return r;
}

SYS_HANDLER(sys_shmdt)
{
    long r = syscall(SYS_shmdt, sys_ptr(a[0]));
    if (r == -1) return -errno;
    uint64_t len = sys_shm_forget(a[0]);
    if (len) tr_map_changed(sys_engine, TR_UNMAP, a[0], len, 0);
    return r;
}

/* shmid64_ds, shminfo64 and shm_info: the same layouts on both hosts. */
SYS_HANDLER(sys_shmctl)
{
    return sys_ret(syscall(SYS_shmctl, (int)a[0], (int)a[1], sys_ptr(a[2])));
}

/* ---- semaphores --------------------------------------------------------- */

SYS_HANDLER(sys_semget)
{
    return sys_ret(syscall(SYS_semget, (key_t)a[0], (int)a[1], (int)a[2]));
}

SYS_HANDLER(sys_semop)
{
    return sys_block(SYS_semtimedop, (int)a[0], sys_ptr(a[1]), (size_t)a[2], NULL);
}

/* struct timespec: two 64-bit fields on both hosts. */
SYS_HANDLER(sys_semtimedop)
{
    return sys_block(SYS_semtimedop, (int)a[0], sys_ptr(a[1]), (size_t)a[2], sys_ptr(a[3]));
}

/* The commands whose argument is a struct semid_ds. */
static int64_t sys_semctl_ds(const uint64_t *a, int cmd)
{
    struct x86_64_semid_ds g;
    struct semid64_ds h;
    if (cmd == IPC_SET) {
        if (sys_copy_in(&g, a[3], sizeof g)) return -EFAULT;
        sys_semid_to_host(&h, &g);
    }
    long r = syscall(SYS_semctl, (int)a[0], (int)a[1], cmd, &h);
    if (r == -1) return -errno;
    if (cmd == IPC_SET) return r;
    sys_semid_to_guest(&g, &h);
    return sys_copy_out(a[3], &g, sizeof g) ? -EFAULT : r;
}

/* The fourth argument is union semun by value: an int (SETVAL), an array
 * of unsigned short (GETALL/SETALL), struct seminfo (ints) or semid_ds. */
SYS_HANDLER(sys_semctl)
{
    int cmd = (int)a[2];
    if (cmd == IPC_STAT || cmd == IPC_SET || cmd == SEM_STAT || cmd == SEM_STAT_ANY)
        return sys_semctl_ds(a, cmd);
    return sys_ret(syscall(SYS_semctl, (int)a[0], (int)a[1], cmd, a[3]));
}

/* ---- message queues ----------------------------------------------------- */

SYS_HANDLER(sys_msgget) { return sys_ret(syscall(SYS_msgget, (key_t)a[0], (int)a[1])); }

/* struct msgbuf: a long type, then the text. */
SYS_HANDLER(sys_msgsnd)
{
    return sys_block(SYS_msgsnd, (int)a[0], sys_ptr(a[1]), (size_t)a[2], (int)a[3]);
}

SYS_HANDLER(sys_msgrcv)
{
    return sys_block(SYS_msgrcv, (int)a[0], sys_ptr(a[1]), (size_t)a[2], (long)a[3], (int)a[4]);
}

/* msqid64_ds, msginfo: the same layouts on both hosts. */
SYS_HANDLER(sys_msgctl)
{
    return sys_ret(syscall(SYS_msgctl, (int)a[0], (int)a[1], sys_ptr(a[2])));
}
