# ls_find.sh -- ls -l on a fixed tree (fixed modes and mtimes), stat, find
# with predicates, xargs, du.
mkdir -p tree/sub/deeper tree/other
printf 'alpha\n' > tree/a.txt
seq 1 5000 > tree/numbers
: > tree/empty
printf 'nested file\n' > tree/sub/deeper/n.txt
printf 'x\n' > tree/other/x.c
ln -s a.txt tree/link
chmod 640 tree/a.txt
chmod 755 tree/sub
touch -d '2021-03-04 05:06:07' tree/a.txt tree/numbers tree/empty tree/sub/deeper/n.txt tree/other/x.c
touch -h -d '2020-01-01 00:00:00' tree/link
touch -d '2019-12-31 23:59:59' tree/sub/deeper tree/sub tree/other tree
$RUN /usr/bin/ls -l --time-style=long-iso tree
$RUN /usr/bin/ls -lR --time-style=+%s tree | $RUN /usr/bin/grep -v '^total'
$RUN /usr/bin/ls -1 -S tree
$RUN /usr/bin/ls -d tree/*
$RUN /usr/bin/stat -c '%n %s %a %F %Y' tree/a.txt tree/numbers tree/link tree/sub
$RUN /usr/bin/find tree -type f | $RUN /usr/bin/sort
$RUN /usr/bin/find tree -name '*.txt' -newer tree/link | $RUN /usr/bin/sort
$RUN /usr/bin/find tree -type f -size +1k -printf '%p %s\n'
$RUN /usr/bin/find tree -type f -print0 | $RUN /usr/bin/sort -z | $RUN /usr/bin/xargs -0 /usr/bin/wc -c
$RUN /usr/bin/find tree -maxdepth 1 -type d | $RUN /usr/bin/sort | $RUN /usr/bin/xargs -n 1 echo dir
$RUN /usr/bin/du -s --apparent-size -b tree/numbers
$RUN /usr/bin/readlink tree/link
$RUN /usr/bin/realpath --relative-to=tree tree/sub/deeper/n.txt
$RUN /usr/bin/basename /a/b/c.txt .txt
$RUN /usr/bin/dirname /a/b/c.txt
cp -r tree copy && $RUN /usr/bin/diff -r tree copy && echo "trees identical"
$RUN /usr/bin/cp -p tree/numbers tree/numbers2 && $RUN /usr/bin/cmp tree/numbers tree/numbers2 && echo copied
$RUN /usr/bin/mv tree/numbers2 tree/moved && $RUN /usr/bin/ls tree
$RUN /usr/bin/rm -r copy && $RUN /usr/bin/ls
$RUN /usr/bin/mkdir -p made/a/b && $RUN /usr/bin/rmdir -p made/a/b && echo "mkdir/rmdir"
