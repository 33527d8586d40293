"""execlog.py -- reads one `ferry --no-tcache -d exec,... -D LOG` log (-d
exec logs every block entry): how often each block was entered and each
pair of consecutive blocks ran, and the lines of one other kind as split
words.  Shared by flagscan.py and entryuse.py."""
import collections

MASK = (1 << 48) - 1


def read(path, tag):
    """(pairs, runs, rows): pairs[pc, next pc] and runs[pc] count block
    entries (pcs masked to 48 bits); rows holds the words of each
    `TAG: ` line, in order."""
    pairs, runs, rows, prev = collections.Counter(), collections.Counter(), [], None
    prefix = tag + ': '
    for line in open(path, errors='replace'):
        if line.startswith('exec: '):
            try:
                pc = int(line[6:].split()[0].rstrip(':'), 16) & MASK
            except ValueError:          # (another process's line ran into it)
                continue
            runs[pc] += 1
            if prev is not None:
                pairs[prev, pc] += 1
            prev = pc
        elif line.startswith(prefix):
            rows.append(line.split())
    return pairs, runs, rows
