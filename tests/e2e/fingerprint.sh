#!/bin/sh
# Stack fingerprints from the way a real peer fails a connection: Node ws
# (no reason, no Server header), python-websockets (its Server header, then
# the close frame it fails with as evidence), gorilla (its reason wording).
. "${top_srcdir}/tests/e2e/lib.sh"
need sqlite3

# stack SAMPLE ROLE STACK [EVIDENCE-SUBSTRING]
stack() {
	rm -f "$TMP/f.db"
	"$WSAUTOPSY" analyze -q -o "$TMP/f.db" "$(sample "$1.pcap")" ||
		{ bad "$1: analyze failed"; return; }
	got=$(sqlite3 -batch "$TMP/f.db" "SELECT coalesce(${2}_stack, ''),
	    coalesce(${2}_stack_evidence, '') FROM connections WHERE
	    websocket = 1")
	case $got in
	"$3|"*"${4:-}"*) ok ;;
	*) bad "$1: $2 stack '$got', expected '$3' with '${4:-}'" ;;
	esac
}

# Node ws fails every violation with a close frame and an empty reason.
for s in reserved-opcode rsv-bit-without-extension unmasked-client-frame \
    control-frame-too-long fragmented-control-frame unexpected-continuation \
    data-frame-during-fragmented-message close-payload-one-byte \
    invalid-close-code invalid-close-code-999 invalid-utf8-text \
    invalid-utf8-close-reason length-msb-set misplaced-rsv1 \
    1009-continuation bomb; do
	stack "viol-node-$s" server node-ws "as Node ws does; no Server header"
	stack "viol-python-$s" server python-websockets \
	    "failed the connection with a close frame"
done
# It tolerated these: no reaction to go by.
stack viol-node-non-minimal-length server ""
stack viol-node-frame-after-close server ""
stack viol-python-non-minimal-length server python-websockets "websockets/10.4"
# The node ws client fails a masked server frame the same way.
stack viol-masked-server-node client node-ws "masked-server-frame"
stack real-1009-node server node-ws "message-too-big"
# gorilla states a reason whose wording is its own.
stack viol-gorilla-reserved-opcode server gorilla \
    'close reason wording "bad opcode"'
stack viol-gorilla-invalid-utf8-close-reason server gorilla \
    "invalid utf8 payload in close frame"
# A TCP drop after a violation is what several stacks do: the column names
# none, the evidence says so.
stack viol-gorilla-length-msb-set server "" \
    "ended TCP with no close frame after the peer broke a rule, as uWebSockets"
# Every stack column, over every sample, holds a name: no spaces, no
# articles, no phrases.
rm -f "$TMP/all.db"
for f in "$SAMPLES"/real/*.pcap* "$SAMPLES"/viol/*.pcap; do
	"$WSAUTOPSY" analyze -q -o "$TMP/all.db" "$f" || bad "analyze $f"
done
got=$(sqlite3 -batch "$TMP/all.db" "SELECT DISTINCT s FROM (SELECT
    client_stack AS s FROM connections UNION SELECT server_stack FROM
    connections) WHERE s GLOB '*[^a-z0-9.-]*'")
if [ -z "$got" ]; then ok; else bad "stack columns that are no name: $got"; fi
finish
