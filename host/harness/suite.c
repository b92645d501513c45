/* Suites: parsing, lookup, selection and size resolution (suite.h). */
#include "harness/suite.h"
