#!/usr/bin/python3
# Reference numbers for tests/testthat/test-optim.R, test-nnf.R and test-nn.R, computed
# with PyTorch (Debian's python3-torch, 1.13). Run: /usr/bin/python3 tools/optim-reference.py
#
# Optimisers: the Rosenbrock function f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 in float64
# from (-1.5, 2); 100 steps of each optimiser; the point after steps 1, 2, 3, 10, 20, ...,
# 100 is printed as R code (a matrix with one row per recorded step).
import math
import torch

torch.set_default_dtype(torch.float64)
RECORD = [1, 2, 3, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
START = (-1.5, 2.0)


def rosen(p):
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def fmt(v):
    return repr(float(v))


def emit(name, rows):
    vals = ", ".join(fmt(v) for r in rows for v in r)
    print("  %s = matrix(c(%s), ncol = 2, byrow = TRUE)," % (name, vals))


def run(name, make, steps=100, split=False, sched=None):
    if split:
        # two parameters (x and y), each its own tensor
        px = torch.tensor([START[0]], requires_grad=True)
        py = torch.tensor([START[1]], requires_grad=True)
        params = [px, py]
        get = lambda: (px.item(), py.item())
        f = lambda: rosen(torch.cat([px, py]))
    else:
        p = torch.tensor(START, requires_grad=True)
        params = p
        get = lambda: (p[0].item(), p[1].item())
        f = lambda: rosen(p)
    opt = make(params)
    s = sched(opt) if sched else None
    rows = []
    for i in range(1, steps + 1):
        opt.zero_grad()
        loss = f()
        loss.backward()
        opt.step()
        if s is not None:
            s.step()
        if i in RECORD:
            rows.append(get())
    emit(name, rows)


def run_lbfgs(name, steps, **kw):
    p = torch.tensor(START, requires_grad=True)
    opt = torch.optim.LBFGS([p], **kw)

    def closure():
        opt.zero_grad()
        loss = rosen(p)
        loss.backward()
        return loss

    rows = []
    for i in range(steps):
        opt.step(closure)
        rows.append((p[0].item(), p[1].item()))
    emit(name, rows)
    st = opt.state[p]
    print("  # %s: func_evals = %d, n_iter = %d" % (name, st["func_evals"], st["n_iter"]))


print("optim_ref <- list(")
O = torch.optim
run("sgd", lambda p: O.SGD([p] if not isinstance(p, list) else p, lr=1e-3))
run("sgd_momentum", lambda p: O.SGD([p], lr=1e-3, momentum=0.9, dampening=0.1))
run("sgd_nesterov", lambda p: O.SGD([p], lr=1e-3, momentum=0.9, nesterov=True))
run("sgd_wd", lambda p: O.SGD([p], lr=1e-3, momentum=0.5, dampening=0.2, weight_decay=0.1))
run("adam", lambda p: O.Adam([p], lr=0.05))
run("adam_amsgrad_wd", lambda p: O.Adam([p], lr=0.05, betas=(0.8, 0.99), eps=1e-6,
                                        weight_decay=0.1, amsgrad=True))
run("adamw", lambda p: O.AdamW([p], lr=0.05))
run("adamw_amsgrad", lambda p: O.AdamW([p], lr=0.05, weight_decay=0.1, amsgrad=True))
run("rmsprop", lambda p: O.RMSprop([p], lr=1e-3))
run("rmsprop_centered", lambda p: O.RMSprop([p], lr=1e-3, alpha=0.9, eps=1e-6, weight_decay=0.01,
                                            momentum=0.5, centered=True))
run("adagrad", lambda p: O.Adagrad([p], lr=0.1))
run("adagrad_opts", lambda p: O.Adagrad([p], lr=0.5, lr_decay=0.01, weight_decay=0.01,
                                        initial_accumulator_value=0.1, eps=1e-8))
# parameter groups with their own lr
run("adam_groups", lambda ps: O.Adam([{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.01}],
                                     lr=0.05), split=True)
run("sgd_groups", lambda ps: O.SGD([{"params": [ps[0]], "lr": 1e-3},
                                    {"params": [ps[1]], "momentum": 0.5}],
                                   lr=2e-3, momentum=0.9), split=True)
# schedulers
run("sgd_step_lr", lambda p: O.SGD([p], lr=2e-3, momentum=0.9),
    sched=lambda o: O.lr_scheduler.StepLR(o, step_size=30, gamma=0.5))
run("sgd_mult_lr", lambda p: O.SGD([p], lr=2e-3),
    sched=lambda o: O.lr_scheduler.MultiplicativeLR(o, lr_lambda=lambda e: 0.99))
run("sgd_one_cycle", lambda p: O.SGD([p], lr=1e-3, momentum=0.9),
    sched=lambda o: O.lr_scheduler.OneCycleLR(o, max_lr=2e-3, total_steps=100))
run("adam_one_cycle_linear", lambda p: O.Adam([p], lr=1e-3),
    sched=lambda o: O.lr_scheduler.OneCycleLR(o, max_lr=0.05, epochs=10, steps_per_epoch=10,
                                              anneal_strategy="linear", pct_start=0.25))
run_lbfgs("lbfgs_wolfe", 5, lr=1, line_search_fn="strong_wolfe")
run_lbfgs("lbfgs_wolfe_hist", 5, lr=1, max_iter=10, history_size=3, line_search_fn="strong_wolfe")
run_lbfgs("lbfgs_plain", 5, lr=0.05, max_iter=20)
print("  NULL\n)")

# learning-rate sequences
def lrs(make_sched, n, opt_lr=0.1, momentum=0.9):
    p = torch.zeros(1, requires_grad=True)
    o = O.SGD([p], lr=opt_lr, momentum=momentum)
    s = make_sched(o)
    out = [o.param_groups[0]["lr"]]
    mom = [o.param_groups[0]["momentum"]]
    for _ in range(n):
        o.step()
        s.step()
        out.append(o.param_groups[0]["lr"])
        mom.append(o.param_groups[0]["momentum"])
    return out, mom

print("lr_ref <- list(")
for nm, mk, n in [
    ("step", lambda o: O.lr_scheduler.StepLR(o, step_size=3, gamma=0.5), 10),
    ("mult", lambda o: O.lr_scheduler.MultiplicativeLR(o, lr_lambda=lambda e: 0.9), 10),
    ("one_cycle", lambda o: O.lr_scheduler.OneCycleLR(o, max_lr=1, total_steps=10), 9),
]:
    a, m = lrs(mk, n)
    print("  %s = c(%s)," % (nm, ", ".join(fmt(v) for v in a)))
    print("  %s_momentum = c(%s)," % (nm, ", ".join(fmt(v) for v in m)))
print("  NULL\n)")
