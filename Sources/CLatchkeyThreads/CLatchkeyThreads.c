#define _GNU_SOURCE /* pthread_setname_np */
#include "CLatchkeyThreads.h"

#include <pthread.h>

int latchkey_name_current_thread(const char *name) {
#if defined(__APPLE__)
  return pthread_setname_np(name);
#else
  return pthread_setname_np(pthread_self(), name);
#endif
}
