# exec.sh -- busybox sh starting other programs (fork + execve under ferry:
# the child must run translated too), pipelines inside the guest shell,
# command substitution, exit statuses of children, xargs.
BB="$RUN /bin/busybox"
$BB sh -c 'for i in 1 2 3; do /bin/busybox echo "child $i"; done'
$BB sh -c '/bin/busybox seq 1 100 | /bin/busybox wc -l'
$BB sh -c 'x=$(/bin/busybox expr 6 \* 7); echo "substituted $x"'
$BB sh -c '/bin/busybox false; echo "false gave $?"; /bin/busybox sh -c "exit 9"; echo "nested gave $?"'
$BB sh -c 'echo a b c | /bin/busybox xargs -n 1 /bin/busybox echo arg'
$BB env -i FOO=bar /bin/busybox env
