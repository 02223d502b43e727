// SPDX-License-Identifier: GPL-2.0
/*
 * dpdk-frames SEND_IF RECV_IF COUNT: send COUNT known Ethernet frames out
 * of SEND_IF with a raw socket and check that each arrives on RECV_IF
 * byte for byte, once.  Prints one line per problem and a summary; exits
 * 0 when every frame came back unchanged.
 *
 * The frames use the local experimental EtherType 0x88b5, so the kernel's
 * own traffic on the interfaces (IPv6 solicitations, say) is not counted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME_TYPE 0x88b5
#define FRAME_MIN 60
#define FRAME_MAX 1514
#define WAIT_MS 10000

/* Frame 'seq': its length and every byte follow from its number. */
static size_t frame_build(uint32_t seq, uint8_t *f)
{
	static const uint8_t dst[6] = { 0x02, 0xcc, 0, 0, 0, 0x01 };
	static const uint8_t src[6] = { 0x02, 0xcc, 0, 0, 0, 0x02 };
	size_t len = FRAME_MIN + (seq * 37u) % (FRAME_MAX - FRAME_MIN + 1);
	uint32_t x = seq * 2654435761u + 1;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = FRAME_TYPE >> 8;
	f[13] = FRAME_TYPE & 0xff;
	memcpy(f + 14, &seq, sizeof(seq));
	for (size_t i = 18; i < len; i++) {
		x = x * 1103515245u + 12345u;
		f[i] = x >> 16;
	}
	return len;
}

static int raw_socket(const char *ifname, struct sockaddr_ll *sll)
{
	int fd = socket(AF_PACKET, SOCK_RAW, htons(FRAME_TYPE));
	int rcvbuf = 8 << 20;

	if (fd < 0) {
		perror("Couldn't open a packet socket");
		return -1;
	}
	*sll = (struct sockaddr_ll){
		.sll_family = AF_PACKET,
		.sll_protocol = htons(FRAME_TYPE),
		.sll_ifindex = if_nametoindex(ifname),
	};
	if (!sll->sll_ifindex || bind(fd, (struct sockaddr *)sll, sizeof(*sll))) {
		fprintf(stderr, "Couldn't bind to %s: %s\n", ifname, strerror(errno));
		close(fd);
		return -1;
	}
	/* Root may exceed rmem_max: hold every frame even if we lag. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	return fd;
}

struct tally {
	uint32_t count;
	uint8_t *seen;
	uint32_t received, corrupt, duplicate, foreign;
};

/* Receive until a poll of .ms. milliseconds finds nothing, or all are in. */
static void receive(int fd, struct tally *t, int ms)
{
	uint8_t got[FRAME_MAX + 64], want[FRAME_MAX];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	while (t->received < t->count && poll(&pfd, 1, ms) > 0) {
		struct sockaddr_ll from;
		socklen_t fromlen = sizeof(from);
		ssize_t n = recvfrom(fd, got, sizeof(got), MSG_DONTWAIT,
				     (struct sockaddr *)&from, &fromlen);
		uint32_t seq;

		if (n < 0)
			continue;
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (n < 18) {
			t->foreign++;
			continue;
		}
		memcpy(&seq, got + 14, sizeof(seq));
		if (seq >= t->count) {
			t->foreign++;
			continue;
		}
		if (t->seen[seq]) {
			printf("frame %u arrived twice\n", seq);
			t->duplicate++;
			continue;
		}
		t->seen[seq] = 1;
		t->received++;
		if ((size_t)n != frame_build(seq, want) || memcmp(got, want, n)) {
			printf("frame %u changed: %zd bytes, sent %zu\n", seq, n, frame_build(seq, want));
			t->corrupt++;
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_ll to, at;
	struct tally t = { 0 };
	uint8_t frame[FRAME_MAX];
	int tx, rx;

	if (argc != 4 || !(t.count = strtoul(argv[3], NULL, 0))) {
		fprintf(stderr, "usage: %s SEND_IF RECV_IF COUNT\n", argv[0]);
		return 2;
	}
	t.seen = calloc(t.count, 1);
	rx = raw_socket(argv[2], &at);
	tx = raw_socket(argv[1], &to);
	if (!t.seen || rx < 0 || tx < 0)
		return 1;
	for (uint32_t seq = 0; seq < t.count; seq++) {
		size_t len = frame_build(seq, frame);

		if (sendto(tx, frame, len, 0, (struct sockaddr *)&to, sizeof(to)) != (ssize_t)len) {
			fprintf(stderr, "Couldn't send frame %u: %s\n", seq, strerror(errno));
			return 1;
		}
		receive(rx, &t, 0);
	}
	for (int waited = 0; t.received < t.count && waited < WAIT_MS; waited += 100)
		receive(rx, &t, 100);
	for (uint32_t seq = 0; seq < t.count && t.received < t.count; seq++)
		if (!t.seen[seq])
			printf("frame %u never arrived\n", seq);
	printf("%s -> %s: sent %u, received %u, changed %u, duplicated %u, other %u\n",
	       argv[1], argv[2], t.count, t.received, t.corrupt, t.duplicate, t.foreign);
	return t.received == t.count && !t.corrupt && !t.duplicate ? 0 : 1;
}
