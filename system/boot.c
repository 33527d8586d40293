/* boot.c -- picks the boot protocol from the kernel file's contents and
 * reads kernel and initrd files with size limits. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
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
    f->data = malloc(f->size + 1);
    ssize_t got = f->data ? read(fd, f->data, f->size) : -1;
    close(fd);
    if (got != (ssize_t)f->size) {
        sys_err("%s: short read", path);
        free(f->data);
        return -1;
    }
    return 0;
}

int sys_boot_load(struct sys_vm *vm)
{
    struct boot_file k = {0}, initrd = {0};
    if (boot_read_file(vm->opts->kernel, vm->ram_size, &k) < 0)
        return -1;
    if (vm->opts->initrd && boot_read_file(vm->opts->initrd, vm->ram_size, &initrd) < 0) {
        free(k.data);
        return -1;
    }
    int r = boot_elf(vm, &k, vm->opts->initrd ? &initrd : NULL);
    if (r == 1)
        r = boot_bzimage(vm, &k, vm->opts->initrd ? &initrd : NULL);
    free(k.data);
    free(initrd.data);
    if (r == 0)
        boot_write_mptable(vm);
    return r;
}
