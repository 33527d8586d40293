#!/bin/sh
# nofile_limits.sh "LIMITS" CMD... -- runs CMD (a guest test, natively or
# under ferry) with the RLIMIT_NOFILE it was given, then under each
# soft:hard pair of LIMITS set from outside the guest.  A limit the caller
# may not set is skipped, natively as under ferry.  For the wrappers
# (run-diff.sh's //@wrap) of the descriptor-space tests.
limits=$1
shift
echo "nofile as given"
"$@"
for lim in $limits; do
    echo "nofile $lim"
    if prlimit --nofile=$lim true 2> /dev/null; then
        prlimit --nofile=$lim "$@"
    else
        echo "  skipped"
    fi
done
