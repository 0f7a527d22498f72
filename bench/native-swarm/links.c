/* The swarm's sockets: connecting, upgrading, writing frames, and the epoll loop. */
#include "swarm.h"

static uint8_t read_buffer[READ_SIZE];
static const uint8_t MASK[4] = {0x37, 0xfa, 0x21, 0x3d};

long long now_nanos(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

long long cpu_micros(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return (long long)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000LL + usage.ru_utime.tv_usec +
         usage.ru_stime.tv_usec;
}

void fail(const char *what) {
  fprintf(stderr, "native swarm: %s: %s\n", what, strerror(errno));
  exit(1);
}

void watch(struct client *c, uint32_t events) {
  struct epoll_event ev = {.events = events, .data.ptr = c};
  if (epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &ev) < 0) fail("epoll_ctl");
}

void close_client(struct client *c) {
  if (c->phase == CLOSED) return;
  c->phase = CLOSED;
  epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
}

void write_bytes(struct client *c, const uint8_t *data, size_t len) {
  if (c->phase == CLOSED) return;
  if (c->pending_len == 0) {
    ssize_t n = write(c->fd, data, len);
    if (n < 0 && errno != EAGAIN) {
      close_client(c);
      return;
    }
    if (n < 0) n = 0;
    data += n;
    len -= (size_t)n;
    if (len == 0) return;
    watch(c, EPOLLIN | EPOLLOUT);
  }
  c->pending = realloc(c->pending, c->pending_len + len);
  memcpy(c->pending + c->pending_len, data, len);
  c->pending_len += len;
}

void write_pending(struct client *c) {
  ssize_t n = write(c->fd, c->pending, c->pending_len);
  if (n < 0) {
    if (errno != EAGAIN) close_client(c);
    return;
  }
  memmove(c->pending, c->pending + n, c->pending_len - (size_t)n);
  c->pending_len -= (size_t)n;
  if (c->pending_len == 0) watch(c, EPOLLIN);
}

/* A masked client frame; the caller frees it. */
uint8_t *build_frame(int opcode, const uint8_t *payload, size_t size, size_t *out_len) {
  size_t length_bytes = size <= 125 ? 0 : size <= 0xffff ? 2 : 8;
  size_t total = 2 + length_bytes + 4 + size;
  uint8_t *frame = malloc(total);
  frame[0] = (uint8_t)(0x80 | opcode);
  frame[1] = (uint8_t)(0x80 | (length_bytes == 0 ? size : length_bytes == 2 ? 126 : 127));
  for (size_t i = 0; i < length_bytes; i++) frame[2 + i] = (uint8_t)(size >> (8 * (length_bytes - 1 - i)));
  memcpy(frame + 2 + length_bytes, MASK, 4);
  for (size_t i = 0; i < size; i++) frame[6 + length_bytes + i] = payload[i] ^ MASK[i & 3];
  *out_len = total;
  return frame;
}

void send_frame(struct client *c, int opcode, const uint8_t *payload, size_t size) {
  size_t len;
  uint8_t *frame = build_frame(opcode, payload, size, &len);
  write_bytes(c, frame, len);
  free(frame);
}

void send_request(struct client *c) { write_bytes(c, run.frame, run.frame_len); }

void on_upgrade_bytes(struct client *c, const uint8_t *data, size_t len, long long at) {
  size_t room = sizeof c->head - 1 - (size_t)c->head_len;
  size_t take = len < room ? len : room;
  memcpy(c->head + c->head_len, data, take);
  c->head_len += (int)take;
  c->head[c->head_len] = 0;
  char *end = strstr(c->head, "\r\n\r\n");
  if (end == NULL) {
    if (take == room) {
      fprintf(stderr, "native swarm: upgrade response too long\n");
      exit(1);
    }
    return;
  }
  if (strncmp(c->head, "HTTP/1.1 101", 12) != 0) {
    fprintf(stderr, "native swarm: upgrade refused: %.60s\n", c->head);
    exit(1);
  }
  c->phase = OPEN;
  size_t used = (size_t)(end + 4 - c->head) - ((size_t)c->head_len - take);
  if (used < len) read_frames(c, data + used, len - used, at);
}

void on_readable(struct client *c, long long at) {
  for (;;) {
    ssize_t n = read(c->fd, read_buffer, sizeof read_buffer);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
      close_client(c);
      return;
    }
    if (n < 0) return;
    if (c->phase == UPGRADING) {
      on_upgrade_bytes(c, read_buffer, (size_t)n, at);
    } else {
      read_frames(c, read_buffer, (size_t)n, at);
    }
    if ((size_t)n < sizeof read_buffer) return;
  }
}

void start_upgrade(struct client *c) {
  int error = 0;
  socklen_t size = sizeof error;
  getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &size);
  if (error != 0) {
    errno = error;
    fail("connect");
  }
  char request[512];
  int len = snprintf(request, sizeof request,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                     c->path, c->port);
  c->phase = UPGRADING;
  watch(c, EPOLLIN);
  write_bytes(c, (const uint8_t *)request, (size_t)len);
}

/* One turn of the loop: waits up to `timeout_ms` and handles what is ready. */
void turn(int timeout_ms) {
  static struct epoll_event events[MAX_EVENTS];
  int ready = epoll_wait(epoll_fd, events, MAX_EVENTS, timeout_ms);
  if (ready < 0 && errno != EINTR) fail("epoll_wait");
  long long at = now_nanos();
  for (int i = 0; i < ready; i++) {
    struct client *c = events[i].data.ptr;
    if (c->phase == CONNECTING) {
      start_upgrade(c);
      continue;
    }
    if ((events[i].events & EPOLLOUT) && c->pending_len > 0) write_pending(c);
    if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(c, at);
  }
}

void open_clients(int port, int count, const char *local_address, int setup_frames, const char *path_text) {
  const char *path = strdup(path_text);
  int first = client_count;
  clients = realloc(clients, sizeof *clients * (size_t)(client_count + count));
  for (int i = first; i < first + count; i++) {
    clients[i] = calloc(1, sizeof **clients);
    clients[i]->index = i;
    clients[i]->port = port;
    clients[i]->path = path;
  }
  client_count += count;
  struct sockaddr_in server = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
  struct sockaddr_in local = {.sin_family = AF_INET, .sin_port = 0};
  inet_pton(AF_INET, local_address, &local.sin_addr);
  int started = first;
  int ready = first;
  while (ready < client_count) {
    while (started < client_count && started - ready < CONNECTING_AT_ONCE) {
      struct client *c = clients[started++];
      c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      if (c->fd < 0) fail("socket");
      int one = 1;
      setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      // The port is chosen at connect, by the whole address pair: a port still in TIME_WAIT
      // from an earlier run to another server port can be used again, as without bind.
      setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
      if (bind(c->fd, (struct sockaddr *)&local, sizeof local) < 0) fail("bind");
      if (connect(c->fd, (struct sockaddr *)&server, sizeof server) < 0 && errno != EINPROGRESS) fail("connect");
      c->phase = CONNECTING;
      struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
      if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c->fd, &ev) < 0) fail("epoll_ctl");
    }
    turn(100);
    while (ready < started && clients[ready]->phase == OPEN && clients[ready]->frames >= setup_frames) ready++;
    for (int i = ready; i < started; i++) {
      if (clients[i]->phase == CLOSED) {
        fprintf(stderr, "native swarm: client %d closed while joining\n", i);
        exit(1);
      }
    }
  }
  printf("opened %d\n", client_count);
  fflush(stdout);
}

