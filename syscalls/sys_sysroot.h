/* sys_sysroot.h -- the guest file-system prefix (-L DIR): where the loader
 * and the path-lookup syscalls find the guest's absolute paths. */
#ifndef FERRY_SYS_SYSROOT_H
#define FERRY_SYS_SYSROOT_H

/* Sets DIR (made absolute); "/" means none.  -1 if DIR is no directory. */
int sys_sysroot_set(const char *dir);
/* The absolute DIR, or NULL when there is none. */
const char *sys_sysroot_get(void);
/* DIR + path if that name exists under DIR, else path.  follow: the last
 * component is followed if it is an absolute symbolic link (open, stat,
 * exec), not for lstat/readlink.  The result stays valid for the next
 * three calls in this thread. */
const char *sys_sysroot_path(const char *path, int follow);

#endif
