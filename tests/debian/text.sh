# text.sh -- grep, sed, awk (mawk), diff on generated text.
seq 1 200 | sed 's/^/line /' > lines
printf 'The quick brown fox\njumps over\nthe lazy dog\nTHE END\n' > fox
$RUN /usr/bin/grep -n 'the' fox
$RUN /usr/bin/grep -ic 'the' fox
$RUN /usr/bin/grep -E 'line (1[0-9]|7)$' lines
$RUN /usr/bin/grep -v -e 1 -e 2 -e 3 lines | $RUN /usr/bin/wc -l
$RUN /usr/bin/grep -o '[a-z]*o[a-z]*' fox
$RUN /usr/bin/grep -r -l quick . | $RUN /usr/bin/sort
$RUN /usr/bin/sed -n '5,8p;150q' lines
$RUN /usr/bin/sed -e 's/line \([0-9]*\)/<\1>/' -e '/0>$/!d' lines | $RUN /usr/bin/head -n 5
$RUN /usr/bin/sed -E 's/(\w+) (\w+)/\2 \1/' fox
$RUN /usr/bin/sed '1!G;h;$!d' fox
$RUN /usr/bin/mawk '{ s += $2 } END { print s, NR, s / NR }' lines
$RUN /usr/bin/mawk -F' ' '$2 % 37 == 0 { printf "%s=%05.1f\n", $1, $2 / 3 }' lines
$RUN /usr/bin/mawk 'BEGIN { for (i = 1; i <= 5; i++) a[i] = i * i; for (i = 5; i > 0; i--) printf "%d ", a[i]; print ""; print length("hello"), substr("ferry", 2, 3), toupper("abc"), int(-3.7), 2^40 }'
$RUN /usr/bin/mawk '{ n = split($0, w, " "); for (i = n; i > 0; i--) printf "%s%s", w[i], i > 1 ? " " : "\n" }' fox
sed 's/5/five/' lines > lines2
$RUN /usr/bin/diff lines lines2 | $RUN /usr/bin/head -n 12
$RUN /usr/bin/diff -u fox fox; echo "diff of equal files: $?"
$RUN /usr/bin/diff -u lines lines2 > /dev/null; echo "diff status $?"
$RUN /usr/bin/cmp lines lines2; echo "cmp status $?"
