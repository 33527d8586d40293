/* test_sysroot.c -- the -L sysroot lookup (loader/ld_sysroot.c): names
 * under DIR win, missing ones fall back to the host, absolute links inside
 * DIR stay inside DIR when followed. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"

static char root[] = "/tmp/ferry-sysroot-XXXXXX";
static char want[4096];

static const char *under(const char *path)
{
    snprintf(want, sizeof want, "%s%s", root, path);
    return want;
}

static void touch(const char *path)
{
    FILE *f = fopen(under(path), "w");
    cr_assert(f, "%s", want);
    fclose(f);
}

static void make_root(void)
{
    cr_assert(mkdtemp(root));
    mkdir(under("/etc"), 0755), mkdir(under("/lib64"), 0755), mkdir(under("/inner"), 0755);
    touch("/etc/only-in-root");
    touch("/inner/real");
    cr_assert_eq(symlink("/inner/real", under("/lib64/ld.so")), 0);
    cr_assert_eq(symlink("/nonexistent-ferry-target", under("/dangling")), 0);
    cr_assert_eq(ld_sysroot_set(root), 0);
}

static void remove_root(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    cr_expect_eq(system(cmd), 0);
    ld_sysroot_set("/");
}

Test(sysroot, without_one_paths_are_unchanged)
{
    cr_assert_eq(ld_sysroot_set("/"), 0);
    cr_assert_null(ld_sysroot_get());
    const char *p = "/etc/passwd";
    cr_assert_eq(ld_sysroot_path(p, 1), p);
    cr_assert_eq(ld_sysroot_set("/nonexistent-ferry-dir"), -1);
}

Test(sysroot, names_under_it_win_and_others_fall_back, .init = make_root, .fini = remove_root)
{
    cr_assert_str_eq(ld_sysroot_get(), root);
    cr_assert_str_eq(ld_sysroot_path("/etc/only-in-root", 1), under("/etc/only-in-root"));
    cr_assert_str_eq(ld_sysroot_path("/etc/passwd", 1), "/etc/passwd");
    cr_assert_str_eq(ld_sysroot_path("relative/name", 1), "relative/name");
    cr_assert_str_eq(ld_sysroot_path("/", 1), "/");
}

Test(sysroot, absolute_links_resolve_inside_it, .init = make_root, .fini = remove_root)
{
    const char *followed = ld_sysroot_path("/lib64/ld.so", 1);
    const char *link = ld_sysroot_path("/lib64/ld.so", 0);
    char expect_link[4096];
    snprintf(expect_link, sizeof expect_link, "%s/lib64/ld.so", root);
    cr_assert_str_eq(followed, under("/inner/real"), "both results stay valid");
    cr_assert_str_eq(link, expect_link);
    cr_assert_str_eq(ld_sysroot_path("/dangling", 1), "/nonexistent-ferry-target");
}
