#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Landlock sandbox bites (issue 11): an LD_PRELOAD shim
# (tests/tools/sandbox-shim.c) opens a host file for writing at exit, after
# the tool confined itself: EACCES for every command, "ok" with
# --no-sandbox (so the test can fail), "ok" inside record's DIR and
# check-host's --textfile-dir. The sandbox changes no answer: check-host's
# checks (which open /dev/kvm) and record's snapshot are the same with it
# and without it. And strace over every command, live and on a snapshot,
# shows no open for writing, no mkdir, unlink, rename or link outside what
# the command writes. Skipped (77) where the kernel has no Landlock.
# Usage: sandbox.sh TCEIOMMU SHIM DATA_DIR
set -u
tool=$1 shim=$2 data=$3
n=0 fails=0
ok() { n=$((n + 1)); }
bad() { n=$((n + 1)); fails=$((fails + 1)); echo "FAIL: $*"; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
# an ASan build wants its runtime first; the shim is not instrumented
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

if "$tool" -v list-groups 2>&1 >/dev/null | grep -q "sandbox: unconfined"; then
	echo "SKIP: $("$tool" -v list-groups 2>&1 >/dev/null | grep sandbox)"
	exit 77
fi
"$tool" -v list-groups 2>&1 >/dev/null | grep -q "sandbox: Landlock ABI" ||
	bad "-v does not say the tool is confined"
snap=$data/powernv9-6.12-l2run

# the shim, for each command: refused when confined, allowed unconfined
shim_says() { # TARGET TOOL-ARGS...
	local target=$1
	shift
	rm -f "$target"
	SANDBOX_SHIM_TARGET=$target LD_PRELOAD=$shim "$tool" "$@" 2>&1 >/dev/null |
		sed -n 's/^sandbox-shim: open .* for writing: //p'
}
mkdir "$t/prom"
while IFS= read -r args; do
	[ -n "$args" ] || continue
	# shellcheck disable=SC2086 # word splitting is the point
	got=$(shim_says "$t/host-file" $args)
	if [ "$got" = "Permission denied" ] && [ ! -e "$t/host-file" ]; then ok; else
		bad "$args: the shim's write outside was '$got', not refused"
	fi
	# shellcheck disable=SC2086
	got=$(shim_says "$t/host-file" --no-sandbox $args)
	[ "$got" = ok ] && ok || bad "--no-sandbox $args: the shim's write gave '$got'"
done <<ARGS
list-groups
list-groups --json
check-host
check-host --json
list-vms
top -b -n 1 -d 0.1
examples
--root $snap list-groups -O
--root $snap check-host
--root $snap list-vms
--root $snap show-vm l2
--root $snap check-host --format prometheus --textfile-dir $t/prom
ARGS
# what a command writes stays writable, nothing beside it
rm -rf "$t/rec"
got=$(SANDBOX_SHIM_TARGET=$t/rec/extra LD_PRELOAD=$shim "$tool" --root "$snap" record "$t/rec" 2>&1 |
	sed -n 's/^sandbox-shim: open .* for writing: //p')
[ "$got" = ok ] && ok || bad "record: a write inside DIR gave '$got'"
rm -rf "$t/rec"
got=$(shim_says "$t/host-file" --root "$snap" record "$t/rec")
[ "$got" = "Permission denied" ] && ok || bad "record: a write beside DIR gave '$got'"
got=$(SANDBOX_SHIM_TARGET=$t/prom/extra LD_PRELOAD=$shim "$tool" --root "$snap" check-host \
	--format prometheus --textfile-dir "$t/prom" 2>&1 | sed -n 's/^sandbox-shim: open .* for writing: //p')
[ "$got" = ok ] && ok || bad "--textfile-dir: a write inside it gave '$got'"
[ -s "$t/prom/tceiommu.prom" ] && ok || bad "--textfile-dir: no tceiommu.prom"

# the same answers confined and not: /dev/kvm's ioctls, the snapshot
levels() { python3 -c 'import json,sys; print(" ".join(c["id"]+"="+c["level"] for c in json.load(sys.stdin)["checks"]))'; }
a=$("$tool" check-host --json 2>/dev/null | levels)
b=$("$tool" --no-sandbox check-host --json 2>/dev/null | levels)
[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "check-host differs confined: $a / $b"
rm -rf "$t/r1" "$t/r2"
"$tool" --root "$snap" record "$t/r1" 2>/dev/null
"$tool" --no-sandbox --root "$snap" record "$t/r2" 2>/dev/null
if diff -r --no-dereference -x manifest "$t/r1" "$t/r2" >/dev/null &&
	[ -s "$t/r1/.tceiommu/manifest" ]; then ok; else bad "record differs confined"; fi

# a running QEMU: its fds and maps, which a Landlock domain may not read
# (the ptrace rule), come through the broker: list-vms says the same
# confined and not, and reads them: no proc_error, and its log found by
# the readlink of /proc/PID/fd/2, which the ptrace rule refuses a domain
if command -v qemu-system-ppc64 >/dev/null; then
	qemu-system-ppc64 -M pseries -S -display none -nodefaults -name guest=tce-sandbox \
		-qmp unix:"$t/qmp.sock",server=on,wait=off >/dev/null 2>"$t/qemu.log" &
	qpid=$!
	for _ in $(seq 50); do [ -S "$t/qmp.sock" ] && break; sleep 0.1; done
	vm() { python3 -c 'import json,sys
v=[v for v in json.load(sys.stdin)["vms"] if v["pid"]==int(sys.argv[1])]
print(json.dumps(v, sort_keys=True))' "$qpid"; }
	a=$("$tool" list-vms --json 2>/dev/null | vm)
	b=$("$tool" --no-sandbox list-vms --json 2>/dev/null | vm)
	if [ "$a" = "$b" ] && grep -q '"proc_error": null' <<<"$a" && grep -q tce-sandbox <<<"$a" &&
		grep -q "\"path\": \"$t/qemu.log\"" <<<"$a"; then ok; else
		bad "list-vms confined: $a; unconfined: $b"
	fi
	kill "$qpid" 2>/dev/null
	wait "$qpid" 2>/dev/null
fi
# the broker answers nothing else: the exit status is the command's, a
# signal the command dies of is the tool's
"$tool" list-vms --bogus >/dev/null 2>&1
rc=$?
[ "$rc" = 64 ] && ok || bad "list-vms --bogus confined: exit $rc, want 64"
timeout -s TERM 1 "$tool" top -d 5 >/dev/null 2>&1 </dev/null
rc=$?
[ "$rc" != 0 ] && [ "$rc" -lt 128 ] || [ "$rc" = 124 ] && ok || bad "top under timeout: exit $rc"

# strace: nothing opened for writing, made, removed or renamed outside
# what the command writes (and the device nodes its ioctls need)
if command -v strace >/dev/null; then
	rm -rf "$t/rec" "$t/live"
	while IFS='|' read -r allowed args; do
		[ -n "$args" ] || continue
		# shellcheck disable=SC2086
		strace -f -y -qq -o "$t/st" -e trace=open,openat,openat2,creat,mkdir,mkdirat,unlink,unlinkat,rename,renameat,renameat2,link,linkat,symlink,symlinkat,mknod,mknodat,truncate \
			"$tool" $args >/dev/null 2>&1
		out=$(python3 - "$t/st" "$allowed" <<'PY'
import re, sys
allowed = [a for a in sys.argv[2].split(",") if a]
bad = []
for line in open(sys.argv[1]):
    m = re.search(r"\b(\w+)\((.*)", line)
    if not m:
        continue
    call, rest = m.group(1), m.group(2)
    if call in ("open", "openat", "openat2", "creat"):
        if call != "creat" and not re.search(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC", rest):
            continue
    if call in ("symlink", "symlinkat"):  # the first string is the target
        rest = rest[rest.index('"', rest.index('"') + 1) + 1:]
    # the paths written: "dirfd</dir>, "name"", "AT_FDCWD, "name"" or "name"
    paths = [n if n.startswith("/") else d + "/" + n
             for d, n in re.findall(r'\d+<([^>]*)>, "([^"]*)"', rest)]
    paths += re.findall(r'AT_FDCWD, "([^"]*)"', rest)
    if not paths and call in ("open", "creat", "mkdir", "unlink", "rename", "link",
                              "symlink", "mknod", "truncate"):
        paths = re.findall(r'"([^"]*)"', rest)
    for path in paths:
        if not any(path == a or path.startswith(a.rstrip("/") + "/") for a in allowed):
            bad.append(call + " " + path)
print("\n".join(sorted(set(bad))[:5]))
PY
)
		[ -z "$out" ] && ok || bad "strace $args: $out"
	done <<ARGS
/dev/kvm,/dev/vfio|list-groups
/dev/kvm,/dev/vfio|check-host
/dev/kvm,/dev/vfio|list-vms
/dev/kvm,/dev/vfio|top -b -n 1 -d 0.1
/dev/kvm,/dev/vfio,$t/live|record $t/live
|--root $snap list-groups --json
|--root $snap check-host
|--root $snap show-vm l2
$t/prom|--root $snap check-host --format prometheus --textfile-dir $t/prom
$t/rec|--root $snap record $t/rec
ARGS
fi

echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
