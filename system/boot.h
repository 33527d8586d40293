/* boot.h -- loading a kernel into guest RAM: bzImage (Linux x86 boot
 * protocol), ELF vmlinux with a Xen PVH note, or a plain ELF test guest. */
#ifndef SYS_BOOT_H
#define SYS_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "vm.h"

/* A kernel or initrd file, mapped read-only while it is loaded (fd open
 * too: ELF segments are read straight into guest RAM). */
struct boot_file { uint8_t *data; size_t size; const char *path; int fd; };

/* Loads --kernel (and --initrd), fills vm->boot. One-line error, -1 on bad input. */
int sys_boot_load(struct sys_vm *vm);

int boot_read_file(const char *path, uint64_t max, struct boot_file *f);
void boot_close_file(struct boot_file *f);
int boot_bzimage(struct sys_vm *vm, struct boot_file *k, struct boot_file *initrd);
/* Returns 1 when the file is not ELF (try another format). */
int boot_elf(struct sys_vm *vm, struct boot_file *k, struct boot_file *initrd);

/* Shared pieces: GDT + 4 GiB identity page tables, the e820 map, the
 * command line, initrd placement, the MP table for SMP. */
void boot_write_gdt_and_paging(struct sys_vm *vm);
struct e820_entry { uint64_t addr, size; uint32_t type; } __attribute__((packed));
int boot_e820(struct sys_vm *vm, struct e820_entry *out, int max);
int boot_cmdline(struct sys_vm *vm, uint64_t *gpa);
int boot_place_initrd(struct sys_vm *vm, struct boot_file *initrd, uint64_t lowest,
                      uint64_t highest, uint64_t *gpa);
void boot_write_mptable(struct sys_vm *vm);

#endif
