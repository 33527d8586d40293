/* fuzz_epoll.c -- libFuzzer harness for the struct epoll_event converters
 * of epoll_ctl and epoll_wait (syscalls/sys_conv.c): 12 bytes of a guest
 * event (packed on x86-64, 16 bytes with padding on arm64).  guest -> host
 * keeps events and data, host -> guest gives the input back; where the
 * host's struct is the guest's packed layout (x86-64), the host's copy is
 * also the input byte for byte. */
#include <stddef.h>
#include <string.h>
#include <sys/epoll.h>

#include "sys_conv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct x86_64_epoll_event g, back;
    struct epoll_event h;
    memset(&g, 0, sizeof g);
    memcpy(&g, data, size < sizeof g ? size : sizeof g);
    sys_epoll_event_to_host(&h, &g);
    if (h.events != g.events || h.data.u64 != g.data)
        __builtin_trap();
    if (sizeof h == sizeof g && memcmp(&h, &g, sizeof h))
        __builtin_trap();
    sys_epoll_event_to_guest(&back, &h);
    if (memcmp(&back, &g, sizeof back))
        __builtin_trap();
    return 0;
}
