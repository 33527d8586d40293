# dns.sh -- name resolution through glibc's resolver against a local DNS
# responder (tests/debian/dns_responder.py, run natively): getaddrinfo sends
# its A and AAAA queries with one sendmmsg (ENOSYS under ferry before) and
# reads the answers with recvfrom/poll; curl (its resolver runs in a
# thread) resolves a name to 127.0.0.1 and fetches a file from a local
# python3 http.server.  Runs in an unprivileged user, mount
# and network namespace (unshare -Urmn): loopback up, the responder on
# 127.0.0.1:53, and a test resolv.conf and nsswitch.conf bind-mounted over
# /etc's, so neither the host's resolver nor the network is involved.
# Where the kernel refuses unprivileged namespaces the script says so on
# stderr and does not run (the same natively and under ferry).
export FERRY_LOG=unimpl
if ! unshare -Urmn true 2> /dev/null; then
    echo "dns.sh: unshare -Urmn is not permitted here: not run" >&2
    exit 0
fi
printf 'nameserver 127.0.0.1\noptions timeout:2 attempts:2\n' > resolv.conf
printf 'hosts: dns\n' > nsswitch.conf
mkdir www && printf 'hello from the test web server\n' > www/hello.txt
export RUN SRCROOT
unshare -Urmn sh -c '
    ip link set lo up || exit 1
    # Non-loopback addresses (on lo: there is no other device), so that
    # AI_ADDRCONFIG (getent ahostsv4/v6) asks for both families.
    ip addr add 10.1.2.1/24 dev lo && ip addr add fd00::1/64 dev lo nodad || exit 1
    python3 "$SRCROOT/tests/debian/dns_responder.py" ready & pid=$!
    while [ ! -s ready ]; do sleep 0.05; done
    mount --bind resolv.conf /etc/resolv.conf && mount --bind nsswitch.conf /etc/nsswitch.conf
    $RUN /usr/bin/getent ahosts ferry-test.example; echo "ahosts: $?"
    $RUN /usr/bin/getent ahostsv4 v4only.ferry-test.example; echo "ahostsv4: $?"
    $RUN /usr/bin/getent ahostsv6 v6only.ferry-test.example; echo "ahostsv6: $?"
    $RUN /usr/bin/getent hosts ferry-test.example; echo "hosts: $?"
    $RUN /usr/bin/getent ahosts no-such-name.ferry-test.example; echo "missing: $?"
    python3 -m http.server 8080 --bind 127.0.0.1 --directory www > /dev/null 2>&1 & web=$!
    while ! curl -s -o /dev/null http://127.0.0.1:8080/; do sleep 0.1; done
    $RUN /usr/bin/curl -sS http://web.ferry-test.example:8080/hello.txt; echo "curl: $?"
    $RUN /usr/bin/curl -sS http://no-such-name.ferry-test.example:8080/ 2>&1; echo "curl missing: $?"
    kill $web
    kill $pid
'
