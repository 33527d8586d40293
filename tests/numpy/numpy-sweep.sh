#!/bin/sh
# numpy-sweep.sh -- Debian's numpy (and SciPy) test suites (not ours:
# nobody on ferry wrote them) natively and under ferry, module by module,
# and the per-test outcomes compared (tests/numpy/outcomes.py); the native
# run is the oracle.
#
#   tests/numpy/numpy-sweep.sh [-o OUTDIR] [-n NATIVEDIR] [-p PHASES] [-t SECONDS]
#       [-l LISTFILE]... -f "FERRY CMD" [MODULE...]
#
# MODULE: a test file under numpy's package directory (core/tests/test_umath.py),
# or under SciPy's when it starts with scipy/ (scipy/linalg/tests/test_basic.py),
# optionally a pytest node id (FILE::Class) and pytest arguments after it
# ('core/tests/test_umath.py -k "not TestSpecialFloats"'): parts of a long
# module (qemu-aarch64 is slow; pytest writes its results only at the end).
# -l: modules from a list file (tests/numpy/*.list: one a line, # comments).
# None at all: the list below (the SIMD, floating-point and ufunc modules).
# PHASES: "native other compare" (default all three).  A native result
# already in NATIVEDIR (default OUTDIR/native; builds may share it) is
# reused; ferry's go to OUTDIR/other.  -t: each module's time limit
# (default 3600 s).  numpy picks its SIMD kernels by CPUID: the native run
# disables (NPY_DISABLE_CPU_FEATURES) the dispatch targets this CPU has and
# ferry's lacks (AVX-512 on the test machine), so both take the same
# kernels.  Needs /usr/bin/python3 with numpy, pytest and hypothesis
# (Debian: python3-numpy python3-pytest python3-hypothesis; python3-scipy
# for scipy/ modules).  Debian's SciPy and numpy call the reference
# BLAS/LAPACK (libblas3, liblapack3), which has no CPUID dispatch; with
# OpenBLAS set OPENBLAS_CORETYPE (e.g. Haswell) for both runs.
set -u
out=build/numpy-sweep
nat=""
phases="native other compare"
ferry=""
tmo=3600
lists=""
while getopts o:n:p:f:t:l: opt; do
    case $opt in
        o) out=$OPTARG ;;
        n) nat=$OPTARG ;;
        p) phases=$OPTARG ;;
        f) ferry=$OPTARG ;;
        t) tmo=$OPTARG ;;
        l) lists="$lists $OPTARG" ;;
        *) echo "usage: $0 [-o DIR] [-n DIR] [-p PHASES] [-t S] [-l LIST]... -f CMD [MODULE...]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
py=/usr/bin/python3
here=$(cd "$(dirname "$0")" && pwd)
$py -c 'import numpy, pytest, hypothesis' 2>/dev/null ||
    { echo "numpy-sweep: $py lacks numpy, pytest or hypothesis" >&2; exit 2; }
[ -n "$ferry" ] || { echo "numpy-sweep: -f FERRY_CMD is required" >&2; exit 2; }
npdir=$($py -c 'import numpy, os; print(os.path.dirname(numpy.__file__))')
nl='
'
mods=""
for m in "$@"; do
    mods="$mods$m$nl"
done
for l in $lists; do
    mods="$mods$(sed 's/#.*//; s/[[:space:]]*$//; /^$/d' "$l")$nl"
done
if [ -z "$mods" ]; then
    set -- core/tests/test_cpu_features.py core/tests/test_simd.py core/tests/test_simd_module.py \
        core/tests/test_umath.py core/tests/test_half.py core/tests/test_scalarmath.py \
        core/tests/test_umath_accuracy.py core/tests/test_casting_floatingpoint_errors.py \
        core/tests/test_errstate.py core/tests/test_umath_complex.py core/tests/test_longdouble.py \
        core/tests/test_getlimits.py core/tests/test_cpu_dispatcher.py core/tests/test_ufunc.py \
        core/tests/test_einsum.py core/tests/test_numeric.py core/tests/test_multiarray.py \
        linalg/tests/test_linalg.py lib/tests/test_function_base.py fft/tests/test_pocketfft.py
    for m in "$@"; do
        mods="$mods$m$nl"
    done
fi
[ -n "$nat" ] || nat=$out/native
mkdir -p "$nat" "$out/other"
out=$(cd "$out" && pwd)
nat=$(cd "$nat" && pwd)

# result MODULE: the file name its outcomes are kept under.
result() {
    echo "$1" | tr -c 'A-Za-z0-9._\n-' _
}

# The features numpy finds on a CPU, as a Python set literal.
features() {
    "$@" $py -c 'from numpy.core._multiarray_umath import __cpu_features__ as f, __cpu_dispatch__ as d
print(" ".join(sorted(k for k in d if f.get(k))))' 2>/dev/null
}

# run_pytest XML LOG MODULE [PREFIX...]: one module (under PREFIX: ferry),
# a JUnit XML of its outcomes.  MODULE's words after the file go to pytest
# as they are (with their quotes); the file is under numpy's or SciPy's
# package directory.
run_pytest() {
    xml=$1 log=$2 mod=$3
    shift 3
    prefix=$*
    eval "set -- $mod"
    file=$1
    shift
    case $file in
        scipy/*) file=$(dirname "$npdir")/$file ;;
        *) file=$npdir/$file ;;
    esac
    ( cd "$out" && PYTHONDONTWRITEBYTECODE=1 HYPOTHESIS_STORAGE_DIRECTORY="$out/hyp" \
      timeout -k 10 "$tmo" $prefix $py -m pytest -q -p no:cacheprovider -rfE \
          --junitxml="$xml" "$file" "$@" > "$log" 2>&1 )
}

for phase in $phases; do
    case $phase in
    native)
        have=$(features)
        guest=$(features $ferry)
        off=""
        for f in $have; do
            case " $guest " in *" $f "*) ;; *) off="$off $f" ;; esac
        done
        echo "numpy-sweep: native dispatch targets off:${off:- none}"
        IFS=$nl
        for m in $mods; do
            IFS=' '
            n=$(result "$m")
            [ -s "$nat/$n.xml" ] && continue
            start=$(date +%s)
            # test_cpu_features compares numpy's detection with /proc/cpuinfo:
            # features turned off would differ from the file by design
            dis=${off# }
            case $m in *test_cpu_features.py*) dis="" ;; esac
            NPY_DISABLE_CPU_FEATURES="$dis" run_pytest "$nat/$n.xml" "$nat/$n.log" "$m" env
            echo "native $m: $(($(date +%s) - start)) s"
        done ;;
    other)
        IFS=$nl
        for m in $mods; do
            IFS=' '
            n=$(result "$m")
            start=$(date +%s)
            run_pytest "$out/other/$n.xml" "$out/other/$n.log" "$m" $ferry
            echo "ferry $m: $(($(date +%s) - start)) s"
        done ;;
    compare)
        bad=0
        IFS=$nl
        for m in $mods; do
            IFS=' '
            n=$(result "$m")
            $py "$here/outcomes.py" "$nat/$n.xml" "$out/other/$n.xml" "$m" || bad=1
        done
        [ $bad -eq 0 ] && echo "numpy-sweep: outcomes equal" || { echo "numpy-sweep: outcomes differ"; exit 1; } ;;
    esac
done
