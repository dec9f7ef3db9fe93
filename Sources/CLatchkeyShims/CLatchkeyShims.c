#define _GNU_SOURCE /* accept4 */
#include "CLatchkeyShims.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static void latchkey_mhd_quiet_logger(void *cls, const char *fmt, va_list ap) {
  /* MHD's own messages can quote request data; the service logs its own
     structured lines instead. */
  (void)cls; (void)fmt; (void)ap;
}

struct MHD_Daemon *latchkey_mhd_start(const latchkey_mhd_config *c, const char **error_out) {
  struct sockaddr_storage storage;
  memset(&storage, 0, sizeof(storage));
  /* TURBO: try the read/write/accept before asking epoll (sockets are non-blocking). */
  unsigned int flags =
      MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | MHD_USE_TURBO;

  struct sockaddr_in *v4 = (struct sockaddr_in *)&storage;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&storage;
  if (inet_pton(AF_INET, c->host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(c->port);
  } else if (inet_pton(AF_INET6, c->host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(c->port);
    flags |= MHD_USE_IPv6;
  } else {
    *error_out = "host is not an IPv4 or IPv6 address";
    return NULL;
  }

  struct MHD_OptionItem options[] = {
      {MHD_OPTION_SOCK_ADDR, 0, &storage},
      {MHD_OPTION_THREAD_POOL_SIZE, c->thread_pool_size, NULL},
      {MHD_OPTION_CONNECTION_LIMIT, c->connection_limit, NULL},
      {MHD_OPTION_CONNECTION_TIMEOUT, c->connection_timeout_seconds, NULL},
      {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)c->connection_memory_limit, NULL},
      {MHD_OPTION_LISTEN_BACKLOG_SIZE, c->listen_backlog, NULL},
      {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)c->completed, c->completed_cls},
      {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)latchkey_mhd_quiet_logger, NULL},
      /* Last before the end: without a callback it ends the list itself. */
      {c->notify_connection ? MHD_OPTION_NOTIFY_CONNECTION : MHD_OPTION_END,
       (intptr_t)c->notify_connection, c->notify_connection_cls},
      {MHD_OPTION_END, 0, NULL},
  };
  struct MHD_Daemon *d = MHD_start_daemon(flags, c->port, NULL, NULL, c->handler, c->handler_cls,
                                          MHD_OPTION_ARRAY, options, MHD_OPTION_END);
  if (d == NULL) *error_out = "could not start the HTTP listener (address in use or not available?)";
  return d;
}

uint16_t latchkey_mhd_bound_port(struct MHD_Daemon *daemon) {
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
  return info == NULL ? 0 : info->port;
}

void latchkey_mhd_client_address(struct MHD_Connection *connection, char *buf, size_t len) {
  buf[0] = '\0';
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (info == NULL || info->client_addr == NULL) return;
  const struct sockaddr *sa = info->client_addr;
  if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)len);
  } else if (sa->sa_family == AF_INET6) {
    const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(a)) {
      inet_ntop(AF_INET, &a->s6_addr[12], buf, (socklen_t)len);
    } else {
      inet_ntop(AF_INET6, a, buf, (socklen_t)len);
    }
  }
}

int latchkey_mhd_connection_fd(struct MHD_Connection *connection) {
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
  return info == NULL ? -1 : info->connect_fd;
}

int latchkey_socket_pending_bytes(int fd) {
  int pending = 0;
  if (fd < 0 || ioctl(fd, FIONREAD, &pending) != 0) return 0;
  return pending;
}

unsigned int latchkey_mhd_adopt_backlog(struct MHD_Daemon *daemon, int listen_fd) {
  unsigned int adopted = 0;
  int flags = fcntl(listen_fd, F_GETFL, 0);
  if (flags < 0 || fcntl(listen_fd, F_SETFL, flags | O_NONBLOCK) != 0) return 0;
  for (;;) {
    struct sockaddr_storage address;
    socklen_t length = sizeof(address);
    int fd = accept4(listen_fd, (struct sockaddr *)&address, &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return adopted; /* EAGAIN: the backlog is empty */
    }
    /* MHD closes the socket itself when it cannot take it. */
    if (MHD_add_connection(daemon, fd, (struct sockaddr *)&address, length) == MHD_YES) adopted++;
  }
}
