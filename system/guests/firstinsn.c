/* firstinsn.c -- benchmark guest for make bench-system: its PVH entry's
 * first instruction sequence writes status 0 to the debug-exit port, so a
 * VMM's CPU time for booting it is its start-up to the first guest
 * instruction plus its exit (the same for ferry-system and QEMU microvm,
 * which both honour port 0x501). The plain-ELF and hosted entries do the
 * same through guest_main. */
#include "guest.h"

#ifndef GUEST_HOSTED
__asm__(
    ".pushsection .note.Xen, \"a\", @note\n"
    ".balign 4\n"
    ".long 4, 4, 18\n"                  /* namesz, descsz, XEN_ELFNOTE_PHYS32_ENTRY */
    ".asciz \"Xen\"\n"
    ".long first_entry32\n"
    ".popsection\n"
    ".pushsection .text, \"ax\"\n"
    ".code32\n"
    "first_entry32:\n"
    "  mov $0x501, %dx\n  xor %eax, %eax\n  out %eax, %dx\n"
    "1: hlt\n  jmp 1b\n"
    ".code64\n"
    ".popsection\n");
#endif

int guest_main(int ncpus)
{
    outl(0x501, 0);
    return 0;
}
