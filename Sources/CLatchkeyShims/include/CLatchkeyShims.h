#ifndef LATCHKEY_SHIMS_H
#define LATCHKEY_SHIMS_H

#include <stddef.h>
#include <stdint.h>
#include <microhttpd.h>

/// Limits and wiring for one MHD daemon. A struct, because MHD_start_daemon is
/// variadic and Swift cannot call it; this keeps the option list type-checked.
typedef struct latchkey_mhd_config {
  unsigned int thread_pool_size;
  unsigned int connection_limit;
  unsigned int connection_timeout_seconds;
  size_t connection_memory_limit;   /* bounds the request line and headers */
  MHD_AccessHandlerCallback handler;
  void *handler_cls;
  MHD_RequestCompletedCallback completed;
  void *completed_cls;
  /* Sees the raw request target first; what it returns is the request's
     con_cls (MHD_OPTION_URI_LOG_CALLBACK). */
  void *(*uri_log)(void *cls, const char *uri, struct MHD_Connection *connection);
  void *uri_log_cls;
  MHD_NotifyConnectionCallback notify_connection; /* may be NULL */
  void *notify_connection_cls;
} latchkey_mhd_config;

/// A non-blocking listening TCP socket on host (an IPv4 or IPv6 literal) and
/// port (0: the kernel picks). Returns -1 and sets *error_out to a static
/// message on failure.
int latchkey_listen(const char *host, uint16_t port, int backlog, const char **error_out);

/// The local port of a bound socket (0 if unknown).
uint16_t latchkey_socket_port(int fd);

/// Starts an epoll, thread-pooled daemon that allows suspend/resume and has
/// no listen socket of its own: connections arrive by latchkey_accept_loop.
/// Returns NULL and sets *error_out to a static message on failure.
struct MHD_Daemon *latchkey_mhd_start(const latchkey_mhd_config *config, const char **error_out);

/// The acceptor: hands each connection on listen_fd to the daemon (while
/// fewer than connection_limit are open) until wake_fd becomes readable,
/// then takes whatever is still in the backlog (clients that connected
/// before the stop) and returns how many connections MHD took in all. The
/// caller closes listen_fd afterwards.
unsigned long latchkey_accept_loop(struct MHD_Daemon *daemon, int listen_fd, int wake_fd,
                                   unsigned int connection_limit);

/// An eventfd for latchkey_wake (-1 on failure).
int latchkey_wake_fd(void);

/// Makes latchkey_accept_loop return.
void latchkey_wake(int wake_fd);

/// This connection's idle timeout (MHD_set_connection_option is variadic).
void latchkey_mhd_set_connection_timeout(struct MHD_Connection *connection, unsigned int seconds);

/// Writes the connection's peer address as text into buf ("" if unknown).
/// MHD_get_connection_info is variadic, hence the wrapper.
void latchkey_mhd_client_address(struct MHD_Connection *connection, char *buf, size_t len);

/// The socket of a connection (-1 if unknown). MHD_get_connection_info is
/// variadic, hence the wrapper.
int latchkey_mhd_connection_fd(struct MHD_Connection *connection);

/// Bytes received on a socket and not yet read by anyone (0 on error).
int latchkey_socket_pending_bytes(int fd);

#endif
