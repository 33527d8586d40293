/* x86_machine_probe.h -- questions about the host x86 machine that only
 * running native code answers (x86_machine_probe.c).  Each returns 1 or 0,
 * or -1 when the probe could not run (not an x86 kernel, no memfd...). */
#ifndef FERRY_X86_MACHINE_PROBE_H
#define FERRY_X86_MACHINE_PROBE_H

int x86_probe_ia32(void);       /* the kernel runs i386 programs */
int x86_probe_ldt(void);        /* lar sees an LDT entry modify_ldt wrote */

#endif
