/* sys_handlers.h -- every syscall handler, by family (one file each), for
 * the table in sys_table.c. */
#ifndef FERRY_SYS_HANDLERS_H
#define FERRY_SYS_HANDLERS_H

#include "sys_internal.h"

/* sys_fs.c: file I/O */
SYS_HANDLER(sys_read); SYS_HANDLER(sys_write); SYS_HANDLER(sys_readv);
SYS_HANDLER(sys_writev); SYS_HANDLER(sys_pread64); SYS_HANDLER(sys_pwrite64);
SYS_HANDLER(sys_preadv); SYS_HANDLER(sys_pwritev);
SYS_HANDLER(sys_open); SYS_HANDLER(sys_openat); SYS_HANDLER(sys_creat);
SYS_HANDLER(sys_close); SYS_HANDLER(sys_lseek); SYS_HANDLER(sys_fsync);
SYS_HANDLER(sys_fdatasync); SYS_HANDLER(sys_ftruncate); SYS_HANDLER(sys_truncate);
SYS_HANDLER(sys_flock); SYS_HANDLER(sys_sync); SYS_HANDLER(sys_sendfile);
SYS_HANDLER(sys_copy_file_range); SYS_HANDLER(sys_fadvise64); SYS_HANDLER(sys_fallocate);
SYS_HANDLER(sys_syncfs); SYS_HANDLER(sys_splice); SYS_HANDLER(sys_tee);
SYS_HANDLER(sys_vmsplice); SYS_HANDLER(sys_sync_file_range); SYS_HANDLER(sys_readahead);
SYS_HANDLER(sys_preadv2); SYS_HANDLER(sys_pwritev2);

/* sys_dir.c: directories, links, names */
SYS_HANDLER(sys_getdents); SYS_HANDLER(sys_getdents64); SYS_HANDLER(sys_getcwd);
SYS_HANDLER(sys_chdir); SYS_HANDLER(sys_fchdir); SYS_HANDLER(sys_readlink);
SYS_HANDLER(sys_readlinkat); SYS_HANDLER(sys_unlink); SYS_HANDLER(sys_unlinkat);
SYS_HANDLER(sys_mkdir); SYS_HANDLER(sys_mkdirat); SYS_HANDLER(sys_rmdir);
SYS_HANDLER(sys_rename); SYS_HANDLER(sys_renameat); SYS_HANDLER(sys_renameat2);
SYS_HANDLER(sys_link); SYS_HANDLER(sys_linkat); SYS_HANDLER(sys_symlink);
SYS_HANDLER(sys_symlinkat); SYS_HANDLER(sys_mknod); SYS_HANDLER(sys_mknodat);
SYS_HANDLER(sys_chroot);

/* sys_stat.c: stat family, permissions, ownership, times */
SYS_HANDLER(sys_fstat); SYS_HANDLER(sys_stat); SYS_HANDLER(sys_lstat);
SYS_HANDLER(sys_newfstatat); SYS_HANDLER(sys_statx); SYS_HANDLER(sys_statfs);
SYS_HANDLER(sys_fstatfs); SYS_HANDLER(sys_access); SYS_HANDLER(sys_faccessat);
SYS_HANDLER(sys_faccessat2); SYS_HANDLER(sys_umask); SYS_HANDLER(sys_chmod);
SYS_HANDLER(sys_fchmod); SYS_HANDLER(sys_fchmodat); SYS_HANDLER(sys_chown);
SYS_HANDLER(sys_fchown); SYS_HANDLER(sys_lchown); SYS_HANDLER(sys_fchownat);
SYS_HANDLER(sys_utimensat); SYS_HANDLER(sys_utime); SYS_HANDLER(sys_utimes);

/* sys_fd.c: descriptors */
SYS_HANDLER(sys_dup); SYS_HANDLER(sys_dup2); SYS_HANDLER(sys_dup3);
SYS_HANDLER(sys_pipe); SYS_HANDLER(sys_pipe2); SYS_HANDLER(sys_fcntl);
SYS_HANDLER(sys_ioctl);

/* sys_poll.c */
SYS_HANDLER(sys_poll); SYS_HANDLER(sys_ppoll); SYS_HANDLER(sys_select);
SYS_HANDLER(sys_pselect6);

/* sys_epoll.c */
SYS_HANDLER(sys_epoll_create); SYS_HANDLER(sys_epoll_create1); SYS_HANDLER(sys_epoll_ctl);
SYS_HANDLER(sys_epoll_wait); SYS_HANDLER(sys_epoll_pwait); SYS_HANDLER(sys_eventfd);
SYS_HANDLER(sys_eventfd2); SYS_HANDLER(sys_timerfd_create); SYS_HANDLER(sys_timerfd_settime);
SYS_HANDLER(sys_timerfd_gettime);

/* sys_mm.c: memory */
SYS_HANDLER(sys_mmap); SYS_HANDLER(sys_munmap); SYS_HANDLER(sys_mprotect);
SYS_HANDLER(sys_mremap); SYS_HANDLER(sys_madvise); SYS_HANDLER(sys_brk);
SYS_HANDLER(sys_msync); SYS_HANDLER(sys_mlock); SYS_HANDLER(sys_munlock);
SYS_HANDLER(sys_mlockall); SYS_HANDLER(sys_munlockall); SYS_HANDLER(sys_mlock2);
SYS_HANDLER(sys_mincore); SYS_HANDLER(sys_memfd_create);

/* sys_signal.c (frames: sys_sigframe.c) */
SYS_HANDLER(sys_rt_sigaction); SYS_HANDLER(sys_rt_sigprocmask);
SYS_HANDLER(sys_sigaltstack); SYS_HANDLER(sys_kill); SYS_HANDLER(sys_tgkill);
SYS_HANDLER(sys_tkill); SYS_HANDLER(sys_rt_sigpending); SYS_HANDLER(sys_pause);
SYS_HANDLER(sys_alarm); SYS_HANDLER(sys_rt_sigreturn);
SYS_HANDLER(sys_rt_sigsuspend); SYS_HANDLER(sys_rt_sigtimedwait);
SYS_HANDLER(sys_rt_sigqueueinfo); SYS_HANDLER(sys_rt_tgsigqueueinfo);

/* sys_signalfd.c */
SYS_HANDLER(sys_signalfd); SYS_HANDLER(sys_signalfd4);

/* sys_process.c: identity, exit, arch state */
SYS_HANDLER(sys_exit); SYS_HANDLER(sys_exit_group); SYS_HANDLER(sys_getpid);
SYS_HANDLER(sys_getppid); SYS_HANDLER(sys_gettid); SYS_HANDLER(sys_set_tid_address);
SYS_HANDLER(sys_arch_prctl); SYS_HANDLER(sys_prctl); SYS_HANDLER(sys_modify_ldt);
SYS_HANDLER(sys_getuid); SYS_HANDLER(sys_geteuid); SYS_HANDLER(sys_getgid);
SYS_HANDLER(sys_getegid); SYS_HANDLER(sys_getgroups); SYS_HANDLER(sys_getresuid);
SYS_HANDLER(sys_getresgid); SYS_HANDLER(sys_setuid); SYS_HANDLER(sys_setgid);
SYS_HANDLER(sys_getpgrp); SYS_HANDLER(sys_getpgid); SYS_HANDLER(sys_setpgid);
SYS_HANDLER(sys_setsid); SYS_HANDLER(sys_getsid); SYS_HANDLER(sys_setreuid);
SYS_HANDLER(sys_setregid); SYS_HANDLER(sys_setresuid); SYS_HANDLER(sys_setresgid);

/* sys_fork.c: fork, clone, wait */
SYS_HANDLER(sys_fork); SYS_HANDLER(sys_vfork); SYS_HANDLER(sys_clone); SYS_HANDLER(sys_clone3);
SYS_HANDLER(sys_wait4); SYS_HANDLER(sys_waitid); SYS_HANDLER(sys_ptrace);

/* sys_exec.c, sys_execveat.c */
SYS_HANDLER(sys_execve); SYS_HANDLER(sys_execveat);

/* sys_xattr.c: extended attributes */
SYS_HANDLER(sys_getxattr); SYS_HANDLER(sys_lgetxattr); SYS_HANDLER(sys_fgetxattr);
SYS_HANDLER(sys_listxattr); SYS_HANDLER(sys_llistxattr); SYS_HANDLER(sys_flistxattr);
SYS_HANDLER(sys_setxattr); SYS_HANDLER(sys_lsetxattr); SYS_HANDLER(sys_fsetxattr);
SYS_HANDLER(sys_removexattr); SYS_HANDLER(sys_lremovexattr); SYS_HANDLER(sys_fremovexattr);

/* sys_time.c */
SYS_HANDLER(sys_clock_gettime); SYS_HANDLER(sys_clock_getres);
SYS_HANDLER(sys_clock_settime); SYS_HANDLER(sys_settimeofday); SYS_HANDLER(sys_adjtimex);
SYS_HANDLER(sys_clock_adjtime);
SYS_HANDLER(sys_gettimeofday); SYS_HANDLER(sys_time); SYS_HANDLER(sys_nanosleep);
SYS_HANDLER(sys_clock_nanosleep); SYS_HANDLER(sys_times); SYS_HANDLER(sys_getrusage);
SYS_HANDLER(sys_getitimer); SYS_HANDLER(sys_setitimer);

/* sys_info.c: system information and limits */
SYS_HANDLER(sys_uname); SYS_HANDLER(sys_sysinfo); SYS_HANDLER(sys_getrandom);
SYS_HANDLER(sys_prlimit64); SYS_HANDLER(sys_getrlimit); SYS_HANDLER(sys_setrlimit);
SYS_HANDLER(sys_sched_getaffinity); SYS_HANDLER(sys_sched_yield);
SYS_HANDLER(sys_getcpu); SYS_HANDLER(sys_getpriority); SYS_HANDLER(sys_setpriority);
SYS_HANDLER(sys_sched_setaffinity);

/* sys_net.c */
SYS_HANDLER(sys_socket); SYS_HANDLER(sys_socketpair); SYS_HANDLER(sys_bind);
SYS_HANDLER(sys_connect); SYS_HANDLER(sys_listen); SYS_HANDLER(sys_accept);
SYS_HANDLER(sys_accept4); SYS_HANDLER(sys_getsockname); SYS_HANDLER(sys_getpeername);
SYS_HANDLER(sys_sendto); SYS_HANDLER(sys_recvfrom); SYS_HANDLER(sys_sendmsg);
SYS_HANDLER(sys_recvmsg); SYS_HANDLER(sys_shutdown); SYS_HANDLER(sys_setsockopt);
SYS_HANDLER(sys_getsockopt); SYS_HANDLER(sys_sendmmsg); SYS_HANDLER(sys_recvmmsg);

/* sys_cred.c: groups, fs ids, capabilities */
SYS_HANDLER(sys_setgroups); SYS_HANDLER(sys_setfsuid); SYS_HANDLER(sys_setfsgid);
SYS_HANDLER(sys_capget); SYS_HANDLER(sys_capset);

/* sys_ipc.c: System V shared memory, semaphores, message queues */
SYS_HANDLER(sys_shmget); SYS_HANDLER(sys_shmat); SYS_HANDLER(sys_shmdt);
SYS_HANDLER(sys_shmctl); SYS_HANDLER(sys_semget); SYS_HANDLER(sys_semop);
SYS_HANDLER(sys_semtimedop); SYS_HANDLER(sys_semctl); SYS_HANDLER(sys_msgget);
SYS_HANDLER(sys_msgsnd); SYS_HANDLER(sys_msgrcv); SYS_HANDLER(sys_msgctl);

/* sys_mqueue.c: POSIX message queues */
SYS_HANDLER(sys_mq_open); SYS_HANDLER(sys_mq_unlink); SYS_HANDLER(sys_mq_timedsend);
SYS_HANDLER(sys_mq_timedreceive); SYS_HANDLER(sys_mq_notify); SYS_HANDLER(sys_mq_getsetattr);

/* sys_io_uring.c */
SYS_HANDLER(sys_io_uring_setup); SYS_HANDLER(sys_io_uring_enter);
SYS_HANDLER(sys_io_uring_register);

/* sys_aio.c: Linux AIO */
SYS_HANDLER(sys_io_setup); SYS_HANDLER(sys_io_destroy); SYS_HANDLER(sys_io_submit);
SYS_HANDLER(sys_io_cancel); SYS_HANDLER(sys_io_getevents); SYS_HANDLER(sys_io_pgetevents);

/* sys_timer.c: POSIX timers */
SYS_HANDLER(sys_timer_create); SYS_HANDLER(sys_timer_settime);
SYS_HANDLER(sys_timer_gettime); SYS_HANDLER(sys_timer_getoverrun);
SYS_HANDLER(sys_timer_delete);

/* sys_sched.c: scheduling policy, I/O priority */
SYS_HANDLER(sys_sched_setscheduler); SYS_HANDLER(sys_sched_getscheduler);
SYS_HANDLER(sys_sched_setparam); SYS_HANDLER(sys_sched_getparam);
SYS_HANDLER(sys_sched_get_priority_max); SYS_HANDLER(sys_sched_get_priority_min);
SYS_HANDLER(sys_sched_rr_get_interval); SYS_HANDLER(sys_sched_setattr);
SYS_HANDLER(sys_sched_getattr); SYS_HANDLER(sys_ioprio_set); SYS_HANDLER(sys_ioprio_get);

/* sys_inotify.c */
SYS_HANDLER(sys_inotify_init); SYS_HANDLER(sys_inotify_init1);
SYS_HANDLER(sys_inotify_add_watch); SYS_HANDLER(sys_inotify_rm_watch);

/* sys_futex.c: futexes, robust lists */
SYS_HANDLER(sys_futex); SYS_HANDLER(sys_set_robust_list); SYS_HANDLER(sys_get_robust_list);

/* sys_ferry_fd.c: close_range around ferry's own descriptors */
SYS_HANDLER(sys_close_range);

/* sys_process.c (more): personality, pidfds, kcmp, membarrier */
SYS_HANDLER(sys_personality); SYS_HANDLER(sys_pidfd_open); SYS_HANDLER(sys_pidfd_getfd);
SYS_HANDLER(sys_pidfd_send_signal); SYS_HANDLER(sys_kcmp); SYS_HANDLER(sys_process_vm_readv); SYS_HANDLER(sys_process_vm_writev); SYS_HANDLER(sys_membarrier);

/* sys_ns.c: namespaces and mounts */
SYS_HANDLER(sys_unshare); SYS_HANDLER(sys_setns); SYS_HANDLER(sys_mount);
SYS_HANDLER(sys_umount2); SYS_HANDLER(sys_pivot_root); SYS_HANDLER(sys_sethostname);
SYS_HANDLER(sys_setdomainname);

#endif
