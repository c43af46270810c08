/* .Call entry points of the elementwise ops: X(name, number of arguments) */
#define CALLS_ELEMENTWISE(X)
