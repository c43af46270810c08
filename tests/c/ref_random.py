#!/usr/bin/python3
"""Generate PyTorch reference data for tests/c/test_random.c.

Usage:
    /usr/bin/python3 tests/c/ref_random.py            # print the table
    /usr/bin/python3 tests/c/ref_random.py --update   # rewrite the table
                                                      # inside test_random.c

Every step's output tensor is hashed (FNV-1a 64 over its raw bytes) so the C
driver checks every element bit for bit without storing them all. Steps with
capability 0 are generated in a subprocess with ATEN_CPU_CAPABILITY=default
(libtorch's generic kernels); capability 1 is the AVX2 build PyTorch picks on
an x86-64 AVX2 machine.
"""
import os
import subprocess
import sys

import torch

OPS = {
    "RN32": torch.float32, "RN64": torch.float64,
    "RU32": torch.float32, "RU64": torch.float64,
    "RI64": torch.int64, "RI32": torch.int32,
    "RF32": torch.float32, "RF64": torch.float64,
}


def fnv1a(data):
    h = 0xcbf29ce484222325
    for byte in data:
        h ^= byte
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def scripts():
    """List of (capability, seed, [steps]); a step is (op, n, a, b)."""
    out = []
    sizes = [1, 2, 3, 15, 16, 17, 31, 32, 33, 100, 1000]
    for seed in [0, 1, 42, 12345, 123456789, 2**40 + 3, 2**64 - 1]:
        for op in ["RN32", "RN64", "RU32", "RU64"]:
            out.append((1, seed, [(op, n, 0.0, 1.0) for n in sizes]))
    # continuation of the stream across calls and kinds, with the cached
    # Box-Muller sample carried between small normal calls
    out.append((1, 7, [("RN32", 3, 0.0, 1.0), ("RU32", 20, 0.0, 1.0),
                       ("RN32", 100, 0.0, 1.0), ("RN64", 5, 0.0, 1.0),
                       ("RN32", 1, 0.0, 1.0), ("RU64", 17, 0.0, 1.0),
                       ("RN64", 1, 0.0, 1.0), ("RI64", 10, 0, 10),
                       ("RN32", 33, 0.0, 1.0), ("RN32", 2, 0.0, 1.0),
                       ("GS", 0, 0, 0)]))
    # non-standard mean/std and uniform ranges (fused multiply-add in AVX2)
    for cap in [1, 0]:
        steps = []
        for (m, s) in [(2.5, 0.3), (-1.7, 3.1), (100.0, 7.0)]:
            for op in ["RN32", "RN64"]:
                for n in [3, 16, 33, 1000]:
                    steps.append((op, n, m, s))
        for (a, b) in [(-3.7, 11.3), (0.3, 0.31), (-1000.0, 100000.0)]:
            for op in ["RU32", "RU64"]:
                for n in [5, 1000]:
                    steps.append((op, n, a, b))
        out.append((cap, 99, steps))
        # plain randn in the generic kernels (libm float path for n >= 16)
        for seed in [1, 42]:
            out.append((cap, seed, [("RN32", n, 0.0, 1.0)
                                    for n in [3, 16, 17, 33, 1000, 4099]]))
    # randint: all dtypes, small and >= 2^32 ranges (64-bit draws)
    ri = []
    for op in ["RI64", "RI32", "RF32", "RF64"]:
        for (lo, hi) in [(0, 10), (-5, 5), (3, 4), (-1000, 2**31 - 1),
                         (0, 2**32), (-7, 2**40)]:
            if op == "RI32" and hi > 2**31 - 1:
                continue
            if op == "RF32" and hi - lo > 2**24:
                continue
            ri.append((op, 37, lo, hi))
    out.append((1, 2024, ri))
    out.append((1, 2**63 + 5, [("RI64", 1000, -(2**62), 2**62),
                               ("RI64", 100, 0, 3)]))
    return out


def run_script(seed, steps):
    torch.manual_seed(seed)
    hashes = []
    for (op, n, a, b) in steps:
        if op == "GS":
            t = torch.get_rng_state()
        elif op.startswith("RN"):
            if (a, b) == (0.0, 1.0):
                t = torch.randn(n, dtype=OPS[op])
            else:
                t = torch.empty(n, dtype=OPS[op]).normal_(a, b)
        elif op.startswith("RU"):
            if (a, b) == (0.0, 1.0):
                t = torch.rand(n, dtype=OPS[op])
            else:
                t = torch.empty(n, dtype=OPS[op]).uniform_(a, b)
        else:
            t = torch.randint(a, b, (n,), dtype=OPS[op])
        hashes.append(fnv1a(t.numpy().tobytes()))
    return hashes


def child():
    """Compute hashes for capability-0 scripts (run with the env var set)."""
    for i, (cap, seed, steps) in enumerate(scripts()):
        if cap == 0:
            print(i, " ".join(str(h) for h in run_script(seed, steps)))



def table():
    env = dict(os.environ, ATEN_CPU_CAPABILITY="default")
    res = subprocess.run([sys.executable, __file__, "--child"], env=env,
                         check=True, capture_output=True, text=True).stdout
    cap0 = {}
    for line in res.strip().splitlines():
        parts = line.split()
        cap0[int(parts[0])] = [int(h) for h in parts[1:]]
    lines = []
    for i, (cap, seed, steps) in enumerate(scripts()):
        hashes = cap0[i] if cap == 0 else run_script(seed, steps)
        lines.append("  {STEP_SEED, %d, 0, 0, 0, 0, UINT64_C(%d)}," % (cap, seed))
        for (op, n, a, b), h in zip(steps, hashes):
            if op.startswith("RI") or op.startswith("RF"):
                lines.append("  {STEP_%s, %d, 0, 0, INT64_C(%d), INT64_C(%d), "
                             "UINT64_C(0x%016x)}," % (op, n, a, b, h))
            else:
                lines.append("  {STEP_%s, %d, %r, %r, 0, 0, UINT64_C(0x%016x)},"
                             % (op, n, float(a), float(b), h))
    return "\n".join(lines) + "\n"


def main():
    if "--child" in sys.argv:
        child()
        return
    text = table()
    if "--update" in sys.argv:
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "test_random.c")
        src = open(path).read()
        begin = "/* BEGIN GENERATED by ref_random.py */\n"
        end = "/* END GENERATED */"
        i, j = src.index(begin) + len(begin), src.index(end)
        open(path, "w").write(src[:i] + text + src[j:])
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
