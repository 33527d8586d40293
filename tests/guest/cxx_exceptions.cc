// cxx_exceptions.cc -- C++ exceptions: libgcc's unwinder (libgcc_s.so.1 in
// the dynamic build, libgcc_eh.a in the static ones) runs `rdsspq` to ask
// for a shadow stack and `endbr64` lands every catch; both must be NOPs.
// Throws of scalars, strings and a class hierarchy, destructors run while
// unwinding, rethrow, nested handlers, std::exception_ptr, exceptions
// through function pointers and from another thread, standard-library
// throws, and at last an uncaught exception: std::terminate -> SIGABRT.
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

struct Base { virtual ~Base() {} virtual const char *what() const { return "Base"; } };
struct Derived : Base { int v; explicit Derived(int x) : v(x) {} const char *what() const override { return "Derived"; } };

struct Guard {
    const char *name;
    explicit Guard(const char *n) : name(n) {}
    ~Guard() { std::printf("  ~Guard(%s)\n", name); }
};

static int depth_throw(int n)
{
    Guard g(n % 2 ? "odd" : "even");
    if (n == 0) throw Derived(42);
    return depth_throw(n - 1) + 1;
}

// Threads print nothing while unwinding (their order is not fixed).
static int quiet_throw(int n)
{
    std::unique_ptr<int> owned(new int(n));
    if (n == 0) throw Derived(42);
    return quiet_throw(n - 1) + *owned;
}

static void throw_int() { throw 7; }
static void throw_string() { throw std::string("a string"); }
static void throw_runtime() { throw std::runtime_error("runtime"); }

static void via_pointer(void (*fn)())
{
    Guard g("via_pointer");
    fn();
}

static void rethrower()
{
    try {
        throw_runtime();
    } catch (std::exception &e) {
        std::printf("  rethrowing %s\n", e.what());
        throw;
    }
}

static void nested()
{
    try {
        try {
            throw_int();
        } catch (int i) {
            std::printf("  inner caught %d\n", i);
            throw_string();
        }
    } catch (const std::string &s) {
        std::printf("  outer caught %s\n", s.c_str());
    }
}

static void thread_body(int id, int *out)
{
    try {
        quiet_throw(id * 10);
    } catch (Base &b) {
        *out = id * 100 + static_cast<Derived &>(b).v;
    }
}

int main()
{
    try { depth_throw(5); } catch (Base &b) { std::printf("caught %s v=%d\n", b.what(), static_cast<Derived &>(b).v); }
    void (*fns[])() = { throw_int, throw_string, throw_runtime };
    for (auto fn : fns) {
        try { via_pointer(fn); }
        catch (int i) { std::printf("caught int %d\n", i); }
        catch (const std::string &s) { std::printf("caught string %s\n", s.c_str()); }
        catch (const std::exception &e) { std::printf("caught std::exception %s\n", e.what()); }
    }
    try { rethrower(); } catch (const std::runtime_error &e) { std::printf("caught rethrown %s\n", e.what()); }
    nested();
    std::exception_ptr ep;
    try { throw std::logic_error("stored"); } catch (...) { ep = std::current_exception(); }
    try { std::rethrow_exception(ep); } catch (const std::logic_error &e) { std::printf("exception_ptr %s\n", e.what()); }
    try { std::vector<int> v(3); (void)v.at(10); } catch (const std::out_of_range &) { std::printf("vector::at out_of_range\n"); }
    try { (void)std::stoi("zz"); } catch (const std::invalid_argument &) { std::printf("stoi invalid_argument\n"); }
    int results[4] = { 0, 0, 0, 0 };
    std::vector<std::thread> ts;
    for (int i = 0; i < 4; i++) ts.emplace_back(thread_body, i + 1, &results[i]);
    for (auto &t : ts) t.join();
    std::printf("threads %d %d %d %d\n", results[0], results[1], results[2], results[3]);
    int caught = 0;
    for (int i = 0; i < 2000; i++) {
        try { throw i; } catch (int v) { caught += v & 1; }
    }
    std::printf("loop caught %d\n", caught);
    std::fflush(stdout);
    throw std::runtime_error("uncaught at the end");
}
