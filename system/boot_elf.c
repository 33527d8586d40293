/* boot_elf.c -- ELF kernels: a vmlinux with the Xen PVH entry note
 * (32-bit protected-mode entry, hvm_start_info in EBX), or a plain ELF test
 * guest (every vCPU enters e_entry in 64-bit mode, RDI = vCPU index,
 * RSI = vCPU count). Segments load at their physical addresses. */
#include <gelf.h>
#include <libelf.h>
#include <string.h>

#include "boot.h"
#include "layout.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define PVH_MAGIC 0x336ec578u

struct pvh_start_info {
    uint32_t magic, version, flags, nr_modules;
    uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
    uint32_t memmap_entries, reserved;
};
struct pvh_module { uint64_t paddr, size, cmdline_paddr, reserved; };

static int elf_load_segment(struct sys_vm *vm, struct boot_file *k, GElf_Phdr *ph)
{
    uint8_t *dst = sys_mem_ptr(vm, ph->p_paddr, ph->p_memsz);
    if (ph->p_filesz > ph->p_memsz || ph->p_offset > k->size
        || ph->p_filesz > k->size - ph->p_offset) {
        sys_err("%s: truncated or inconsistent ELF segment", k->path);
        return -1;
    }
    if (!dst || ph->p_paddr < LAYOUT_HIGH) {
        sys_err("%s: segment at 0x%llx+0x%llx outside usable guest RAM", k->path,
                (unsigned long long)ph->p_paddr, (unsigned long long)ph->p_memsz);
        return -1;
    }
    memcpy(dst, k->data + ph->p_offset, ph->p_filesz);
    memset(dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
    return 0;
}

/* Looks for the PVH note in one PT_NOTE segment; 0 if absent. */
static uint64_t elf_pvh_note(struct boot_file *k, GElf_Phdr *ph)
{
    if (ph->p_offset > k->size || ph->p_filesz > k->size - ph->p_offset)
        return 0;
    const uint8_t *p = k->data + ph->p_offset, *end = p + ph->p_filesz;
    while (end - p >= 12) {
        uint32_t namesz, descsz, type;
        memcpy(&namesz, p, 4); memcpy(&descsz, p + 4, 4); memcpy(&type, p + 8, 4);
        uint64_t nlen = (namesz + 3ull) & ~3ull, dlen = (descsz + 3ull) & ~3ull;
        if (nlen + dlen > (uint64_t)(end - p - 12))
            return 0;
        if (type == XEN_ELFNOTE_PHYS32_ENTRY && namesz == 4 && !memcmp(p + 12, "Xen", 4)
            && descsz >= 4) {
            uint32_t entry;
            memcpy(&entry, p + 12 + nlen, 4);
            return entry;
        }
        p += 12 + nlen + dlen;
    }
    return 0;
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

static int elf_load_all(struct sys_vm *vm, struct boot_file *k, Elf *e, uint64_t *pvh)
{
    size_t n;
    if (elf_getphdrnum(e, &n) != 0 || n == 0) {
        sys_err("%s: ELF without program headers", k->path);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(e, i, &ph)) {
            sys_err("%s: truncated ELF program headers", k->path);
            return -1;
        }
        if (ph.p_type == PT_LOAD && elf_load_segment(vm, k, &ph) < 0)
            return -1;
        if (ph.p_type == PT_NOTE && !*pvh)
            *pvh = elf_pvh_note(k, &ph);
    }
    return 0;
}

static int elf_check_header(struct boot_file *k, Elf *e, GElf_Ehdr *eh)
{
    if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, eh) || gelf_getclass(e) != ELFCLASS64
        || eh->e_machine != EM_X86_64 || eh->e_type != ET_EXEC) {
        sys_err("%s: not a 64-bit x86-64 executable ELF kernel", k->path);
        return -1;
    }
    return 0;
}

int boot_elf(struct sys_vm *vm, struct boot_file *k, struct boot_file *initrd)
{
    if (k->size < 4 || memcmp(k->data, ELFMAG, 4) != 0)
        return 1;
    elf_version(EV_CURRENT);
    Elf *e = elf_memory((char *)k->data, k->size);
    GElf_Ehdr eh;
    uint64_t pvh = 0;
    int r = -1;
    if (e && elf_check_header(k, e, &eh) == 0 && elf_load_all(vm, k, e, &pvh) == 0) {
        boot_write_gdt_and_paging(vm);
        if (pvh) {
            r = pvh_setup(vm, pvh, initrd);
        } else {
            vm->boot = (struct sys_boot){ .mode = BOOT_LONG64, .rip = eh.e_entry,
                                          .rsp = LAYOUT_LOW_RAM_END & ~0xfull,
                                          .all_cpus_start = true };
            r = 0;
        }
    } else if (!e) {
        sys_err("%s: unreadable ELF: %s", k->path, elf_errmsg(-1));
    }
    if (e)
        elf_end(e);
    return r;
}
