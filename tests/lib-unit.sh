# SPDX-License-Identifier: GPL-2.0
#
# lib-unit.sh: run mxlock.service's command lines the way systemd does,
# against a `make install` into overlays, in the VM. Sourced after lib.sh
# by tests/service.sh (the unit at work) and tests/sig_enforce.sh (the
# unit on a kernel that refuses the module). They set KVER (the running
# kernel) and UNIT (the installed unit file) first; TMPD is lib.sh's.

# overlay DIR: DIR becomes writable, the changes kept in $TMPD (tmpfs).
overlay() {
	local d=$1 n
	n=$(echo "$d" | tr / _)
	mkdir -p "$TMPD/ovl/$n/up" "$TMPD/ovl/$n/work" || return 1
	mount -t overlay overlay \
		-o "lowerdir=$d,upperdir=$TMPD/ovl/$n/up,workdir=$TMPD/ovl/$n/work" "$d"
}

writable() {
	local d
	# /var/lib: where sync.list is read from.
	for d in /etc /usr/local /var/lib; do
		overlay "$d" || { echo "cannot overlay $d" >&2; return 1; }
	done
	# A kernel with everything built in (the debug lane's) has no module
	# tree: make an empty one for make install to fill.
	if [ -d "/lib/modules/$KVER" ]; then
		overlay "/lib/modules/$KVER"
	else
		overlay /lib/modules && mkdir "/lib/modules/$KVER"
	fi || { echo "cannot overlay /lib/modules/$KVER" >&2; return 1; }
}

# `depmod -a` reads every module of the kernel: minutes over 9p under TCG.
# make install runs it through $(DEPMOD), so give it a stand-in that checks
# it was called as `depmod -a $KVER`, then runs the real depmod on just the
# modules this test needs: mxlock, its dependencies (found now, in the
# full index) and one filler so that the list is never empty (an empty list
# would mean: all). The index so made lives in the overlay only.
depmod_stand_in() {
	local todo=() more=() dep f files=() seen=" "
	IFS=, read -ra todo <<<"$(modinfo -F depends "$MXLOCK_KO")"
	todo+=(dummy)
	while [ ${#todo[@]} -gt 0 ]; do
		dep=${todo[0]}
		todo=("${todo[@]:1}")
		[ -n "$dep" ] || continue
		[[ $seen == *" $dep "* ]] && continue
		seen+="$dep "
		# The filler may be absent: then mxlock.ko alone keeps the
		# list from being empty.
		f=$(modinfo -k "$KVER" -n "$dep" 2>/dev/null) ||
			{ [ "$dep" = dummy ] && continue; return 1; }
		[[ $f == /* ]] || continue	# built in
		files+=("$f")
		IFS=, read -ra more <<<"$(modinfo -F depends "$f")"
		todo+=("${more[@]}")
	done
	cat >"$TMPD/depmod" <<-EOF
	#!/bin/bash
	if [ "\$*" != "-a $KVER" ]; then
		echo "depmod stand-in: called as 'depmod \$*', want 'depmod -a $KVER'" >&2
		exit 1
	fi
	files=(${files[*]})
	[ -e /lib/modules/$KVER/extra/mxlock.ko ] && files+=(/lib/modules/$KVER/extra/mxlock.ko)
	echo "depmod stand-in: depmod $KVER \${files[*]}" >&2
	exec depmod "$KVER" "\${files[@]}"
	EOF
	chmod +x "$TMPD/depmod"
}

# ------------------------------------------------- the unit, as systemd ----

declare -A UNIT_ENV

# unit_env FILE: the environment of the unit's commands: Environment=
# assignments, then each EnvironmentFile= ("-": may be missing), in order.
unit_env() {
	local key val a f line k v
	UNIT_ENV=()
	while IFS='=' read -r key val; do
		case $key in
		Environment)
			for a in $val; do
				[[ $a == *=* ]] || { echo "bad Environment= '$a'" >&2; return 1; }
				UNIT_ENV[${a%%=*}]=${a#*=}
			done ;;
		EnvironmentFile)
			f=${val#-}
			if [ ! -e "$f" ]; then
				[ "$f" != "$val" ] && continue
				echo "EnvironmentFile $f missing" >&2
				return 1
			fi
			while IFS= read -r line; do
				line=${line#"${line%%[![:space:]]*}"}
				case $line in '' | '#'* | ';'*) continue ;; esac
				[[ $line =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] ||
					{ echo "$f: cannot parse '$line'" >&2; return 1; }
				k=${BASH_REMATCH[1]} v=${BASH_REMATCH[2]}
				[[ $v =~ ^\"(.*)\"$ || $v =~ ^\'(.*)\'$ ]] && v=${BASH_REMATCH[1]}
				UNIT_ENV[$k]=$v
			done <"$f" ;;
		esac
	done <<<"$(sed -n 's/^\(Environment\|EnvironmentFile\)=/\1=/p' "$UNIT")"
}

# unit_run KEY: run the unit's KEY= lines (ExecStart...) one after the
# other, as systemd does for a oneshot service: each with only the unit's
# environment, $NAME as a word expanded and split at white space, ${NAME}
# expanded in place; a "-" prefix ignores the command's failure; the first
# other failure ends the run and fails it. The unit keeps its command
# lines this simple (no quotes, no %-specifiers); anything else fails here.
# (No process substitution in this file: the VM has no /dev/fd.)
unit_run() {
	local key=$1 line word name ignore rc args env k
	unit_env || return 1
	env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
	for k in "${!UNIT_ENV[@]}"; do
		env+=("$k=${UNIT_ENV[$k]}")
	done
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		ignore=
		[[ $line == -* ]] && { ignore=1; line=${line#-}; }
		if [[ $line == [@:+!]* || $line =~ [\"\'\\%] ]]; then
			echo "$key=$line: beyond what this test can run as systemd would" >&2
			return 1
		fi
		args=()
		for word in $line; do
			if [[ $word =~ ^\$([A-Za-z_][A-Za-z0-9_]*)$ ]]; then
				# shellcheck disable=SC2206  # split, as systemd does
				args+=(${UNIT_ENV[${BASH_REMATCH[1]}]})
				continue
			fi
			while [[ $word =~ \$\{([A-Za-z_][A-Za-z0-9_]*)\} ]]; do
				name=${BASH_REMATCH[1]}
				word=${word//"\${$name}"/${UNIT_ENV[$name]}}
			done
			[[ $word == *'$'* ]] && { echo "cannot expand '$word'" >&2; return 1; }
			args+=("$word")
		done
		echo "+ ${args[*]}" >&2
		env -i "${env[@]}" "${args[@]}" </dev/null >&2
		rc=$?
		if [ "$rc" -ne 0 ] && [ -z "$ignore" ]; then
			echo "$key=$line: exit status $rc" >&2
			return 1
		fi
	done <<<"$(sed -n "s/^$key=//p" "$UNIT")"
}
