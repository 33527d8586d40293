/* setxid_storm.c -- a signal arriving just before a blocking call must
 * still wake it.  set*id in a threaded process signals every thread
 * (SIGSETXID) and waits until each has run the call too; here three
 * threads sit in read() on an empty pipe and re-enter it after each
 * handler, while the main thread calls setresuid 400 times in a row, so
 * the next signal often comes while a thread is between its handler and
 * the kernel's read.  ferry recorded such a signal and then slept in the
 * host read() through it: the broadcast waited forever (6 of 30 runs at
 * load 14; setxid_threads hung the same way now and then).  Fixed by
 * be_safe_syscall (syscalls/sys_block.h). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int pipefd[2];

static void *reader(void *arg)
{
    char c;
    while (read(pipefd[0], &c, 1) != 1)
        ;
    return arg;
}

int main(void)
{
    pthread_t t[3];
    if (pipe(pipefd) != 0)
        return 1;
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, reader, NULL);
    int failed = 0;
    for (int i = 0; i < 400; i++)
        failed += setresuid((uid_t)-1, (uid_t)-1, (uid_t)-1) != 0;
    printf("setresuid x400 with three readers: %d failed\n", failed);
    if (write(pipefd[1], "xyz", 3) != 3)
        return 1;
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    puts("readers done");
    return 0;
}
