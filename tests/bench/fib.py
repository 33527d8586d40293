# fib.py -- the python3 benchmark: naive recursive Fibonacci (the
# interpreter's call path, frame objects and integer arithmetic).
#   python3 fib.py N
import sys


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


print(fib(int(sys.argv[1])))
