# sh_loop.sh -- busybox sh (hush/ash) running loops, arithmetic, functions,
# case, parameter expansion and here-documents, all inside one process.
BB="$RUN /bin/busybox"
$BB sh -c '
i=0; s=0
while [ $i -lt 3000 ]; do
    s=$(( (s + i * i) % 1000003 ))
    i=$((i + 1))
done
echo "sum $s"
fact() { if [ $1 -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(( $1 - 1 ))) )); fi; }
echo "fact 15 = $(fact 15)"
for w in apple banana cherry date; do
    case $w in
        a*) echo "$w starts with a";;
        *rr*) echo "$w has rr";;
        *) echo "$w: ${#w} letters, upper ${w%a*} tail ${w#?}";;
    esac
done
x=abc.def.ghi
echo "${x%%.*} ${x##*.} ${x%.*} ${x#*.}"
cat <<END
here document with $x and $((7 * 6))
END
set -- a "b c" d
echo "$# args: $2"
exit 3
'
echo "sh exit $?"
