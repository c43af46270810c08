#!/usr/bin/env python3
"""Resident memory of PyTorch's mlp_large over its 20 iterations (companion of memory.R).

Run:  /usr/bin/python3 bench/memory_pytorch.py [threads]
The loop is pytorch_bench.py's mlp(4096, 256, 1024, 20). Prints "<what> <iteration> <bytes>":
the RSS before the loop, after every iteration, and the peak (VmHWM) at the end.
"""
import sys

import torch


def rss(field="VmRSS"):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return -1


def main():
    torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
    n, d_in, d_hidden, iters, lr = 4096, 256, 1024, 20, 1e-4
    torch.manual_seed(1)
    x = torch.randn(n, d_in)
    y = x[:, 0:1] * 0.2 - x[:, 1:2] * 1.3 - x[:, 2:3] * 0.5 + torch.randn(n, 1)
    w1 = torch.randn(d_in, d_hidden, requires_grad=True)
    w2 = torch.randn(d_hidden, 1, requires_grad=True)
    b1 = torch.zeros(1, d_hidden, requires_grad=True)
    b2 = torch.zeros(1, 1, requires_grad=True)
    print("rss_before 0", rss(), flush=True)
    for t in range(1, iters + 1):
        y_pred = x.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2)
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with torch.no_grad():
            for p in (w1, w2, b1, b2):
                p.sub_(lr * p.grad)
                p.grad.zero_()
        print("rss", t, rss(), flush=True)
    print("hwm", iters, rss("VmHWM"), flush=True)


if __name__ == "__main__":
    main()
