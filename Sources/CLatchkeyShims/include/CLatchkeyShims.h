#ifndef LATCHKEY_SHIMS_H
#define LATCHKEY_SHIMS_H

#include <stddef.h>
#include <stdint.h>
#include <microhttpd.h>

/// Limits and wiring for one MHD daemon. A struct, because MHD_start_daemon is
/// variadic and Swift cannot call it; this keeps the option list type-checked.
typedef struct latchkey_mhd_config {
  const char *host;                 /* IPv4 or IPv6 literal to bind */
  uint16_t port;                    /* 0 lets the kernel pick one */
  unsigned int thread_pool_size;
  unsigned int connection_limit;
  unsigned int connection_timeout_seconds;
  size_t connection_memory_limit;   /* bounds the request line and headers */
  unsigned int listen_backlog;
  MHD_AccessHandlerCallback handler;
  void *handler_cls;
  MHD_RequestCompletedCallback completed;
  void *completed_cls;
  MHD_NotifyConnectionCallback notify_connection; /* may be NULL */
  void *notify_connection_cls;
} latchkey_mhd_config;

/// Starts an epoll, thread-pooled daemon that allows suspend/resume.
/// Returns NULL and sets *error_out to a static message on failure.
struct MHD_Daemon *latchkey_mhd_start(const latchkey_mhd_config *config, const char **error_out);

/// The port the daemon listens on (useful when started with port 0).
uint16_t latchkey_mhd_bound_port(struct MHD_Daemon *daemon);

/// Writes the connection's peer address as text into buf ("" if unknown).
/// MHD_get_connection_info is variadic, hence the wrapper.
void latchkey_mhd_client_address(struct MHD_Connection *connection, char *buf, size_t len);

/// The socket of a connection (-1 if unknown). MHD_get_connection_info is
/// variadic, hence the wrapper.
int latchkey_mhd_connection_fd(struct MHD_Connection *connection);

/// Bytes received on a socket and not yet read by anyone (0 on error).
int latchkey_socket_pending_bytes(int fd);

/// For a graceful stop, after MHD_quiesce_daemon: accepts every connection
/// already waiting in the listen backlog (clients that connected before the
/// stop, possibly with their request already sent) and hands each to MHD,
/// instead of resetting them when the listener closes. Returns how many MHD
/// took. The caller still closes listen_fd.
unsigned int latchkey_mhd_adopt_backlog(struct MHD_Daemon *daemon, int listen_fd);

#endif
