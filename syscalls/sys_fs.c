/* sys_fs.c -- file I/O syscalls: open, read, write and friends.  Buffers
 * and iovecs have the same layout on every 64-bit Linux, so guest
 * pointers go straight to the host; only open flags are translated. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sys_block.h"
#include "sys_handlers.h"
#include "options.h"

SYS_HANDLER(sys_read) { return sys_block(SYS_read, (int)a[0], sys_ptr(a[1]), a[2]); }
SYS_HANDLER(sys_write) { return sys_block(SYS_write, (int)a[0], sys_ptr(a[1]), a[2]); }
SYS_HANDLER(sys_readv) { return sys_block(SYS_readv, (int)a[0], sys_ptr(a[1]), (int)a[2]); }
SYS_HANDLER(sys_writev) { return sys_block(SYS_writev, (int)a[0], sys_ptr(a[1]), (int)a[2]); }

/* The positioned ones too: a character device or a FUSE file may make
 * them wait.  preadv's and preadv2's offset is one register on 64-bit
 * hosts (the kernel ignores pos_h there). */
SYS_HANDLER(sys_pread64) { return sys_block(SYS_pread64, (int)a[0], sys_ptr(a[1]), a[2], a[3]); }
SYS_HANDLER(sys_pwrite64) { return sys_block(SYS_pwrite64, (int)a[0], sys_ptr(a[1]), a[2], a[3]); }
SYS_HANDLER(sys_preadv) { return sys_block(SYS_preadv, (int)a[0], sys_ptr(a[1]), (int)a[2], a[3], 0); }
SYS_HANDLER(sys_pwritev) { return sys_block(SYS_pwritev, (int)a[0], sys_ptr(a[1]), (int)a[2], a[3], 0); }

static int64_t sys_do_openat(int dirfd, uint64_t path, uint64_t flags, uint64_t mode)
{
    /* the /proc files ferry makes up, however named (sys_proc_path.c) */
    int64_t synth = sys_proc_open(dirfd, path, sys_open_flags_to_host(flags));
    if (synth != SYS_MAPS_NOT_OURS)
        return synth;
    /* a FIFO's open waits for its other end, a tty's for carrier */
    return sys_block(SYS_openat, dirfd, sys_path_lookup_at(dirfd, path, 1), sys_open_flags_to_host(flags),
                     (mode_t)mode);
}

SYS_HANDLER(sys_openat) { return sys_do_openat(sys_dirfd(a[0]), a[1], a[2], a[3]); }
SYS_HANDLER(sys_open) { return sys_do_openat(AT_FDCWD, a[0], a[1], a[2]); }

/* creat(p, m) is open(p, O_CREAT|O_WRONLY|O_TRUNC, m) (x86-64 values). */
SYS_HANDLER(sys_creat) { return sys_do_openat(AT_FDCWD, a[0], 0100 | 01 | 01000, a[1]); }

/* stderr (ferry's log) stays usable for ferry's own messages only if
 * the guest leaves it open; closing it is the guest's right. */
SYS_HANDLER(sys_close)
{
    return sys_ferry_fd_is((int)a[0]) ? -EBADF : sys_ret(close((int)a[0]));
}

SYS_HANDLER(sys_lseek) { return sys_ret(lseek((int)a[0], (off_t)a[1], (int)a[2])); }
SYS_HANDLER(sys_fsync) { return sys_ret(fsync((int)a[0])); }
SYS_HANDLER(sys_fdatasync) { return sys_ret(fdatasync((int)a[0])); }
SYS_HANDLER(sys_ftruncate) { return sys_ret(ftruncate((int)a[0], (off_t)a[1])); }
SYS_HANDLER(sys_truncate) { return sys_ret(truncate(sys_path(a[0]), (off_t)a[1])); }
SYS_HANDLER(sys_flock) { return sys_block(SYS_flock, (int)a[0], (int)a[1]); }

SYS_HANDLER(sys_sync)
{
    sync();
    return 0;
}

/* sendfile, copy_file_range, splice, tee, vmsplice wait on pipes and
 * sockets as read and write do. */
SYS_HANDLER(sys_sendfile)
{
    return sys_block(SYS_sendfile, (int)a[0], (int)a[1], sys_ptr(a[2]), a[3]);
}

SYS_HANDLER(sys_copy_file_range)
{
    return sys_block(SYS_copy_file_range, (int)a[0], sys_ptr(a[1]), (int)a[2], sys_ptr(a[3]), a[4],
                     (unsigned)a[5]);
}

/* posix_fadvise returns the error number instead of setting errno. */
SYS_HANDLER(sys_fadvise64)
{
    return -(int64_t)posix_fadvise((int)a[0], (off_t)a[1], (off_t)a[2], (int)a[3]);
}

/* FALLOC_FL_* are the same bits on all hosts. */
SYS_HANDLER(sys_fallocate)
{
    return sys_ret(fallocate((int)a[0], (int)a[1], (off_t)a[2], (off_t)a[3]));
}

SYS_HANDLER(sys_syncfs) { return sys_ret(syncfs((int)a[0])); }

/* Pipes: splice, tee, vmsplice (iovecs and loff_t are the same on every
 * 64-bit Linux; SPLICE_F_* too). */
SYS_HANDLER(sys_splice)
{
    return sys_block(SYS_splice, (int)a[0], sys_ptr(a[1]), (int)a[2], sys_ptr(a[3]), a[4],
                     (unsigned)a[5]);
}

SYS_HANDLER(sys_tee) { return sys_block(SYS_tee, (int)a[0], (int)a[1], a[2], (unsigned)a[3]); }

SYS_HANDLER(sys_vmsplice)
{
    return sys_block(SYS_vmsplice, (int)a[0], sys_ptr(a[1]), a[2], (unsigned)a[3]);
}

SYS_HANDLER(sys_sync_file_range)
{
    return sys_ret(sync_file_range((int)a[0], (off_t)a[1], (off_t)a[2], (unsigned)a[3]));
}

SYS_HANDLER(sys_readahead) { return sys_ret(readahead((int)a[0], (off_t)a[1], a[2])); }

/* RWF_* flags are the same on every host. */
SYS_HANDLER(sys_preadv2)
{
    return sys_block(SYS_preadv2, (int)a[0], sys_ptr(a[1]), (int)a[2], a[3], 0, (int)a[5]);
}

SYS_HANDLER(sys_pwritev2)
{
    return sys_block(SYS_pwritev2, (int)a[0], sys_ptr(a[1]), (int)a[2], a[3], 0, (int)a[5]);
}
