# archive.sh -- tar and gzip round trips (tar runs gzip as a child
# process: fork + execve of another dynamic program under ferry).
mkdir -p data/sub
seq 1 20000 > data/numbers
printf 'hello archive\n' > data/sub/hello.txt
touch -d '2022-05-06 07:08:09' data/numbers data/sub/hello.txt data/sub data
$RUN /usr/bin/gzip -9 -c data/numbers > numbers.gz
$RUN /usr/bin/gzip -d -c numbers.gz | $RUN /usr/bin/cmp - data/numbers && echo "gzip round trip"
$RUN /usr/bin/gzip -l numbers.gz | $RUN /usr/bin/tail -n 1 | $RUN /usr/bin/mawk '{ print $2, $4 }'
$RUN /usr/bin/zcat numbers.gz | $RUN /usr/bin/tail -n 2
$RUN /usr/bin/tar --owner=0 --group=0 --numeric-owner -czf data.tgz data
$RUN /usr/bin/tar -tzvf data.tgz
mkdir out
$RUN /usr/bin/tar -xzf data.tgz -C out
$RUN /usr/bin/diff -r data out/data && echo "tar round trip"
$RUN /usr/bin/tar -cf - data | $RUN /usr/bin/tar -tf -
printf 'compress me %s\n' $(seq 1 300) > words
$RUN /usr/bin/gzip words && $RUN /usr/bin/gunzip words.gz && $RUN /usr/bin/md5sum words
