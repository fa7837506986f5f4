/*
 * pcap-floor: the bare libpcap read loop over a capture, as the floor the
 * benchmark measures every analyzer against. Prints packets and bytes.
 */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include <pcap.h>

int
main(int argc, char **argv)
{
	char			 err[PCAP_ERRBUF_SIZE];
	pcap_t			*p;
	struct pcap_pkthdr	*h;
	const u_char		*data;
	uint64_t		 packets = 0, bytes = 0, caplen = 0;
	unsigned		 sum = 0;
	int			 rc;

	if (argc != 2) {
		fprintf(stderr, "usage: pcap-floor FILE\n");
		return 1;
	}
	if ((p = pcap_open_offline(argv[1], err)) == NULL) {
		fprintf(stderr, "pcap-floor: %s\n", err);
		return 2;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		packets++;
		bytes += h->len;
		caplen += h->caplen;
		/* Touch the data so the loop reads what an analyzer would. */
		if (h->caplen != 0)
			sum += data[h->caplen - 1];
	}
	if (rc != PCAP_ERROR_BREAK) {
		fprintf(stderr, "pcap-floor: %s: %s\n", argv[1], pcap_geterr(p));
		pcap_close(p);
		return 2;
	}
	pcap_close(p);
	printf("packets %" PRIu64 "\nbytes %" PRIu64 "\ncaptured %" PRIu64
	    "\nchecksum %u\n", packets, bytes, caplen, sum & 0xff);
	return 0;
}
