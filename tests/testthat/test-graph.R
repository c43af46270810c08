# The seed's four-parameter chain-rule example (torchviz's make_dot picture in the seed).
seed002 <- function() {
  p1 <- torch_tensor(1.0, requires_grad = TRUE)
  p2_1 <- torch_tensor(2.0, requires_grad = TRUE)
  p2_2 <- torch_tensor(3.0, requires_grad = TRUE)
  p3 <- torch_tensor(1.5, requires_grad = TRUE)
  x <- 3
  o1 <- (p1 * x)^2 + 1
  o2_1 <- (p2_1 * o1)^0.5 - 4
  o2_2 <- (p2_2 * o1)$sin()
  o3 <- (p3 * (o2_1 + 2 * o2_2) + 9)^0.3
  y <- 8 * o3
  environment()
}

# "consumer <- input" pairs of a graph, by label
edge_names <- function(g) {
  lab <- gsub("\n", " ", g$nodes$label)
  sort(paste(lab[g$edges$to], "<-", lab[g$edges$from]))
}

test_that("the graph of the chain-rule example has the expected nodes", {
  e <- seed002()
  g <- autograd_graph(e$y, env = e)
  expect_s3_class(g, "torch_autograd_graph")
  nd <- g$nodes
  expect_equal(nrow(nd), 19)
  expect_equal(nd$id, 1:19)
  expect_equal(as.vector(table(nd$kind)[c("output", "function", "leaf")]), c(1, 14, 4))
  expect_equal(as.list(table(nd$name[nd$kind == "function"])),
               list(AddBackward0 = 1L, AddBackward1 = 2L, MulBackward0 = 5L, MulBackward1 = 1L,
                    PowBackward0 = 3L, SinBackward0 = 1L, SubBackward1 = 1L))
  # the output first, named and shaped
  expect_equal(nd$kind[1], "output")
  expect_equal(nd$label[1], "y (1)")
  expect_equal(nd$variable[1], "y")
  expect_equal(nd$depth[1], 0)
  # leaves: named after the variables, with shapes
  leaves <- nd[nd$kind == "leaf", ]
  expect_setequal(leaves$variable, c("p1", "p2_1", "p2_2", "p3"))
  expect_true(all(leaves$name == "AccumulateGrad"))
  expect_true(all(leaves$shape == "(1)"))
  expect_setequal(leaves$label, paste0(c("p1", "p2_1", "p2_2", "p3"), " (1)\nAccumulateGrad"))
  # depth: longest path to the output; p1 is the deepest leaf
  expect_equal(max(nd$depth), 12)
  expect_equal(nd$depth[which(nd$variable == "p1")], 12)
  expect_equal(nd$depth[which(nd$variable == "p3")], 5)
})

test_that("the graph of the chain-rule example has the expected edges", {
  e <- seed002()
  g <- autograd_graph(e$y, env = e)
  ed <- g$edges
  expect_equal(nrow(ed), 19)
  expect_named(ed, c("from", "to", "input"))
  # every edge goes one or more layers down, towards the output
  expect_true(all(g$nodes$depth[ed$from] > g$nodes$depth[ed$to]))
  expect_equal(edge_names(g), sort(c(
    "y (1) <- MulBackward0",              # y = 8 * o3
    "MulBackward0 <- PowBackward0",       # o3 = (...)^0.3
    "PowBackward0 <- AddBackward1",       # ... + 9
    "AddBackward1 <- MulBackward0",       # p3 * (...)
    "MulBackward0 <- p3 (1) AccumulateGrad",
    "MulBackward0 <- AddBackward0",       # o2_1 + 2 * o2_2
    "AddBackward0 <- SubBackward1",       # o2_1 = (...)^0.5 - 4
    "AddBackward0 <- MulBackward0",       # 2 * o2_2
    "SubBackward1 <- PowBackward0",
    "PowBackward0 <- MulBackward0",       # p2_1 * o1
    "MulBackward0 <- p2_1 (1) AccumulateGrad",
    "MulBackward0 <- AddBackward1",       # o1 feeds p2_1 * o1 ...
    "MulBackward0 <- SinBackward0",
    "SinBackward0 <- MulBackward0",       # p2_2 * o1
    "MulBackward0 <- p2_2 (1) AccumulateGrad",
    "MulBackward0 <- AddBackward1",       # ... and p2_2 * o1
    "AddBackward1 <- PowBackward0",       # o1 = (p1 * x)^2 + 1
    "PowBackward0 <- MulBackward1",
    "MulBackward1 <- p1 (1) AccumulateGrad"
  )))
  # o1 (the AddBackward1 that is not above the output's chain) is one node with two consumers
  o1 <- which(g$nodes$name == "AddBackward1" & g$nodes$depth == 9)
  expect_length(o1, 1)
  expect_equal(sum(ed$from == o1), 2)
  # y = 8 * o3: the tensor is the second input of the multiplication (8 needs no gradient)
  expect_equal(ed$input[ed$to == 1], 1)
  expect_equal(ed$input[ed$to == 2], 2)
})

test_that("the graph follows grad_fn$next_functions", {
  x1 <- torch_ones(2, 2, requires_grad = TRUE)
  x2 <- torch_tensor(1.1, requires_grad = TRUE)
  y <- x1 * (x2 + 2)
  z <- y$pow(2) * 3
  out <- z$mean()
  g <- autograd_graph(out)
  expect_equal(g$nodes$label, c("out ()", "MeanBackward0", "MulBackward1", "PowBackward0",
                                "MulBackward0", "x1 (2, 2)\nAccumulateGrad", "AddBackward1",
                                "x2 (1)\nAccumulateGrad")[order(g$nodes$id)])
  expect_equal(g$nodes$depth, 0:7 - c(0, 0, 0, 0, 0, 0, 1, 1))
  expect_equal(edge_names(g), sort(c(
    "out () <- MeanBackward0", "MeanBackward0 <- MulBackward1", "MulBackward1 <- PowBackward0",
    "PowBackward0 <- MulBackward0", "MulBackward0 <- x1 (2, 2) AccumulateGrad",
    "MulBackward0 <- AddBackward1", "AddBackward1 <- x2 (1) AccumulateGrad")))
  # the graph still works for backward afterwards
  out$backward()
  expect_equal(as_array(x2$grad), 18.6, tolerance = 1e-6)
})

test_that("a tensor used twice appears once, with two edges", {
  a <- torch_tensor(c(1, 2), requires_grad = TRUE)
  y <- (a * a)$sum()
  g <- autograd_graph(y)
  expect_equal(nrow(g$nodes), 4)
  expect_equal(sum(g$nodes$kind == "leaf"), 1)
  leaf <- g$nodes$id[g$nodes$kind == "leaf"]
  mul <- g$nodes$id[g$nodes$name %in% "MulBackward0"]
  expect_equal(sum(g$edges$from == leaf & g$edges$to == mul), 2)
  expect_equal(sort(g$edges$input[g$edges$from == leaf]), 1:2)
})

test_that("names come from params first, then env; unknown leaves are 'leaf'", {
  w <- torch_tensor(c(1, 2, 3), requires_grad = TRUE)
  b <- torch_tensor(0.5, requires_grad = TRUE)
  y <- (w * 2 + b)$sum()
  g <- autograd_graph(y, params = list(weight = w))
  expect_setequal(g$nodes$variable[g$nodes$kind == "leaf"], c("weight", "b"))
  g <- autograd_graph(y, env = NULL)
  expect_equal(g$nodes$label[g$nodes$kind == "leaf"],
               c("leaf (3)\nAccumulateGrad", "leaf (1)\nAccumulateGrad")[
                 order(g$nodes$shape[g$nodes$kind == "leaf"] == "(1)")])
  expect_true(all(is.na(g$nodes$variable)))
  expect_equal(g$nodes$label[1], "()") # a 0-d sum
  g <- autograd_graph(y, params = list(w = w, b = b, y = y), env = NULL)
  expect_equal(g$nodes$label[1], "y ()")
  # a copy with the same values is not the same tensor
  w2 <- torch_tensor(c(1, 2, 3), requires_grad = TRUE)
  g <- autograd_graph(y, params = list(w2 = w2), env = NULL)
  expect_false("w2" %in% g$nodes$variable)
  # names are searched in the caller's environment by default
  f <- function() {
    local_param <- torch_tensor(c(2, 2), requires_grad = TRUE)
    autograd_graph((local_param * 3)$sum())
  }
  expect_true("local_param" %in% f()$nodes$variable)
})

test_that("tensors without history give one-node graphs", {
  p <- torch_tensor(c(1, 2), requires_grad = TRUE)
  g <- autograd_graph(p)
  expect_equal(nrow(g$nodes), 1)
  expect_equal(nrow(g$edges), 0)
  expect_equal(g$nodes$label, "p (2)")
  k <- torch_ones(2, 3)
  g <- autograd_graph(k)
  expect_equal(g$nodes$label, "k (2, 3)")
  d <- with_no_grad(p * 2)
  expect_equal(nrow(autograd_graph(d)$nodes), 1)
  # detach() cuts the graph
  z <- (p$detach() * p)$sum()
  g <- autograd_graph(z)
  expect_equal(sum(g$nodes$kind == "leaf"), 1)
  expect_equal(nrow(g$edges), 3)
})

test_that("deep graphs are walked without recursion", {
  x <- torch_tensor(1, requires_grad = TRUE)
  y <- x
  for (i in 1:3000) y <- y * 1.0001
  g <- autograd_graph(y)
  expect_equal(nrow(g$nodes), 3002)
  expect_equal(nrow(g$edges), 3001)
  expect_equal(max(g$nodes$depth), 3001)
  expect_equal(g$nodes$variable[g$nodes$kind == "leaf"], "x")
  expect_length(as_dot(g), 1)
})

test_that("bad arguments give clear errors", {
  expect_error(autograd_graph(1), "tensor", class = "value_error")
  p <- torch_tensor(1, requires_grad = TRUE)
  expect_error(autograd_graph(p * 2, params = list(p)), "named list", class = "value_error")
  expect_error(autograd_graph(p * 2, env = "x"), "environment", class = "value_error")
})

test_that("print shows a summary and an outline", {
  e <- seed002()
  out <- capture.output(print(autograd_graph(e$y, env = e)))
  expect_equal(out[1], "<torch_autograd_graph: 19 nodes (14 functions, 4 leaves), 19 edges>")
  expect_equal(out[2:4], c("y (1)", "  MulBackward0", "    PowBackward0"))
  expect_true(any(grepl("^ +p1 \\(1\\) AccumulateGrad$", out)))
  # the shared node o1 is expanded once
  expect_equal(sum(grepl("AddBackward1 \\(see above\\)", out)), 1)
  p <- torch_tensor(1, requires_grad = TRUE)
  expect_output(print(autograd_graph((p * 2)$sum())),
                "2 functions, 1 leaf), 3 edges", fixed = TRUE)
})

test_that("as_dot writes torchviz-style DOT text", {
  e <- seed002()
  g <- autograd_graph(e$y, env = e)
  dot <- as_dot(g)
  expect_s3_class(dot, "torch_graph_dot")
  expect_type(unclass(dot), "character")
  lines <- strsplit(dot, "\n")[[1]]
  expect_equal(lines[1], "digraph {")
  expect_equal(lines[length(lines)], "}")
  expect_true("\tgraph [size=\"12,12\"]" %in% lines)
  expect_true(any(grepl("^\tnode \\[.*shape=box.*style=filled", lines)))
  expect_equal(sum(grepl("->", lines)), 19)
  expect_equal(sum(grepl("fillcolor=lightblue", lines)), 4)
  expect_equal(sum(grepl("fillcolor=darkolivegreen1", lines)), 1)
  expect_true("\tn1 [label=\"y (1)\" fillcolor=darkolivegreen1]" %in% lines)
  expect_true("\tn2 -> n1" %in% lines)
  p1_id <- g$nodes$id[g$nodes$variable %in% "p1"]
  expect_true(sprintf("\tn%d [label=\"p1 (1)\\nAccumulateGrad\" fillcolor=lightblue]", p1_id) %in% lines)
  expect_equal(sum(grepl("label=\"MulBackward0\"", lines)), 5)
  # the tensor method and the shortcut give the same text
  expect_identical(as_dot(e$y, env = e), dot)
  expect_identical(autograd_graph_dot(e$y, env = e), dot)
  expect_output(print(dot), "digraph {", fixed = TRUE)
})

test_that("as_dot escapes quotes and backslashes in labels", {
  p <- torch_tensor(1, requires_grad = TRUE)
  g <- autograd_graph((p * 2)$sum(), params = list(`a"b\\c` = p), env = NULL)
  expect_match(as_dot(g), "label=\"a\\\"b\\\\c (1)\\nAccumulateGrad\"", fixed = TRUE)
})

test_that("render_dot runs Graphviz or explains that it is missing", {
  p <- torch_tensor(1, requires_grad = TRUE)
  dot <- as_dot(autograd_graph((p * 2)$exp()))
  f <- tempfile(fileext = ".svg")
  if (nzchar(Sys.which("dot"))) {
    expect_identical(render_dot(dot, f), f)
    expect_true(file.exists(f))
    expect_match(paste(readLines(f), collapse = "\n"), "<svg")
    png_file <- tempfile(fileext = ".png")
    render_dot(autograd_graph((p * 2)$exp()), png_file)
    expect_gt(file.size(png_file), 1000)
    expect_error(render_dot("not dot", tempfile(fileext = ".svg")), "dot failed",
                 class = "runtime_error")
  } else {
    expect_error(render_dot(dot, f), "Graphviz", class = "runtime_error")
  }
  expect_error(render_dot(dot, tempfile()), "format", class = "value_error")
  expect_error(render_dot(1, f), "DOT text", class = "value_error")
})

test_that("plot draws a readable picture into a PNG file", {
  e <- seed002()
  g <- autograd_graph(e$y, env = e)
  tmp <- tempfile(fileext = ".png")
  png(tmp, width = 600, height = 700)
  res <- plot(g)
  dev.off()
  expect_true(file.exists(tmp))
  expect_gt(file.size(tmp), 5000)
  expect_identical(res$nodes, g$nodes)
  lay <- attr(res, "layout")
  expect_equal(nrow(lay), 19)
  # the output at the bottom, each input above its consumer
  expect_equal(which.min(lay$y), 1)
  expect_true(all(lay$y[g$edges$from] > lay$y[g$edges$to]))
  # boxes in a layer do not overlap
  for (d in unique(g$nodes$depth)) {
    k <- which(g$nodes$depth == d)
    if (length(k) < 2) next
    o <- k[order(lay$x[k])]
    gaps <- (lay$x[o[-1]] - lay$width[o[-1]] / 2) - (lay$x[o[-length(o)]] + lay$width[o[-length(o)]] / 2)
    expect_true(all(gaps > 0))
  }
  # a big graph still draws (text shrinks)
  x <- torch_tensor(1, requires_grad = TRUE)
  y <- x
  for (i in 1:60) y <- y * 1.5 + x
  tmp2 <- tempfile(fileext = ".png")
  png(tmp2)
  plot(autograd_graph(y), main = "60 steps")
  dev.off()
  expect_gt(file.size(tmp2), 3000)
})
