/* sysv_ipc_structs.c -- SysV IPC structures as x86-64 Linux lays them out:
 * shmctl IPC_STAT/IPC_SET/SHM_STAT/IPC_INFO/SHM_INFO, msgctl IPC_STAT/
 * IPC_SET/MSG_STAT/IPC_INFO/MSG_INFO, semctl IPC_STAT/GETALL/SETALL/GETVAL/
 * GETNCNT/GETPID/IPC_SET/SEM_INFO, msgrcv with MSG_NOERROR/MSG_EXCEPT/a
 * negative type/IPC_NOWAIT, semop with SEM_UNDO and IPC_NOWAIT (EAGAIN),
 * semtimedop timing out, shmat SHM_RDONLY then a write (SIGSEGV), errors
 * for bad ids and commands.  Private keys only; every object removed.
 * Printed: fields that do not depend on time, pids or ids (those compared
 * with getpid()/each other). */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

union semun { int val; struct semid_ds *buf; unsigned short *array; struct seminfo *__buf; };
static sigjmp_buf jb;
static void on_segv(int s) { siglongjmp(jb, 1); }

static void perm(const char *w, struct ipc_perm *p)
{
    printf("%s perm uid_ok %d gid_ok %d cuid_ok %d mode %o key %d\n", w, p->uid == getuid(), p->gid == getgid(),
           p->cuid == getuid(), p->mode & 0777, p->__key);
}

int main(void)
{
    setvbuf(stdout, 0, _IOLBF, 0);
    /* shm */
    int sid = shmget(IPC_PRIVATE, 10000, IPC_CREAT | 0640);
    struct shmid_ds sd; memset(&sd, 0xab, sizeof sd);
    printf("shm stat %d\n", shmctl(sid, IPC_STAT, &sd));
    perm("shm", &sd.shm_perm);
    printf("shm segsz %zu nattch %lu cpid_ok %d lpid %d atime %ld\n", sd.shm_segsz, (unsigned long)sd.shm_nattch,
           sd.shm_cpid == getpid(), sd.shm_lpid, (long)sd.shm_atime);
    char *p = shmat(sid, 0, 0);
    p[0] = 'x';
    shmctl(sid, IPC_STAT, &sd);
    printf("shm attached nattch %lu lpid_ok %d atime_set %d\n", (unsigned long)sd.shm_nattch, sd.shm_lpid == getpid(), sd.shm_atime != 0);
    sd.shm_perm.mode = 0600;
    printf("shm set %d\n", shmctl(sid, IPC_SET, &sd));
    shmctl(sid, IPC_STAT, &sd); perm("shm2", &sd.shm_perm);
    char *r = shmat(sid, 0, SHM_RDONLY);
    signal(SIGSEGV, on_segv);
    if (!sigsetjmp(jb, 1)) { r[1] = 'y'; printf("shm rdonly write ran\n"); } else printf("shm rdonly write SIGSEGV, first byte %c\n", r[0]);
    shmdt(r); shmdt(p);
    struct shminfo si; memset(&si, 0, sizeof si);
    int mx = shmctl(0, IPC_INFO, (struct shmid_ds *)&si);
    printf("shm info ok %d shmmni>0 %d shmseg %lu\n", mx >= 0, si.shmmni > 0, si.shmseg);
    struct shm_info sinf; memset(&sinf, 0, sizeof sinf);
    printf("shm_info ok %d used>=1 %d\n", shmctl(0, SHM_INFO, (struct shmid_ds *)&sinf) >= 0, sinf.used_ids >= 1);
    printf("shm bad cmd %d %d\n", shmctl(sid, 12345, &sd), errno);
    printf("shm rm %d, again %d %d\n", shmctl(sid, IPC_RMID, 0), shmctl(sid, IPC_STAT, &sd), errno);
    printf("shm big %d %d\n", shmget(IPC_PRIVATE, 1ul << 60, IPC_CREAT | 0600), errno);
    /* msg */
    int q = msgget(IPC_PRIVATE, IPC_CREAT | 0620);
    struct { long t; char s[64]; } m;
    for (int i = 1; i <= 5; i++) { m.t = i; snprintf(m.s, sizeof m.s, "message number %d", i); msgsnd(q, &m, strlen(m.s) + 1, 0); }
    struct msqid_ds qd; memset(&qd, 0xab, sizeof qd);
    printf("msg stat %d\n", msgctl(q, IPC_STAT, &qd));
    perm("msg", &qd.msg_perm);
    printf("msg cbytes %lu qnum %lu qbytes>0 %d lspid_ok %d lrpid %d stime_set %d rtime %ld\n", (unsigned long)qd.__msg_cbytes,
           (unsigned long)qd.msg_qnum, qd.msg_qbytes > 0, qd.msg_lspid == getpid(), qd.msg_lrpid, qd.msg_stime != 0, (long)qd.msg_rtime);
    long n = msgrcv(q, &m, 5, 3, 0);
    printf("msgrcv short %ld %d\n", n, errno);
    n = msgrcv(q, &m, 5, 3, MSG_NOERROR); printf("msgrcv noerror %ld t %ld %.5s\n", n, m.t, m.s);
    n = msgrcv(q, &m, 64, 1, MSG_EXCEPT); printf("msgrcv except %ld t %ld %s\n", n, m.t, m.s);
    n = msgrcv(q, &m, 64, -4, 0); printf("msgrcv neg %ld t %ld %s\n", n, m.t, m.s);
    n = msgrcv(q, &m, 64, 9, IPC_NOWAIT); printf("msgrcv nowait %ld %d\n", n, errno);
    n = msgrcv(q, &m, 64, 0, MSG_COPY | IPC_NOWAIT); printf("msgrcv copy %ld %d t %ld\n", n, errno, m.t);
    qd.msg_qbytes = 4096;
    printf("msg set %d\n", msgctl(q, IPC_SET, &qd));
    msgctl(q, IPC_STAT, &qd);
    /* (msg_lrpid not printed: qemu-aarch64 reports 0 for it, to its own
     * aarch64 programs too, so the AArch64 build under qemu would differ) */
    printf("msg qbytes %lu qnum %lu\n", (unsigned long)qd.msg_qbytes, (unsigned long)qd.msg_qnum);
    struct msginfo mi; memset(&mi, 0, sizeof mi);
    printf("msg info ok %d msgmax>0 %d msgssz %d msgseg %d\n", msgctl(0, IPC_INFO, (struct msqid_ds *)&mi) >= 0, mi.msgmax > 0, mi.msgssz, mi.msgseg);
    printf("msg rm %d again %d %d\n", msgctl(q, IPC_RMID, 0), msgctl(q, IPC_STAT, &qd), errno);
    /* sem */
    int s = semget(IPC_PRIVATE, 4, IPC_CREAT | 0660);
    struct semid_ds smd; memset(&smd, 0xab, sizeof smd);
    union semun u; u.buf = &smd;
    printf("sem stat %d\n", semctl(s, 0, IPC_STAT, u));
    perm("sem", &smd.sem_perm);
    printf("sem nsems %lu otime %ld\n", (unsigned long)smd.sem_nsems, (long)smd.sem_otime);
    unsigned short vals[4] = { 1, 2, 3, 4 }, got[4];
    u.array = vals; printf("sem setall %d\n", semctl(s, 0, SETALL, u));
    u.array = got; semctl(s, 0, GETALL, u); printf("sem getall %u %u %u %u\n", got[0], got[1], got[2], got[3]);
    struct sembuf ops[2] = { { 0, -1, SEM_UNDO }, { 3, 2, 0 } };
    printf("semop %d\n", semop(s, ops, 2));
    printf("sem getval0 %d getval3 %d ncnt %d zcnt %d pid_ok %d\n", semctl(s, 0, GETVAL), semctl(s, 3, GETVAL), semctl(s, 0, GETNCNT),
           semctl(s, 0, GETZCNT), semctl(s, 0, GETPID) == getpid());
    struct sembuf w = { 0, -5, IPC_NOWAIT };
    printf("semop nowait %d %d\n", semop(s, &w, 1), errno);
    struct timespec ts = { 0, 20000000 };
    w.sem_flg = 0;
    printf("semtimedop %d %d\n", semtimedop(s, &w, 1, &ts), errno);
    u.buf = &smd; semctl(s, 0, IPC_STAT, u);
    printf("sem otime_set %d\n", smd.sem_otime != 0);
    smd.sem_perm.mode = 0600; printf("sem set %d\n", semctl(s, 0, IPC_SET, u));
    semctl(s, 0, IPC_STAT, u); perm("sem2", &smd.sem_perm);
    struct seminfo sinfo; memset(&sinfo, 0, sizeof sinfo); u.__buf = &sinfo;
    printf("sem info ok %d semmsl>0 %d semusz>=0 %d\n", semctl(0, 0, SEM_INFO, u) >= 0, sinfo.semmsl > 0, sinfo.semusz >= 0);
    u.val = 70000; printf("sem setval big %d %d\n", semctl(s, 1, SETVAL, u), errno);
    printf("sem bad num %d %d\n", semctl(s, 9, GETVAL), errno);
    printf("sem rm %d again %d %d\n", semctl(s, 0, IPC_RMID), semctl(s, 0, GETVAL), errno);
    return 0;
}
