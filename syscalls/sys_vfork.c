/* sys_vfork.c -- what a vfork child writes reaches its parent.  vfork and
 * clone(CLONE_VM|CLONE_VFORK) (glibc's posix_spawn, Go's os/exec) share
 * the parent's memory natively, and the calling thread sleeps until the
 * child execs or exits; posix_spawn's child reports a failed exec by
 * writing the error into the parent's stack frame.  ferry's child is a
 * fork (ferry's own state cannot be shared), so: the parent waits on a
 * close-on-exec pipe until the child execs or ends, and the child sends
 * back, before each exec and at its exit, the bytes it changed in the
 * parent's stack from where the parent called clone (SYS_VFORK_SPAN
 * bytes, as far as the guest has them; changed = differs from its copy
 * taken at the fork); the parent writes the last such set into its
 * memory -- what it would see natively there.  Only changed bytes: the
 * parent's other threads keep running and writing that span (Go's
 * goroutine stacks and heap lie right above the vforking one), and a
 * whole stale copy would undo their writes.
 * Other memory the child writes (globals, the heap) is not sent back.
 * The child's end of the pipe is one of ferry's own descriptors
 * (sys_ferry_fd.c), at the top of the fd space: posix_spawn's file
 * actions dup2 onto low numbers (Python's test_posix: dup2(1, 4)), and
 * the copies must not land in the guest's files. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sys_internal.h"
#include "translator.h"

#define SYS_VFORK_SPAN (64u << 10)

/* One send: the header, then len bytes of the child's memory, then len
 * mask bytes (1: the child changed that byte). */
struct sys_vfork_record {
    uint64_t addr, len;
};

/* In a vfork child: the pipe to the parent (in a ferry slot, or a plain
 * descriptor when there is no room) and the region to send. */
static const int *sys_vfork_slot;
static int sys_vfork_fd = -1;
static uint64_t sys_vfork_addr, sys_vfork_len;
static unsigned char *sys_vfork_orig;   /* the span as it was at the fork */

/* [sp rounded down to its page, + SYS_VFORK_SPAN), cut at the first page
 * the guest cannot both read and write: a thread's stack ends in the
 * next one's guard page (PROT_NONE), where the child's send failed
 * (EFAULT) and the parent kept the copy from before the exec -- without
 * posix_spawn's error (3 of 4 threads spawning at once got 0 and a
 * child exiting 127 instead of ENOENT). */
static uint64_t sys_vfork_span(uint64_t start, uint64_t max)
{
    const int rw = TR_PROT_READ | TR_PROT_WRITE;
    uint64_t end = start;
    while (end - start < max && sys_guest_has(end, end + 4096) &&
           (tr_prot_at(sys_engine, end) & rw) == rw)
        end += 4096;
    return end - start;
}

int sys_vfork_prepare(int pipefd[2])
{
    return pipe2(pipefd, O_CLOEXEC) == 0 ? 0 : -1;
}

void sys_vfork_child(int pipefd[2], uint64_t parent_sp)
{
    close(pipefd[0]);
    sys_vfork_slot = sys_ferry_fd_adopt_in_place(pipefd[1]);
    sys_vfork_fd = sys_vfork_slot ? -1 : pipefd[1];
    sys_vfork_addr = parent_sp & ~4095ull;
    sys_vfork_len = sys_vfork_span(sys_vfork_addr, SYS_VFORK_SPAN);
    sys_vfork_orig = malloc(sys_vfork_len ? sys_vfork_len : 1);
    if (sys_vfork_orig)
        memcpy(sys_vfork_orig, sys_ptr(sys_vfork_addr), sys_vfork_len);
    else
        sys_vfork_len = 0;
}

/* A fork of a vfork child does not hold its parent's parent. */
void sys_vfork_forget(void)
{
    if (sys_vfork_slot)
        sys_ferry_fd_release(sys_vfork_slot);
    else if (sys_vfork_fd >= 0)
        close(sys_vfork_fd);
    sys_vfork_slot = NULL;
    sys_vfork_fd = -1;
    free(sys_vfork_orig);
    sys_vfork_orig = NULL;
    sys_vfork_len = 0;
}

/* The child's end of the pipe now (the guest's dup2 may have moved it). */
static int sys_vfork_out(void)
{
    return sys_vfork_slot ? __atomic_load_n(sys_vfork_slot, __ATOMIC_ACQUIRE) : sys_vfork_fd;
}

/* All of len bytes through a pipe, read or written, across EINTR and
 * short transfers; false at EOF or an error. */
static bool sys_pipe_all(int fd, void *p, size_t len, bool out)
{
    for (char *c = p; len;) {
        ssize_t n = out ? write(fd, c, len) : read(fd, c, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        c += n, len -= (size_t)n;
    }
    return true;
}

static bool sys_write_all(int fd, const void *p, size_t len)
{
    return sys_pipe_all(fd, (void *)p, len, true);
}

void sys_vfork_send(void)
{
    struct sys_vfork_record r = { sys_vfork_addr, sys_vfork_len };
    int fd = sys_vfork_out();
    if (fd < 0 || !sys_vfork_orig || !sys_guest_has(r.addr, r.addr + r.len))
        return;
    const unsigned char *now = sys_ptr(r.addr);
    unsigned char *mask = malloc(r.len ? r.len : 1);
    if (!mask)
        return;
    for (uint64_t i = 0; i < r.len; i++)
        mask[i] = now[i] != sys_vfork_orig[i];
    if (sys_write_all(fd, &r, sizeof r) && sys_write_all(fd, now, r.len))
        sys_write_all(fd, mask, r.len);
    free(mask);
}

static bool sys_read_all(int fd, void *p, size_t len)
{
    return sys_pipe_all(fd, p, len, false);
}

/* The changed bytes of one set: each run of set mask bytes. */
static void sys_vfork_apply(uint64_t addr, const char *buf, const char *mask, uint64_t len)
{
    for (uint64_t i = 0; i < len;) {
        if (!mask[i]) {
            i++;
            continue;
        }
        uint64_t j = i;
        while (j < len && mask[j])
            j++;
        if (sys_guest_has(addr + i, addr + j))
            sys_copy_out(addr + i, buf + i, j - i);
        i = j;
    }
}

/* The parent: until the child execs or ends; the last whole set
 * received is what the child changed of that memory. */
void sys_vfork_wait(int pipefd[2])
{
    struct sys_vfork_record r;
    char *last = NULL;
    uint64_t last_addr = 0, last_len = 0;
    close(pipefd[1]);
    while (sys_read_all(pipefd[0], &r, sizeof r) && r.len <= SYS_VFORK_SPAN) {
        char *buf = malloc(2 * r.len + 1);
        if (!buf || !sys_read_all(pipefd[0], buf, 2 * r.len)) {
            free(buf);
            break;
        }
        free(last);
        last = buf, last_addr = r.addr, last_len = r.len;
    }
    close(pipefd[0]);
    /* as far as the pages are still there: another thread may have
     * unmapped one the span reached beyond the stack (it does not end
     * where the stack's mapping does), and the frame comes first */
    if (last)
        sys_vfork_apply(last_addr, last, last + last_len, sys_vfork_span(last_addr, last_len));
    free(last);
}
