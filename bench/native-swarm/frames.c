/* Counting what arrives: frames read from the bytes of each client, without decoding their data. */
#include "swarm.h"

void on_data_frame(struct client *c, long long at) {
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
    if (index >= run.per_client * run.frames_per_reply) return;
    run.last_progress = at;
    /* A request is answered by its last frame (an acked request's ack follows its reply). */
    if ((index + 1) % run.frames_per_reply != 0) return;
    index /= run.frames_per_reply;
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

void end_frame(struct client *c, long long at) {
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

void read_frames(struct client *c, const uint8_t *data, size_t len, long long at) {
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

