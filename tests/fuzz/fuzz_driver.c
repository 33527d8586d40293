/* fuzz_driver.c -- a small portable stand-in for libFuzzer's driver, for
 * hosts whose compiler has no libFuzzer runtime (the AArch64 build: Debian's
 * clang ships it for x86-64 only).  Linked with one harness's
 * LLVMFuzzerTestOneInput, it replays every file of the corpus directories
 * given, then runs a deterministic, seeded mutation loop over them (bit
 * flips, byte sets, inserts, erases, chunk copies, splices of two entries,
 * interesting integers) for a fixed number of executions.  No coverage
 * feedback: the same seed gives the same inputs on every host.
 *
 *   fuzz_driver [-runs=N] [-seed=S] [-max_len=L] [-timeout=SEC]
 *               [-artifact_prefix=P] [-name=TARGET] [-quiet=0] DIR_OR_FILE...
 *
 * A crash (any fatal signal, an abort, a sanitizer's report) or an input
 * running longer than the timeout writes the input to P crash-TARGET-N and
 * fails (the signal's default action, or status 1).  Exit 0 otherwise.
 * The harness's own stdout and stderr are discarded unless -quiet=0. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* The sanitizers' hook, when they are linked in (weak: none otherwise). */
void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));
void __sanitizer_set_report_fd(void *fd) __attribute__((weak));

struct fz_input { uint8_t *data; size_t size; };

static struct {
    long runs, timeout, quiet;
    uint64_t seed;
    size_t max_len;
    const char *prefix, *name;
} opt = { 10000, 10, 1, 1, 0, "", "fuzz" };

static struct fz_input *corpus;
static size_t ncorpus;

/* The input being run, for the crash handler (written before each run). */
static uint8_t *cur;
static size_t cur_size;
static volatile unsigned long executions, executions_seen;

/* ---- reporting a crash: async-signal-safe ---- */

/* The driver's own messages and the sanitizers' reports go to the
 * original stderr; the harness's stdout and stderr (the code under test
 * prints its error lines) go to /dev/null, as libFuzzer's -close_fd_mask=3. */
static int report_fd = 2;

static void say(const char *s) { ssize_t r = write(report_fd, s, strlen(s)); (void)r; }

static void quiet_harness(void)
{
    int null = open("/dev/null", O_WRONLY);
    report_fd = fcntl(2, F_DUPFD_CLOEXEC, 3);
    if (null < 0 || report_fd < 0) {
        report_fd = 2;
        return;
    }
    if (__sanitizer_set_report_fd)
        __sanitizer_set_report_fd((void *)(intptr_t)report_fd);
    dup2(null, 1);
    dup2(null, 2);
    close(null);
}

static void fmt_ulong(char *out, unsigned long v)
{
    char tmp[24];
    int n = 0;
    do tmp[n++] = '0' + v % 10; while ((v /= 10));
    while (n) *out++ = tmp[--n];
    *out = 0;
}

static void write_input(void)
{
    static volatile int written;
    char path[512], num[24];
    if (written++)
        return;
    fmt_ulong(num, executions);
    size_t n = strlen(opt.prefix) + strlen(opt.name) + 32;
    if (n >= sizeof path)
        return;
    strcpy(path, opt.prefix);
    strcat(path, "crash-");
    strcat(path, opt.name);
    strcat(path, "-");
    strcat(path, num);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return;
    ssize_t r = write(fd, cur, cur_size);
    (void)r;
    close(fd);
    say("fuzz_driver: ");
    say(opt.name);
    say(": the input is in ");
    say(path);
    say("\n");
}

/* Also called at exit by a sanitizer that fails there: no input then. */
static void on_death(void)
{
    if (cur)
        write_input();
}

static void on_fatal(int sig)
{
    say(sig == SIGALRM ? "fuzz_driver: an input ran past the timeout\n"
                       : "fuzz_driver: deadly signal\n");
    write_input();
    signal(sig == SIGALRM ? SIGABRT : sig, SIG_DFL);
    raise(sig == SIGALRM ? SIGABRT : sig);
}

/* A hang: no execution finished between two ticks of the timer. */
static void on_tick(int sig)
{
    if (executions == executions_seen && cur)
        on_fatal(sig);
    executions_seen = executions;
}

static void install_handlers(void)
{
    static uint8_t altstack[1 << 16];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
    sigaltstack(&ss, NULL);
    struct sigaction sa = { .sa_handler = on_fatal, .sa_flags = SA_ONSTACK | SA_NODEFER };
    int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
    sa.sa_handler = on_tick;
    sa.sa_flags = SA_ONSTACK | SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { { opt.timeout, 0 }, { opt.timeout, 0 } };
    setitimer(ITIMER_REAL, &it, NULL);
    if (__sanitizer_set_death_callback)
        __sanitizer_set_death_callback(on_death);
}

/* ---- running one input: an exactly-sized copy, as libFuzzer passes ---- */

static void run_one(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    cur = copy;
    cur_size = size;
    LLVMFuzzerTestOneInput(copy, size);
    executions++;
    cur = NULL;
    free(copy);
}

/* ---- the corpus ---- */

static void add_file(const char *path)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return;
    }
    size_t size = opt.max_len && (size_t)st.st_size > opt.max_len ? opt.max_len : (size_t)st.st_size;
    uint8_t *data = malloc(size ? size : 1);
    if (pread(fd, data, size, 0) != (ssize_t)size) {
        fprintf(stderr, "fuzz_driver: %s: short read\n", path);
        exit(2);
    }
    close(fd);
    corpus = realloc(corpus, (ncorpus + 1) * sizeof *corpus);
    corpus[ncorpus++] = (struct fz_input){ data, size };
}

static void add_path(const char *path)
{
    struct dirent **names;
    int n = scandir(path, &names, NULL, alphasort);
    if (n < 0) {
        add_file(path);
        return;
    }
    for (int i = 0; i < n; i++) {
        char sub[4096];
        if (names[i]->d_name[0] != '.' &&
            snprintf(sub, sizeof sub, "%s/%s", path, names[i]->d_name) < (int)sizeof sub)
            add_file(sub);
        free(names[i]);
    }
    free(names);
}

/* ---- the mutator: xorshift64* from the seed ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static size_t below(size_t n) { return n ? rnd() % n : 0; }

struct fz_buf { uint8_t *data; size_t size, cap; };

static void flip_bit(struct fz_buf *b)
{
    if (b->size)
        b->data[below(b->size)] ^= 1u << below(8);
}

static void set_byte(struct fz_buf *b)
{
    if (b->size)
        b->data[below(b->size)] = (uint8_t)rnd();
}

static void insert_bytes(struct fz_buf *b)
{
    size_t n = 1 + below(8), at = below(b->size + 1);
    if (b->size + n > b->cap)
        return;
    memmove(b->data + at + n, b->data + at, b->size - at);
    uint8_t v = (uint8_t)rnd();
    for (size_t i = 0; i < n; i++)
        b->data[at + i] = below(2) ? v : (uint8_t)rnd();
    b->size += n;
}

static void erase_bytes(struct fz_buf *b)
{
    if (!b->size)
        return;
    size_t at = below(b->size), n = 1 + below(b->size - at < 16 ? b->size - at : 16);
    memmove(b->data + at, b->data + at + n, b->size - at - n);
    b->size -= n;
}

/* A chunk of the input copied over another place of it. */
static void copy_chunk(struct fz_buf *b)
{
    if (b->size < 2)
        return;
    size_t from = below(b->size), to = below(b->size);
    size_t room = b->size - (from > to ? from : to);
    size_t n = 1 + below(room < 64 ? room : 64);
    memmove(b->data + to, b->data + from, n);
}

/* A value that often sits on a boundary, little-endian, 1 to 8 bytes. */
static void interesting_int(struct fz_buf *b)
{
    static const uint64_t vals[] = { 0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
                                     0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000,
                                     0x7fffffffffffffff, 0x8000000000000000, UINT64_MAX, 4096 };
    size_t width = (size_t)1 << below(4);
    if (b->size < width)
        return;
    uint64_t v = vals[below(sizeof vals / sizeof vals[0])];
    if (below(4) == 0)
        v -= 1;
    memcpy(b->data + below(b->size - width + 1), &v, width);
}

/* The head of this input and the tail of another corpus entry. */
static void splice_entries(struct fz_buf *b)
{
    const struct fz_input *o = &corpus[below(ncorpus)];
    size_t head = below(b->size + 1), from = below(o->size + 1);
    size_t n = o->size - from;
    if (head + n > b->cap)
        n = b->cap - head;
    memcpy(b->data + head, o->data + from, n);
    b->size = head + n;
}

static void (*const mutators[])(struct fz_buf *) = {
    flip_bit, flip_bit, set_byte, insert_bytes, erase_bytes, copy_chunk, interesting_int, splice_entries,
};

static void mutate(struct fz_buf *b)
{
    int n = 1 + (int)below(4);
    for (int i = 0; i < n; i++)
        mutators[below(sizeof mutators / sizeof mutators[0])](b);
}

static void fuzz_loop(void)
{
    struct fz_buf b = { malloc(opt.max_len), 0, opt.max_len };
    for (long i = 0; i < opt.runs; i++) {
        /* Mostly a fresh corpus entry; a quarter of the time the last
         * mutant again, so mutations stack. */
        if (i == 0 || below(4) != 0) {
            const struct fz_input *e = &corpus[below(ncorpus)];
            b.size = e->size < b.cap ? e->size : b.cap;
            memcpy(b.data, e->data, b.size);
        }
        mutate(&b);
        run_one(b.data, b.size);
    }
    free(b.data);
}

static int parse_opt(const char *arg)
{
    static const struct { const char *key; int kind; void *dst; } keys[] = {
        { "-runs=", 'l', &opt.runs }, { "-timeout=", 'l', &opt.timeout }, { "-quiet=", 'l', &opt.quiet },
        { "-seed=", 'u', &opt.seed }, { "-max_len=", 'z', &opt.max_len },
        { "-artifact_prefix=", 's', &opt.prefix }, { "-name=", 's', &opt.name },
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        size_t n = strlen(keys[i].key);
        if (strncmp(arg, keys[i].key, n))
            continue;
        const char *v = arg + n;
        switch (keys[i].kind) {
        case 'l': *(long *)keys[i].dst = strtol(v, NULL, 0); break;
        case 'u': *(uint64_t *)keys[i].dst = strtoull(v, NULL, 0); break;
        case 'z': *(size_t *)keys[i].dst = strtoull(v, NULL, 0); break;
        default: *(const char **)keys[i].dst = v; break;
        }
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++)
        if (!parse_opt(argv[i])) {
            fprintf(stderr, "fuzz_driver: unknown option %s\n", argv[i]);
            return 2;
        }
    for (; i < argc; i++)
        add_path(argv[i]);
    if (!ncorpus) {
        static uint8_t empty;
        corpus = malloc(sizeof *corpus);
        corpus[ncorpus++] = (struct fz_input){ &empty, 0 };
    }
    /* As libFuzzer: by default the largest corpus entry (at least 4096). */
    if (!opt.max_len) {
        opt.max_len = 4096;
        for (size_t k = 0; k < ncorpus; k++)
            if (corpus[k].size > opt.max_len)
                opt.max_len = corpus[k].size;
    }
    if (opt.timeout < 1)
        opt.timeout = 1;
    rng_state = opt.seed * 0x9e3779b97f4a7c15ull + 1;
    install_handlers();
    if (opt.quiet)
        quiet_harness();
    for (size_t k = 0; k < ncorpus; k++)
        run_one(corpus[k].data, corpus[k].size);
    dprintf(report_fd, "fuzz_driver: %s: %zu inputs replayed\n", opt.name, ncorpus);
    fuzz_loop();
    dprintf(report_fd, "fuzz_driver: %s: %lu executions (seed %llu), no crash\n", opt.name,
            executions, (unsigned long long)opt.seed);
    return 0;
}
