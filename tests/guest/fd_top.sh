#!/bin/sh
# fd_top.sh CMD... -- runs CMD (a guest test, natively or under ferry:
# run-diff.sh's //@wrap) with the RLIMIT_NOFILE it was given, and under
# limits set outside the guest with soft = hard (64:64, 1024:1024: no room
# for ferry above the soft limit) and soft < hard (64:4096).  A limit the
# caller may not set is skipped, natively as under ferry.
echo "nofile as given"
"$@"
for lim in 64:64 1024:1024 64:4096; do
    echo "nofile $lim"
    if prlimit --nofile=$lim true 2> /dev/null; then
        prlimit --nofile=$lim "$@"
    else
        echo "  skipped"
    fi
done
