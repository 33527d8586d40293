# ls_tar.sh -- ls -l of a fixture directory with fixed modes and mtimes,
# find, du, and a tar create/extract round trip (tar listing and contents).
BB="$RUN /bin/busybox"
mkdir -p fixture/sub/deeper
printf 'alpha\n' > fixture/a.txt
seq 1 5000 > fixture/numbers
printf '' > fixture/empty
printf 'nested file\n' > fixture/sub/deeper/n.txt
ln -s a.txt fixture/link
chmod 640 fixture/a.txt
chmod 755 fixture/sub
touch -d '2021-03-04 05:06:07' fixture/a.txt fixture/numbers fixture/empty fixture/sub/deeper/n.txt
touch -h -d '2020-01-01 00:00:00' fixture/link
touch -d '2019-12-31 23:59:59' fixture/sub/deeper fixture/sub fixture
$BB ls -l fixture
$BB ls -la fixture/sub
$BB ls -lR fixture | $BB grep -v '^total'
$BB ls -1 --color=never fixture
$BB find fixture -type f | $BB sort
$BB find fixture -name '*.txt' -newer fixture/link | $BB sort
$BB stat -c '%n %s %a %Y' fixture/a.txt fixture/numbers
$BB tar cf archive.tar fixture
$BB tar tvf archive.tar | $BB sort -k6
mkdir out
$BB tar xf archive.tar -C out
diff -r fixture out/fixture && echo "tar round trip identical"
# (not "tar czf": busybox would exec the host's dynamically linked gzip)
$BB tar cf - fixture | $BB gzip -c > archive.tgz
$BB tar tzf archive.tgz | $BB sort
$BB ls -l out/fixture/numbers
