# java.sh -- Debian's OpenJDK 17 HotSpot VM: its interpreter and JIT
# compilers write and patch their own code, implicit null checks and
# safepoint polls are SIGSEGVs the VM handles, division by zero is a
# SIGFPE, StackOverflowError comes from its guard pages.  HotSpot refused to
# start before CPUID leaf 1 said clflush ("guarantee(...clflush != 0)
# failed").  The class is compiled natively by javac in both runs; only
# the VM runs translated.  FERRY_LOG=unimpl (ignored natively) puts
# anything untranslated on stderr.
export FERRY_LOG=unimpl
[ -x /usr/bin/java ] && [ -x /usr/bin/javac ] || { echo "java.sh: /usr/bin/java or javac missing: not run" >&2; exit 0; }
cat > T.java <<'JAVA'
import java.math.BigInteger;
import java.util.*;
import java.util.concurrent.*;
import java.util.stream.*;

public class T {
    static int depth = 0;
    static void recurse() { depth++; recurse(); }
    static int div(int a, int b) { return a / b; }
    static int len(String s) { return s.length(); }
    public static void main(String[] args) throws Exception {
        long s = 0;
        for (int i = 0; i < 2_000_000; i++) s += (i * 31L) % 7;
        System.out.println("loop " + s);
        System.out.println(BigInteger.TWO.pow(200) + " " + new BigInteger("123456789").modPow(BigInteger.valueOf(65537), BigInteger.TEN.pow(20)));
        System.out.println(String.format("%.10f %08.3f %e", Math.PI, Math.E, 1e-300 * 1e-10) + " " + Math.sin(1e10) + " " + StrictMath.cbrt(2));
        Map<String, Integer> m = new TreeMap<>();
        for (String w : "the quick brown fox jumps over the lazy dog the end".split(" ")) m.merge(w, 1, Integer::sum);
        System.out.println(m);
        System.out.println(IntStream.rangeClosed(1, 1000).parallel().mapToLong(x -> (long) x * x).sum());
        ExecutorService ex = Executors.newFixedThreadPool(4);
        List<Future<Long>> fs = new ArrayList<>();
        for (int t = 0; t < 8; t++) { final int k = t; fs.add(ex.submit(() -> { long a = 0; for (int i = 0; i < 100000; i++) a += i ^ k; return a; })); }
        long tot = 0; for (Future<Long> f : fs) tot += f.get();
        ex.shutdown();
        System.out.println("threads " + tot);
        int npe = 0, ae = 0;
        String[] strs = { "a", null, "ccc" };
        for (int i = 0; i < 30000; i++) {
            try { len(strs[i % 3]); } catch (NullPointerException e) { npe++; }
            try { div(i, i % 5); } catch (ArithmeticException e) { ae++; }
        }
        System.out.println("npe " + npe + " ae " + ae);
        try { recurse(); } catch (StackOverflowError e) { System.out.println("stack overflow caught " + (depth > 1000)); }
        byte[][] junk = new byte[2000][];
        for (int i = 0; i < 20000; i++) junk[i % 2000] = new byte[1024];
        System.gc();
        System.out.println("gc ok " + junk.length + " " + Arrays.hashCode(new int[] { 1, 2, 3 }) + " " + "h\u00e9llo".toUpperCase() + " " + Integer.toHexString(Float.floatToIntBits(0.1f)));
    }
}
JAVA
javac -d . T.java || exit 1
$RUN /usr/bin/java -version
echo "java -version gave $?"
$RUN /usr/bin/java -Xss1m -cp . T
echo "java gave $?"
