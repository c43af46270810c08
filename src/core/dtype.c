#include "dtype.h"

int tl_dtype_valid(int code) { return code >= 0 && code < TL_NDTYPES; }

size_t tl_dtype_size(tl_dtype dt) {
  switch (dt) {
  case TL_BOOL: return 1;
  case TL_INT32: return 4;
  case TL_INT64: return 8;
  case TL_FLOAT32: return 4;
  case TL_FLOAT64: return 8;
  default: return 0;
  }
}

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
