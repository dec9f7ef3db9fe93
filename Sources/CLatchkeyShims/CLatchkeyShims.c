#define _GNU_SOURCE /* accept4 */
#include "CLatchkeyShims.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static void latchkey_mhd_quiet_logger(void *cls, const char *fmt, va_list ap) {
  /* MHD's own messages can quote request data; the service logs its own
     structured lines instead. */
  (void)cls; (void)fmt; (void)ap;
}

int latchkey_listen(const char *host, uint16_t port, int backlog, const char **error_out) {
  struct sockaddr_storage storage;
  memset(&storage, 0, sizeof(storage));
  struct sockaddr_in *v4 = (struct sockaddr_in *)&storage;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&storage;
  socklen_t length;
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof(*v4);
  } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof(*v6);
  } else {
    *error_out = "host is not an IPv4 or IPv6 address";
    return -1;
  }
  int fd = socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error_out = "could not create the listening socket";
    return -1;
  }
  int on = 1;
  /* As MHD did for its own listener: a restart may bind while old
     connections are in TIME_WAIT; a live listener still refuses the bind. */
  (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  if (storage.ss_family == AF_INET6) (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
  if (bind(fd, (struct sockaddr *)&storage, length) != 0 || listen(fd, backlog) != 0) {
    close(fd);
    *error_out = "could not start the HTTP listener (address in use or not available?)";
    return -1;
  }
  return fd;
}

uint16_t latchkey_socket_port(int fd) {
  struct sockaddr_storage storage;
  socklen_t length = sizeof(storage);
  if (getsockname(fd, (struct sockaddr *)&storage, &length) != 0) return 0;
  if (storage.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&storage)->sin_port);
  if (storage.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&storage)->sin6_port);
  return 0;
}

struct MHD_Daemon *latchkey_mhd_start(const latchkey_mhd_config *c, const char **error_out) {
  /* MHD never sees a listen socket: MHD_quiesce_daemon races the epoll
     poll threads for that socket's registration and aborts the process when
     it loses (0.9.75, daemon.c's quiesce loop); the acceptor below hands
     MHD each connection instead, and a stop simply closes the socket.
     TURBO: try the read/write before asking epoll (sockets are non-blocking). */
  unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
                       MHD_USE_TURBO | MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC;

  struct MHD_OptionItem options[] = {
      {MHD_OPTION_THREAD_POOL_SIZE, c->thread_pool_size, NULL},
      {MHD_OPTION_CONNECTION_LIMIT, c->connection_limit, NULL},
      {MHD_OPTION_CONNECTION_TIMEOUT, c->connection_timeout_seconds, NULL},
      {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)c->connection_memory_limit, NULL},
      {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)c->completed, c->completed_cls},
      {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)c->uri_log, c->uri_log_cls},
      {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)latchkey_mhd_quiet_logger, NULL},
      /* Last before the end: without a callback it ends the list itself. */
      {c->notify_connection ? MHD_OPTION_NOTIFY_CONNECTION : MHD_OPTION_END,
       (intptr_t)c->notify_connection, c->notify_connection_cls},
      {MHD_OPTION_END, 0, NULL},
  };
  struct MHD_Daemon *d = MHD_start_daemon(flags, 0, NULL, NULL, c->handler, c->handler_cls,
                                          MHD_OPTION_ARRAY, options, MHD_OPTION_END);
  if (d == NULL) *error_out = "could not start the HTTP daemon";
  return d;
}

static unsigned int latchkey_open_connections(struct MHD_Daemon *daemon) {
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
  return info == NULL ? 0 : info->num_connections;
}

/* Hands the connections waiting in the backlog to MHD, while fewer than
   `limit` are open (0: no limit); false when the caller should back off
   (at the limit, or out of descriptors). At the limit the rest wait in the
   backlog, as they did when MHD owned the listener, instead of being
   accepted only for MHD to close them. */
static int latchkey_accept_all(struct MHD_Daemon *daemon, int listen_fd, unsigned int limit,
                               unsigned long *added) {
  for (;;) {
    if (limit != 0 && latchkey_open_connections(daemon) >= limit) return 0;
    struct sockaddr_storage address;
    socklen_t length = sizeof(address);
    int fd = accept4(listen_fd, (struct sockaddr *)&address, &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return !(errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM);
    }
    /* MHD closes the socket itself when it cannot take it after all. */
    if (MHD_add_connection(daemon, fd, (struct sockaddr *)&address, length) == MHD_YES) (*added)++;
  }
}

unsigned long latchkey_accept_loop(struct MHD_Daemon *daemon, int listen_fd, int wake_fd,
                                   unsigned int connection_limit) {
  unsigned long added = 0;
  int backoff = 0;
  for (;;) {
    struct pollfd fds[2] = {{listen_fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    /* At the limit or out of descriptors the backlog stays readable: look
       again a little later instead of spinning. */
    int ready = poll(backoff ? &fds[1] : fds, backoff ? 1 : 2, backoff ? 20 : -1);
    if (ready < 0 && errno != EINTR) break;
    if (fds[1].revents != 0) break;
    if (backoff || fds[0].revents != 0) backoff = !latchkey_accept_all(daemon, listen_fd, connection_limit, &added);
  }
  /* Clients the kernel accepted before the stop may have sent their request
     already: serve them rather than reset them when the socket closes. */
  (void)latchkey_accept_all(daemon, listen_fd, connection_limit, &added);
  return added;
}

int latchkey_wake_fd(void) { return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }

void latchkey_wake(int wake_fd) {
  uint64_t one = 1;
  ssize_t written;
  do {
    written = write(wake_fd, &one, sizeof(one));
  } while (written < 0 && errno == EINTR);
}

void latchkey_mhd_set_connection_timeout(struct MHD_Connection *connection, unsigned int seconds) {
  MHD_set_connection_option(connection, MHD_CONNECTION_OPTION_TIMEOUT, seconds);
}

/* What inet_ntop writes for AF_INET ("%u.%u.%u.%u"), without its sprintf:
 * this runs for every request. */
static void format_ipv4(const unsigned char *octets, char *buf, size_t len) {
  char text[16];
  size_t at = 0;
  for (int i = 0; i < 4; i++) {
    unsigned value = octets[i];
    if (i > 0) text[at++] = '.';
    if (value >= 100) text[at++] = (char)('0' + value / 100);
    if (value >= 10) text[at++] = (char)('0' + value / 10 % 10);
    text[at++] = (char)('0' + value % 10);
  }
  text[at] = '\0';
  if (at < len) memcpy(buf, text, at + 1);
}

void latchkey_mhd_client_address(struct MHD_Connection *connection, char *buf, size_t len) {
  buf[0] = '\0';
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (info == NULL || info->client_addr == NULL) return;
  const struct sockaddr *sa = info->client_addr;
  if (sa->sa_family == AF_INET) {
    format_ipv4((const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr, buf, len);
  } else if (sa->sa_family == AF_INET6) {
    const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(a)) {
      format_ipv4(&a->s6_addr[12], buf, len);
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
