/* .Call entry points of the shape ops: X(name, number of arguments) */
#define CALLS_SHAPE(X)
