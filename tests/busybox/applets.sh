# applets.sh -- assorted busybox applets: expr, seq, factor, dc, od,
# base64, xxd-like hexdump, date with a fixed time, basename/dirname.
BB="$RUN /bin/busybox"
$BB expr 123456789 \* 987 % 1000007
$BB expr length "hello world"
$BB seq -s, 1 3 30
$BB factor 1234567890 2147483647 600851475143
echo '2 64 ^ 1 - p 7 k 22 7 / p' | $BB dc
printf 'binary\000\001\377data' | $BB od -A x -t x1
printf 'base64 round trip' | $BB base64 | tee b64 | $BB base64 -d; echo
cat b64
printf 'hexdump' | $BB hexdump -C
$BB date -u -d @1234567890 '+%Y-%m-%d %H:%M:%S %j %a'
$BB basename /usr/lib/file.tar.gz .gz
$BB dirname /usr/lib/file.tar.gz
$BB printf '%s\n' c b a | $BB sort -r | $BB tac
$BB rev <<END
reverse me
END
