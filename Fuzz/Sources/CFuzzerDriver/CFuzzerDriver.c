// SwiftPM needs one source file in a C target; the target exists for its header.
#include "CFuzzerDriver.h"

int latchkey_fuzzer_driver_present(void) { return 1; }
