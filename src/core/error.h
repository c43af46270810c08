/* Error reporting for the torchlite core.
 *
 * Core functions never longjmp: they return a status (or NULL) after recording a message
 * here. The host (the R layer) reads the message and raises its own condition once it has
 * released what it holds. */
#ifndef TL_ERROR_H
#define TL_ERROR_H

typedef enum {
  TL_OK = 0,
  TL_ERR_VALUE,   /* a bad argument value (R torch: value_error) */
  TL_ERR_TYPE,    /* a dtype the operation does not support */
  TL_ERR_INDEX,   /* an index or dimension out of range */
  TL_ERR_ALLOC,   /* memory could not be allocated */
  TL_ERR_RUNTIME  /* anything else (R torch: runtime_error) */
} tl_status;

/* Records a formatted message and returns `code`, so callers can `return tl_error(...)`. */
tl_status tl_error(tl_status code, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;
tl_status tl_last_status(void);
const char *tl_last_message(void);
void tl_clear_error(void);

#endif
