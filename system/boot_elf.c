/* boot_elf.c -- ELF kernels: a vmlinux with the Xen PVH entry note
 * (32-bit protected-mode entry, hvm_start_info in EBX), or a plain ELF test
 * guest (every vCPU enters e_entry in 64-bit mode, RDI = vCPU index,
 * RSI = vCPU count).  As QEMU's -kernel, an ELF32 file (EM_386 or
 * EM_X86_64) is taken too, and then only with the PVH note.  The file is
 * read and checked by the loader's ELF reader (loader/ld_elf.h); what is
 * particular to kernels is here: segments load at their physical
 * addresses into guest RAM. */
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "layout.h"
#include "ld_elf.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define PVH_MAGIC 0x336ec578u

struct pvh_start_info {
    uint32_t magic, version, flags, nr_modules;
    uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
    uint32_t memmap_entries, reserved;
};
struct pvh_module { uint64_t paddr, size, cmdline_paddr, reserved; };

static const struct ld_elf_accept elf_kernels = { EM_X86_64, LD_ELF_TYPE(ET_EXEC), .class32 = 1 };

/* The loader's reason, in ferry-system's words. */
static int elf_reject(struct boot_file *k, const struct ld_elf *e)
{
    switch (e->error) {
    case LD_ELF_UNSUPPORTED:
        sys_err("%s: not an x86 executable ELF kernel (ELF64 x86-64, or ELF32 with a PVH note)",
                k->path);
        break;
    case LD_ELF_BAD_PHDRS:
        if (e->phnum == 0)
            sys_err("%s: ELF without program headers", k->path);
        else
            sys_err("%s: bad ELF program headers (%s)", k->path, e->why);
        break;
    case LD_ELF_BAD_SEGMENT:
        sys_err("%s: truncated or inconsistent ELF segment", k->path);
        break;
    default:
        sys_err("%s: unreadable ELF: %s", k->path, e->why);
    }
    return -1;
}

/* len bytes of the file from off into guest RAM at dst (bounds checked
 * by the caller): pread, which beats a copy from the mapping (its page
 * faults) 3-10x for a 60 MiB vmlinux here. */
static void file_copy(const struct boot_file *f, uint8_t *dst, uint64_t len, uint64_t off)
{
    while (len && f->fd >= 0) {
        ssize_t n = pread(f->fd, dst, len, (off_t)off);
        if (n <= 0)
            break;
        dst += n, off += (uint64_t)n, len -= (uint64_t)n;
    }
    memcpy(dst, f->data + off, len);    /* the rest, if pread stopped short */
}

static int elf_load_segment(struct sys_vm *vm, struct boot_file *k, struct ld_elf *e, int index)
{
    const Elf64_Phdr *ph = &e->ph[index];
    if (ld_elf_check_segment(e, index) != LD_ELF_OK)
        return elf_reject(k, e);
    uint8_t *dst = sys_mem_ptr(vm, ph->p_paddr, ph->p_memsz);
    if (!dst || ph->p_paddr < LAYOUT_HIGH) {
        sys_err("%s: segment at 0x%llx+0x%llx outside usable guest RAM", k->path,
                (unsigned long long)ph->p_paddr, (unsigned long long)ph->p_memsz);
        return -1;
    }
    file_copy(k, dst, ph->p_filesz, ph->p_offset);
    memset(dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
    return 0;
}

/* The PVH entry point from one PT_NOTE segment; 0 if absent. */
static uint64_t elf_pvh_note(const struct ld_elf *e, const Elf64_Phdr *ph)
{
    uint32_t entry = 0;
    if (ld_elf_find_note(e, ph, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &entry, sizeof entry) < 4)
        return 0;
    return entry;
}

/* The initrd is module 0, as Linux's PVH entry expects. */
static int pvh_initrd(struct sys_vm *vm, struct pvh_start_info *si, struct boot_file *initrd)
{
    struct pvh_module *mod = sys_mem_ptr(vm, LAYOUT_PVH_INFO + 0x100, sizeof *mod);
    memset(mod, 0, sizeof *mod);
    if (boot_place_initrd(vm, initrd, 16 << 20, 0xffffffffull, &mod->paddr) < 0)
        return -1;
    mod->size = initrd->size;
    si->nr_modules = 1;
    si->modlist_paddr = LAYOUT_PVH_INFO + 0x100;
    return 0;
}

static int pvh_setup(struct sys_vm *vm, uint64_t entry, struct boot_file *initrd)
{
    struct pvh_start_info *si = sys_mem_ptr(vm, LAYOUT_PVH_INFO, sizeof *si);
    memset(si, 0, sizeof *si);
    *si = (struct pvh_start_info){ .magic = PVH_MAGIC, .version = 1 };
    if (boot_cmdline(vm, &si->cmdline_paddr) < 0)
        return -1;
    struct e820_entry map[8];
    int n = boot_e820(vm, map, 8);
    uint64_t *mm = sys_mem_ptr(vm, LAYOUT_PVH_MEMMAP, n * 24ull);
    for (int i = 0; i < n; i++) {       /* hvm_memmap_table_entry: addr, size, type */
        mm[3 * i] = map[i].addr;
        mm[3 * i + 1] = map[i].size;
        mm[3 * i + 2] = map[i].type;
    }
    si->memmap_paddr = LAYOUT_PVH_MEMMAP;
    si->memmap_entries = n;
    if (initrd && pvh_initrd(vm, si, initrd) < 0)
        return -1;
    vm->boot = (struct sys_boot){ .mode = BOOT_PROT32, .rip = entry, .rbx = LAYOUT_PVH_INFO };
    return 0;
}

static int elf_load_all(struct sys_vm *vm, struct boot_file *k, struct ld_elf *e, uint64_t *pvh)
{
    for (int i = 0; i < (int)e->phnum; i++) {
        if (e->ph[i].p_type == PT_LOAD && elf_load_segment(vm, k, e, i) < 0)
            return -1;
        if (e->ph[i].p_type == PT_NOTE && !*pvh)
            *pvh = elf_pvh_note(e, &e->ph[i]);
    }
    return 0;
}

/* The test guests' convention: every vCPU enters e_entry in 64-bit mode
 * on the identity map, with a stack at the top of low RAM. */
static void elf_long64(struct sys_vm *vm, uint64_t entry)
{
    vm->boot = (struct sys_boot){ .mode = BOOT_LONG64, .rip = entry,
                                  .rsp = LAYOUT_LOW_RAM_END & ~0xfull, .all_cpus_start = true };
}

int boot_elf(struct sys_vm *vm, struct boot_file *k, struct boot_file *initrd)
{
    struct ld_elf e;
    uint64_t pvh = 0;
    if (k->size < 4 || memcmp(k->data, ELFMAG, 4) != 0)
        return 1;
    if (ld_elf_open_mem(k->data, k->size, k->path, &elf_kernels, &e) != LD_ELF_OK)
        return elf_reject(k, &e);
    int r = elf_load_all(vm, k, &e, &pvh);
    uint64_t entry = e.entry;
    int class32 = e.class32;
    ld_elf_close(&e);
    if (r < 0)
        return -1;
    if (class32 && !pvh) {              /* QEMU: "without PVH ELF Note" */
        sys_err("%s: ELF32 kernel without a PVH entry note (Xen PHYS32_ENTRY)", k->path);
        return -1;
    }
    boot_write_gdt_and_paging(vm);
    if (pvh)
        return pvh_setup(vm, pvh, initrd);
    elf_long64(vm, entry);
    return 0;
}
