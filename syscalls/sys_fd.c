/* sys_fd.c -- descriptor syscalls: dup*, pipe*, fcntl and ioctl.  Command
 * numbers are the asm-generic ones on x86-64 and arm64 alike; they are
 * still listed one by one so an unknown command never reaches the host
 * with a different meaning, and the open-flag words are translated. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <sys/syscall.h>

#include "sys_block.h"
#include "sys_handlers.h"

SYS_HANDLER(sys_dup) { return sys_ret(dup((int)a[0])); }

/* dup2(fd, fd) checks fd and returns it; dup3 would fail with EINVAL. */
SYS_HANDLER(sys_dup2)
{
    if (a[0] == a[1])
        return fcntl((int)a[0], F_GETFD) == -1 || sys_ferry_fd_is((int)a[0]) ? -EBADF : (int64_t)a[1];
    if (sys_ferry_fd_is((int)a[0]))
        return -EBADF;
    int err = sys_ferry_fd_yield((int)a[1]);
    return err ? err : sys_ret(dup3((int)a[0], (int)a[1], 0));
}

/* (ferry's own descriptors: sys_ferry_fd.c) */
SYS_HANDLER(sys_dup3)
{
    if (sys_ferry_fd_is((int)a[0]) && a[0] != a[1])
        return -EBADF;
    int err = a[0] == a[1] ? 0 : sys_ferry_fd_yield((int)a[1]);
    if (err)
        return err;
    return sys_ret(dup3((int)a[0], (int)a[1], sys_open_flags_to_host(a[2])));
}

SYS_HANDLER(sys_pipe2)
{
    return sys_ret(pipe2(sys_ptr(a[0]), sys_open_flags_to_host(a[1])));
}

SYS_HANDLER(sys_pipe) { return sys_ret(pipe2(sys_ptr(a[0]), 0)); }

enum sys_fcntl_kind { SYS_FCNTL_INT, SYS_FCNTL_PTR, SYS_FCNTL_FLAGS };

static const struct { int cmd; enum sys_fcntl_kind kind; } sys_fcntl_cmds[] = {
    { 0, SYS_FCNTL_INT },       /* F_DUPFD */
    { 1, SYS_FCNTL_INT },       /* F_GETFD */
    { 2, SYS_FCNTL_INT },       /* F_SETFD */
    { 3, SYS_FCNTL_FLAGS },     /* F_GETFL */
    { 4, SYS_FCNTL_FLAGS },     /* F_SETFL */
    { 5, SYS_FCNTL_PTR },       /* F_GETLK (struct flock: same layout) */
    { 6, SYS_FCNTL_PTR },       /* F_SETLK */
    { 7, SYS_FCNTL_PTR },       /* F_SETLKW */
    { 8, SYS_FCNTL_INT },       /* F_SETOWN */
    { 9, SYS_FCNTL_INT },       /* F_GETOWN */
    { 15, SYS_FCNTL_PTR },      /* F_SETOWN_EX (struct f_owner_ex: same layout) */
    { 16, SYS_FCNTL_PTR },      /* F_GETOWN_EX */
    { 36, SYS_FCNTL_PTR },      /* F_OFD_GETLK */
    { 37, SYS_FCNTL_PTR },      /* F_OFD_SETLK */
    { 38, SYS_FCNTL_PTR },      /* F_OFD_SETLKW */
    { 1024, SYS_FCNTL_INT },    /* F_SETLEASE */
    { 1025, SYS_FCNTL_INT },    /* F_GETLEASE */
    { 1026, SYS_FCNTL_INT },    /* F_NOTIFY (DN_MULTISHOT is bit 31: the long is passed whole) */
    { 1030, SYS_FCNTL_INT },    /* F_DUPFD_CLOEXEC */
    { 1031, SYS_FCNTL_INT },    /* F_SETPIPE_SZ */
    { 1032, SYS_FCNTL_INT },    /* F_GETPIPE_SZ */
    { 1033, SYS_FCNTL_INT },    /* F_ADD_SEALS */
    { 1034, SYS_FCNTL_INT },    /* F_GET_SEALS */
    { 1035, SYS_FCNTL_PTR },    /* F_GET_RW_HINT (a u64) */
    { 1036, SYS_FCNTL_PTR },    /* F_SET_RW_HINT */
    { 1037, SYS_FCNTL_PTR },    /* F_GET_FILE_RW_HINT */
    { 1038, SYS_FCNTL_PTR },    /* F_SET_FILE_RW_HINT */
};

SYS_HANDLER(sys_fcntl)
{
    int fd = (int)a[0], cmd = (int)a[1];
    for (size_t i = 0; i < sizeof sys_fcntl_cmds / sizeof sys_fcntl_cmds[0]; i++) {
        if (sys_fcntl_cmds[i].cmd != cmd)
            continue;
        if (sys_fcntl_cmds[i].kind == SYS_FCNTL_PTR)
            return sys_block(SYS_fcntl, fd, cmd, sys_ptr(a[2]));     /* F_SETLKW waits */
        int err = cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC ? sys_ferry_fd_dupfd_yield((long)a[2]) : 0;
        if (err)
            return err;
        if (sys_fcntl_cmds[i].kind == SYS_FCNTL_INT)
            return sys_ret(fcntl(fd, cmd, (long)a[2]));
        if (cmd == F_SETFL)
            return sys_ret(fcntl(fd, F_SETFL, sys_open_flags_to_host(a[2])));
        int r = fcntl(fd, F_GETFL);
        return r == -1 ? -errno : (int64_t)sys_open_flags_to_guest(r);
    }
    return -EINVAL;
}

/* x86-64 ioctl numbers ferry knows, with the host's.  termios, winsize
 * and int arguments have the same layout on both architectures. */
static const struct { uint32_t guest; unsigned long host; } sys_ioctl_map[] = {
    { 0x5401, TCGETS },     { 0x5402, TCSETS },     { 0x5403, TCSETSW },
    { 0x5404, TCSETSF },    { 0x5409, TCSBRK },     { 0x540A, TCXONC },
    { 0x540B, TCFLSH },     { 0x540E, TIOCSCTTY },  { 0x540F, TIOCGPGRP },
    { 0x5410, TIOCSPGRP },  { 0x5413, TIOCGWINSZ }, { 0x5414, TIOCSWINSZ },
    { 0x541B, FIONREAD },   { 0x5421, FIONBIO },    { 0x5422, TIOCNOTTY },
    { 0x5450, FIONCLEX },   { 0x5451, FIOCLEX },    { 0x5452, FIOASYNC },
    { 0x5429, TIOCGSID },
};

/* x86-64 ioctls passed on unchanged: Linux numbers them from
 * asm-generic on x86-64 and arm64 alike (checked against both hosts'
 * headers), and their arguments (ints, termio/termios2, ifreq/ifconf,
 * file_clone_range, fiemap, fsxattr, pointers) have the same layout on
 * every LP64 host.  Pseudo-terminals (glibc's grantpt/ptsname/openpty,
 * script, python3's pty) need the TIOC*PT* ones. */
static const uint32_t sys_ioctl_same[] = {
    0x5405, 0x5406, 0x5407, 0x5408,             /* TCGETA, TCSETA, TCSETAW, TCSETAF */
    0x540C, 0x540D, 0x5411, 0x5412,             /* TIOCEXCL, TIOCNXCL, TIOCOUTQ, TIOCSTI */
    0x5415, 0x5416, 0x5417, 0x5418,             /* TIOCMGET, TIOCMBIS, TIOCMBIC, TIOCMSET */
    0x541D, 0x5420, 0x5423, 0x5424,             /* TIOCCONS, TIOCPKT, TIOCSETD, TIOCGETD */
    0x5425, 0x5427, 0x5428, 0x5437,             /* TCSBRKP, TIOCSBRK, TIOCCBRK, TIOCVHANGUP */
    0x80045430, 0x40045431, 0x80045439,         /* TIOCGPTN, TIOCSPTLCK, TIOCGPTLCK */
    0x80045438, 0x5441, 0x40045436, 0x80045440, /* TIOCGPKT, TIOCGPTPEER, TIOCSIG, TIOCGEXCL */
    0x802C542A, 0x402C542B, 0x402C542C, 0x402C542D, /* TCGETS2, TCSETS2, TCSETSW2, TCSETSF2 */
    0x5460, 0x2,                                /* FIOQSIZE, FIGETBSZ */
    0x80086601, 0x40086602, 0x80087601,         /* FS_IOC_GETFLAGS, _SETFLAGS, _GETVERSION */
    0x801C581F, 0x401C5820, 0xC020660B,         /* FS_IOC_FSGETXATTR, _FSSETXATTR, _FIEMAP */
    0x40049409, 0x4020940D, 0xC0189436,         /* FICLONE, FICLONERANGE, FIDEDUPERANGE */
    0x80081272, 0x1268, 0x1260,                 /* BLKGETSIZE64, BLKSSZGET, BLKGETSIZE */
    0x8910, 0x8933, 0x8913, 0x8915, 0x8921,     /* SIOCGIFNAME, _GIFINDEX, _GIFFLAGS, _GIFADDR, _GIFMTU */
    0x8927, 0x891B, 0x8919, 0x8912,             /* SIOCGIFHWADDR, _GIFNETMASK, _GIFBRDADDR, _GIFCONF */
    0x8905, 0x8906, 0x8907,                     /* SIOCATMARK, SIOCGSTAMP, SIOCGSTAMPNS */
    0x80045200,                                 /* RNDGETENTCNT */
    0x7B9,                                      /* IOCTL_VM_SOCKETS_GET_LOCAL_CID (/dev/vsock) */
};

static bool sys_ioctl_is_same(uint32_t nr)
{
    for (size_t i = 0; i < sizeof sys_ioctl_same / sizeof sys_ioctl_same[0]; i++)
        if (sys_ioctl_same[i] == nr)
            return true;
    return false;
}

/* Some wait (TCSBRK/tcdrain and TCSETSW until the output drains, a
 * tty's break): all go through sys_block. */
SYS_HANDLER(sys_ioctl)
{
    for (size_t i = 0; i < sizeof sys_ioctl_map / sizeof sys_ioctl_map[0]; i++)
        if (sys_ioctl_map[i].guest == (uint32_t)a[1])
            return sys_block(SYS_ioctl, (int)a[0], sys_ioctl_map[i].host, sys_ptr(a[2]));
    if (sys_ioctl_is_same((uint32_t)a[1]))
        return sys_block(SYS_ioctl, (int)a[0], (unsigned long)(uint32_t)a[1], sys_ptr(a[2]));
    return fcntl((int)a[0], F_GETFD) == -1 ? -EBADF : -ENOTTY;
}
