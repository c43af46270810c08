#include "dtype.h"

const char *tl_dtype_name(tl_dtype dt) {
  switch (dt) {
  case TL_BOOL: return "Bool";
  case TL_INT32: return "Int";
  case TL_INT64: return "Long";
  case TL_FLOAT32: return "Float";
  case TL_FLOAT64: return "Double";
  default: return "Unknown";
  }
}

int tl_dtype_is_floating(tl_dtype dt) { return dt == TL_FLOAT32 || dt == TL_FLOAT64; }
int tl_dtype_is_integral(tl_dtype dt) { return dt == TL_INT32 || dt == TL_INT64; }

/* The enum is ordered so that, for these five types, PyTorch's promotion lattice is the
 * maximum of the two ranks. */
tl_dtype tl_promote(tl_dtype a, tl_dtype b) { return a > b ? a : b; }
