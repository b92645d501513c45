/* Reading results files: qbench's and plain Google Benchmark's JSON (resultsread.h). */
#include "harness/resultsread.h"
