/* The swarm's runs: closed-loop casts, request/reply, fan-outs across processes, per-client lines. */
#include "swarm.h"

int compare_long_long(const void *a, const void *b) {
  long long x = *(const long long *)a, y = *(const long long *)b;
  return (x > y) - (x < y);
}

/* Starts a run whose sampled clients (every `sample_stride`-th) each see `per_sampled` replies. */
void begin_run(int kind, const char *request, long per_sampled) {
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
int drive(void) {
  while (run.finished == 0) {
    turn(50);
    if (now_nanos() - run.last_progress > STALL_NANOS) return 0;
  }
  return 1;
}

/* Reads on through a quiet spell, then counts the clients without exactly the frames the run meant for them. */
long quiet_then_count_wrong(void) {
  long long quiet_until = now_nanos() + QUIET_NANOS;
  while (now_nanos() < quiet_until) turn(20);
  long wrong = 0;
  for (int i = 0; i < client_count; i++) {
    long expected = run.kind == 1   ? (i >= run.first && i < run.last ? run.casts : 0)
                    : run.kind == 3 ? run.casts
                    : run.kind == 2 ? run.per_client * run.frames_per_reply
                                    : run.per_client;
    if (clients[i]->frames - clients[i]->base != expected) wrong++;
  }
  return wrong;
}

void report(long deliveries, long long cpu_before) {
  long long cpu = cpu_micros() - cpu_before;
  long bad = quiet_then_count_wrong();
  qsort(run.latencies, (size_t)run.latency_count, sizeof(long long), compare_long_long);
  long long p50 = run.latency_count > 0 ? run.latencies[run.latency_count / 2] : 0;
  long long p99 = run.latency_count > 0 ? run.latencies[(run.latency_count * 99) / 100] : 0;
  printf("done %ld %lld %lld %lld %lld %ld\n", deliveries, run.finished - run.started, cpu, p50 / 1000, p99 / 1000, bad);
  fflush(stdout);
  run.kind = 0;
}

void casts(long count, long window, int first, int last, const char *request) {
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

void requests(long per_client, long frames_per_reply, const char *request) {
  long long cpu_before = cpu_micros();
  begin_run(2, request, per_client);
  run.per_client = per_client;
  run.frames_per_reply = frames_per_reply;
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

long long realtime_nanos(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void arm(void) {
  for (int i = 0; i < client_count; i++) clients[i]->base = clients[i]->frames;
  printf("armed\n");
  fflush(stdout);
}

void fanout(long count, int send, const char *request) {
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
void send_each(int first, int last, char *line, size_t size) {
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

