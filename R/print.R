# Printing of tensors, reproducing R torch byte for byte.
#
# R torch prints a tensor as "torch_tensor", then the text of libtorch's
# `operator<<(std::ostream&, const at::Tensor&)` (aten/src/ATen/core/
# Formatting.cpp, the iostream implementation used up to libtorch 2.7, which
# R torch 0.16 ships), cut to at most `n` lines by `cpp_torch_tensor_print()`,
# and finally a grad_fn / requires_grad note on the last line.
#
# The libtorch rules reproduced below (all values are first converted to
# double):
#   * a matrix (or vector) is "integer mode" when every finite value is a
#     whole number;
#   * expMin / expMax are floor(log10(.)) + 1 of the smallest absolute
#     finite value and of the largest one, where the largest is searched as
#     libtorch does: it starts from |first finite value| and is only raised by
#     positive values (a quirk kept on purpose);
#   * integer mode: width expMax + 1 with "%g" (current stream precision), or
#     width 11 with "%.4e" when expMax > 9;
#   * otherwise: "%.4e" of width 11 (12 with 3-digit exponents) when
#     expMax - expMin > 4; else "%.4f" with a common scale 10^(expMax - 1)
#     (printed as its own "<scale> *" line) when expMax > 5 or expMax < 0,
#     width 7; else width expMax + 6 (7 when expMax is 0);
#   * the stream precision is never reset between the blocks of a 3-d or
#     higher tensor, so an integer-mode block that follows a fixed or
#     scientific block prints with "%.4g" instead of "%.6g";
#   * rows wider than 80 characters are split into "Columns a to b" chunks;
#     that header shares its line with the first row (or the scale line).

# Formats finite values with a C format, and non-finite ones as iostream
# does ("nan", "-nan", "inf", "-inf"), right-justified to `width`.
tl_print_values <- function(x, width, conv, precision) {
  out <- character(length(x))
  fin <- is.finite(x)
  if (any(fin)) {
    out[fin] <- sprintf(paste0("%", width, ".", precision, conv), x[fin])
  }
  if (!all(fin)) {
    bad <- x[!fin]
    txt <- ifelse(bad > 0, "inf", "-inf")
    nan <- is.na(bad)
    if (any(nan)) {
      txt[nan] <- ifelse(tl_nan_negative(bad[nan]), "-nan", "nan")
    }
    out[!fin] <- sprintf(paste0("%", width, "s"), txt)
  }
  out
}

# TRUE where a NaN carries the sign bit (printf prints those as "-nan").
tl_nan_negative <- function(x) {
  bytes <- writeBin(as.double(x), raw(), endian = "little")
  as.integer(bytes[seq.int(8L, length(bytes), by = 8L)]) >= 128L
}

# libtorch's __printFormat(): returns scale, width, conversion and the stream
# precision in effect after the call.
tl_print_spec <- function(x, precision) {
  fin <- x[is.finite(x)]
  int_mode <- all(fin == ceiling(fin))
  if (length(fin) == 0L) {
    exp_min <- 1
    exp_max <- 1
  } else {
    exp_min <- min(abs(fin))
    exp_max <- max(abs(fin[1L]), fin)
    exp_min <- if (exp_min != 0) floor(log10(exp_min)) + 1 else 1
    exp_max <- if (exp_max != 0) floor(log10(exp_max)) + 1 else 1
  }
  scale <- 1
  if (int_mode) {
    if (exp_max > 9) {
      width <- 11
      conv <- "e"
      precision <- 4L
    } else {
      width <- exp_max + 1
      conv <- "g"
    }
  } else if (exp_max - exp_min > 4) {
    width <- if (abs(exp_max) > 99 || abs(exp_min) > 99) 12 else 11
    conv <- "e"
    precision <- 4L
  } else {
    if (exp_max > 5 || exp_max < 0) {
      width <- 7
      scale <- 10^(exp_max - 1)
    } else {
      width <- if (exp_max == 0) 7 else exp_max + 6
    }
    conv <- "f"
    precision <- 4L
  }
  list(scale = scale, width = as.integer(width), conv = conv,
       precision = as.integer(precision))
}

tl_scale_line <- function(spec) {
  # printScale(): defaultfloat with the stream precision (4 here).
  paste0(sprintf(paste0("%.", spec$precision, "g"), spec$scale), " *")
}

# Lines of libtorch's __printMatrix() for a row-major nr x nc block `x`.
# Produces at most `budget` lines (the rest would be truncated anyway).
tl_matrix_lines <- function(x, nr, nc, spec, indent, budget, linesize = 80L) {
  ind <- strrep(" ", indent)
  per_line <- (linesize - indent) %/% (spec$width + 1L)
  chunked <- per_line < nc
  scaled <- spec$scale != 1
  lines <- character(0)
  first <- 1L
  while (first <= nc && length(lines) < budget) {
    last <- min(first + per_line - 1L, nc)
    lead <- if (first == 1L) ind else ""
    if (chunked) {
      if (first != 1L) lines <- c(lines, "")
      lead <- paste0(lead, "Columns ", first, " to ", last, ind)
    }
    if (scaled) {
      lines <- c(lines, paste0(lead, tl_scale_line(spec)))
      lead <- ind
    }
    rows <- min(nr, max(budget - length(lines), 0L))
    if (rows > 0L) {
      cols <- first:last
      idx <- outer((seq_len(rows) - 1L) * nc, cols, "+")
      txt <- tl_print_values(x[idx] / spec$scale, spec$width, spec$conv,
                             spec$precision)
      dim(txt) <- dim(idx)
      body <- do.call(paste, c(lapply(seq_along(cols), function(j) txt[, j]),
                               sep = " "))
      prefix <- rep(paste0(ind, if (scaled) " " else ""), rows)
      prefix[1L] <- lead
      lines <- c(lines, paste0(prefix, body))
    }
    first <- last + 1L
  }
  lines
}

#' Format tensor values as libtorch / R torch print them
#'
#' @param values All elements in row-major order (double, integer or logical).
#' @param shape Integer vector of dimensions (length 0 for a 0-d tensor).
#' @param type_name One of "Float", "Double", "Long", "Int", "Bool".
#' @param n Maximum number of lines, as in R torch's print method.
#' @return Character vector of lines (without the "torch_tensor" header).
#' @noRd
tl_format_lines <- function(values, shape, type_name, n = 30) {
  shape <- as.integer(shape)
  if (is.logical(values)) {
    # R torch turns NA into INT_MIN before the cast to bool, i.e. TRUE.
    values <- ifelse(is.na(values), 1, as.double(values))
  } else if (is.integer(values)) {
    # int32 INT_MIN arrives in R as NA_integer_.
    values <- ifelse(is.na(values), -2147483648, as.double(values))
  } else {
    values <- as.double(values)
  }
  n <- suppressWarnings(as.integer(n))
  if (length(n) != 1L || is.na(n)) n <- -1L
  # Content lines are needed up to `n` only: beyond that they are cut.
  budget <- if (n > 1L) n else .Machine$integer.max

  ndim <- length(shape)
  total <- prod(shape)
  bracket <- paste0("[ CPU", type_name, "Type{", paste(shape, collapse = ","),
                    "} ]")
  lines <- character(0)
  if (ndim == 0L) {
    lines <- tl_print_values(values[1L], 0L, "g", 6L)
  } else if (total > 0) {
    if (ndim == 1L) {
      spec <- tl_print_spec(values, 6L)
      if (spec$scale != 1) lines <- tl_scale_line(spec)
      keep <- min(length(values), max(budget - length(lines), 0L))
      lines <- c(lines, tl_print_values(values[seq_len(keep)] / spec$scale,
                                        spec$width, spec$conv, spec$precision))
    } else if (ndim == 2L) {
      spec <- tl_print_spec(values, 6L)
      lines <- tl_matrix_lines(values, shape[1L], shape[2L], spec, 0L, budget)
    } else {
      lead_dims <- shape[seq_len(ndim - 2L)]
      nr <- shape[ndim - 1L]
      nc <- shape[ndim]
      block <- nr * nc
      # Block offsets (in blocks) for row-major storage.
      strides <- rev(cumprod(c(1, rev(lead_dims)[-length(lead_dims)])))
      precision <- 6L
      # libtorch steps through the leading indices with the first one
      # varying fastest.
      counter <- integer(length(lead_dims))
      repeat {
        if (length(lines) >= budget) break
        if (length(lines) > 0L) lines <- c(lines, "")
        start <- sum(counter * strides) * block
        x <- values[start + seq_len(block)]
        spec <- tl_print_spec(x, precision)
        precision <- spec$precision
        lines <- c(lines,
                   paste0("(", paste0(counter + 1L, ",", collapse = ""),
                          ".,.) = "))
        lines <- c(lines, tl_matrix_lines(x, nr, nc, spec, 1L,
                                          budget - length(lines)))
        k <- 1L
        while (k <= length(counter)) {
          counter[k] <- counter[k] + 1L
          if (counter[k] < lead_dims[k]) break
          counter[k] <- 0L
          k <- k + 1L
        }
        if (k > length(counter)) break
      }
    }
  }
  # R torch (cpp_torch_tensor_print): more than n lines in total keeps the
  # first n, a notice, and the final "[ ... ]" line.
  if (n > 1L && length(lines) + 1L > n) {
    lines <- c(lines[seq_len(n)],
               "... [the output was truncated (use n=-1 to disable)]")
  }
  c(lines, bracket)
}

#' Print a tensor
#'
#' Prints the tensor the way R torch does: a `torch_tensor` header, the
#' values formatted as libtorch formats them, and the type and shape line,
#' followed by the gradient function or a `requires_grad` note when relevant.
#'
#' @param x A `torch_tensor`.
#' @param n Maximum number of lines of values to print before truncating
#'   the output; use `n = -1` to print everything.
#' @param ... Unused.
#' @return `x`, invisibly.
#' @examples
#' x <- torch_tensor(c(1, 2.5))
#' print(x)
#' @export
print.torch_tensor <- function(x, n = 30, ...) {
  lines <- tl_format_lines(tl_values(x), x$shape, tl_type_name(x), n = n)
  grad_fn <- tl_grad_fn_name(x)
  suffix <- if (!is.null(grad_fn)) {
    paste0("[ grad_fn = <", grad_fn, "> ]")
  } else if (isTRUE(x$requires_grad)) {
    "[ requires_grad = TRUE ]"
  } else {
    ""
  }
  lines[length(lines)] <- paste0(lines[length(lines)], suffix)
  cat("torch_tensor\n", paste(lines, collapse = "\n"), "\n", sep = "")
  invisible(x)
}
