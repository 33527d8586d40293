/* dev_stdin.c -- the interactive console's input: a detached thread reads
 * stdin and hands each chunk to one device (the UART's receive ring, or
 * hvc0's), under the machine's dev_lock; while the device's buffer is
 * full it waits a millisecond and offers the rest again, so a paste or a
 * piped file is never dropped, and it gives up once the machine stops. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "devices.h"

struct dev_stdin {
    struct sys_vm *vm;
    dev_stdin_take *take;
    void *dev;
};

static void dev_stdin_feed(const struct dev_stdin *s, const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n && !sys_vm_stopping(s->vm);) {
        pthread_mutex_lock(&s->vm->dev_lock);
        i += s->take(s->dev, buf + i, n - i);
        pthread_mutex_unlock(&s->vm->dev_lock);
        if (i < n)
            usleep(1000);
    }
}

static void *dev_stdin_thread(void *arg)
{
    struct dev_stdin *s = arg;
    uint8_t buf[512];
    ssize_t n;
    while ((n = read(STDIN_FILENO, buf, sizeof buf)) > 0)
        dev_stdin_feed(s, buf, (size_t)n);
    free(s);
    return NULL;
}

void dev_stdin_start(struct sys_vm *vm, dev_stdin_take *take, void *dev)
{
    struct dev_stdin *s = malloc(sizeof *s);
    pthread_t t;
    if (!s)
        return;
    *s = (struct dev_stdin){ vm, take, dev };
    if (pthread_create(&t, NULL, dev_stdin_thread, s) == 0)
        pthread_detach(t);
    else
        free(s);
}
