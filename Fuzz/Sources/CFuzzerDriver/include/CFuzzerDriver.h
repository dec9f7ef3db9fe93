#ifndef LATCHKEY_FUZZER_DRIVER_H
#define LATCHKEY_FUZZER_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's entry for programs that keep their own main (compiler-rt's FuzzerInterface.h).
/// Defined in libclang_rt.fuzzer, which `-sanitize=fuzzer` links. SwiftPM points an executable's
/// `main` at the module's own entry point, so libFuzzer's main is never used: the harness's
/// top-level code calls this instead.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
