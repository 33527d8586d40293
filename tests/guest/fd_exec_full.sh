#!/bin/sh
# fd_exec_full.sh CMD... -- runs CMD (a guest test, natively or under
# ferry: run-diff.sh's //@wrap) with the RLIMIT_NOFILE it was given, and
# under limits that leave ferry no room above the soft limit (64:64,
# 1024:1024) or some (200:4096): nofile_limits.sh.
exec sh "$(dirname "$0")/nofile_limits.sh" "64:64 1024:1024 200:4096" "$@"
