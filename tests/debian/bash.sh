# bash.sh -- Debian's bash running a script: functions, arrays, arithmetic,
# string operations, here-documents, subshells, pipelines, traps, and
# external commands (fork + execve of dynamic programs from the guest).
$RUN /bin/bash <<'SCRIPT'
set -u
fib() { local a=0 b=1 i; for ((i = 0; i < $1; i++)); do ((b = a + b, a = b - a)); done; echo $a; }
echo "fib 50 = $(fib 50)"
declare -A color=([apple]=red [banana]=yellow [fig]=purple)
for k in $(printf '%s\n' "${!color[@]}" | sort); do echo "$k is ${color[$k]}"; done
arr=(zero one two three four)
echo "${#arr[@]} items, slice: ${arr[@]:1:3}, last: ${arr[-1]}"
s="Hello, World"
echo "${s,,} ${s^^} ${s/World/ferry} ${#s} ${s:7}"
echo $(( (1 << 40) + 7 * 6 - 100 / 3 )) $(( 2 ** 62 )) $(( -17 % 5 ))
cat <<EOT
here-doc with $((6 * 7)) and ${arr[2]}
EOT
( cd /; pwd ); pwd | sed 's|.*/||'
seq 1 10 | while read -r n; do (( n % 3 == 0 )) && echo "div3 $n"; done
trap 'echo "trap on exit"' EXIT
printf '%s-' {a..e} {1..3}; echo
[[ "abc123" =~ ^([a-z]+)([0-9]+)$ ]] && echo "match ${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
sh -c 'exit 3'; echo "child status $?"
read -r x y <<< "first second"; echo "$y $x"
echo "done"
SCRIPT
echo "bash gave $?"
