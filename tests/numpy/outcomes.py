#!/usr/bin/python3
# outcomes.py -- per-test outcomes of pytest JUnit XML files, and their
# comparison: the numpy sweep's oracle is the native run's outcomes.
#
#   outcomes.py NATIVE.xml OTHER.xml [NAME]
# prints "NAME: native P passed F failed S skipped X xfailed E errors;
# other ...", then each test whose outcome differs (or is missing from
# one side), and exits 1 if any differs.
import sys
import xml.etree.ElementTree as ET


def outcomes(path):
    """{test id: outcome} of a JUnit XML file ({} if it is missing)."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return {}
    out = {}
    for case in root.iter("testcase"):
        tid = case.get("classname", "") + "::" + case.get("name", "")
        kinds = [child.tag for child in case]
        if "failure" in kinds:
            out[tid] = "failed"
        elif "error" in kinds:
            out[tid] = "error"
        elif "skipped" in kinds:
            sk = case.find("skipped")
            # pytest writes xfail as <skipped type="pytest.xfail">
            out[tid] = "xfailed" if sk.get("type") == "pytest.xfail" else "skipped"
        else:
            out[tid] = "passed"
    return out


def summary(res):
    n = {}
    for v in res.values():
        n[v] = n.get(v, 0) + 1
    return " ".join("%d %s" % (n.get(k, 0), k)
                    for k in ("passed", "failed", "skipped", "xfailed", "error"))


def main():
    native, other = outcomes(sys.argv[1]), outcomes(sys.argv[2])
    name = sys.argv[3] if len(sys.argv) > 3 else sys.argv[2]
    print("%s: native %s; other %s" % (name, summary(native), summary(other)))
    diff = 0
    for tid in sorted(set(native) | set(other)):
        a, b = native.get(tid, "missing"), other.get(tid, "missing")
        if a != b:
            print("  DIFF %s: native %s, other %s" % (tid, a, b))
            diff += 1
    if not native and not other:
        print("  no results on either side")
        diff = 1
    sys.exit(1 if diff else 0)


if __name__ == "__main__":
    main()
