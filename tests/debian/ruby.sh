# ruby.sh -- Debian's Ruby: its VM, GC and bignums, the stdlib's C
# extensions (json, digest, zlib, socket), threads, fork and pipes, Open3
# (translated tr), a signal it sends itself, exceptions.  Ruby's timer
# thread uses timer_create (ENOSYS before: "signals racy" warnings).
# FERRY_LOG=unimpl (ignored natively) puts anything untranslated on stderr.
export FERRY_LOG=unimpl
[ -x /usr/bin/ruby ] || { echo "ruby.sh: /usr/bin/ruby missing: not run" >&2; exit 0; }
$RUN /usr/bin/ruby -e '
puts [1, 2, 3].map { |x| x ** 10 }.sum, 2 ** 200, (1..30).reduce(:*)
printf("%.10f %s %s\n", Math::PI, (0.1 + 0.2).to_s, 1e-320.to_s)
p Rational(3, 9), Complex(1, 2) * 2, "h\u00e9llo".upcase, "abc".unpack("C*"), [3, 1, 2].sort.reverse
p({ b: 2, a: 1 }.sort.to_h, (1..10).each_slice(3).to_a, "x,y;z".split(/[,;]/))
require "json"; require "digest"; require "zlib"; require "socket"; require "open3"
puts JSON.generate({ a: [1, 2.5, nil] }), JSON.parse("[1, {\"k\": true}]").inspect
puts Digest::SHA256.hexdigest("abc"), Digest::MD5.hexdigest("abc"), Zlib.crc32("abc")
puts Zlib::Inflate.inflate(Zlib::Deflate.deflate("ruby " * 100)).size
begin; raise ArgumentError, "boom"; rescue => e; puts "rescued #{e.class}: #{e.message}"; end
t = 4.times.map { |i| Thread.new { (1..100_000).sum * i } }
p t.map(&:value)
r, w = IO.pipe
pid = fork { r.close; w.puts "from child"; exit 3 }
w.close; puts r.read; Process.wait(pid); p $?.exitstatus
o, s = Open3.capture2("tr a-z A-Z", stdin_data: "via tr"); p o, s.exitstatus
Signal.trap("USR1") { puts "got USR1" }; Process.kill("USR1", Process.pid); sleep 0.2
srv = TCPServer.new("127.0.0.1", 0); c = TCPSocket.new("127.0.0.1", srv.addr[1]); a = srv.accept
c.write "ping"; c.close_write; p a.read
GC.start; p GC.count > 0, Time.at(0).utc.to_s
'
echo "ruby gave $?"
