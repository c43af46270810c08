#' @include tensor.R
NULL

# Pictures of the backward graph, what torchviz's make_dot() draws for PyTorch.

#' The autograd graph behind a tensor
#'
#' `autograd_graph()` collects the graph of backward functions that autograd recorded for
#' `y` (the nodes reachable through `y$grad_fn` and `$next_functions`) as data. Its `plot()`
#' method draws it with base graphics, top-down from the leaves to the output, and
#' [as_dot()] turns it into Graphviz DOT text, in the style of torchviz's `make_dot()`:
#' leaves in light blue boxes, the output in a green box, backward functions in grey.
#'
#' The graph has three kinds of nodes:
#' * `"output"`: the tensor `y` itself, labelled with its R name (when found) and shape;
#' * `"function"`: a backward function such as `MulBackward0`, one per recorded operation;
#' * `"leaf"`: an `AccumulateGrad` node, where the gradient of a leaf tensor (a tensor
#'   created with `requires_grad = TRUE`) is accumulated. It is labelled with the leaf's
#'   R name and shape when they can be found (see below), else `"leaf"`.
#'
#' Edges point the way the data flowed in the forward computation: from an input to the
#' operation that used it (the opposite of the `next_functions` links), so that the
#' leaves are at the top of the picture and the output at the bottom. The graph is walked
#' iteratively, so arbitrarily deep graphs work; a node reached along several paths (a
#' tensor used twice) appears once.
#'
#' Names: a leaf is named after the R variable that holds it. The leaf tensors of the graph
#' are compared (with [identical()], i.e. the same tensor, not merely equal values) with
#' the tensors in `params` (a named list, as torchviz's `params`) and then with the tensors
#' bound in `env` (by default the calling environment). The leaf tensor of an
#' `AccumulateGrad` node is its `$variable` field (as `grad_fn.variable` in PyTorch); a leaf
#' found under no name is labelled `"leaf"` and its shape.
#'
#' @param y a tensor.
#' @param params a named list of tensors to name leaves (and the output) by.
#' @param env an environment whose tensor variables name the leaves, or `NULL` for none.
#' @return An object of class `"torch_autograd_graph"`: a list with `nodes` (a data frame
#'   with columns `id`, `label` (the text drawn), `kind` (`"output"`, `"function"`,
#'   `"leaf"`), `name` (the grad_fn name, `NA` for the output), `variable` (the R name or
#'   `NA`), `shape` (e.g. `"(2, 2)"`, `NA` where unknown) and `depth` (the length of the
#'   longest path to the output)) and `edges` (a data frame with `from`, `to` and `input`,
#'   the position of `from` among the inputs of `to`, i.e. in its `next_functions`).
#' @seealso [as_dot()], [render_dot()], [plot.torch_autograd_graph()].
#' @examples
#' x1 <- torch_ones(2, 2, requires_grad = TRUE)
#' x2 <- torch_tensor(1.1, requires_grad = TRUE)
#' y <- x1 * (x2 + 2)
#' out <- (y$pow(2) * 3)$mean()
#' g <- autograd_graph(out)
#' g
#' g$nodes
#' g$edges
#' plot(g)
#' cat(as_dot(g))
#' @export
autograd_graph <- function(y, params = NULL, env = parent.frame()) {
  if (!is_torch_tensor(y))
    signal_torch_error("value_error", "y must be a tensor")
  candidates <- graph_candidates(params, env)

  # growing columns; node 1 is the output tensor
  ids <- new.env(hash = TRUE, parent = emptyenv()) # node key -> id
  fns <- list()                                    # id -> grad_fn handle (NULL for the output)
  name <- NA_character_
  e_from <- integer()
  e_to <- integer()
  e_input <- integer()

  root_fn <- y$grad_fn
  n <- 1L
  fns[1] <- list(NULL)
  if (!is.null(root_fn)) {
    n <- 2L
    fns[[2]] <- root_fn
    assign(node_key(root_fn), 2L, envir = ids)
    e_from <- 2L
    e_to <- 1L
    e_input <- 1L
  }
  # iterative walk (no recursion: graphs may be thousands of nodes deep)
  stack <- if (n == 2L) 2L else integer()
  while (length(stack)) {
    cur <- stack[length(stack)]
    stack <- stack[-length(stack)]
    nxt <- fns[[cur]]$next_functions
    for (k in seq_along(nxt)) {
      fn <- nxt[[k]]
      if (is.null(fn)) next
      key <- node_key(fn)
      id <- ids[[key]]
      if (is.null(id)) {
        n <- n + 1L
        id <- n
        fns[[id]] <- fn
        assign(key, id, envir = ids)
        stack <- c(stack, id)
      }
      e_from <- c(e_from, id)
      e_to <- c(e_to, cur)
      e_input <- c(e_input, k)
    }
  }

  fn_name <- c(NA_character_, vapply(fns[-1], function(f) f$name(), ""))
  kind <- ifelse(is.na(fn_name), "output",
                 ifelse(grepl("AccumulateGrad$", fn_name), "leaf", "function"))
  kind[1] <- "output"
  variable <- rep(NA_character_, n)
  shape <- rep(NA_character_, n)
  shape[1] <- format_shape(y$shape)
  variable[1] <- match_name(y, candidates)

  leaves <- which(kind == "leaf")
  leaf_tensors <- lapply(fns[leaves], node_variable)
  for (j in seq_along(leaves)) {
    t <- leaf_tensors[[j]]
    if (is.null(t)) next
    shape[leaves[j]] <- format_shape(t$shape)
    variable[leaves[j]] <- match_name(t, candidates)
  }
  label <- character(n)
  label[1] <- paste0(if (is.na(variable[1])) "" else paste0(variable[1], " "), shape[1])
  fun <- kind == "function"
  label[fun] <- fn_name[fun]
  label[leaves] <- paste0(ifelse(is.na(variable[leaves]), "leaf", variable[leaves]),
                          ifelse(is.na(shape[leaves]), "", paste0(" ", shape[leaves])),
                          "\nAccumulateGrad")
  label[leaves] <- sub(" \nAccumulateGrad$", "\nAccumulateGrad", label[leaves])

  edges <- data.frame(from = e_from, to = e_to, input = e_input)
  nodes <- data.frame(id = seq_len(n), label = label, kind = kind,
                      name = sub("^torch::autograd::", "", fn_name),
                      variable = variable, shape = shape,
                      depth = graph_depth(n, edges), stringsAsFactors = FALSE)
  structure(list(nodes = nodes, edges = edges), class = "torch_autograd_graph")
}

# A string identifying a grad_fn node: its C address (two handles of one node share it).
node_key <- function(fn) .Call(C_tl_node_id, fn)

# The leaf tensor behind an AccumulateGrad node, where the grad_fn object offers it.
node_variable <- function(fn) {
  v <- tryCatch(fn$variable, error = function(e) NULL)
  if (is_torch_tensor(v)) v else NULL
}

format_shape <- function(s) paste0("(", paste(s, collapse = ", "), ")")

# Named tensors to name nodes by: params first, then the variables of env.
graph_candidates <- function(params, env) {
  out <- list()
  if (!is.null(params)) {
    if (is_torch_tensor(params)) params <- list(params)
    if (!is.list(params) || is.null(names(params)) || any(names(params) == ""))
      signal_torch_error("value_error", "params must be a named list of tensors")
    out <- Filter(is_torch_tensor, params)
  }
  if (!is.null(env)) {
    if (!is.environment(env)) signal_torch_error("value_error", "env must be an environment or NULL")
    for (nm in sort(ls(env))) {
      v <- tryCatch(get(nm, envir = env, inherits = FALSE), error = function(e) NULL)
      if (is_torch_tensor(v) && is.null(out[[nm]])) out[[nm]] <- v
    }
  }
  out
}

match_name <- function(t, candidates) {
  for (nm in names(candidates)) if (identical(candidates[[nm]], t)) return(nm)
  NA_character_
}

# Longest path from each node to the output (node 1), following edges backwards; nodes
# sit one layer above the highest of their consumers. Kahn's order, no recursion.
graph_depth <- function(n, edges) {
  depth <- integer(n)
  if (nrow(edges) == 0) return(depth)
  # a node is final once all its consumers are
  pending <- tabulate(edges$from, nbins = n)
  by_to <- split(seq_len(nrow(edges)), factor(edges$to, levels = seq_len(n)))
  queue <- which(pending == 0)
  head <- 1L
  while (head <= length(queue)) {
    v <- queue[head]
    head <- head + 1L
    for (e in by_to[[v]]) {
      u <- edges$from[e]
      if (depth[v] + 1L > depth[u]) depth[u] <- depth[v] + 1L
      pending[u] <- pending[u] - 1L
      if (pending[u] == 0L) queue <- c(queue, u)
    }
  }
  depth
}

#' @export
print.torch_autograd_graph <- function(x, ...) {
  nd <- x$nodes
  plural <- function(k, one, many) paste(k, if (k == 1) one else many)
  cat("<torch_autograd_graph: ", plural(nrow(nd), "node", "nodes"), " (",
      plural(sum(nd$kind == "function"), "function", "functions"), ", ",
      plural(sum(nd$kind == "leaf"), "leaf", "leaves"), "), ",
      plural(nrow(x$edges), "edge", "edges"), ">\n", sep = "")
  # an indented outline from the output, each node expanded once
  kids <- split(x$edges$from, factor(x$edges$to, levels = nd$id))
  kids <- lapply(kids, function(k) k[order(x$edges$input[match(k, x$edges$from)])])
  lab <- gsub("\n", " ", nd$label)
  shown <- logical(nrow(nd))
  stack <- list(c(1L, 0L))
  lines <- character()
  while (length(stack) && length(lines) < 200) {
    top <- stack[[length(stack)]]
    stack[[length(stack)]] <- NULL
    v <- top[1]
    d <- top[2]
    lines <- c(lines, paste0(strrep("  ", d), lab[v], if (shown[v] && length(kids[[v]])) " (see above)"))
    if (shown[v]) next
    shown[v] <- TRUE
    for (k in rev(kids[[v]])) stack[[length(stack) + 1L]] <- c(k, d + 1L)
  }
  cat(lines, sep = "\n")
  if (length(stack)) cat("...\n")
  invisible(x)
}

# ---------------------------------------------------------------- layout

# Positions (in inches at cex = 1) of the boxes: layers by depth, the output at the bottom;
# the order within a layer from barycentre sweeps, x positions from neighbour averages.
graph_layout <- function(g, widths, heights, hgap = 0.25, vgap = 0.35) {
  nd <- g$nodes
  ed <- g$edges
  n <- nrow(nd)
  depth <- nd$depth
  layers <- split(seq_len(n), factor(depth, levels = 0:max(depth)))
  # first order: the discovery order (ids follow the walk)
  pos <- numeric(n)
  for (l in layers) pos[l] <- seq_along(l)
  up <- split(ed$from, factor(ed$to, levels = seq_len(n)))     # inputs (layer above)
  down <- split(ed$to, factor(ed$from, levels = seq_len(n)))   # consumers (layer below)
  bary <- function(v, nb) {
    p <- pos[nb[[v]]]
    if (length(p)) mean(p) else pos[v]
  }
  for (sweep in 1:4) {
    for (l in layers[-1]) {       # from the output upwards: follow the consumers
      b <- vapply(l, bary, 0, nb = down)
      pos[l] <- rank(b + pos[l] * 1e-6, ties.method = "first")
    }
    for (l in rev(layers[-length(layers)])) {  # downwards: follow the inputs
      b <- vapply(l, bary, 0, nb = up)
      pos[l] <- rank(b + pos[l] * 1e-6, ties.method = "first")
    }
  }
  # x positions: start packed, then move towards neighbours keeping boxes apart
  x <- numeric(n)
  spread <- function(l, want) {
    o <- l[order(pos[l])]
    w <- widths[o]
    d <- want[match(o, l)]
    sep <- (w[-1] + w[-length(w)]) / 2 + hgap
    f <- d
    for (i in seq_along(o)[-1]) f[i] <- max(d[i], f[i - 1] + sep[i - 1])
    b <- d
    for (i in rev(seq_along(o))[-1]) b[i] <- min(d[i], b[i + 1] - sep[i])
    x[o] <<- (f + b) / 2
  }
  for (l in layers) {
    o <- l[order(pos[l])]
    w <- widths[o]
    spread(l, cumsum(w + hgap) - (w + hgap) / 2 - sum(w + hgap) / 2)
  }
  for (it in 1:6) {
    for (l in layers[-1]) spread(l, vapply(l, function(v) {
      nb <- c(down[[v]], up[[v]])
      if (length(nb)) mean(x[nb]) else x[v]
    }, 0))
    for (l in rev(layers)) spread(l, vapply(l, function(v) {
      nb <- c(up[[v]], down[[v]])
      if (length(nb)) mean(x[nb]) else x[v]
    }, 0))
  }
  # y: layer tops, each layer as tall as its tallest box
  lh <- vapply(layers, function(l) if (length(l)) max(heights[l]) else 0, 0)
  yc <- numeric(length(layers))
  for (k in seq_along(layers)[-1]) yc[k] <- yc[k - 1] + (lh[k - 1] + lh[k]) / 2 + vgap
  y <- yc[depth + 1]
  list(x = x, y = y)
}

#' Draw an autograd graph
#'
#' Draws the graph from [autograd_graph()] with base graphics: one row per depth, the
#' leaves (light blue) at the top, the output (green) at the bottom, the backward functions
#' in grey boxes, and arrows the way the data flowed. Text shrinks to fit the device.
#'
#' @param x a `"torch_autograd_graph"`.
#' @param cex the largest text size; it is reduced when the graph does not fit.
#' @param fill the box colours for `output`, `function` and `leaf` nodes.
#' @param main a title.
#' @param ... unused.
#' @return `x`, invisibly, with the box positions (in user coordinates) as attribute
#'   `"layout"`.
#' @examples
#' a <- torch_tensor(c(1, 2), requires_grad = TRUE)
#' b <- torch_tensor(c(3, 4), requires_grad = TRUE)
#' loss <- (a * b + a$exp())$sum()
#' plot(autograd_graph(loss))
#' @export
plot.torch_autograd_graph <- function(x, cex = 1,
                                      fill = c(output = "darkolivegreen1", "function" = "lightgrey",
                                               leaf = "lightblue"),
                                      main = NULL, ...) {
  g <- x
  nd <- g$nodes
  opar <- graphics::par(mar = c(0.2, 0.2, if (is.null(main)) 0.2 else 1.6, 0.2), family = "mono")
  on.exit(graphics::par(opar))
  graphics::plot.new()
  # text sizes in inches at cex = 1
  tw <- graphics::strwidth(nd$label, units = "inches", cex = 1)
  nlines <- lengths(strsplit(nd$label, "\n", fixed = TRUE))
  lineh <- graphics::strheight("Mg", units = "inches", cex = 1) * 1.35
  padx <- 0.12
  pady <- 0.07
  widths <- tw + 2 * padx
  heights <- nlines * lineh + 2 * pady
  lay <- graph_layout(g, widths, heights)
  xr <- range(c(lay$x - widths / 2, lay$x + widths / 2))
  yr <- range(c(lay$y - heights / 2, lay$y + heights / 2))
  pin <- graphics::par("pin")
  s <- min(cex, pin[1] / diff(xr), pin[2] / diff(yr))
  # one user unit = s inches; centre the drawing
  xc <- mean(xr)
  yc <- mean(yr)
  graphics::plot.window(xlim = xc + c(-1, 1) * pin[1] / (2 * s),
                        ylim = yc + c(-1, 1) * pin[2] / (2 * s), xaxs = "i", yaxs = "i")
  if (!is.null(main)) graphics::title(main = main, family = "sans")
  ed <- g$edges
  if (nrow(ed)) {
    # from the bottom of the input box to the top of the consumer's box (y grows upwards
    # with depth, so flip: top of the picture = largest depth)
    # several arrows at one box side are spread along it, ordered by where they come from
    spread_ends <- function(at, other) {
      off <- numeric(length(at))
      for (v in unique(at)) {
        k <- which(at == v)
        if (length(k) < 2) next
        o <- k[order(lay$x[other[k]])]
        off[o] <- (seq_along(o) - (length(o) + 1) / 2) / length(o) * widths[v] * 0.6
      }
      off
    }
    x0 <- lay$x[ed$from] + spread_ends(ed$from, ed$to)
    y0 <- lay$y[ed$from] - heights[ed$from] / 2
    x1 <- lay$x[ed$to] + spread_ends(ed$to, ed$from)
    y1 <- lay$y[ed$to] + heights[ed$to] / 2
    graphics::arrows(x0, y0, x1, y1, length = 0.09 * min(1, s / 0.6), angle = 22, col = "grey25")
  }
  col <- fill[nd$kind]
  graphics::rect(lay$x - widths / 2, lay$y - heights / 2, lay$x + widths / 2,
                 lay$y + heights / 2, col = col, border = "grey20")
  graphics::text(lay$x, lay$y, nd$label, cex = s)
  attr(x, "layout") <- data.frame(id = nd$id, x = lay$x, y = lay$y, width = widths,
                                  height = heights)
  invisible(x)
}

# ---------------------------------------------------------------- DOT

file_extension <- function(file) {
  b <- basename(file)
  if (grepl(".", b, fixed = TRUE)) sub(".*[.]", "", b) else ""
}

#' Graphviz DOT text of an autograd graph
#'
#' `as_dot()` writes the graph from [autograd_graph()] (or of a tensor) in the Graphviz DOT
#' language, styled as torchviz's `make_dot()`: monospace boxes, leaves light blue, the
#' output green, edges from inputs to the operations using them. `autograd_graph_dot(y)`
#' is `as_dot(autograd_graph(y))`. Render the text with [render_dot()] or any Graphviz
#' tool.
#'
#' @param x a `"torch_autograd_graph"` or a tensor.
#' @param y a tensor.
#' @param params,env passed to [autograd_graph()].
#' @param ... passed to [autograd_graph()] for a tensor.
#' @return A character string (class `"torch_graph_dot"`, printed as plain text).
#' @examples
#' w <- torch_tensor(c(0.5, -1), requires_grad = TRUE)
#' loss <- (w * w)$sum()
#' dot <- autograd_graph_dot(loss)
#' dot
#' @export
as_dot <- function(x, ...) UseMethod("as_dot")

#' @rdname as_dot
#' @export
as_dot.torch_autograd_graph <- function(x, ...) {
  nd <- x$nodes
  esc <- function(s) {
    s <- gsub("\\", "\\\\", s, fixed = TRUE)
    s <- gsub("\"", "\\\"", s, fixed = TRUE)
    gsub("\n", "\\n", s, fixed = TRUE)
  }
  fill <- c(output = " fillcolor=darkolivegreen1", "function" = "", leaf = " fillcolor=lightblue")
  lines <- c(
    "digraph {",
    "\tgraph [size=\"12,12\"]",
    "\tnode [align=left fontname=monospace fontsize=10 height=0.2 ranksep=0.1 shape=box style=filled]",
    sprintf("\tn%d [label=\"%s\"%s]", nd$id, esc(nd$label), fill[nd$kind]),
    sprintf("\tn%d -> n%d", x$edges$from, x$edges$to),
    "}"
  )
  structure(paste0(paste(lines, collapse = "\n"), "\n"), class = "torch_graph_dot")
}

#' @rdname as_dot
#' @export
as_dot.torch_tensor <- function(x, ...) as_dot(autograd_graph(x, ...))

#' @export
as_dot.default <- function(x, ...)
  signal_torch_error("value_error", paste0(
    "as_dot() needs a graph from autograd_graph() or a tensor, not an object of class <",
    class(x)[1], ">"))

#' @rdname as_dot
#' @export
autograd_graph_dot <- function(y, params = NULL, env = parent.frame()) {
  as_dot(autograd_graph(y, params = params, env = env))
}

#' @export
print.torch_graph_dot <- function(x, ...) {
  cat(x)
  invisible(x)
}

#' Render DOT text with Graphviz
#'
#' Runs the Graphviz `dot` program (which must be installed and on the `PATH`) on DOT text,
#' e.g. from [as_dot()], writing an image file.
#'
#' @param dot DOT text, a `"torch_autograd_graph"` or a tensor.
#' @param file the file to write.
#' @param format the output format passed to `dot -T`; by default the extension of `file`
#'   (`"svg"`, `"png"`, `"pdf"`, ...).
#' @return `file`, invisibly.
#' @examples
#' p <- torch_tensor(2, requires_grad = TRUE)
#' y <- (p * 3)$exp()
#' if (nzchar(Sys.which("dot"))) {
#'   f <- render_dot(as_dot(autograd_graph(y)), tempfile(fileext = ".svg"))
#'   file.exists(f)
#' }
#' @export
render_dot <- function(dot, file, format = file_extension(file)) {
  if (inherits(dot, "torch_autograd_graph") || is_torch_tensor(dot)) dot <- as_dot(dot)
  if (!is.character(dot) || length(dot) != 1)
    signal_torch_error("value_error", "dot must be DOT text (a character string)")
  if (!is.character(file) || length(file) != 1 || !nzchar(file))
    signal_torch_error("value_error", "file must be a file name")
  if (!is.character(format) || length(format) != 1 || !nzchar(format))
    signal_torch_error("value_error", "give the output format, e.g. format = \"svg\"")
  prog <- Sys.which("dot")
  if (!nzchar(prog))
    signal_torch_error("runtime_error",
                       "the Graphviz program 'dot' was not found on the PATH; install Graphviz (https://graphviz.org) or draw the graph with plot()")
  src <- tempfile(fileext = ".dot")
  on.exit(unlink(src))
  writeLines(unclass(dot), src)
  out <- suppressWarnings(system2(prog, c(paste0("-T", format), "-o", shQuote(file), shQuote(src)),
                                  stdout = TRUE, stderr = TRUE))
  status <- attr(out, "status")
  if (!is.null(status) && status != 0)
    signal_torch_error("runtime_error", paste0("dot failed: ", paste(out, collapse = "\n")))
  invisible(file)
}
