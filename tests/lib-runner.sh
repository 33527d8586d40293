# lib-runner.sh -- sourced by the chroot sweeps (tests/pyregr/pyregr-sweep.sh,
# tests/debsweep/deb-sweep.sh): puts the emulator a ferry build needs on this
# machine (qemu-aarch64 for the AArch64 build) into an amd64 chroot.  The
# chroot holds no copy of the emulator's libraries (glib, gnutls, ...), so
# the emulator and every library ldd names go under DIR/bin and DIR/lib, and
# it runs by its own copied loader with --library-path: nothing of the
# chroot's own /lib is shadowed for the guest's programs.
#
#   runner_copy CHROOT DIR RUNNER [ARGS...]
# copies RUNNER (a command on PATH) into CHROOT/DIR and sets runner_wrapper
# to the command line, as seen inside the chroot, that runs it with ARGS
# (what FERRY_EXEC_WRAPPER and the first words of a ferry run take).
runner_copy() {
    rc_ch=$1 rc_dir=$2 rc_bin=$(command -v "$3") || { echo "runner_copy: no $3" >&2; return 1; }
    shift 3
    mkdir -p "$rc_ch$rc_dir/bin" "$rc_ch$rc_dir/lib"
    cp "$rc_bin" "$rc_ch$rc_dir/bin/" || return 1
    for rc_lib in $(ldd "$rc_bin" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
        cp -L "$rc_lib" "$rc_ch$rc_dir/lib/" || return 1
    done
    runner_wrapper="$rc_dir/lib/ld-linux-x86-64.so.2 --library-path $rc_dir/lib $rc_dir/bin/$(basename "$rc_bin")${*:+ $*}"
}
