# sort_wc.sh -- sort (numeric, reverse, keys, unique) of a multi-hundred-KB
# generated file, uniq -c, wc in every mode, head/tail/cut/tr.
BB="$RUN /bin/busybox"
awk 'BEGIN { x = 12345; for (i = 0; i < 8000; i++) { x = (x * 1103515245 + 12345) % 2147483648; printf "%d %s %d\n", x % 1000, substr("qwertyuiopasdfghjklzxcvbnm", x % 20 + 1, 5), x } }' > data
$BB sort data | $BB md5sum
$BB sort -n data | $BB head -n 5
$BB sort -rn -k3 data | $BB head -n 3
$BB sort -k2,2 -k1,1n data | $BB tail -n 3
$BB cut -d' ' -f2 data | $BB sort | $BB uniq -c | $BB sort -rn | $BB head -n 5
$BB sort -u -n data | $BB wc -l
$BB wc data
$BB wc -l -w -c data
$BB tr 'a-z' 'A-Z' < data | $BB head -n 2
$BB cut -c1-3 data | $BB sort -n | $BB uniq | $BB wc -l
