# node.sh -- Debian's Node.js (V8's JIT writes and runs its own code: ferry
# translates it, and re-translates what V8 patches) in one process (each
# start is seconds on the AArch64 build under qemu, see below): numbers
# and BigInt, JSON, regexes, classes, crypto hashes, zlib, fs (sync and
# promises), child_process (translated sh), a worker thread, timers and
# promises, an http server and client on 127.0.0.1.  On the AArch64 build a
# warm start costs ~12 s under qemu, cold ~19 s (2026-12-03, load 3); the
# whole case 47 s of CPU cold, 35 s warm (load 2-3).  FERRY_LOG=unimpl
# (ignored natively) puts any untranslated instruction or syscall on stderr.
export FERRY_LOG=unimpl
[ -x /usr/bin/node ] || { echo "node.sh: /usr/bin/node (Debian's nodejs) missing: not run" >&2; exit 0; }
# A first, small start fills the translation cache (tests share one), so
# the big script below starts warm: V8 installs an SA_SIGINFO SIGSEGV
# handler, so this pins that records kept in the exact-fault-flags mode
# load and run the same (session 10; before session 9 they bypassed the
# cache and every start translated ~96 K blocks, minutes under qemu).
$RUN /usr/bin/node -e 'console.log(typeof WebAssembly, process.arch, [3, 1, 2].sort().join(""))'
$RUN /usr/bin/node -e '
const out = [];
const log = (...a) => out.push(a.join(" "));
log([1, 2, 3].map(x => x ** 10).reduce((a, b) => a + b), 2n ** 100n, Math.PI.toFixed(10), 0.1 + 0.2);
log(JSON.stringify({ a: [1, 2.5, null], s: "h\u00e9llo".toUpperCase() }), (123.456).toPrecision(20), parseFloat("1e-320"));
log(/(?<y>\d{4})-(\d\d)/.exec("on 2024-05").groups.y, "a-b-c".replaceAll("-", "+"), [..."abc"].reverse().join(""));
class A { #x = 41; inc() { return ++this.#x; } }
log(new A().inc(), new Map([[1, "one"]]).get(1), typeof Symbol.iterator);
try { JSON.parse("{bad"); } catch (e) { log("caught", e.name); }
let s = 0; const f = new Float64Array(100000);
for (let i = 0; i < f.length; i++) f[i] = Math.sin(i) * Math.exp(-i / 1e5);
for (const v of f) s += v;
log(s.toFixed(12), Math.fround(1.1), Math.hypot(3, 4), Math.clz32(1), Math.imul(0x7fffffff, 3));
const c = require("crypto");
log(c.createHash("sha256").update("abc").digest("hex"), c.createHmac("sha1", "k").update("x").digest("base64"));
const z = require("zlib");
log(z.gunzipSync(z.gzipSync("hello ".repeat(1000))).length, z.deflateSync("x".repeat(100)).toString("hex"));
const fs = require("fs");
fs.writeFileSync("f.txt", "data\n".repeat(1000));
log(fs.statSync("f.txt").size, fs.readFileSync("f.txt", "utf8").split("\n").length);
const cp = require("child_process");
log(cp.execSync("echo from sh; exit 0").toString().trim(), cp.spawnSync("sh", ["-c", "exit 4"]).status);
const { Worker } = require("worker_threads");
const w = new Worker("const { parentPort } = require(\"worker_threads\"); let t = 0; for (let i = 0; i < 1e6; i++) t += i; parentPort.postMessage(t)", { eval: true });
const http = require("http");
Promise.all([
    new Promise(r => w.on("message", m => r("worker " + m))),
    fs.promises.readFile("f.txt").then(b => "async read " + b.length),
    new Promise(r => setTimeout(() => r("timer"), 10)),
    new Promise(r => { const srv = http.createServer((q, res) => res.end("pong " + q.url)).listen(0, "127.0.0.1", () => {
        http.get({ host: "127.0.0.1", port: srv.address().port, path: "/ping" }, res => {
            let d = ""; res.on("data", x => d += x); res.on("end", () => { srv.close(); r(d); });
        });
    }); }),
]).then(v => { out.push(...v); console.log(out.join("\n")); });
'
echo "node gave $?"
