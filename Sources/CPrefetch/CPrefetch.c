/* The module is header-only (a static inline function); SwiftPM needs a source file to build it. */
#include "CPrefetch.h"
