/* fork_mprotect.c -- fork in one thread while others change mappings.
 * ferry's fork takes its own locks in one order (the translator's, then
 * its mapping lock) and an mprotect takes the mapping lock, then the
 * translator's to drop stale code: taken in opposite orders, a fork
 * racing an mprotect deadlocked (Rust's test harness: Command::output
 * in one test thread, a guard-page mprotect in another).  Two threads
 * flip a page's protection while the main thread forks and reaps
 * children; it must finish. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define FORKS 25

static int stop;

static void *flipper(void *arg)
{
    char *page = arg;
    long n = 0;
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        mprotect(page, 4096, PROT_READ);
        mprotect(page, 4096, PROT_READ | PROT_WRITE);
        page[n++ & 4095] = 1;
    }
    return NULL;
}

int main(void)
{
    pthread_t t[2];
    char *pages = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, flipper, pages + i * 4096);
    int exits = 0;
    for (int i = 0; i < FORKS; i++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(7);
        int st = 0;
        waitpid(pid, &st, 0);
        exits += WIFEXITED(st) && WEXITSTATUS(st) == 7;
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    printf("%d of %d children exited 7\n", exits, FORKS);
    return 0;
}
