/* sys_xattr.c -- extended attributes (ls -l asks for ACLs and SELinux
 * labels).  Names are strings and values raw bytes, the same on every
 * host; XATTR_CREATE/REPLACE are the same bits.  The l* forms do not
 * follow a final symbolic link, so neither does the sysroot lookup. */
#define _GNU_SOURCE
#include <sys/xattr.h>

#include "sys_handlers.h"

SYS_HANDLER(sys_getxattr)
{
    return sys_ret(getxattr(sys_path_lookup(a[0], 1), sys_ptr(a[1]), sys_ptr(a[2]), a[3]));
}

SYS_HANDLER(sys_lgetxattr)
{
    return sys_ret(lgetxattr(sys_path_lookup(a[0], 0), sys_ptr(a[1]), sys_ptr(a[2]), a[3]));
}

SYS_HANDLER(sys_fgetxattr)
{
    return sys_ret(fgetxattr((int)a[0], sys_ptr(a[1]), sys_ptr(a[2]), a[3]));
}

SYS_HANDLER(sys_listxattr)
{
    return sys_ret(listxattr(sys_path_lookup(a[0], 1), sys_ptr(a[1]), a[2]));
}

SYS_HANDLER(sys_llistxattr)
{
    return sys_ret(llistxattr(sys_path_lookup(a[0], 0), sys_ptr(a[1]), a[2]));
}

SYS_HANDLER(sys_flistxattr) { return sys_ret(flistxattr((int)a[0], sys_ptr(a[1]), a[2])); }

SYS_HANDLER(sys_setxattr)
{
    return sys_ret(setxattr(sys_path(a[0]), sys_ptr(a[1]), sys_ptr(a[2]), a[3], (int)a[4]));
}

SYS_HANDLER(sys_lsetxattr)
{
    return sys_ret(lsetxattr(sys_path(a[0]), sys_ptr(a[1]), sys_ptr(a[2]), a[3], (int)a[4]));
}

SYS_HANDLER(sys_fsetxattr)
{
    return sys_ret(fsetxattr((int)a[0], sys_ptr(a[1]), sys_ptr(a[2]), a[3], (int)a[4]));
}

SYS_HANDLER(sys_removexattr) { return sys_ret(removexattr(sys_path(a[0]), sys_ptr(a[1]))); }
SYS_HANDLER(sys_lremovexattr) { return sys_ret(lremovexattr(sys_path(a[0]), sys_ptr(a[1]))); }
SYS_HANDLER(sys_fremovexattr) { return sys_ret(fremovexattr((int)a[0], sys_ptr(a[1]))); }
