# lib-runner.sh -- sourced by the chroot probes (tests/binfmt/check-chroot.sh,
# tests/pyregr/pyregr-sweep.sh, tests/debsweep/deb-sweep.sh): ferry and the
# emulator a ferry build needs on this machine (qemu-aarch64 for the AArch64
# build) put into an amd64 chroot, and the sweeps' loop (native run kept and
# reused, ferry run, differences judged against a list of known ones).
#
#   runner_setup CHROOT DIR FERRY [RUNNER [ARGS...]]
# makes CHROOT/DIR (anew) with ferry in DIR/bin (FERRY "-": none) and sets
# runner_ferry to the command line, as seen inside the chroot, that runs it
# (RUNNER's through runner_copy) and runner_wrapper to RUNNER's alone ("":
# none).  The caller removes CHROOT/DIR (its own trap).
runner_setup() {
    rs_ch=$1 rs_dir=$2 rs_ferry=$3
    shift 3
    rm -rf "$rs_ch$rs_dir"
    mkdir -p "$rs_ch$rs_dir/bin" || return 1
    [ "$rs_ferry" = - ] || cp "$rs_ferry" "$rs_ch$rs_dir/bin/ferry" || return 1
    runner_ferry=$rs_dir/bin/ferry runner_wrapper=""
    if [ $# -gt 0 ]; then
        runner_copy "$rs_ch" "$rs_dir" "$@" || return 1
        runner_ferry="$runner_wrapper $rs_dir/bin/ferry"
    fi
}

#   runner_copy CHROOT DIR RUNNER [ARGS...]
# copies RUNNER (a command on PATH) into CHROOT/DIR and sets runner_wrapper
# to the command line, as seen inside the chroot, that runs it with ARGS
# (what FERRY_EXEC_WRAPPER and the first words of a ferry run take).  The
# chroot holds no copy of the emulator's libraries (glib, gnutls, ...), so
# the emulator and every library ldd names go under DIR/bin and DIR/lib, and
# it runs by its own copied loader with --library-path: nothing of the
# chroot's own /lib is shadowed for the guest's programs.
runner_copy() {
    rc_ch=$1 rc_dir=$2 rc_bin=$(command -v "$3") || { echo "runner_copy: no $3" >&2; return 1; }
    shift 3
    mkdir -p "$rc_ch$rc_dir/bin" "$rc_ch$rc_dir/lib"
    cp "$rc_bin" "$rc_ch$rc_dir/bin/" || return 1
    for rc_lib in $(ldd "$rc_bin" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
        cp -L "$rc_lib" "$rc_ch$rc_dir/lib/" || return 1
    done
    # A script, as the guest's LD_PRELOAD (fakeroot's) would be taken by
    # the emulator's own loader (an error line each exec, or the library
    # inside the emulator): unset for it, handed to the guest by -E.
    rc_run="$rc_dir/lib/ld-linux-x86-64.so.2 --library-path $rc_dir/lib $rc_dir/bin/$(basename "$rc_bin")${*:+ $*}"
    printf '#!/bin/sh\n%s\n%s\n' \
        '[ -z "${LD_PRELOAD+x}" ] || { p=$LD_PRELOAD; unset LD_PRELOAD; set -- -E "LD_PRELOAD=$p" "$@"; }' \
        "exec $rc_run \"\$@\"" > "$rc_ch$rc_dir/bin/runner" && chmod 755 "$rc_ch$rc_dir/bin/runner" || return 1
    runner_wrapper=$rc_dir/bin/runner
}

#   runner_loop FERRY OUT ITEM...
# the sweeps' loop.  Per ITEM the caller's hooks: sweep_native ITEM (run
# natively unless the native directory has it: the hook decides), then,
# unless FERRY is "-", sweep_ferry ITEM and sweep_compare ITEM, which
# prints the item's one-line result to stdout and writes its differences'
# keys, one a line, to OUT/ITEM.keys and their text to OUT/ITEM.diff.  An
# item with differences is "known" when each key is a line of the known
# lists (runner_known, '#' comments; runs of blanks are one), else DIFF.
# Appends every line to OUT/summary; counts in runner_items, runner_differ,
# runner_nknown.
runner_known=""
runner_loop() {
    rl_ferry=$1 rl_out=$2
    shift 2
    runner_items=0 runner_differ=0 runner_nknown=0
    : > "$rl_out/summary"
    for rl_i in "$@"; do
        runner_items=$((runner_items + 1))
        sweep_native "$rl_i"
        [ "$rl_ferry" = - ] && continue
        sweep_ferry "$rl_i"
        rm -f "$rl_out/$rl_i.keys" "$rl_out/$rl_i.diff"
        rl_line=$(sweep_compare "$rl_i")
        if [ -s "$rl_out/$rl_i.keys" ] || [ -s "$rl_out/$rl_i.diff" ]; then
            if runner_all_known "$rl_out/$rl_i.keys"; then
                runner_nknown=$((runner_nknown + 1)) rl_line="$rl_line known"
            else
                runner_differ=$((runner_differ + 1)) rl_line="$rl_line DIFF"
            fi
        fi
        echo "$rl_line" | tee -a "$rl_out/summary"
        [ -s "$rl_out/$rl_i.diff" ] && head -n 20 "$rl_out/$rl_i.diff" | sed 's/^/    /'
    done
}

# runner_all_known KEYS: true when the file KEYS has a key and every one
# is known.
runner_all_known() {
    touch "$1"
    cat $runner_known /dev/null | sed 's/#.*//' |
        awk 'NR == FNR { $1 = $1; if (NF) k[$0] = 1; next }
             { $1 = $1; if (!NF) next; n++; if (!($0 in k)) bad = 1 }
             END { exit bad || !n }' - "$1"
}
