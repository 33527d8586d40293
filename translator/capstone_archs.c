/* capstone_archs.c -- which of capstone's architectures ferry links.
 *
 * Ferry disassembles x86 (the guest decoder's fallback) and the host's
 * code for `-d out_asm` (x86 or AArch64).  capstone's cs.o names every
 * architecture it was built with in its arch_init/arch_option tables, so a
 * static link pulls in all of them: M68K's 1 MB table of function pointers
 * alone is 65,536 of ferry's 83,580 start-up relocations, and the
 * relocation writes a copy of each of the ~370 pages they sit on (about 30 %
 * of the page faults of `ferry /bin/true`).  Defining the other
 * architectures' entry points here resolves cs.o's references before the
 * archive is searched, so their objects are never extracted; cs_open() of
 * one of them fails with CS_ERR_ARCH, which ferry never asks for.
 */
#include <stddef.h>
#include <capstone/capstone.h>

#define FERRY_NO_CS_ARCH(name)                                                    \
    cs_err name##_global_init(void *ud);                                          \
    cs_err name##_option(void *handle, cs_opt_type type, size_t value);          \
    cs_err name##_global_init(void *ud) { (void)ud; return CS_ERR_ARCH; }         \
    cs_err name##_option(void *handle, cs_opt_type type, size_t value)            \
    { (void)handle; (void)type; (void)value; return CS_ERR_ARCH; }

FERRY_NO_CS_ARCH(ARM)
FERRY_NO_CS_ARCH(EVM)
FERRY_NO_CS_ARCH(M680X)
FERRY_NO_CS_ARCH(M68K)
FERRY_NO_CS_ARCH(Mips)
FERRY_NO_CS_ARCH(PPC)
FERRY_NO_CS_ARCH(Sparc)
FERRY_NO_CS_ARCH(SystemZ)
FERRY_NO_CS_ARCH(TMS320C64x)
FERRY_NO_CS_ARCH(XCore)
