/*
 * The benchmark's native client swarm: thousands of WebSocket clients on one epoll loop,
 * cheap enough per frame that the server under test, not the swarm, sets the pace on a
 * machine whose cores the two share.
 *
 * It is driven line by line on stdin and answers one line per command on stdout:
 *
 *   open PORT COUNT LOCAL_ADDR SETUP_FRAMES SOCKET_IO PATH
 *       -> opened TOTAL
 *     Connects COUNT more clients to PORT from LOCAL_ADDR, a hundred handshakes at a time,
 *     and waits until each has SETUP_FRAMES data frames; TOTAL counts every client so far
 *     (several opens spread the clients over several servers). SOCKET_IO=1 sends the
 *     namespace connect ("40") after the first frame and answers Engine.IO pings ("2")
 *     with pongs ("3").
 *
 *   casts CASTS WINDOW FIRST LAST REQUEST
 *       -> done DELIVERIES NANOS CPU_MICROS P50_MICROS P99_MICROS WRONG
 *     Client 0 sends REQUEST (the rest of the line) CASTS times, keeping WINDOW casts in
 *     flight; a cast is done once clients FIRST..LAST-1 all have it. After a quiet spell,
 *     WRONG counts those without exactly CASTS new frames and the others with any.
 *
 *   send FIRST LAST, then one line per client FIRST..LAST-1
 *       -> sent WRONG
 *     Each of those clients sends its line and waits for one frame in answer.
 *
 *   requests PER_CLIENT REQUEST
 *       -> done DELIVERIES NANOS CPU_MICROS P50_MICROS P99_MICROS WRONG
 *     Every client keeps one REQUEST in flight until it has PER_CLIENT replies.
 *
 *   arm
 *       -> armed
 *   fanout CASTS SEND REQUEST
 *       -> fanned START_NANOS END_NANOS CPU_MICROS WRONG
 *     For a swarm in several processes: each is armed (counting starts there), then each
 *     is told to fan out; the one with SEND=1 has client 0 send REQUEST CASTS times at
 *     once. Each answers when every client of its own has CASTS frames since it was
 *     armed, with the wall-clock times (CLOCK_REALTIME, comparable between processes) of
 *     the first send (0 where nothing was sent) and of the last frame it counted.
 *
 *   A run that makes no progress for 15 s answers "void REASON". EOF ends the process.
 *
 * Frames are counted, not decoded: only control frames and one-byte Socket.IO texts are
 * looked into.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_EVENTS 512
#define READ_SIZE (256 * 1024)
#define CONNECTING_AT_ONCE 100
#define STALL_NANOS 15000000000LL
#define QUIET_NANOS 150000000LL
#define LATENCY_SAMPLE_CLIENTS 200

enum phase { CONNECTING, UPGRADING, OPEN, CLOSED };

struct client {
  int fd;
  /* Its place in `clients`, and the server it talks to. */
  int index;
  int port;
  const char *path;
  enum phase phase;
  /* The upgrade response, until its blank line. */
  char head[1024];
  int head_len;
  /* The frame being read: its header so far, payload bytes still to come. */
  uint8_t header[14];
  int header_len;
  uint64_t payload_left;
  int opcode;
  /* Payload of a control frame or a one-byte text, kept to answer it. */
  uint8_t small[126];
  int small_len;
  uint64_t payload_size;
  /* Data frames received. */
  long frames;
  long base;
  /* Bytes the kernel would not take yet. */
  uint8_t *pending;
  size_t pending_len;
  int sent_join;
};

/* Each client is allocated on its own: epoll keeps pointers to them while more are added. */
static struct client **clients;
static int client_count;
static int epoll_fd;
static int socket_io;
static uint8_t read_buffer[READ_SIZE];
static const uint8_t MASK[4] = {0x37, 0xfa, 0x21, 0x3d};

/* The run in progress. */
static struct {
  int kind; /* 0 none, 1 casts, 2 requests, 3 fanout, 4 send */
  long casts;
  long window;
  /* Receivers of casts, or senders of a send: clients first..last-1. */
  int first;
  int last;
  long per_client;
  uint8_t *frame;
  size_t frame_len;
  long sent;
  long done;
  long long *sent_at;
  int *received_by;
  long long *latencies;
  long latency_count;
  long latency_cap;
  int sample_stride;
  long long started;
  long long finished;
  long long last_progress;
  long replies;
} run;

static long long now_nanos(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long cpu_micros(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return (long long)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000LL + usage.ru_utime.tv_usec +
         usage.ru_stime.tv_usec;
}

static void fail(const char *what) {
  fprintf(stderr, "native swarm: %s: %s\n", what, strerror(errno));
  exit(1);
}

static void watch(struct client *c, uint32_t events) {
  struct epoll_event ev = {.events = events, .data.ptr = c};
  if (epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &ev) < 0) fail("epoll_ctl");
}

static void close_client(struct client *c) {
  if (c->phase == CLOSED) return;
  c->phase = CLOSED;
  epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
}

static void write_bytes(struct client *c, const uint8_t *data, size_t len) {
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

static void write_pending(struct client *c) {
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
static uint8_t *build_frame(int opcode, const uint8_t *payload, size_t size, size_t *out_len) {
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

static void send_frame(struct client *c, int opcode, const uint8_t *payload, size_t size) {
  size_t len;
  uint8_t *frame = build_frame(opcode, payload, size, &len);
  write_bytes(c, frame, len);
  free(frame);
}

static void send_request(struct client *c) { write_bytes(c, run.frame, run.frame_len); }

static void on_data_frame(struct client *c, long long at) {
  c->frames += 1;
  if (c->phase != OPEN) return;
  if (socket_io && !c->sent_join) {
    c->sent_join = 1;
    send_frame(c, 0x1, (const uint8_t *)"40", 2);
  }
  long index = c->frames - c->base - 1;
  if (run.kind == 1) {
    int who = c->index;
    if (who < run.first || who >= run.last || index >= run.casts) return;
    run.last_progress = at;
    if ((who - run.first) % run.sample_stride == 0 && run.latency_count < run.latency_cap) {
      run.latencies[run.latency_count++] = at - run.sent_at[index];
    }
    if (++run.received_by[index] != run.last - run.first) return;
    run.done += 1;
    if (run.done == run.casts) run.finished = at;
    while (run.sent < run.casts && run.sent - run.done < run.window) {
      run.sent_at[run.sent++] = now_nanos();
      send_request(clients[0]);
    }
  } else if (run.kind == 4) {
    if (c->index < run.first || c->index >= run.last || index != 0) return;
    run.last_progress = at;
    if (++run.replies == run.last - run.first) run.finished = at;
  } else if (run.kind == 3) {
    if (index != run.casts - 1) return;
    run.last_progress = at;
    run.replies += 1;
    if (run.replies == client_count) run.finished = at;
  } else if (run.kind == 2) {
    if (index >= run.per_client) return;
    run.last_progress = at;
    int who = c->index;
    if (who % run.sample_stride == 0 && run.latency_count < run.latency_cap) {
      run.latencies[run.latency_count++] = at - run.sent_at[who];
    }
    run.replies += 1;
    if (run.replies == (long)client_count * run.per_client) run.finished = at;
    if (index + 1 < run.per_client) {
      run.sent_at[who] = at;
      send_request(c);
    }
  }
}

static void end_frame(struct client *c, long long at) {
  int keep = c->payload_size <= sizeof c->small;
  if (c->opcode == 0x9 && keep) {
    send_frame(c, 0xa, c->small, (size_t)c->small_len);
  } else if (c->opcode == 0x8) {
    close_client(c);
  } else if (c->opcode == 0x1 || c->opcode == 0x2) {
    if (socket_io && c->payload_size == 1 && c->small[0] == '2') {
      send_frame(c, 0x1, (const uint8_t *)"3", 1);
      return;
    }
    on_data_frame(c, at);
  }
}

static void read_frames(struct client *c, const uint8_t *data, size_t len, long long at) {
  size_t i = 0;
  while (i < len && c->phase != CLOSED) {
    if (c->payload_left > 0) {
      size_t take = len - i < c->payload_left ? len - i : (size_t)c->payload_left;
      if (c->payload_size <= sizeof c->small) {
        memcpy(c->small + c->small_len, data + i, take);
        c->small_len += (int)take;
      }
      c->payload_left -= take;
      i += take;
      if (c->payload_left == 0) end_frame(c, at);
      continue;
    }
    c->header[c->header_len++] = data[i++];
    if (c->header_len < 2) continue;
    int short_length = c->header[1] & 0x7f;
    int needed = short_length < 126 ? 2 : short_length == 126 ? 4 : 10;
    if (c->header_len < needed) continue;
    uint64_t size = (uint64_t)short_length;
    if (short_length >= 126) {
      size = 0;
      for (int b = 2; b < needed; b++) size = (size << 8) | c->header[b];
    }
    c->opcode = c->header[0] & 0x0f;
    c->header_len = 0;
    c->payload_size = size;
    c->payload_left = size;
    c->small_len = 0;
    if (size == 0) end_frame(c, at);
  }
}

static void on_upgrade_bytes(struct client *c, const uint8_t *data, size_t len, long long at) {
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

static void on_readable(struct client *c, long long at) {
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

static void start_upgrade(struct client *c) {
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
static void turn(int timeout_ms) {
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

static void open_clients(int port, int count, const char *local_address, int setup_frames, const char *path_text) {
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

static int compare_long_long(const void *a, const void *b) {
  long long x = *(const long long *)a, y = *(const long long *)b;
  return (x > y) - (x < y);
}

/* Starts a run whose sampled clients (every `sample_stride`-th) each see `per_sampled` replies. */
static void begin_run(int kind, const char *request, long per_sampled) {
  run.kind = kind;
  run.sent = run.done = run.replies = 0;
  run.latency_count = 0;
  run.sample_stride = client_count / LATENCY_SAMPLE_CLIENTS > 1 ? client_count / LATENCY_SAMPLE_CLIENTS : 1;
  run.latency_cap = (client_count / run.sample_stride + 1) * per_sampled;
  free(run.latencies);
  run.latencies = malloc(sizeof(long long) * (size_t)run.latency_cap);
  free(run.frame);
  run.frame = build_frame(0x1, (const uint8_t *)request, strlen(request), &run.frame_len);
  for (int i = 0; i < client_count; i++) clients[i]->base = clients[i]->frames;
  run.started = now_nanos();
  run.finished = 0;
  run.last_progress = run.started;
}

/* Loops until the run has finished or stalled, then reads on through a quiet spell. */
static int drive(void) {
  while (run.finished == 0) {
    turn(50);
    if (now_nanos() - run.last_progress > STALL_NANOS) return 0;
  }
  return 1;
}

/* Reads on through a quiet spell, then counts the clients without exactly the frames the run meant for them. */
static long quiet_then_count_wrong(void) {
  long long quiet_until = now_nanos() + QUIET_NANOS;
  while (now_nanos() < quiet_until) turn(20);
  long wrong = 0;
  for (int i = 0; i < client_count; i++) {
    long expected = run.kind == 1 ? (i >= run.first && i < run.last ? run.casts : 0) : run.kind == 3 ? run.casts : run.per_client;
    if (clients[i]->frames - clients[i]->base != expected) wrong++;
  }
  return wrong;
}

static void report(long deliveries, long long cpu_before) {
  long long cpu = cpu_micros() - cpu_before;
  long bad = quiet_then_count_wrong();
  qsort(run.latencies, (size_t)run.latency_count, sizeof(long long), compare_long_long);
  long long p50 = run.latency_count > 0 ? run.latencies[run.latency_count / 2] : 0;
  long long p99 = run.latency_count > 0 ? run.latencies[(run.latency_count * 99) / 100] : 0;
  printf("done %ld %lld %lld %lld %lld %ld\n", deliveries, run.finished - run.started, cpu, p50 / 1000, p99 / 1000, bad);
  fflush(stdout);
  run.kind = 0;
}

static void casts(long count, long window, int first, int last, const char *request) {
  long long cpu_before = cpu_micros();
  begin_run(1, request, count);
  run.casts = count;
  run.window = window;
  run.first = first;
  run.last = last;
  free(run.sent_at);
  free(run.received_by);
  run.sent_at = calloc((size_t)count, sizeof(long long));
  run.received_by = calloc((size_t)count, sizeof(int));
  while (run.sent < count && run.sent < window) {
    run.sent_at[run.sent++] = now_nanos();
    send_request(clients[0]);
  }
  if (!drive()) {
    printf("void stalled: %ld of %ld casts complete\n", run.done, count);
    fflush(stdout);
    run.kind = 0;
    return;
  }
  report(count * (last - first), cpu_before);
}

static void requests(long per_client, const char *request) {
  long long cpu_before = cpu_micros();
  begin_run(2, request, per_client);
  run.per_client = per_client;
  free(run.sent_at);
  run.sent_at = calloc((size_t)client_count, sizeof(long long));
  long long at = now_nanos();
  for (int i = 0; i < client_count; i++) {
    run.sent_at[i] = at;
    send_request(clients[i]);
  }
  if (!drive()) {
    printf("void stalled: %ld of %ld replies\n", run.replies, (long)client_count * per_client);
    fflush(stdout);
    run.kind = 0;
    return;
  }
  report((long)client_count * per_client, cpu_before);
}

static long long realtime_nanos(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void arm(void) {
  for (int i = 0; i < client_count; i++) clients[i]->base = clients[i]->frames;
  printf("armed\n");
  fflush(stdout);
}

static void fanout(long count, int send, const char *request) {
  long long cpu_before = cpu_micros();
  run.kind = 3;
  run.casts = count;
  run.replies = 0;
  run.finished = 0;
  run.last_progress = now_nanos();
  long long started = 0;
  if (send) {
    free(run.frame);
    run.frame = build_frame(0x1, (const uint8_t *)request, strlen(request), &run.frame_len);
    started = realtime_nanos();
    for (long i = 0; i < count; i++) send_request(clients[0]);
  }
  // A client that already has them all (frames read in an earlier turn) is done.
  for (int i = 0; i < client_count; i++) {
    if (clients[i]->frames - clients[i]->base >= count) run.replies += 1;
  }
  if (run.replies == client_count) run.finished = now_nanos();
  if (!drive()) {
    printf("void stalled: %ld of %d clients have every cast\n", run.replies, client_count);
    fflush(stdout);
    run.kind = 0;
    return;
  }
  long long ended = realtime_nanos() - (now_nanos() - run.finished);
  long long cpu = cpu_micros() - cpu_before;
  long bad = quiet_then_count_wrong();
  printf("fanned %lld %lld %lld %ld\n", started, ended, cpu, bad);
  fflush(stdout);
  run.kind = 0;
}

/* Clients first..last-1 each send their own line (read from stdin) and wait for one frame back. */
static void send_each(int first, int last, char *line, size_t size) {
  for (int i = first; i < last; i++) {
    if (fgets(line, (int)size, stdin) == NULL) {
      fprintf(stderr, "native swarm: send expects %d lines\n", last - first);
      exit(1);
    }
    line[strcspn(line, "\n")] = 0;
    clients[i]->base = clients[i]->frames;
    send_frame(clients[i], 0x1, (const uint8_t *)line, strlen(line));
  }
  run.kind = 4;
  run.first = first;
  run.last = last;
  run.replies = 0;
  run.finished = first == last ? now_nanos() : 0;
  run.last_progress = now_nanos();
  if (!drive()) {
    printf("void stalled: %ld of %d answered\n", run.replies, last - first);
  } else {
    printf("sent\n");
  }
  fflush(stdout);
  run.kind = 0;
}

int main(void) {
  epoll_fd = epoll_create1(0);
  if (epoll_fd < 0) fail("epoll_create1");
  static char line[1 << 20];
  int port = 0;
  char path[256] = "/";
  while (fgets(line, sizeof line, stdin) != NULL) {
    line[strcspn(line, "\n")] = 0;
    char command[16];
    int used = 0;
    if (sscanf(line, "%15s %n", command, &used) < 1) continue;
    const char *rest = line + used;
    if (strcmp(command, "open") == 0) {
      int count, setup_frames;
      char local_address[64];
      if (sscanf(rest, "%d %d %63s %d %d %255s", &port, &count, local_address, &setup_frames, &socket_io, path) != 6) {
        fprintf(stderr, "native swarm: bad open: %s\n", rest);
        return 1;
      }
      open_clients(port, count, local_address, setup_frames, path);
    } else if (strcmp(command, "casts") == 0) {
      long count, window;
      int first, last, at = 0;
      if (sscanf(rest, "%ld %ld %d %d %n", &count, &window, &first, &last, &at) < 4 || at == 0 || first < 0 || last > client_count) {
        fprintf(stderr, "native swarm: bad casts: %s\n", rest);
        return 1;
      }
      casts(count, window, first, last, rest + at);
    } else if (strcmp(command, "send") == 0) {
      int first, last;
      if (sscanf(rest, "%d %d", &first, &last) != 2 || first < 0 || last > client_count || first > last) {
        fprintf(stderr, "native swarm: bad send: %s\n", rest);
        return 1;
      }
      send_each(first, last, line, sizeof line);
    } else if (strcmp(command, "requests") == 0) {
      long per_client;
      int at = 0;
      if (sscanf(rest, "%ld %n", &per_client, &at) < 1 || at == 0) {
        fprintf(stderr, "native swarm: bad requests: %s\n", rest);
        return 1;
      }
      requests(per_client, rest + at);
    } else if (strcmp(command, "arm") == 0) {
      arm();
    } else if (strcmp(command, "fanout") == 0) {
      long count;
      int send, at = 0;
      if (sscanf(rest, "%ld %d %n", &count, &send, &at) < 2 || at == 0) {
        fprintf(stderr, "native swarm: bad fanout: %s\n", rest);
        return 1;
      }
      fanout(count, send, rest + at);
    } else {
      fprintf(stderr, "native swarm: unknown command %s\n", command);
      return 1;
    }
  }
  return 0;
}
