#include "error.h"

#include <stdarg.h>
#include <stdio.h>

static char tl_msg[1024];
static tl_status tl_code = TL_OK;

tl_status tl_error(tl_status code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(tl_msg, sizeof tl_msg, fmt, ap);
  va_end(ap);
  tl_code = code;
  return code;
}

tl_status tl_last_status(void) { return tl_code; }
const char *tl_last_message(void) { return tl_code == TL_OK ? "" : tl_msg; }
void tl_clear_error(void) { tl_code = TL_OK; tl_msg[0] = '\0'; }
