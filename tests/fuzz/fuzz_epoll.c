/* fuzz_epoll.c -- libFuzzer harness for the struct epoll_event converters
 * of epoll_ctl and epoll_wait (syscalls/sys_conv.c): 12 bytes of a guest
 * event.  On this x86-64 host the host's struct is the same packed
 * layout, so guest -> host keeps every byte, and host -> guest gives the
 * input back. */
#include <stddef.h>
#include <string.h>
#include <sys/epoll.h>

#include "sys_conv.h"

_Static_assert(sizeof(struct epoll_event) == sizeof(struct x86_64_epoll_event), "an x86-64 host");

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct x86_64_epoll_event g, back;
    struct epoll_event h;
    memset(&g, 0, sizeof g);
    memcpy(&g, data, size < sizeof g ? size : sizeof g);
    sys_epoll_event_to_host(&h, &g);
    if (memcmp(&h, &g, sizeof h))
        __builtin_trap();
    sys_epoll_event_to_guest(&back, &h);
    if (memcmp(&back, &g, sizeof back))
        __builtin_trap();
    return 0;
}
