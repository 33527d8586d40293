#!/usr/bin/env python3
"""insnprof.py -- hostprof.py's weighting of one `-d exec,out_asm` log, by
instruction text (immediates folded to #i) instead of by kind: which host
instruction sequences the translated code runs most (the jump-cache probe,
lazy-flag moves, constants).

    insnprof.py LOG [TOP]     mnemonic shares, then the TOP heaviest texts
"""
import collections
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import hostprof  # noqa: E402


def norm(text):
    """An instruction's text with its immediates folded."""
    t = re.sub(r'#-?0x[0-9a-f]+|#-?\d+', '#i', text)
    t = re.sub(r'\s+', ' ', t)
    return re.sub(r'b\.(\w+) #i', r'b.\1', t)


def main():
    hostprof.kind = norm            # block_weights counts by kind(text)
    counts, pairs, code = hostprof.parse(sys.argv[1])
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    _, texts, total = hostprof.block_weights(counts, pairs, code)
    print('host instructions', total)
    mn = collections.Counter()
    for k, n in texts.items():
        mn[k.split()[0]] += n
    print(' '.join(f'{m}:{100 * n / max(total, 1):.1f}' for m, n in mn.most_common(30)))
    for k, n in texts.most_common(top):
        print(f'{100 * n / max(total, 1):5.2f}% {n:10d}  {k}')


if __name__ == '__main__':
    main()
