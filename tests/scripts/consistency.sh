#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --help, the column table, the man page and the bash completion name the same
# verbs, options and columns (util-linux tools/checkcompletion.sh).
# Usage: consistency.sh TCEIOMMU SOURCE_DIR
set -u
tool=$1 src=$2
man=$src/man/tceiommu.8 comp=$src/completions/tceiommu
n=0 fails=0
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }
# the man page with roff's escaped hyphens made plain
mantext=$(sed 's/\\-/-/g' "$man")
opts_of() { # the long and short options a --help text lists
	grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' | sed 's/,//' | tr -s ' ' '\n' | grep -v '^$'
}
check_opts() { # WHAT COMPLETION-VARIABLE HELP-TEXT
	local what=$1 var=$2 help=$3 o list
	list=$(sed -n "s/^$var=\"\\(.*\\)\"/\\1/p" "$comp")
	[ -n "$list" ] || bad "$what: no $var in the completion"
	for o in $(opts_of <<<"$help"); do
		n=$((n + 1))
		grep -qw -- "$o" <<<"$list" || bad "$what: $o is not in the completion"
		n=$((n + 1))
		grep -q -- "$o" <<<"$mantext" || bad "$what: $o is not in the man page"
	done
	for o in $list; do
		n=$((n + 1))
		grep -qE -- "(^| )$o([ ,]|$)" <<<"$(opts_of <<<"$help" | tr '\n' ' ')" ||
			bad "$what: the completion offers $o, --help does not list it"
	done
}
check_opts global _tceiommu_global_opts "$("$tool" --help)"
check_opts list-groups _tceiommu_list_groups_opts "$("$tool" list-groups --help)"
check_opts list-vms _tceiommu_list_vms_opts "$("$tool" list-vms --help)"
check_opts show-vm _tceiommu_show_vm_opts "$("$tool" show-vm --help)"
check_opts top _tceiommu_top_opts "$("$tool" top --help)"
check_opts record _tceiommu_record_opts "$("$tool" record --help)"
check_opts check-host _tceiommu_check_host_opts "$("$tool" check-host --help)"
check_opts examples _tceiommu_examples_opts "$("$tool" examples --help)"

# check ids: the table, the man page's table and the completion
ids=$("$tool" check-host --list-checks | awk 'NR>1{print $1}')
compids=$(sed -n 's/^_tceiommu_checks="\(.*\)"/\1/p' "$comp")
manids=$(awk '/^\.SS check-host/{on=1} on && /^\.TS/{t=1;getline;getline;next} t && /^\.TE/{exit} t{print $1}' <<<"$mantext")
for name in compids manids; do
	n=$((n + 1))
	if [ "$(tr ' ' '\n' <<<"${!name}" | grep -v '^$')" != "$ids" ]; then
		bad "$name differs from --list-checks:"
		diff <(echo "$ids") <(tr ' ' '\n' <<<"${!name}" | grep -v '^$')
	fi
done
# the man page's table of checks says where each applies and the level if bad
while read -r id applies ifbad root _; do
	n=$((n + 1))
	line=$(awk -v id="$id" '$1==id' <<<"$(awk '/^\.SS check-host/{on=1} on && /^\.TS/{t=1;next} t && /^\.TE/{exit} t' <<<"$mantext")")
	set -- $line
	[ "${3:-}" = "$ifbad" ] && [ "${4:-}" = "$root" ] || bad "man page row for $id: '$line' (table: $ifbad $root)"
done < <("$tool" check-host --list-checks | awk 'NR>1')

verbs=$("$tool" help | sed -n 's/^  \([a-z-]*\)  .*/\1/p')
compverbs=$(sed -n 's/^_tceiommu_verbs="\(.*\)"/\1/p' "$comp")
for v in $verbs; do
	n=$((n + 1))
	grep -qw -- "$v" <<<"$compverbs" || bad "verb $v is not in the completion"
	n=$((n + 1))
	grep -q "^\\.SS $v\$\|^\\.B $v\$\|^\\.B tceiommu $v" <<<"$mantext" || bad "verb $v has no section in the man page"
done
[ "$(wc -w <<<"$verbs")" = "$(wc -w <<<"$compverbs")" ] || bad "completion verbs '$compverbs' vs '$verbs'"

cols=$("$tool" list-groups --list-columns | awk '{print $1}')
compcols=$(sed -n 's/^_tceiommu_columns="\(.*\)"/\1/p' "$comp")
mancols=$(awk '/^\.SH COLUMNS/{on=1;next} /^\.SH/{on=0} on && prev==".TP" && /^\.B /{print $2} {prev=$0}' <<<"$mantext")
helpcols=$("$tool" list-groups --help | awk '/^Columns:/{on=1;next} on && !NF{exit} on{print $1}')
for name in compcols mancols helpcols; do
	n=$((n + 1))
	if [ "$(tr ' ' '\n' <<<"${!name}" | grep -v '^$')" != "$cols" ]; then
		bad "$name differs from --list-columns:"
		diff <(echo "$cols") <(tr ' ' '\n' <<<"${!name}" | grep -v '^$')
	fi
done
# list-vms columns: the table, --help, the man page's VM COLUMNS, the completion
vcols=$("$tool" list-vms --list-columns | awk '{print $1}')
compvcols=$(sed -n 's/^_tceiommu_vm_columns="\(.*\)"/\1/p' "$comp")
manvcols=$(awk '/^\.SH VM COLUMNS/{on=1;next} /^\.SH/{on=0} on && prev==".TP" && /^\.B /{print $2} {prev=$0}' <<<"$mantext")
helpvcols=$("$tool" list-vms --help | awk '/^Columns:/{on=1;next} on && !NF{exit} on{print $1}')
for name in compvcols manvcols helpvcols; do
	n=$((n + 1))
	if [ "$(tr ' ' '\n' <<<"${!name}" | grep -v '^$')" != "$vcols" ]; then
		bad "$name differs from list-vms --list-columns:"
		diff <(echo "$vcols") <(tr ' ' '\n' <<<"${!name}" | grep -v '^$')
	fi
done
# show-vm completes the VMs' names and pid:N, from the snapshot given by --root
if [ -r /usr/share/bash-completion/bash_completion ]; then
	n=$((n + 1))
	got=$(bash -c 'source /usr/share/bash-completion/bash_completion; source "$1"
		COMP_WORDS=("$2" --root "$3" show-vm ""); COMP_CWORD=4
		COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
		_tceiommu; printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$comp" "$tool" "$src/tests/data/powernv9-6.12-l2")
	[ "$got" = "$(printf 'l2\npid:156')" ] || bad "show-vm completion on powernv9-6.12-l2: '$got'"
fi
# the built-in examples: every example:NAME the README and the man page use
# is one, the man page and the README name the command and example:, and
# the completion offers them after --root
names=$("$tool" examples -n | awk '{print $1}')
n=$((n + 1))
[ -n "$names" ] || bad "tceiommu examples lists nothing"
for doc in "$src/README.md" "$man"; do
	text=$(sed 's/\\-/-/g' "$doc")
	n=$((n + 1))
	grep -q 'tceiommu examples' <<<"$text" || bad "$(basename "$doc") does not name 'tceiommu examples'"
	# (example:NAME, example:CONFIG: placeholders)
	used=$(grep -oE 'example:[A-Za-z0-9._+-]+' <<<"$text" | grep -vE '^example:[A-Z]+$' | sort -u)
	n=$((n + 1))
	[ -n "$used" ] || bad "$(basename "$doc") uses no --root example:NAME"
	for u in $used; do
		n=$((n + 1))
		grep -qx -- "${u#example:}" <<<"$names" || bad "$(basename "$doc") uses $u, which is no example"
	done
done
if [ -r /usr/share/bash-completion/bash_completion ]; then
	complete_root() { # CUR: what --root CUR completes to, ':' not splitting words
		bash -c 'source /usr/share/bash-completion/bash_completion; source "$1"
			COMP_WORDBREAKS=${COMP_WORDBREAKS//:/}
			COMP_WORDS=("$2" --root "$3"); COMP_CWORD=2
			COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
			_tceiommu; printf "%s\n" "${COMPREPLY[@]}" | grep "^example:" | sort' _ "$comp" "$tool" "$1"
	}
	n=$((n + 1))
	got=$(cd / && complete_root example:)
	[ "$got" = "$(sed 's/^/example:/' <<<"$names" | sort)" ] || bad "--root example: completes to '$got'"
	n=$((n + 1))
	got=$(cd / && complete_root example:powernv9-6.12-l2r)
	[ "$got" = example:powernv9-6.12-l2run ] || bad "--root example:powernv9-6.12-l2r completes to '$got'"
fi
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
