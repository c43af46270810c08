/* Element types and PyTorch's promotion rules. */
#ifndef TL_DTYPE_H
#define TL_DTYPE_H

#include <stddef.h>
#include <stdint.h>

/* Ordered by promotion rank: bool < int32 < int64 < float32 < float64. The numeric codes
 * are also the codes the R layer stores in torch_dtype objects. */
typedef enum {
  TL_BOOL = 0,
  TL_INT32 = 1,
  TL_INT64 = 2,
  TL_FLOAT32 = 3,
  TL_FLOAT64 = 4,
  TL_NDTYPES = 5
} tl_dtype;

/* the two below are on every op's path: inline */
static inline int tl_dtype_valid(int code) { return code >= 0 && code < TL_NDTYPES; }
static inline size_t tl_dtype_size(tl_dtype dt) {
  switch (dt) {
  case TL_BOOL: return 1;
  case TL_INT32: return 4;
  case TL_INT64: return 8;
  case TL_FLOAT32: return 4;
  case TL_FLOAT64: return 8;
  default: return 0;
  }
}
/* libtorch's scalar type name: "Bool", "Int", "Long", "Float", "Double". */
const char *tl_dtype_name(tl_dtype dt);
int tl_dtype_is_floating(tl_dtype dt);
int tl_dtype_is_integral(tl_dtype dt); /* int32/int64, not bool */
/* Result type of a binary operation between two tensors of these dtypes. */
tl_dtype tl_promote(tl_dtype a, tl_dtype b);

#endif
