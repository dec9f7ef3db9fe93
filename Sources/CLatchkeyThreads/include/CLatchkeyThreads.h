#ifndef LATCHKEY_THREADS_H
#define LATCHKEY_THREADS_H

/// Names the calling thread (at most 15 bytes; ps, top and gdb show it).
/// pthread_setname_np is a GNU extension the Glibc module does not export.
int latchkey_name_current_thread(const char *name);

#endif
