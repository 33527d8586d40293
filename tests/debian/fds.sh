# fds.sh -- the guest owns its whole descriptor space: bash's flock idiom
# redirects a subshell onto fd 900 (where ferry once kept a pipe of its
# own), exec opens and closes high fds, and a shell that closed 0-2 runs
# commands.
$RUN /bin/bash <<'SCRIPT'
( echo hi ) 900> lockfile; echo "status $?"; cat lockfile
( echo "locked"; cat /proc/self/fdinfo/900 | grep -c flags ) 900> lockfile2; cat lockfile2
exec 901> f901 1000> f1000; echo to901 >&901; echo to1000 >&1000; exec 901>&- 1000>&-
cat f901 f1000
( exec 0<&- 1>&- 2>&-; /bin/ls /nonexistent; echo gone ) ; echo "after closed 0-2: $?"
( exec 2>&-; /bin/ls /nonexistent 2>errfile; cat errfile | wc -l ) 
SCRIPT
echo "bash gave $?"
