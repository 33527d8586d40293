# verdicts.py -- the per-test verdicts in a `python3 -m test -v` log
# (tests/pyregr/pyregr-sweep.sh): a "MODULE RESULT" line for regrtest's own
# verdict on the module (SUCCESS, FAILURE, ENV_CHANGED, SKIPPED, CRASHED, NONE
# when the log has none), then "TEST_ID VERDICT" lines, sorted.  unittest's
# verbose lines are "name (module.Class.name) ... ok" with at most one
# docstring line between (and the test's own output before the verdict; a
# slow test's "12.80s " can open the next test's line);
# timings and tracebacks are not compared.
#   python3 verdicts.py MODULE LOG
import re
import sys

KEYS = ("ok", "FAIL", "ERROR", "skipped", "expected failure", "unexpected success")


def verdict_of(r):
    r = r.strip()
    for key in KEYS:
        if r == key or r.startswith(key + " ") or r.endswith(" " + key):
            return "skipped" if key == "skipped" else key
    return None


def test_verdicts(text):
    """A test's verdict follows its " ... "; output the test printed itself
    may come between (up to 50 lines: the first line that is a verdict)."""
    verdicts = {}
    lines = text.split("\n")
    for m in re.finditer(r"^(?:[\d.]+s )?(\w+) \(([\w.]+)\)(?:\n[^\n]*?)?\s\.\.\.\s(.*?)$", text, re.M):
        v = verdict_of(m.group(3))
        if v is None:
            at = text.count("\n", 0, m.end())
            for line in lines[at + 1:at + 51]:
                v = verdict_of(line)
                if v:
                    break
        verdicts[m.group(2)] = v or "?"
    return verdicts


def module_result(module, text):
    m = re.search(r"^== Tests result: (.*?) ==$", text, re.M)
    if not m:
        return "NONE"
    r = m.group(1)
    if re.search(r"^%s (failed \(env changed\))" % re.escape(module), text, re.M):
        return "ENV_CHANGED"
    if re.search(r"^%s (crashed|timed out|failed)\b" % re.escape(module), text, re.M):
        return "CRASHED" if "crashed" in text or "timed out" in text else r
    if re.search(r"^%s skipped\b" % re.escape(module), text, re.M) or "1 test skipped:" in text:
        return "SKIPPED"
    return r


def main():
    module, log = sys.argv[1], sys.argv[2]
    text = open(log, errors="replace").read()
    v = test_verdicts(text)
    print("MODULE", module_result(module, text))     # first: C order, for comm
    for name in sorted(v):
        print(name, v[name])


main()
