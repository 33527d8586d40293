# echo.sh -- busybox echo and printf: escapes, formats, exit statuses.
BB="$RUN /bin/busybox"
$BB echo hello world
$BB echo -n "no newline; "
$BB echo -e 'tab\there\nnewline\\ and \x41\101'
$BB printf '%s=%d %5.2f %x %o %c|%-6s|\n' answer 42 3.14159 255 8 Z left
$BB printf '%s\n' one two three
$BB printf '%d\n' notanumber
echo "status $?"
$BB true; echo "true $?"
$BB false; echo "false $?"
