# gxx.sh -- g++ under ferry (cc1plus, as, collect2/ld all run translated)
# builds a throwing C++ program whose binary must equal the native build's,
# which then runs under ferry: libgcc_s's unwinder executes rdsspq and
# endbr64 (SIGILL before).  FERRY_LOG=unimpl (ignored natively) makes any
# untranslated instruction show up on stderr, which must stay empty.
export FERRY_LOG=unimpl
cat > t.cc <<'CC'
#include <cstdio>
struct Err { int code; };
struct Guard { const char *n; ~Guard() { std::printf("unwound %s\n", n); } };
static int deep(int n) { Guard g{n % 2 ? "odd" : "even"}; if (!n) throw Err{n + 42}; return deep(n - 1); }
int main() {
    try { deep(3); } catch (const Err &e) { std::printf("caught %d\n", e.code); }
    try { throw 7; } catch (int i) { std::printf("caught int %d\n", i); }
    try { try { throw 1.5; } catch (double) { std::printf("rethrow\n"); throw; } }
    catch (double d) { std::printf("caught double %g\n", d); }
    throw Err{1};
}
CC
$RUN /usr/bin/g++ -O2 -o t t.cc; echo "g++: $?"
sha256sum t
$RUN ./t; echo "t: $?"
