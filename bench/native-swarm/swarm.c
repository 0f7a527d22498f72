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
 *   acked-requests PER_CLIENT REQUEST
 *       -> done DELIVERIES NANOS CPU_MICROS P50_MICROS P99_MICROS WRONG
 *     Every client keeps one REQUEST in flight until it has PER_CLIENT replies; with
 *     acked-requests each request is answered by a reply and then its ack (protocol 1.1),
 *     and the next goes once the ack is in.
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
#include "swarm.h"

struct client **clients;
int client_count;
int epoll_fd;
int socket_io;
struct run_state run;

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
    } else if (strcmp(command, "requests") == 0 || strcmp(command, "acked-requests") == 0) {
      long per_client;
      int at = 0;
      if (sscanf(rest, "%ld %n", &per_client, &at) < 1 || at == 0) {
        fprintf(stderr, "native swarm: bad requests: %s\n", rest);
        return 1;
      }
      requests(per_client, command[0] == 'a' ? 2 : 1, rest + at);
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

