# coreutils.sh -- Debian's dynamically linked coreutils on fixed inputs:
# sort, uniq, wc, cut, tr, hashes, base64, seq, expr, printf, date, od.
seq 1 300 | sed 's/$/ item/' > items
printf 'pear\napple\nfig\napple\nbanana\npear\napple\n' > fruit
$RUN /usr/bin/sort fruit
$RUN /usr/bin/sort -r -u fruit
$RUN /usr/bin/sort -n -r -k1,1 items | $RUN /usr/bin/head -n 3
$RUN /usr/bin/sort fruit | $RUN /usr/bin/uniq -c
$RUN /usr/bin/wc items fruit
$RUN /usr/bin/cut -d' ' -f2 items | $RUN /usr/bin/uniq -c
$RUN /usr/bin/cut -c1-2 fruit | $RUN /usr/bin/tr 'a-z' 'A-Z'
$RUN /usr/bin/tr -d 'aeiou' < fruit | $RUN /usr/bin/tr -s '\n' ' '
echo
$RUN /usr/bin/sha256sum items fruit
$RUN /usr/bin/md5sum items fruit
$RUN /usr/bin/sha1sum fruit
$RUN /usr/bin/base64 fruit
$RUN /usr/bin/base64 fruit | $RUN /usr/bin/base64 -d | $RUN /usr/bin/cmp - fruit && echo "base64 round trip"
$RUN /usr/bin/seq 5 -2 -5
$RUN /usr/bin/seq -w 8 11
$RUN /usr/bin/seq 0.5 0.25 1.5
$RUN /usr/bin/expr 6 \* 7
$RUN /usr/bin/expr length "hello world"
$RUN /usr/bin/expr 10 / 3 + 100 % 7
$RUN /usr/bin/printf '%5d|%-6s|%x|%o|%.3f|%e|%q\n' 42 ab 255 8 3.14159 12345.678 "a b"
$RUN /usr/bin/date -d @0 -u
$RUN /usr/bin/date -u -d '2024-02-29 13:14:15' '+%A %j %s %F %T'
$RUN /usr/bin/od -A x -t x1z fruit
$RUN /usr/bin/od -t d4 -N 16 items
$RUN /usr/bin/factor 1234567 600851475143
$RUN /usr/bin/numfmt --to=iec 1048576 123456789
$RUN /usr/bin/tac fruit | $RUN /usr/bin/nl
$RUN /usr/bin/paste -d, fruit fruit | $RUN /usr/bin/head -n 2
$RUN /usr/bin/getent passwd root
$RUN /usr/bin/id -u
$RUN /usr/bin/sha512sum fruit
$RUN /usr/bin/shuf --random-source=items -n 5 items
$RUN /usr/bin/true && echo "true is true"
$RUN /usr/bin/false || echo "false gave $?"
