# make.sh -- GNU make runs recipes through posix_spawn, whose child calls
# setresuid/setresgid (ferry answered ENOSYS before: every recipe failed
# with status 127); recipes with shell syntax and a failing one.
# FERRY_LOG=unimpl (ignored natively): an untranslated instruction in make,
# the shell or a recipe's program would show on stderr (issue 9).
export FERRY_LOG=unimpl
printf 'all: a b\n\t@echo all done\na:\n\t@echo made a; echo $$((6 * 7))\nb:\n\techo made b\nfail:\n\t@false\n' > Makefile
$RUN /usr/bin/make
$RUN /usr/bin/make -s a b
$RUN /usr/bin/make fail 2>&1; echo "make fail: $?"
