# Shared by the merge tests (sourced after lib.sh): a database's content,
# table by table, for comparing a merge with a single run.
#
# dump DB TABLE: every row of the table, every column the table has today
# (read from it, so a new column is compared too), rows sorted by content.
# Left out, because they cannot be equal: capture_t.analyzed_at (when it
# ran), finding_t.finding_id (a rowid, in the order findings were stored),
# and capture_t.peak_live and peak_ooo_bytes (peaks of each shard; merge
# sums them, compare_dbs checks they bound the run's). A limit_evidence_t
# row names its close by the finding's connection, kind and packet.
dump() {
	case $2 in
	limit_evidence_t)
		sqlite3 -batch "$1" "SELECT quote(e.capture_id),
		    quote(f.connection_id), quote(f.kind), quote(f.packet),
		    quote(e.evidence), quote(e.detail),
		    quote(e.matching_profiles), quote(e.remedy)
		    FROM limit_evidence_t e LEFT JOIN finding_t f
		    USING (finding_id)" ;;
	*)
		cols=$(sqlite3 -batch "$1" "SELECT group_concat('quote(' ||
		    name || ')', ' || ''|'' || ') FROM pragma_table_info('$2')
		    WHERE name NOT IN ('analyzed_at', 'finding_id',
		    'peak_live', 'peak_ooo_bytes')")
		sqlite3 -batch "$1" "SELECT $cols FROM $2" ;;
	esac | LC_ALL=C sort
}

MERGE_TABLES="capture_t capture_file_t capture_span_t connection_t frame_t
message_t finding_t limit_evidence_t"

# compare_dbs WHAT ONE MERGED: each table of MERGED equals ONE's, and its
# peaks are at least the run's.
compare_dbs() {
	for t in $MERGE_TABLES; do
		dump "$2" "$t" >"$TMP/one.$t"
		dump "$3" "$t" >"$TMP/merged.$t"
		if cmp -s "$TMP/one.$t" "$TMP/merged.$t"; then ok; else
			bad "$1: $t differs from the single run's:
$(diff "$TMP/one.$t" "$TMP/merged.$t" | cut -c1-300 | head -6)"
		fi
	done
	check "$1: the tables hold rows" test -s "$TMP/one.connection_t"
	check "$1: peaks at least the run's" test "$(sqlite3 -batch "$3" \
	    "ATTACH '$2' AS one; SELECT count(*) FROM capture_t m JOIN
	    one.capture_t o USING (sha256) WHERE m.peak_live >= o.peak_live
	    AND m.peak_ooo_bytes >= o.peak_ooo_bytes")" -ge 1
}

# shards PREFIX N ARGS...: analyze ARGS (options and captures) as shard K
# of N into PREFIX-K.db, K = 1..N.
shards() {
	prefix=$1 n=$2
	shift 2
	k=1
	while [ "$k" -le "$n" ]; do
		"$WSAUTOPSY" analyze -q --shard "$k/$n" -o "$prefix-$k.db" "$@" ||
		    bad "analyze --shard $k/$n $*"
		k=$((k + 1))
	done
}
