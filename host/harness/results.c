/* Writing results atomically: JSON and CSV (results.h). */
#include "harness/results.h"
