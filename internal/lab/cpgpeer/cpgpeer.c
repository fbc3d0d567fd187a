/*
 * cpgpeer: a closed process group peer for interoperability tests and
 * benchmarks, against corosync's libcpg. Its twin, internal/lab/gocpgpeer,
 * speaks the same protocol against goais's client library, so that a test
 * harness can drive either and compare what they print.
 *
 * Build:  gcc -O2 -Wall -Wextra -o cpgpeer cpgpeer.c -lcpg
 * Usage:  cpgpeer GROUP TAG
 *
 * TAG (1 to 64 printable ASCII characters, no space) names this peer in
 * the payloads it sends.
 *
 * PROTOCOL
 *
 * The program initializes libcpg (CPG_MODEL_V1 with
 * CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF), joins GROUP, asks for the local
 * node id and prints
 *
 *     ready NODEID PID
 *
 * Start-up retries CS_ERR_TRY_AGAIN for up to 30 s. Every output line is
 * flushed at once. MONO is CLOCK_MONOTONIC in nanoseconds.
 *
 * Events are printed as they happen:
 *
 *     confchg MONO members=N:P,... left=N:P:R,... joined=N:P:R,...
 *     totem MONO ring=NODEID.SEQ members=N,N,...
 *     deliver NODEID PID TAG SEQ LEN OK          (only while verbose is on)
 *
 * Lists keep the library's order and are empty after '=' when empty; R is
 * the numeric cpg_reason_t.
 *
 * Payload of every message sent: the header "TAG SEQ MONO\n" (SEQ counts
 * from 1 per process across all commands, MONO is the time of the
 * cpg_mcast_joined call that succeeded), then filler: the byte at offset i
 * of the payload (i >= header length) is (SEQ + i) % 251. The requested
 * SIZE is the whole payload's length; a SIZE shorter than the header sends
 * the header alone.
 *
 * A delivered payload is read as follows: its header is the bytes up to
 * the first '\n', which must lie within the first 128 bytes, made of three
 * fields separated by single spaces: TAG (1-64 bytes, 0x21-0x7e), SEQ and
 * MONO (unsigned 64-bit decimals without leading zeros, "0" allowed). If
 * the header does not parse, TAG and SEQ print as "-" and OK is "bad";
 * otherwise OK is "ok" when every filler byte matches, else "bad".
 *
 * Commands, one per line on stdin (blank lines are ignored); each runs to
 * completion, callbacks being dispatched all the while, then prints one
 * result line:
 *
 *     verbose on|off      -> ok
 *     join | leave        -> ok | error cpg_join: CODE | error cpg_leave: CODE
 *     send N SIZE         -> sent N          (as fast as flow control allows)
 *     rate R N SIZE       -> sent N          (message k at start + k/R)
 *     flood SECS SIZE     -> flood sent=S delivered=D bytes=B secs=T
 *     watch SECS          -> watch delivered=D bytes=B secs=T
 *     stats               -> stats delivered=D bytes=B hash=H self=S
 *                              lat_n=K p50=NS p99=NS max=NS
 *     reset               -> ok
 *     quit                -> (nothing) leave, finalize, exit 0; EOF too
 *
 * flood and watch count the deliveries (from any sender) dispatched while
 * they run; T is the real elapsed time in seconds with 3 decimals. stats
 * counts every delivery since start or the last reset: B is the sum of
 * lengths, H the 64-bit FNV-1a (16 hex digits) over the concatenation of
 * "NODEID PID TAG SEQ\n" per delivery (TAG and SEQ as in the deliver
 * line), S the deliveries of this process's own messages. Latency is
 * delivery MONO minus header MONO over own deliveries with a parsable
 * header (the first 2,000,000 since the last reset); percentiles by nearest
 * rank, 0 when there are none.
 *
 * A send that the library refuses (other than with CS_ERR_TRY_AGAIN)
 * prints "error cpg_mcast_joined: CODE" instead of the result line. An
 * unknown or malformed command prints "error unknown command: LINE". When
 * the connection to corosync is lost (CS_ERR_LIBRARY or CS_ERR_BAD_HANDLE
 * from any call) the program prints "error CALL: CODE" and exits with
 * status 2. CODE is the numeric cs_error_t. Wrong arguments exit 1.
 *
 * Seen with corosync 3.1.7: a join after a leave on the same handle is
 * refused with CS_ERR_EXIST (14), even once the leave's confchg has come
 * back; sends after a leave succeed but nothing is delivered. (goais
 * refuses the join only until the leave's confchg, and the send with
 * CS_ERR_NOT_EXIST, 12.)
 */
#define _POSIX_C_SOURCE 200809L

#include <corosync/cpg.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MAX_TAG 64
#define MAX_HEADER 128           /* a header's '\n' lies within this many bytes */
#define MAX_SIZE (1 << 20)       /* largest SIZE a command may ask for */
#define MAX_SAMPLES 2000000      /* latency samples kept between resets */
#define RETRY_NS 1000000LL       /* wait after CS_ERR_TRY_AGAIN while sending */
#define STARTUP_NS 30000000000LL /* how long start-up retries CS_ERR_TRY_AGAIN */
#define LINE_MAX_LEN 4096        /* longest command line */
#define FILL_MOD 251

static cpg_handle_t handle;
static int cpg_fd = -1;
static struct cpg_name group;
static const char *tag;
static uint32_t local_nodeid;
static uint32_t local_pid;
static int verbose;
static int joined;
static uint64_t next_seq = 1;

/* Counters since start or the last reset (the stats command). */
static uint64_t st_delivered, st_bytes, st_self, st_hash;
static int64_t *samples;
static size_t n_samples, cap_samples;

/* Counters never reset, for the windows of flood and watch. */
static uint64_t all_delivered, all_bytes;

/* The payload being sent and what its filler was made for. */
static unsigned char *payload;
static size_t payload_cap;
static uint64_t fill_seq;
static size_t fill_from, fill_to;

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static uint64_t fnv1a(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= FNV_PRIME;
	}
	return h;
}

/* fill_start is the filler byte at offset i of message seq, computed
 * without overflow for any seq. */
static unsigned fill_start(uint64_t seq, size_t i)
{
	return (unsigned)((seq % FILL_MOD + i % FILL_MOD) % FILL_MOD);
}

/* A lost connection ends the program: nothing more can be done. */
static int connection_lost(cs_error_t rc)
{
	return rc == CS_ERR_LIBRARY || rc == CS_ERR_BAD_HANDLE;
}

static void die(const char *call, cs_error_t rc)
{
	printf("error %s: %d\n", call, (int)rc);
	exit(2);
}

/* ---- reading delivered payloads ---- */

/* parse_u64 reads a canonical unsigned decimal: digits only, no leading
 * zero unless it is "0", no overflow. */
static int parse_u64(const unsigned char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		unsigned d = s[i] - '0';
		if (v > (UINT64_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	*out = v;
	return 1;
}

struct header {
	char tag[MAX_TAG + 1];
	uint64_t seq, mono;
	size_t len; /* including the '\n' */
};

/* parse_header reads "TAG SEQ MONO\n" at the start of p; 0 if it is not
 * one. */
static int parse_header(const unsigned char *p, size_t n, struct header *h)
{
	size_t lim = n < MAX_HEADER ? n : MAX_HEADER;
	const unsigned char *nl = memchr(p, '\n', lim);
	if (nl == NULL)
		return 0;
	size_t end = (size_t)(nl - p);
	const unsigned char *sp1 = memchr(p, ' ', end);
	if (sp1 == NULL)
		return 0;
	size_t taglen = (size_t)(sp1 - p);
	if (taglen == 0 || taglen > MAX_TAG)
		return 0;
	for (size_t i = 0; i < taglen; i++)
		if (p[i] < 0x21 || p[i] > 0x7e)
			return 0;
	size_t seq_at = taglen + 1;
	const unsigned char *sp2 = memchr(p + seq_at, ' ', end - seq_at);
	if (sp2 == NULL)
		return 0;
	size_t mono_at = (size_t)(sp2 - p) + 1;
	if (!parse_u64(p + seq_at, mono_at - 1 - seq_at, &h->seq) ||
	    !parse_u64(p + mono_at, end - mono_at, &h->mono))
		return 0;
	memcpy(h->tag, p, taglen);
	h->tag[taglen] = '\0';
	h->len = end + 1;
	return 1;
}

static int filler_ok(const unsigned char *p, size_t n, const struct header *h)
{
	unsigned v = fill_start(h->seq, h->len);
	for (size_t i = h->len; i < n; i++) {
		if (p[i] != v)
			return 0;
		if (++v == FILL_MOD)
			v = 0;
	}
	return 1;
}

/* ---- callbacks ---- */

static void on_deliver(cpg_handle_t h, const struct cpg_name *g, uint32_t nodeid,
		       uint32_t pid, void *msg, size_t len)
{
	int64_t now = mono_ns();
	const unsigned char *p = msg;
	struct header hd;
	int parsed = parse_header(p, len, &hd);
	int ok = parsed && filler_ok(p, len, &hd);
	char seqbuf[24];
	const char *t = "-", *s = "-";
	(void)h;
	(void)g;

	if (parsed) {
		snprintf(seqbuf, sizeof seqbuf, "%" PRIu64, hd.seq);
		t = hd.tag;
		s = seqbuf;
	}

	char line[160];
	int n = snprintf(line, sizeof line, "%" PRIu32 " %" PRIu32 " %s %s\n", nodeid, pid, t, s);
	st_hash = fnv1a(st_hash, line, (size_t)n);
	st_delivered++;
	st_bytes += len;
	all_delivered++;
	all_bytes += len;

	if (nodeid == local_nodeid && pid == local_pid) {
		st_self++;
		if (parsed && n_samples < MAX_SAMPLES) {
			if (n_samples == cap_samples) {
				size_t cap = cap_samples ? cap_samples * 2 : 4096;
				if (cap > MAX_SAMPLES)
					cap = MAX_SAMPLES;
				int64_t *ns = realloc(samples, cap * sizeof *ns);
				if (ns != NULL) {
					samples = ns;
					cap_samples = cap;
				}
			}
			if (n_samples < cap_samples) {
				int64_t lat = now - (int64_t)hd.mono;
				samples[n_samples++] = lat > 0 ? lat : 0;
			}
		}
	}

	if (verbose)
		printf("deliver %" PRIu32 " %" PRIu32 " %s %s %zu %s\n", nodeid, pid, t, s, len,
		       ok ? "ok" : "bad");
}

static void print_addrs(const char *name, const struct cpg_address *a, size_t n, int reasons)
{
	printf(" %s=", name);
	for (size_t i = 0; i < n; i++) {
		printf("%s%" PRIu32 ":%" PRIu32, i ? "," : "", a[i].nodeid, a[i].pid);
		if (reasons)
			printf(":%" PRIu32, a[i].reason);
	}
}

static void on_confchg(cpg_handle_t h, const struct cpg_name *g,
		       const struct cpg_address *members, size_t n_members,
		       const struct cpg_address *left, size_t n_left,
		       const struct cpg_address *joined_list, size_t n_joined)
{
	(void)h;
	(void)g;
	printf("confchg %" PRId64, mono_ns());
	print_addrs("members", members, n_members, 0);
	print_addrs("left", left, n_left, 1);
	print_addrs("joined", joined_list, n_joined, 1);
	printf("\n");
}

static void on_totem(cpg_handle_t h, struct cpg_ring_id ring, uint32_t n, const uint32_t *members)
{
	(void)h;
	printf("totem %" PRId64 " ring=%" PRIu32 ".%" PRIu64 " members=", mono_ns(), ring.nodeid,
	       ring.seq);
	for (uint32_t i = 0; i < n; i++)
		printf("%s%" PRIu32, i ? "," : "", members[i]);
	printf("\n");
}

/* ---- dispatching and waiting ---- */

static void dispatch_pending(void)
{
	cs_error_t rc = cpg_dispatch(handle, CS_DISPATCH_ALL);
	if (rc != CS_OK && rc != CS_ERR_TRY_AGAIN)
		die("cpg_dispatch", rc);
}

/* wait_dispatch waits up to timeout_ns (negative: forever) for the cpg
 * descriptor or, if watch_stdin, standard input, and dispatches what is
 * pending. It returns 1 when standard input is readable. */
static int wait_dispatch(int64_t timeout_ns, int watch_stdin)
{
	fd_set rd;
	struct timespec ts, *tp = NULL;
	FD_ZERO(&rd);
	FD_SET(cpg_fd, &rd);
	if (watch_stdin)
		FD_SET(STDIN_FILENO, &rd);
	if (timeout_ns >= 0) {
		ts.tv_sec = (time_t)(timeout_ns / 1000000000LL);
		ts.tv_nsec = (long)(timeout_ns % 1000000000LL);
		tp = &ts;
	}
	int nfd = (cpg_fd > STDIN_FILENO ? cpg_fd : STDIN_FILENO) + 1;
	int r = pselect(nfd, &rd, NULL, NULL, tp, NULL);
	if (r < 0) {
		if (errno == EINTR)
			return 0;
		perror("pselect");
		exit(2);
	}
	if (r > 0 && FD_ISSET(cpg_fd, &rd))
		dispatch_pending();
	return r > 0 && watch_stdin && FD_ISSET(STDIN_FILENO, &rd);
}

/* dispatch_until keeps dispatching until the monotonic time deadline. */
static void dispatch_until(int64_t deadline)
{
	for (int64_t now = mono_ns(); now < deadline; now = mono_ns())
		wait_dispatch(deadline - now, 0);
}

/* ---- sending ---- */

/* build_payload writes message seq into payload and returns its length.
 * The filler is rewritten only when seq, the header length or the size
 * changed, so a retry after CS_ERR_TRY_AGAIN just restamps the header. */
static size_t build_payload(uint64_t seq, size_t size)
{
	char hdr[MAX_HEADER];
	int hl = snprintf(hdr, sizeof hdr, "%s %" PRIu64 " %" PRId64 "\n", tag, seq, mono_ns());
	size_t len = size > (size_t)hl ? size : (size_t)hl;
	if (len > payload_cap) {
		unsigned char *p = realloc(payload, len);
		if (p == NULL) {
			perror("realloc");
			exit(2);
		}
		payload = p;
		payload_cap = len;
		fill_to = 0; /* force a refill */
	}
	memcpy(payload, hdr, (size_t)hl);
	if (fill_seq != seq || fill_from != (size_t)hl || fill_to != len) {
		unsigned v = fill_start(seq, (size_t)hl);
		for (size_t i = (size_t)hl; i < len; i++) {
			payload[i] = (unsigned char)v;
			if (++v == FILL_MOD)
				v = 0;
		}
		fill_seq = seq;
		fill_from = (size_t)hl;
		fill_to = len;
	}
	return len;
}

enum send_result { SENT, LATE, REFUSED };

/* send_one multicasts the next message, dispatching and retrying while
 * flow control says CS_ERR_TRY_AGAIN. With a deadline (>= 0) it gives up
 * (LATE) once that time has passed. A refusal leaves its code in *err. */
static enum send_result send_one(size_t size, int64_t deadline, cs_error_t *err)
{
	for (;;) {
		struct iovec iov;
		iov.iov_len = build_payload(next_seq, size);
		iov.iov_base = payload;
		cs_error_t rc = cpg_mcast_joined(handle, CPG_TYPE_AGREED, &iov, 1);
		if (rc == CS_OK) {
			next_seq++;
			wait_dispatch(0, 0); /* take deliveries now: their time is measured */
			return SENT;
		}
		if (connection_lost(rc))
			die("cpg_mcast_joined", rc);
		if (rc != CS_ERR_TRY_AGAIN) {
			*err = rc;
			return REFUSED;
		}
		if (deadline >= 0 && mono_ns() >= deadline)
			return LATE;
		wait_dispatch(RETRY_NS, 0);
	}
}

static void cmd_send(uint64_t n, size_t size)
{
	cs_error_t err;
	for (uint64_t k = 0; k < n; k++) {
		if (send_one(size, -1, &err) == REFUSED) {
			printf("error cpg_mcast_joined: %d\n", (int)err);
			return;
		}
	}
	printf("sent %" PRIu64 "\n", n);
}

static void cmd_rate(double r, uint64_t n, size_t size)
{
	cs_error_t err;
	int64_t start = mono_ns();
	for (uint64_t k = 0; k < n; k++) {
		/* Absolute schedule: a late message goes at once, the next one
		 * keeps its own time, so a delay is caught up without a burst
		 * beyond the messages already due. The offset is capped at
		 * about 31 years so that it always fits. */
		double off = (double)k * 1e9 / r;
		dispatch_until(start + (int64_t)(off < 1e18 ? off : 1e18));
		if (send_one(size, -1, &err) == REFUSED) {
			printf("error cpg_mcast_joined: %d\n", (int)err);
			return;
		}
	}
	printf("sent %" PRIu64 "\n", n);
}

static void cmd_flood(double secs, size_t size)
{
	cs_error_t err;
	uint64_t sent = 0, d0 = all_delivered, b0 = all_bytes;
	int64_t start = mono_ns(), end = start + (int64_t)(secs * 1e9);
	while (mono_ns() < end) {
		enum send_result r = send_one(size, end, &err);
		if (r == REFUSED) {
			printf("error cpg_mcast_joined: %d\n", (int)err);
			return;
		}
		if (r == LATE)
			break;
		sent++;
	}
	double t = (double)(mono_ns() - start) / 1e9;
	printf("flood sent=%" PRIu64 " delivered=%" PRIu64 " bytes=%" PRIu64 " secs=%.3f\n", sent,
	       all_delivered - d0, all_bytes - b0, t);
}

static void cmd_watch(double secs)
{
	uint64_t d0 = all_delivered, b0 = all_bytes;
	int64_t start = mono_ns();
	dispatch_until(start + (int64_t)(secs * 1e9));
	double t = (double)(mono_ns() - start) / 1e9;
	printf("watch delivered=%" PRIu64 " bytes=%" PRIu64 " secs=%.3f\n", all_delivered - d0,
	       all_bytes - b0, t);
}

/* ---- membership ---- */

/* retry_call repeats a join or leave while it answers CS_ERR_TRY_AGAIN,
 * for up to 30 s, dispatching meanwhile. */
static cs_error_t retry_call(cs_error_t (*call)(cpg_handle_t, const struct cpg_name *))
{
	int64_t deadline = mono_ns() + STARTUP_NS;
	for (;;) {
		cs_error_t rc = call(handle, &group);
		if (rc != CS_ERR_TRY_AGAIN || mono_ns() >= deadline)
			return rc;
		wait_dispatch(100 * 1000000LL, 0);
	}
}

static void cmd_join(void)
{
	cs_error_t rc = retry_call(cpg_join);
	if (connection_lost(rc))
		die("cpg_join", rc);
	if (rc != CS_OK) {
		printf("error cpg_join: %d\n", (int)rc);
		return;
	}
	joined = 1;
	printf("ok\n");
}

static void cmd_leave(void)
{
	cs_error_t rc = retry_call(cpg_leave);
	if (connection_lost(rc))
		die("cpg_leave", rc);
	if (rc != CS_OK) {
		printf("error cpg_leave: %d\n", (int)rc);
		return;
	}
	joined = 0;
	printf("ok\n");
}

static void quit(void)
{
	if (joined)
		cpg_leave(handle, &group);
	cpg_finalize(handle);
	exit(0);
}

/* ---- statistics ---- */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* nearest_rank is the p-th percentile of the n sorted samples. */
static int64_t nearest_rank(unsigned p, size_t n)
{
	if (n == 0)
		return 0;
	size_t rank = (p * n + 99) / 100;
	if (rank < 1)
		rank = 1;
	return samples[rank - 1];
}

static void cmd_stats(void)
{
	qsort(samples, n_samples, sizeof *samples, cmp_i64);
	printf("stats delivered=%" PRIu64 " bytes=%" PRIu64 " hash=%016" PRIx64 " self=%" PRIu64
	       " lat_n=%zu p50=%" PRId64 " p99=%" PRId64 " max=%" PRId64 "\n",
	       st_delivered, st_bytes, st_hash, st_self, n_samples, nearest_rank(50, n_samples),
	       nearest_rank(99, n_samples), n_samples ? samples[n_samples - 1] : 0);
}

static void reset_stats(void)
{
	st_delivered = st_bytes = st_self = 0;
	st_hash = FNV_OFFSET;
	n_samples = 0;
}

/* ---- commands ---- */

/* parse_uint reads a decimal count no larger than max. */
static int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		unsigned d = (unsigned)(*s - '0');
		if (v > (max - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	*out = v;
	return 1;
}

/* parse_real reads a finite number in [min, max] (min excluded if
 * open_min). */
static int parse_real(const char *s, double min, int open_min, double max, double *out)
{
	char *end;
	if (s == NULL || *s == '\0')
		return 0;
	errno = 0;
	double v = strtod(s, &end);
	if (*end != '\0' || errno != 0 || !isfinite(v) || v < min || (open_min && v == min) ||
	    v > max)
		return 0;
	*out = v;
	return 1;
}

/* run_command executes one line; 0 means it was not understood. */
static int run_command(char *line)
{
	char *argv[5];
	int argc = 0;
	for (char *p = strtok(line, " \t\r"); p != NULL; p = strtok(NULL, " \t\r")) {
		if (argc == 5)
			return 0;
		argv[argc++] = p;
	}
	if (argc == 0)
		return 1; /* a blank line */

	const char *c = argv[0];
	uint64_t n, size;
	double x;
	if (strcmp(c, "verbose") == 0 && argc == 2 &&
	    (strcmp(argv[1], "on") == 0 || strcmp(argv[1], "off") == 0)) {
		verbose = strcmp(argv[1], "on") == 0;
		printf("ok\n");
	} else if (strcmp(c, "join") == 0 && argc == 1) {
		cmd_join();
	} else if (strcmp(c, "leave") == 0 && argc == 1) {
		cmd_leave();
	} else if (strcmp(c, "send") == 0 && argc == 3 && parse_uint(argv[1], UINT64_MAX, &n) &&
		   parse_uint(argv[2], MAX_SIZE, &size)) {
		cmd_send(n, (size_t)size);
	} else if (strcmp(c, "rate") == 0 && argc == 4 && parse_real(argv[1], 0, 1, 1e9, &x) &&
		   parse_uint(argv[2], UINT64_MAX, &n) && parse_uint(argv[3], MAX_SIZE, &size)) {
		cmd_rate(x, n, (size_t)size);
	} else if (strcmp(c, "flood") == 0 && argc == 3 && parse_real(argv[1], 0, 0, 1e6, &x) &&
		   parse_uint(argv[2], MAX_SIZE, &size)) {
		cmd_flood(x, (size_t)size);
	} else if (strcmp(c, "watch") == 0 && argc == 2 && parse_real(argv[1], 0, 0, 1e6, &x)) {
		cmd_watch(x);
	} else if (strcmp(c, "stats") == 0 && argc == 1) {
		cmd_stats();
	} else if (strcmp(c, "reset") == 0 && argc == 1) {
		reset_stats();
		printf("ok\n");
	} else if (strcmp(c, "quit") == 0 && argc == 1) {
		quit();
	} else {
		return 0;
	}
	return 1;
}

/* handle_line runs one command line (without its '\n'). */
static void handle_line(char *line)
{
	char copy[LINE_MAX_LEN + 1];
	snprintf(copy, sizeof copy, "%s", line);
	size_t n = strlen(copy);
	if (n > 0 && copy[n - 1] == '\r')
		copy[n - 1] = '\0';
	if (!run_command(line))
		printf("error unknown command: %s\n", copy);
}

/* read_commands reads what standard input has and runs the complete
 * lines; at end of input it runs a last unterminated line and quits. */
static void read_commands(void)
{
	static char buf[LINE_MAX_LEN + 1];
	static size_t have;
	ssize_t r = read(STDIN_FILENO, buf + have, LINE_MAX_LEN - have);
	if (r < 0 && errno == EINTR)
		return;
	if (r <= 0) {
		if (have > 0) {
			buf[have] = '\0';
			handle_line(buf);
		}
		quit();
	}
	have += (size_t)r;
	size_t start = 0;
	for (size_t i = 0; i < have; i++) {
		if (buf[i] == '\n') {
			buf[i] = '\0';
			handle_line(buf + start);
			start = i + 1;
		}
	}
	memmove(buf, buf + start, have - start);
	have -= start;
	if (have == LINE_MAX_LEN) { /* a line too long: run what there is */
		buf[have] = '\0';
		handle_line(buf);
		have = 0;
	}
}

/* ---- start-up ---- */

static cs_error_t initialize(void)
{
	cpg_model_v1_data_t model;
	memset(&model, 0, sizeof model);
	model.model = CPG_MODEL_V1;
	model.cpg_deliver_fn = on_deliver;
	model.cpg_confchg_fn = on_confchg;
	model.cpg_totem_confchg_fn = on_totem;
	model.flags = CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF;
	return cpg_model_initialize(&handle, CPG_MODEL_V1, (cpg_model_data_t *)&model, NULL);
}

static void nap(void)
{
	struct timespec ts = {0, 100 * 1000000L};
	nanosleep(&ts, NULL);
}

static int valid_tag(const char *t)
{
	size_t n = strlen(t);
	if (n == 0 || n > MAX_TAG)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t[i] < 0x21 || (unsigned char)t[i] > 0x7e)
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 3 || strlen(argv[1]) == 0 || strlen(argv[1]) > CPG_MAX_NAME_LENGTH ||
	    !valid_tag(argv[2])) {
		fprintf(stderr, "usage: cpgpeer GROUP TAG (TAG: 1-%d printable characters, no space)\n",
			MAX_TAG);
		return 1;
	}
	group.length = (uint32_t)strlen(argv[1]);
	memcpy(group.value, argv[1], group.length);
	tag = argv[2];
	local_pid = (uint32_t)getpid();
	reset_stats();

	int64_t deadline = mono_ns() + STARTUP_NS;
	cs_error_t rc;
	while ((rc = initialize()) == CS_ERR_TRY_AGAIN && mono_ns() < deadline)
		nap();
	if (rc != CS_OK)
		die("cpg_model_initialize", rc);
	if ((rc = cpg_fd_get(handle, &cpg_fd)) != CS_OK)
		die("cpg_fd_get", rc);
	if (cpg_fd >= FD_SETSIZE) {
		fprintf(stderr, "cpgpeer: descriptor %d beyond FD_SETSIZE\n", cpg_fd);
		return 2;
	}
	while ((rc = cpg_join(handle, &group)) == CS_ERR_TRY_AGAIN && mono_ns() < deadline)
		nap();
	if (rc != CS_OK)
		die("cpg_join", rc);
	joined = 1;
	while ((rc = cpg_local_get(handle, &local_nodeid)) == CS_ERR_TRY_AGAIN &&
	       mono_ns() < deadline)
		nap();
	if (rc != CS_OK)
		die("cpg_local_get", rc);
	printf("ready %" PRIu32 " %" PRIu32 "\n", local_nodeid, local_pid);

	for (;;)
		if (wait_dispatch(-1, 1))
			read_commands();
}
