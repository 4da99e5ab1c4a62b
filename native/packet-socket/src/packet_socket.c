/*
 * smtpscope's window on the Linux AF_PACKET socket libpcap captures with (live capture).
 *
 * libpcap keeps that socket to itself and the `cap` binding offers no pcap_stats(), so
 * the caller finds the socket's file descriptor (capture/live-socket.ts) and this
 * module asks the kernel directly, as pcap_stats_linux() does:
 * getsockopt(fd, SOL_PACKET, PACKET_STATISTICS).
 *
 * PACKET_STATISTICS RESETS the socket's counters on every read (net/packet/af_packet.c
 * packet_getsockopt): each call returns what happened since the previous one, and the
 * caller keeps the running total. tp_packets counts every packet that passed the
 * socket's filter, INCLUDING the dropped ones; tp_drops counts those that found the
 * ring (or receive queue) full. A TPACKET_V3 socket also returns tp_freeze_q_cnt.
 *
 * Synchronous and cheap (a few system calls each):
 *   isPacketSocket(fd) -> boolean            getsockopt(SO_DOMAIN) == AF_PACKET
 *   read(fd) -> { packets, drops, freezeQueueCount | null, tpacketVersion | null }
 *   skipLoopbackOutgoing(fd, loIfindex) -> filter length (see below)
 * Errors are thrown as Errors carrying the errno text.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <node_api.h>

#define CHECK(call)                                                           \
  do {                                                                        \
    if ((call) != napi_ok) {                                                  \
      napi_throw_error(env, NULL, "packet-socket: N-API call failed: " #call); \
      return NULL;                                                            \
    }                                                                         \
  } while (0)

/* The first `count` arguments as non-negative int32s (a file descriptor, an ifindex). */
static int int_arguments(napi_env env, napi_callback_info info, size_t count, int32_t *out) {
  size_t argc = 2;
  napi_value argv[2];
  napi_valuetype t;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < count) goto bad;
  for (size_t i = 0; i < count; i++) {
    if (napi_typeof(env, argv[i], &t) != napi_ok || t != napi_number ||
        napi_get_value_int32(env, argv[i], &out[i]) != napi_ok || out[i] < 0) goto bad;
  }
  return 1;
bad:
  napi_throw_type_error(env, NULL, count == 1 ? "packet-socket: a file descriptor (a number >= 0) is required"
                                              : "packet-socket: a file descriptor and an interface index are required");
  return 0;
}

static napi_value throw_errno(napi_env env, const char *what, int fd, int e) {
  char msg[200];
  snprintf(msg, sizeof msg, "%s on fd %d: %s", what, fd, strerror(e));
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static napi_value set_uint(napi_env env, napi_value obj, const char *name, uint32_t v) {
  napi_value n;
  if (napi_create_uint32(env, v, &n) != napi_ok || napi_set_named_property(env, obj, name, n) != napi_ok) return NULL;
  return obj;
}

static napi_value set_null(napi_env env, napi_value obj, const char *name) {
  napi_value n;
  if (napi_get_null(env, &n) != napi_ok || napi_set_named_property(env, obj, name, n) != napi_ok) return NULL;
  return obj;
}

static napi_value is_packet_socket(napi_env env, napi_callback_info info) {
  int32_t fd;
  if (!int_arguments(env, info, 1, &fd)) return NULL;
  int domain = -1;
  socklen_t len = sizeof domain;
  napi_value result;
  int yes = getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 && domain == AF_PACKET;
  CHECK(napi_get_boolean(env, yes, &result));
  return result;
}

static napi_value read_stats(napi_env env, napi_callback_info info) {
  int32_t fd;
  if (!int_arguments(env, info, 1, &fd)) return NULL;

  /* The kernel copies min(len, sizeof its struct): tpacket_stats (8 bytes) for
     TPACKET_V1/V2 and for a socket without a ring, tpacket_stats_v3 (12) for V3. */
  struct tpacket_stats_v3 st;
  memset(&st, 0, sizeof st);
  socklen_t len = sizeof st;
  if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) != 0) return throw_errno(env, "getsockopt(PACKET_STATISTICS)", fd, errno);
  int version = -1;
  socklen_t vlen = sizeof version;
  int has_version = getsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, &vlen) == 0;

  napi_value obj;
  CHECK(napi_create_object(env, &obj));
  if (!set_uint(env, obj, "packets", st.tp_packets) || !set_uint(env, obj, "drops", st.tp_drops)) return NULL;
  if (len >= sizeof st) {
    if (!set_uint(env, obj, "freezeQueueCount", st.tp_freeze_q_cnt)) return NULL;
  } else if (!set_null(env, obj, "freezeQueueCount")) {
    return NULL;
  }
  /* PACKET_VERSION is TPACKET_V1 (0), V2 (1) or V3 (2); reported as 1, 2 or 3. */
  if (has_version) {
    if (!set_uint(env, obj, "tpacketVersion", (uint32_t)version + 1)) return NULL;
  } else if (!set_null(env, obj, "tpacketVersion")) {
    return NULL;
  }
  return obj;
}

/*
 * Loopback: every packet on lo reaches a packet socket twice, once as it is sent
 * (PACKET_OUTGOING, from dev_queue_xmit_nit) and once as it is received. libpcap throws
 * the outgoing copy away in user space (pcap-linux.c linux_check_direction: "we'll see
 * the packet as an incoming packet as well, and we don't want to see it twice"), but
 * only after it has taken a slot of the ring: half the ring is wasted, and each lost
 * packet is counted up to twice in tp_drops. Here the kernel rejects those copies
 * itself: the socket's filter (the one libpcap compiled and attached, read back with
 * SO_GET_FILTER) gets a prefix that returns 0 for an outgoing packet on `lo_ifindex`,
 * which is what libpcap's `inbound` compiles to, without the userland re-filtering of
 * the first frame that loses a packet when the filter itself says `inbound`
 * (pcap_setfilter_linux filters at least one frame in user space, where the
 * SKF_AD_PKTTYPE load fails). What libpcap delivers does not change.
 *
 * skipLoopbackOutgoing(fd, loIfindex) -> the new program's length, 0 when the socket
 * has no kernel filter (nothing changed); throws with the errno text.
 */
#define PREFIX_LEN 5

static napi_value skip_loopback_outgoing(napi_env env, napi_callback_info info) {
  int32_t args[2];
  if (!int_arguments(env, info, 2, args)) return NULL;
  int fd = args[0];
  struct sock_filter prefix[PREFIX_LEN] = {
    BPF_STMT(BPF_LD | BPF_B | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 0, 3), /* outgoing: check the device; else the program */
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_IFINDEX),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)args[1], 0, 1), /* loopback: reject; else the program */
    BPF_STMT(BPF_RET | BPF_K, 0),
  };
  /* SO_GET_FILTER counts instructions, not bytes: ask the length first. */
  socklen_t n = 0;
  if (getsockopt(fd, SOL_SOCKET, SO_GET_FILTER, NULL, &n) != 0) return throw_errno(env, "getsockopt(SO_GET_FILTER)", fd, errno);
  napi_value result;
  if (n == 0) {
    CHECK(napi_create_uint32(env, 0, &result));
    return result;
  }
  if (n + PREFIX_LEN > BPF_MAXINSNS) return throw_errno(env, "skipLoopbackOutgoing: the filter is too long", fd, E2BIG);
  struct sock_filter *prog = calloc(n + PREFIX_LEN, sizeof *prog);
  if (prog == NULL) return throw_errno(env, "skipLoopbackOutgoing", fd, ENOMEM);
  socklen_t got = n;
  if (getsockopt(fd, SOL_SOCKET, SO_GET_FILTER, prog + PREFIX_LEN, &got) != 0 || got != n) {
    int e = got != n ? EAGAIN : errno;
    free(prog);
    return throw_errno(env, "getsockopt(SO_GET_FILTER)", fd, e);
  }
  uint32_t len = n;
  if (n < PREFIX_LEN || memcmp(prog + PREFIX_LEN, prefix, sizeof prefix) != 0) {
    /* Jumps are relative and forward only: the program after the prefix is unchanged. */
    memcpy(prog, prefix, sizeof prefix);
    struct sock_fprog fprog = {.len = (unsigned short)(n + PREFIX_LEN), .filter = prog};
    if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) != 0) {
      int e = errno;
      free(prog);
      return throw_errno(env, "setsockopt(SO_ATTACH_FILTER)", fd, e);
    }
    len = n + PREFIX_LEN;
  } /* else: already there (a second call). */
  free(prog);
  CHECK(napi_create_uint32(env, len, &result));
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"isPacketSocket", NULL, is_packet_socket, NULL, NULL, NULL, napi_enumerable, NULL},
    {"read", NULL, read_stats, NULL, NULL, NULL, napi_enumerable, NULL},
    {"skipLoopbackOutgoing", NULL, skip_loopback_outgoing, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE_INIT() {
  return init(env, exports);
}
