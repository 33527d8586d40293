# hashes.sh -- md5sum, sha1sum, sha256sum and sha512sum of generated
# data (exercises the hash loops: rotates, adds, 64-bit arithmetic).
BB="$RUN /bin/busybox"
seq 1 10000 > numbers
awk 'BEGIN { for (i = 0; i < 2000; i++) printf "%08x line %d of the generated text\n", i * 2654435761 % 4294967296, i }' > text
printf '' > empty
$BB md5sum numbers text empty
$BB sha1sum numbers text
$BB sha256sum numbers text empty
$BB sha512sum text
$BB md5sum < text
$BB md5sum missing-file
echo "status $?"
