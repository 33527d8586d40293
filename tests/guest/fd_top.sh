#!/bin/sh
# fd_top.sh CMD... -- runs CMD (a guest test, natively or under ferry:
# run-diff.sh's //@wrap) with the RLIMIT_NOFILE it was given, and under
# limits set outside the guest with soft = hard (64:64, 1024:1024: no room
# for ferry above the soft limit) and soft < hard (64:4096):
# nofile_limits.sh.
exec sh "$(dirname "$0")/nofile_limits.sh" "64:64 1024:1024 64:4096" "$@"
