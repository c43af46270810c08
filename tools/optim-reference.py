#!/usr/bin/python3
# Reference numbers for tests/testthat/test-optim.R, test-nnf.R and test-nn.R, computed
# with PyTorch (Debian's python3-torch, 1.13). Run: /usr/bin/python3 tools/optim-reference.py
#
# Optimisers: the Rosenbrock function f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 in float64
# from (-1.5, 2); 100 steps of each optimiser; the point after steps 1, 2, 3, 10, 20, ...,
# 100 is printed as R code (a matrix with one row per recorded step).
#
# With the argument "nnf", prints float32 values of the nn functional losses for
# tests/testthat/test-nnf.R; with "init", the initialisations for test-nn.R.
import math
import sys
import torch

torch.set_default_dtype(torch.float64)
O = torch.optim
RECORD = [1, 2, 3, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
START = (-1.5, 2.0)


def rosen(p):
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def fmt(v):
    return repr(float(v))


def emit(name, rows):
    lines = ",\n    ".join("%s, %s" % (fmt(r[0]), fmt(r[1])) for r in rows)
    print("  %s = matrix(c(\n    %s\n  ), ncol = 2, byrow = TRUE)," % (name, lines))


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


def optim_section():
    print("optim_ref <- list(")
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

def lr_section():
    print("lr_ref <- list(")
    for nm, mk, n in [
        ("step", lambda o: O.lr_scheduler.StepLR(o, step_size=3, gamma=0.5), 10),
        ("mult", lambda o: O.lr_scheduler.MultiplicativeLR(o, lr_lambda=lambda e: 0.9), 10),
        ("one_cycle", lambda o: O.lr_scheduler.OneCycleLR(o, max_lr=1, total_steps=10), 9),
    ]:
        a, m = lrs(mk, n)
        for key, vals in ((nm, a), (nm + "_momentum", m)):
            chunks = [", ".join(fmt(v) for v in vals[k:k + 4]) for k in range(0, len(vals), 4)]
            print("  %s = c(\n    %s\n  )," % (key, ",\n    ".join(chunks)))
    print("  NULL\n)")



# ---------------------------------------------------------------- nn functional (float32)
def vec(name, t):
    vals = [fmt(v) for v in t.detach().double().reshape(-1).tolist()]
    chunks = [", ".join(vals[k:k + 4]) for k in range(0, len(vals), 4)]
    print("  %s = c(\n    %s\n  )," % (name, ",\n    ".join(chunks)))


def nnf_section():
    F = torch.nn.functional
    f32 = torch.float32
    x = torch.tensor([[0.5, -1.25, 2.0, 0.1], [3.0, 2.5, -0.75, 1.5], [-2.0, 0.3, 0.7, -0.4]], dtype=f32)
    big = torch.tensor([[1000.0, 1001.0, 1002.5], [-50.0, 0.0, 50.0]], dtype=f32)
    tgt = torch.tensor([[0.25, 1.0, 1.5, -0.5], [2.0, 2.0, 0.0, 1.0], [-1.0, 0.5, 1.0, 0.0]], dtype=f32)
    cls = torch.tensor([3, 0, 2])  # 0-based here, 1-based in R: c(4, 1, 3)
    w = torch.tensor([0.5, 1.0, 2.0, 1.5], dtype=f32)
    x3 = torch.tensor([[[0.2, -0.1], [1.0, 0.4], [-0.3, 0.8]],
                       [[0.5, 0.5], [-1.0, 2.0], [0.0, 0.1]]], dtype=f32)  # (N=2, C=3, d=2)
    cls3 = torch.tensor([[2, 0], [1, 1]])
    probs = torch.tensor([0.9, 0.2, 0.6, 0.01, 0.999, 0.5], dtype=f32)
    ybin = torch.tensor([1.0, 0.0, 1.0, 0.0, 0.0, 1.0], dtype=f32)
    logits = torch.tensor([2.0, -1.0, 0.5, -30.0, 40.0, 0.0], dtype=f32)
    wbin = torch.tensor([1.0, 2.0, 0.5, 1.0, 3.0, 1.0], dtype=f32)
    posw = torch.tensor([3.0], dtype=f32)
    print("nnf_ref <- list(")
    vec("softmax2", F.softmax(x, dim=1))
    vec("softmax1", F.softmax(x, dim=0))
    vec("log_softmax2", F.log_softmax(x, dim=1))
    vec("log_softmax1", F.log_softmax(x, dim=0))
    vec("softmax_big", F.softmax(big, dim=1))
    vec("log_softmax_big", F.log_softmax(big, dim=1))
    vec("mse_mean", F.mse_loss(x, tgt))
    vec("mse_sum", F.mse_loss(x, tgt, reduction="sum"))
    vec("mse_none", F.mse_loss(x, tgt, reduction="none"))
    vec("l1_mean", F.l1_loss(x, tgt))
    vec("l1_none", F.l1_loss(x, tgt, reduction="none"))
    vec("ce_mean", F.cross_entropy(x, cls))
    vec("ce_sum", F.cross_entropy(x, cls, reduction="sum"))
    vec("ce_none", F.cross_entropy(x, cls, reduction="none"))
    vec("ce_weight", F.cross_entropy(x, cls, weight=w))
    vec("ce_weight_none", F.cross_entropy(x, cls, weight=w, reduction="none"))
    vec("ce_ignore", F.cross_entropy(x, torch.tensor([3, 0, 1]), ignore_index=1))
    vec("ce_3d", F.cross_entropy(x3, cls3))
    vec("ce_3d_none", F.cross_entropy(x3, cls3, reduction="none"))
    vec("ce_probs", F.cross_entropy(x, F.softmax(tgt, dim=1)))
    vec("nll_mean", F.nll_loss(F.log_softmax(x, dim=1), cls))
    vec("nll_weight_sum", F.nll_loss(x, cls, weight=w, reduction="sum"))
    vec("bce_mean", F.binary_cross_entropy(probs, ybin))
    vec("bce_none", F.binary_cross_entropy(probs, ybin, reduction="none"))
    vec("bce_weight_sum", F.binary_cross_entropy(probs, ybin, weight=wbin, reduction="sum"))
    vec("bce_edge", F.binary_cross_entropy(torch.tensor([0.0, 1.0, 0.0], dtype=f32),
                                           torch.tensor([1.0, 0.0, 0.0], dtype=f32), reduction="none"))
    vec("bcel_mean", F.binary_cross_entropy_with_logits(logits, ybin))
    vec("bcel_none", F.binary_cross_entropy_with_logits(logits, ybin, reduction="none"))
    vec("bcel_weight_pos", F.binary_cross_entropy_with_logits(logits, ybin, weight=wbin,
                                                              pos_weight=posw, reduction="none"))
    print("  NULL\n)")


# ---------------------------------------------------------------- initialisation
def init_section():
    import hashlib
    init = torch.nn.init
    torch.set_default_dtype(torch.float32)

    def md5(t):
        return hashlib.md5(t.detach().contiguous().numpy().tobytes()).hexdigest()

    print("init_ref <- list(")
    for s, (i, o) in [(42, (100, 50)), (7, (3, 17)), (2024, (64, 10))]:
        torch.manual_seed(s)
        l = torch.nn.Linear(i, o)
        print('  linear_%d = c(weight = "%s", bias = "%s"),' % (s, md5(l.weight), md5(l.bias)))
    cases = [
        ("uniform", lambda t: init.uniform_(t, -0.3, 0.7), (6, 7)),
        ("normal", lambda t: init.normal_(t, 0.0, 0.5), (6, 7)),
        ("normal_small", lambda t: init.normal_(t, 0.0, 0.5), (3, 4)),
        ("kaiming_uniform", lambda t: init.kaiming_uniform_(t, a=0.1, mode="fan_out",
                                                            nonlinearity="leaky_relu"), (8, 5)),
        ("kaiming_normal", lambda t: init.kaiming_normal_(t, nonlinearity="relu"), (8, 5)),
        ("xavier_uniform", lambda t: init.xavier_uniform_(t, gain=2.0), (4, 9)),
        ("xavier_normal", lambda t: init.xavier_normal_(t), (4, 9)),
    ]
    for name, fn, shape in cases:
        torch.manual_seed(11)
        t = torch.empty(shape)
        fn(t)
        print('  %s = "%s",' % (name, md5(t)))
        print('  %s_head = c(%s),' % (name, ", ".join(fmt(v) for v in t.reshape(-1)[:3].tolist())))
    torch.manual_seed(11)
    t = torch.empty(5, dtype=torch.float64)
    init.uniform_(t, -2.0, 3.0)
    vec("uniform_f64", t)
    print("  NULL\n)")


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "optim"
    if what == "optim":
        optim_section()
        lr_section()
    elif what == "nnf":
        nnf_section()
    elif what == "init":
        init_section()
