/* What the native swarm's files share: its clients, the run in progress, and its functions. */
#ifndef SWARM_H
#define SWARM_H
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

struct run_state {
  int kind; /* 0 none, 1 casts, 2 requests, 3 fanout, 4 send */
  long casts;
  long window;
  /* Receivers of casts, or senders of a send: clients first..last-1. */
  int first;
  int last;
  long per_client;
  /* Frames that answer one request: 1, or 2 for a reply followed by its ack (protocol 1.1). */
  long frames_per_reply;
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
};

/* Each client is allocated on its own: epoll keeps pointers to them while more are added. */
extern struct client **clients;
extern int client_count;
extern int epoll_fd;
extern int socket_io;
extern struct run_state run;

long long now_nanos(void);
long long cpu_micros(void);
void fail(const char *what);
void watch(struct client *c, uint32_t events);
void close_client(struct client *c);
void write_bytes(struct client *c, const uint8_t *data, size_t len);
void write_pending(struct client *c);
uint8_t *build_frame(int opcode, const uint8_t *payload, size_t size, size_t *out_len);
void send_frame(struct client *c, int opcode, const uint8_t *payload, size_t size);
void send_request(struct client *c);
void on_upgrade_bytes(struct client *c, const uint8_t *data, size_t len, long long at);
void on_readable(struct client *c, long long at);
void start_upgrade(struct client *c);
void turn(int timeout_ms);
void open_clients(int port, int count, const char *local_address, int setup_frames, const char *path_text);
void on_data_frame(struct client *c, long long at);
void end_frame(struct client *c, long long at);
void read_frames(struct client *c, const uint8_t *data, size_t len, long long at);
int compare_long_long(const void *a, const void *b);
void begin_run(int kind, const char *request, long per_sampled);
int drive(void);
long quiet_then_count_wrong(void);
void report(long deliveries, long long cpu_before);
void casts(long count, long window, int first, int last, const char *request);
void requests(long per_client, long frames_per_reply, const char *request);
long long realtime_nanos(void);
void arm(void);
void fanout(long count, int send, const char *request);
void send_each(int first, int last, char *line, size_t size);

#endif
