/* .Call entry points of the reduce ops: X(name, number of arguments) */
#define CALLS_REDUCE(X)
