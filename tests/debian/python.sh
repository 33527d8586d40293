# python.sh -- Debian's python3: json, re, hashlib, big integers, float
# formatting, a little of everything (deterministic output only), and
# extension modules the interpreter dlopen()s (zlib, bz2, lzma, sqlite3).
$RUN /usr/bin/python3 -S -c '
import json, re, hashlib, math, struct, collections, fractions, decimal
import zlib, bz2, lzma, sqlite3
d = {"b": [1, 2.5, None, True], "a": {"x": "\u00e9"}, "n": 10**30}
s = json.dumps(d, sort_keys=True)
print(s, json.loads(s) == d)
print(re.findall(r"(\w+)@(\w+)\.org", "ann@ex.org, bob@py.org; bad@x.com"))
print(re.sub(r"(\d+)", lambda m: str(int(m.group(1)) * 2), "a1 b22 c333"))
print(hashlib.sha256(b"ferry").hexdigest(), hashlib.md5(b"x" * 1000).hexdigest())
print(2**521 - 1, math.factorial(40), pow(3, 10**5, 10**9 + 7))
print(f"{math.pi:.15f} {1/3!r} {1e300*1e10} {-0.0} {2.5e-310:.3e} {math.sqrt(2):g}")
print(struct.pack("<dq", 1.5, -2).hex(), float.fromhex("0x1.8p1"), (0.1 + 0.2).hex())
print(collections.Counter("mississippi").most_common(3), fractions.Fraction(355, 113) ** 2)
print(decimal.Decimal(1) / decimal.Decimal(7), round(2.675, 2), divmod(-7, 2), int("ff", 16))
print(sorted({3, 1, 2}), list(map(lambda x: x * x, range(8))), "-".join(reversed("abc")))
data = b"ferry " * 1000
print(zlib.crc32(data), len(zlib.compress(data, 9)), bz2.decompress(bz2.compress(data)) == data,
      lzma.decompress(lzma.compress(data)) == data)
db = sqlite3.connect(":memory:")
db.execute("create table t (k text, v integer)")
db.executemany("insert into t values (?, ?)", [("k%d" % i, i * i) for i in range(100)])
print(db.execute("select count(*), sum(v), max(k) from t where v % 3 = 0").fetchone())
'
echo "python gave $?"
