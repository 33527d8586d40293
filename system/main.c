/* main.c -- ferry-system: parses the command line, builds the machine,
 * loads the kernel, starts one host thread per vCPU and waits for the
 * machine to stop (poweroff, reset, error or the --timeout watchdog). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "accel.h"
#include "boot.h"
#include "devices.h"
#include "layout.h"

static struct termios saved_tty;
static bool tty_raw;

static void tty_restore(void)
{
    if (tty_raw)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
}

static void tty_restore_and_die(int sig)
{
    tty_restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* The guest's line discipline does echo and editing; Ctrl-C still ends
 * ferry-system, and the terminal is restored on the way out. */
static void tty_make_raw(void)
{
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty) < 0)
        return;
    struct termios t = saved_tty;
    t.c_lflag &= ~(ICANON | ECHO);
    t.c_iflag &= ~(ICRNL | IXON);
    tcsetattr(STDIN_FILENO, TCSANOW, &t);
    tty_raw = true;
    atexit(tty_restore);
    signal(SIGINT, tty_restore_and_die);
    signal(SIGTERM, tty_restore_and_die);
    signal(SIGHUP, tty_restore_and_die);
}

static const struct sys_accel_ops *accel_named(const char *name)
{
    for (int i = 0; sys_accel_table[i]; i++)
        if (!strcmp(name, sys_accel_table[i]->name))
            return sys_accel_table[i];
    return NULL;
}

/* Whether /dev/kvm is served by PVM alone (the kvm_pvm module, as on
 * some cloud VMs that offer nested guests without VMX/SVM): PVM runs guest
 * kernels built for it, and an ordinary one (or a test guest with its own
 * IDT) stops at its first exception with KVM's emulation error.  An
 * explicit --accel kvm still gets KVM. */
static bool kvm_is_pvm_only(void)
{
    return access("/sys/module/kvm_pvm", F_OK) == 0 && access("/sys/module/kvm_intel", F_OK) != 0 &&
           access("/sys/module/kvm_amd", F_OK) != 0;
}

/* --accel NAME, or the first built in; kvm only where /dev/kvm opens,
 * else tcg when built in, saying so in one line (as QEMU falls back). */
static const struct sys_accel_ops *pick_accel(const char *name)
{
    if (name) {
        const struct sys_accel_ops *a = accel_named(name);
        if (!a)
            sys_err("unknown accelerator: %s (built in: %s%s%s)", name, sys_accel_table[0]->name,
                    sys_accel_table[1] ? ", " : "", sys_accel_table[1] ? sys_accel_table[1]->name : "");
        return a;
    }
    const struct sys_accel_ops *first = sys_accel_table[0], *tcg = accel_named("tcg");
    if (strcmp(first->name, "kvm") != 0 || !tcg)
        return first;
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    /* (a /dev/kvm that is not KVM at all goes to the kvm accelerator,
     * which says so) */
    if (fd >= 0 && (!kvm_is_pvm_only() || ioctl(fd, KVM_GET_API_VERSION, 0) < 0)) {
        close(fd);
        return first;
    }
    if (fd >= 0) {
        close(fd);
        sys_err("/dev/kvm is PVM (kvm_pvm), which runs only PVM-enabled guest kernels: "
                "using --accel tcg");
    } else {
        sys_err("/dev/kvm: %s: using --accel tcg", strerror(errno));
    }
    return tcg;
}

static int check_memory(struct sys_options *o)
{
    if (o->mem < (16ull << 20) || o->mem > LAYOUT_MEM_MAX) {
        sys_err("--mem must be between 16M and 64G");
        return -1;
    }
    return 0;
}

static void *vcpu_thread(void *arg)
{
    struct sys_vcpu *cpu = arg;
    cpu->vm->accel->vcpu_run(cpu);
    return NULL;
}

static void noop_signal(int sig) {}

static int start_vcpus(struct sys_vm *vm)
{
    struct sigaction sa = { .sa_handler = noop_signal };
    sigaction(SIGUSR1, &sa, NULL);     /* kicks vCPUs out of the guest */
    for (int i = 0; i < vm->ncpus; i++) {
        vm->cpus[i] = (struct sys_vcpu){ .vm = vm, .index = i };
        if (vm->accel->vcpu_init(&vm->cpus[i]) < 0)
            return -1;
    }
    for (int i = 0; i < vm->ncpus; i++)
        if (pthread_create(&vm->cpus[i].thread, NULL, vcpu_thread, &vm->cpus[i]) != 0) {
            sys_err("cannot start vCPU thread %d", i);
            return -1;
        }
    return 0;
}

/* Waits for the stop; with --timeout, the watchdog stops an endless guest. */
static void wait_for_stop(struct sys_vm *vm)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += vm->opts->timeout_s;
    pthread_mutex_lock(&vm->stop_lock);
    while (vm->stop == STOP_NONE) {
        if (!vm->opts->timeout_s) {
            pthread_cond_wait(&vm->stop_cond, &vm->stop_lock);
        } else if (pthread_cond_timedwait(&vm->stop_cond, &vm->stop_lock, &deadline) == ETIMEDOUT) {
            vm->stop = STOP_TIMEOUT;
            vm->exit_status = 124;
        }
    }
    pthread_mutex_unlock(&vm->stop_lock);
}

static int report_stop(struct sys_vm *vm)
{
    for (int i = 0; i < vm->ncpus; i++)
        if (vm->accel->vcpu_kick)
            vm->accel->vcpu_kick(&vm->cpus[i]);
    if (vm->stop == STOP_TIMEOUT) {
        usleep(300 * 1000);     /* lets the vCPU threads report where they were */
        sys_err("watchdog: guest still running after %d s, stopped", vm->opts->timeout_s);
    } else if (vm->stop == STOP_RESET) {
        sys_err("guest requested a reset; ferry-system exits (status 0)");
    }
    fflush(stdout);
    return vm->exit_status;
}

static struct sys_vm *vm_new(struct sys_options *o)
{
    struct sys_vm *vm = calloc(1, sizeof *vm);
    vm->opts = o;
    vm->ncpus = o->cpus;
    pthread_mutex_init(&vm->dev_lock, NULL);
    pthread_mutex_init(&vm->stop_lock, NULL);
    pthread_cond_init(&vm->stop_cond, NULL);
    return vm;
}

int main(int argc, char **argv)
{
    static struct sys_options opts;
    if (argc < 2) {
        sys_options_usage();
        return 2;
    }
    if (sys_options_parse(&opts, argc, argv) < 0 || check_memory(&opts) < 0)
        return 2;
    static struct sys_vm *vm;       /* static: the machine lives until exit */
    vm = vm_new(&opts);
    if ((opts.accel && !pick_accel(opts.accel)) || sys_mem_alloc(vm, opts.mem) < 0
        || sys_machine_init(vm) < 0 || sys_boot_load(vm) < 0)
        return 1;
    if (!(vm->accel = pick_accel(opts.accel)))     /* after the checks of the input */
        return 1;
    if (vm->accel->init(vm) < 0)
        return 1;
    vm->accel_ready = true;
    if (start_vcpus(vm) < 0)
        return 1;
    tty_make_raw();
    wait_for_stop(vm);
    exit(report_stop(vm));
}
