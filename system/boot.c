/* boot.c -- picks the boot protocol from the kernel file's contents and
 * reads kernel and initrd files with size limits. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot.h"

/* Non-blocking open: a FIFO must be refused at once, not waited on (the
 * kernel's execve gives EACCES for anything but a regular file). */
int boot_read_file(const char *path, uint64_t max, struct boot_file *f)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        sys_err("%s: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
        sys_err("%s: %s", path, !S_ISREG(st.st_mode) ? "Permission denied (not a regular file)"
                                                      : "larger than guest RAM");
        close(fd);
        return -1;
    }
    f->path = path;
    f->size = st.st_size;
    /* Mapped, not read: a 64 MiB vmlinux read into a buffer, then copied
     * into RAM, was 9 % of a tcg boot's samples here. */
    f->data = f->size ? mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    f->fd = fd;
    if (f->data == MAP_FAILED) {
        sys_err("%s: %s", path, strerror(errno));
        f->data = NULL;
        boot_close_file(f);
        return -1;
    }
    return 0;
}

void boot_close_file(struct boot_file *f)
{
    if (f->data)
        munmap(f->data, f->size);
    if (f->fd >= 0)
        close(f->fd);
    f->data = NULL;
    f->fd = -1;
}

int sys_boot_load(struct sys_vm *vm)
{
    struct boot_file k = { .fd = -1 }, initrd = { .fd = -1 };
    if (boot_read_file(vm->opts->kernel, vm->ram_size, &k) < 0)
        return -1;
    if (vm->opts->initrd && boot_read_file(vm->opts->initrd, vm->ram_size, &initrd) < 0) {
        boot_close_file(&k);
        return -1;
    }
    int r = boot_elf(vm, &k, vm->opts->initrd ? &initrd : NULL);
    if (r == 1)
        r = boot_bzimage(vm, &k, vm->opts->initrd ? &initrd : NULL);
    boot_close_file(&k);
    boot_close_file(&initrd);
    if (r == 0)
        boot_write_mptable(vm);
    return r;
}
