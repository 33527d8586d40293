#!/bin/sh
# fd_limit_fixed.sh CMD... -- runs CMD (a guest test, natively or under
# ferry: run-diff.sh's //@wrap) under RLIMIT_NOFILE limits set outside it
# that leave ferry no room above the soft limit (soft = hard, or a soft
# limit over 65,536), each with and without CAP_SYS_RESOURCE (dropped from
# the bounding set, as in a container).  A limit the caller may not set
# (a hard limit over its own without CAP_SYS_RESOURCE) is skipped, natively
# as under ferry.
for lim in 64:64 1024:1024 1100:1100 20000:20000 1048576:1048576 100000:1048576; do
    for cap in keep drop; do
        echo "nofile $lim $cap"
        if ! prlimit --nofile=$lim true 2> /dev/null; then
            echo "  skipped"
        elif [ $cap = keep ]; then
            prlimit --nofile=$lim "$@"
        else
            prlimit --nofile=$lim setpriv --bounding-set=-sys_resource --inh-caps=-sys_resource "$@"
        fi
    done
done
