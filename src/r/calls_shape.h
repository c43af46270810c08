/* .Call entry points of the shape and indexing ops: X(name, number of arguments) */
#define CALLS_SHAPE(X)        \
  X(C_tl_view, 2)             \
  X(C_tl_reshape, 2)          \
  X(C_tl_flatten, 3)          \
  X(C_tl_squeeze, 2)          \
  X(C_tl_unsqueeze, 2)        \
  X(C_tl_permute, 2)          \
  X(C_tl_transpose, 3)        \
  X(C_tl_t, 1)                \
  X(C_tl_expand, 2)           \
  X(C_tl_expand_as, 2)        \
  X(C_tl_narrow, 4)           \
  X(C_tl_split, 4)            \
  X(C_tl_chunk, 3)            \
  X(C_tl_unbind, 2)           \
  X(C_tl_cat, 2)              \
  X(C_tl_stack, 2)
