# check.mk -- how `make check` runs its suites: everything the suites need
# built first, then the suites CHECK_JOBS at a time.  Included by the
# GNUmakefile after every fragment that adds to CHECK_TARGETS.
#
#   make check
#     1. check-build: one make, CHECK_JOBS jobs, builds every prerequisite of
#        every suite -- the suites themselves named as goals with their
#        recipes turned off (CHECK_PREREQS_ONLY below) -- so the list of
#        what to build is the suites' own prerequisites, never kept by hand.
#     2. check-suites: each suite in a make of its own (suite.NAME), CHECK_JOBS
#        at a time, longest first (CHECK_FIRST); each suite's output printed
#        whole when it ends (--output-sync=recurse), then its line
#        "suite NAME: ok|FAILED, W s wall, C s CPU" (tests/run-suite.sh).
#        Nothing is left to build by then, so the suites' makes never
#        build one file twice at once.
# The differential suites also run their cases CHECK_JOBS at a time
# (tests/run-diff.sh -j), so that `make check-guest-aarch64` alone uses the
# cores too; in make check two such suites may overlap (4 processes on 2
# cores: the tests pass at load 12-20 beside other checkouts).
# `make -s print-check-targets` lists the suites, check-build first;
# `.ci/time-check` runs make check and tabulates the suite lines.

CHECK_SUITES = $(filter-out check-build,$(CHECK_TARGETS))

# --- 1. the builds ----------------------------------------------------------
# With CHECK_PREREQS_ONLY set every check-* target's recipe lines run as
# `sh -c true LINE` (bash too): a no-op, while make still builds their
# prerequisites.  (A suite must not set its own .SHELLFLAGS.)
ifdef CHECK_PREREQS_ONLY
check-%: private .SHELLFLAGS := -c true
endif
.PHONY: check-build
check-build:
	+$(MAKE) -s --no-print-directory -j$(CHECK_JOBS) CHECK_PREREQS_ONLY=1 all $(CHECK_SUITES)
CHECK_TARGETS := check-build $(CHECK_TARGETS)

# --- 2. the suites ----------------------------------------------------------
# Started longest first (by the per-suite times of sessions 9-13 and 31,
# docs/status.md), so that the last ones to end are short; the rest follow
# in CHECK_TARGETS order.  A suite missing here still runs.
# check-chroot-x86_64 leads: check-chroot-aarch64 waits for it (CHECK_SERIAL),
# and the two in a row (about 300 s) ended session 31's first parallel run.
CHECK_FIRST := check-chroot-x86_64 check-system-linux-aarch64 check-guest-aarch64 \
               check-debian-aarch64 check-chroot-aarch64 check-guest-x86_64 check-fuzz \
               check-reliab-aarch64 check-insn-aarch64 check-debian-x86_64
CHECK_ORDER = $(foreach s,$(CHECK_FIRST),$(filter $(s),$(CHECK_SUITES))) \
              $(filter-out $(CHECK_FIRST),$(CHECK_SUITES))
# Suites that must not overlap, FIRST:SECOND (SECOND starts after FIRST):
# both chroot suites take the chroot's lock (binfmt.mk) for their whole run,
# so one of them would hold a job slot waiting.
CHECK_SERIAL := check-chroot-x86_64:check-chroot-aarch64
check_pair = $(subst :, ,$(1))
$(foreach p,$(CHECK_SERIAL),$(if $(filter $(call check_pair,$(p)),$(CHECK_SUITES)), \
    $(eval suite.$(word 2,$(call check_pair,$(p))): | suite.$(word 1,$(call check_pair,$(p))))))

.PHONY: check-suites $(CHECK_SUITES:%=suite.%)
check-suites: $(CHECK_ORDER:%=suite.%)
$(CHECK_SUITES:%=suite.%): suite.%:
	+@sh tests/run-suite.sh $* $(MAKE) --no-print-directory $*

check:
	+@sh tests/run-suite.sh check-build $(MAKE) --no-print-directory check-build
	+@$(MAKE) --no-print-directory -j$(CHECK_JOBS) --output-sync=recurse check-suites
	@echo "make check: all test suites passed"
