# sed_awk_grep.sh -- regular expressions and text processing: sed
# substitutions and addresses, awk with arrays and floating point, grep in
# its usual modes and exit statuses.
BB="$RUN /bin/busybox"
seq 1 2000 | awk '{ printf "item%04d value=%d %s\n", $1, ($1 * 37) % 101, ($1 % 3 ? "odd" : "three") }' > input
$BB sed -n '10,15p' input
$BB sed 's/value=\([0-9]*\)/v[\1]/; s/item/I/g' input | $BB tail -n 3
$BB sed -e '/three/d' -e 's/^item0*//' input | $BB head -n 4
$BB sed -E 's/([a-z]+)([0-9]+)/\2-\1/' input | $BB sed -n '$p'
$BB awk -F'[ =]' '{ s[$4] += $3; n[$4]++ } END { for (k in s) printf "%s %d %.4f\n", k, s[k], s[k] / n[k] }' input | $BB sort
$BB awk 'BEGIN { pi = atan2(0, -1); printf "%.10f %.6e %d %s\n", pi, exp(10), int(-3.7), sprintf("%05.1f", 2.345) }'
$BB awk '{ if (length($0) > m) m = length($0) } END { print "longest", m, NR }' input
$BB grep -c three input
$BB grep -n 'item00[0-9]5' input
$BB grep -E 'value=(1|10|100) ' input | $BB head -n 3
$BB grep -v -i ODD input | $BB wc -l
$BB grep -w nothing-matches input
echo "grep status $?"
