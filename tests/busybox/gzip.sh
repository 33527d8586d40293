# gzip.sh -- gzip | gunzip round trip of a few hundred KB, between two
# ferry-run busybox processes joined by a pipe; and the compressed bytes
# themselves (deflate is deterministic for a given level and input).
BB="$RUN /bin/busybox"
awk 'BEGIN { x = 7; for (i = 0; i < 12000; i++) { x = (x * 69069 + 1) % 4294967296; printf "%d,%s,%x\n", i, (x % 7 ? "common words repeat" : "rare"), x } }' > big.txt
$BB wc -c big.txt
md5sum < big.txt
$BB gzip -c < big.txt | $BB gunzip -c | $BB md5sum
$BB gzip -1 -c < big.txt > big.gz
$BB wc -c < big.gz
md5sum < big.gz
$BB zcat big.gz | $BB tail -n 2
$BB gzip -t big.gz && echo "integrity ok"
printf 'not gzip data' | $BB gunzip -c
echo "gunzip of garbage: status $?"
