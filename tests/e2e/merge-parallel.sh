#!/bin/sh
# The many-machines recipes of README.md, run as written (the text tested
# is cut from the README): GNU parallel on one host with 4 shards, across
# hosts with the local host for each (--sshlogin :), the Slurm array's
# script and the Kubernetes Indexed Job's command for every index, each
# followed by its merge; the merged database equals a single run's, table
# by table. The Slurm script passes bash -n and the Job's YAML parses;
# wsautopsy(1) shows the same recipes.
. "${top_srcdir}/tests/e2e/lib.sh"
. "${top_srcdir}/tests/e2e/merge-lib.sh"
need sqlite3
need parallel
README=${top_srcdir}/README.md

# recipe NAME: the fenced block after "<!-- recipe: NAME -->".
recipe() {
	awk -v m="<!-- recipe: $1 -->" '$0 == m { on = 1; next }
	    on && /^```/ { if (in_block) exit; in_block = 1; next }
	    in_block { print }' "$README"
}
for r in parallel parallel-hosts slurm slurm-merge kubernetes \
    kubernetes-merge; do
	check "README has the $r recipe" test -n "$(recipe "$r")"
done

# wsautopsy(1) carries the same recipes, line for line.
MAN=${top_builddir}/man/wsautopsy.1
if command -v mandoc >/dev/null 2>&1 && command -v col >/dev/null 2>&1; then
	mandoc -T ascii -O width=300 "$MAN" 2>/dev/null | col -bx |
	    sed 's/^ *//' >"$TMP/man.txt"
	for r in parallel parallel-hosts slurm slurm-merge kubernetes \
	    kubernetes-merge; do
		missing=$(recipe "$r" | sed 's/^ *//' | while IFS= read -r l; do
			[ -z "$l" ] || grep -qxF -- "$l" "$TMP/man.txt" ||
			    echo "$l"
		done)
		eq "wsautopsy(1) has the $r recipe's lines" "" "$missing"
	done
else
	echo "# mandoc or col not installed: the man page's recipes not compared"
fi

# The recipes run where captures/ is: here a capture set cut from a real
# capture, where connections cross files.
PATH=$(dirname "$WSAUTOPSY"):$PATH
export PATH
HOME=$TMP   # parallel keeps its notes in ~/.parallel
export HOME
work() {
	rm -rf "$TMP/w" "$TMP/one.db"
	mkdir -p "$TMP/w/captures"
	if command -v editcap >/dev/null 2>&1; then
		editcap -c 100 "$(sample real-1009-many.pcap)" \
		    "$TMP/w/captures/part.pcap" >/dev/null 2>&1
	else
		cp "$(sample real-1009-many.pcap)" "$TMP/w/captures/"
	fi
	cd "$TMP/w" || exit 1
	wsautopsy analyze -q -o "$TMP/one.db" captures/
}

# GNU parallel, one host, literally.
work
recipe parallel >"$TMP/parallel.sh"
sh -e "$TMP/parallel.sh" </dev/null >"$TMP/out" 2>&1
eq "parallel: the recipe runs" 0 $?
check "parallel: 4 shard databases" test -e shard-4.db -a ! -e shard-5.db
compare_dbs "parallel, one host" "$TMP/one.db" all.db

# Across hosts, each host the local one.
work
recipe parallel-hosts | sed 's/--sshlogin host1,host2,host3,host4/--sshlogin :/' \
    >"$TMP/hosts.sh"
check "parallel across hosts: one --sshlogin replaced" \
    grep -q -- '--sshlogin : ' "$TMP/hosts.sh"
sh -e "$TMP/hosts.sh" </dev/null >"$TMP/out" 2>&1
eq "parallel across hosts: the recipe runs" 0 $?
compare_dbs "parallel across hosts" "$TMP/one.db" all.db

# Slurm: the array script, once per task, then the merge it submits.
work
recipe slurm >"$TMP/shards.sbatch"
check "slurm: bash -n" bash -n "$TMP/shards.sbatch"
n=$(sed -n 's/^#SBATCH --array=1-\([0-9]*\)$/\1/p' "$TMP/shards.sbatch")
check "slurm: the array is 1-N" test -n "$n"
check "slurm: shards of N = the array's" grep -q "/$n\"" "$TMP/shards.sbatch"
k=1
while [ "$k" -le "${n:-0}" ]; do
	SLURM_ARRAY_TASK_ID=$k bash "$TMP/shards.sbatch" ||
	    bad "slurm: task $k"
	k=$((k + 1))
done
recipe slurm-merge | sed -n "s/.*--wrap '\(.*\)'$/\1/p" >"$TMP/merge.sh"
check "slurm: the merge step" test -s "$TMP/merge.sh"
sh -e "$TMP/merge.sh"
compare_dbs "slurm, $n shards" "$TMP/one.db" all.db

# Kubernetes: the Job parses, and its command runs for every index.
work
recipe kubernetes >"$TMP/shards.yaml"
if python3 -c 'import yaml' 2>/dev/null; then
	python3 - "$TMP/shards.yaml" >"$TMP/job" <<'PY'
import sys, yaml
job = yaml.safe_load(open(sys.argv[1]))
spec = job["spec"]
assert job["kind"] == "Job" and spec["completionMode"] == "Indexed"
assert spec["completions"] == spec["parallelism"]
c = spec["template"]["spec"]["containers"][0]["command"]
assert c[:2] == ["sh", "-c"] and len(c) == 3
print(spec["completions"])
print(c[2])
PY
	eq "kubernetes: the YAML parses as an Indexed Job" 0 $?
	n=$(sed -n 1p "$TMP/job")
	cmd=$(sed -n 2p "$TMP/job")
	check "kubernetes: shards of N = completions" \
	    test -n "$(echo "$cmd" | grep -- "/$n ")"
	i=0
	while [ "$i" -lt "${n:-0}" ]; do
		JOB_COMPLETION_INDEX=$i sh -c "$cmd" ||
		    bad "kubernetes: index $i"
		i=$((i + 1))
	done
	recipe kubernetes-merge | grep '^wsautopsy merge' >"$TMP/merge.sh"
	sh -e "$TMP/merge.sh"
	compare_dbs "kubernetes, $n shards" "$TMP/one.db" all.db
else
	echo "# python3 yaml not available: the Kubernetes Job is not checked"
fi
cd "$TMP" || exit 1

finish
