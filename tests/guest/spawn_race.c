/* spawn_race.c -- fork in one thread while others change mappings.
 * posix_spawn maps a stack for its clone(CLONE_VM|CLONE_VFORK) child and
 * unmaps it afterwards, so four threads spawning at once fork while
 * another unmaps.  ferry's fork took the engine's lock and then (by
 * pthread_atfork) the mapping lock, while a munmap takes them the other
 * way round: a hang, 3 of 12 runs of 4 threads x 10 spawns on the AArch64
 * build under qemu (docs/status.md, session 15 flaky).  Most spawns here
 * name a missing program (the child's exec fails: a fork without a new
 * ferry, so cheap), one per thread runs /bin/true; a fifth thread maps and unmaps
 * pages until the spawners are done.  The harness's timeout catches a
 * hang. */
#define _GNU_SOURCE
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define SPAWNERS 4
#define SPAWNS 16
#define REAL_EVERY 16

extern char **environ;

static int done;
static int results[SPAWNERS][3];        /* ENOENT, status 0, anything else */

static void spawn_one(int who, const char *path)
{
    pid_t pid;
    int st = -1;
    char *argv[] = { (char *)path, NULL };
    int e = posix_spawn(&pid, path, NULL, NULL, argv, environ);
    if (e == 0 && waitpid(pid, &st, 0) != pid)
        st = -1;
    results[who][e == 2 ? 0 : e == 0 && st == 0 ? 1 : 2]++;
}

static void *spawner(void *arg)
{
    int who = (int)(long)arg;
    for (int i = 1; i <= SPAWNS; i++)
        spawn_one(who, i % REAL_EVERY ? "/nonexistent/spawn-race" : "/bin/true");
    return NULL;
}

static void *mapper(void *arg)
{
    while (!__atomic_load_n(&done, __ATOMIC_ACQUIRE)) {
        void *p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED)
            munmap(p, 3 * 4096);
    }
    return arg;
}

int main(void)
{
    pthread_t t[SPAWNERS], m;
    pthread_create(&m, NULL, mapper, NULL);
    for (long k = 0; k < SPAWNERS; k++)
        pthread_create(&t[k], NULL, spawner, (void *)k);
    for (int k = 0; k < SPAWNERS; k++)
        pthread_join(t[k], NULL);
    __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
    pthread_join(m, NULL);
    for (int k = 0; k < SPAWNERS; k++)
        printf("spawner %d: %d not found, %d ran, %d other\n", k, results[k][0], results[k][1],
               results[k][2]);
    return 0;
}
