# pty.sh -- pseudo-terminals: glibc's posix_openpt/grantpt/ptsname and
# openpty need TIOCGPTN, TIOCSPTLCK and TIOCGPTPEER (ENOTTY before: script
# said "failed to create pseudo-terminal").  util-linux's script runs a
# translated shell on a pty; python3's pty module opens, sets raw mode,
# writes through the master and forks a child on a new controlling tty.
# (The child waits for the parent to read its line: a pty whose slave is
# closed may say EIO before the data written last arrives.)
export FERRY_LOG=unimpl
$RUN /usr/bin/script -qec 'tty | sed "s|[0-9]*$|N|"; stty size; echo done; exit 5' /dev/null > out
echo "script gave $?"
tr -d '\r' < out
$RUN /usr/bin/python3 -c '
import os, pty, termios, tty
m, s = pty.openpty()
print(os.isatty(s), os.ttyname(s).rstrip("0123456789"))
tty.setraw(s)
print(termios.tcgetattr(s)[3] & termios.ICANON, termios.tcgetattr(s)[6][termios.VMIN])
os.write(m, b"hello\n")
print(os.read(s, 100), flush=True)
pid, fd = pty.fork()
if pid == 0:
    print("child on", os.ttyname(0).rstrip("0123456789"), os.getsid(0) == os.getpid(), flush=True)
    input()                 # exits once the parent has read the line
    os._exit(3)
data = b""
while not data.endswith(b"\n"):
    data += os.read(fd, 100)
os.write(fd, b"bye\n")
print(data.replace(b"\r", b""), os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
'
