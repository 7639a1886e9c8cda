# SPDX-License-Identifier: GPL-2.0
# completion/kvmsqueeze.bash: bash completion of kvmsqueeze, after the
# tables completion/mkcomp makes from its --help texts: subcommands,
# their options and option values, experiment names (run --list), guest
# names and parameters (vm --list-guests), files and directories.
# shellcheck shell=bash

# the kvmsqueeze being completed: the one typed, else the one in PATH
_kvmsqueeze_bin() {
	local b=${COMP_WORDS[0]}
	b=${b/#\~/$HOME}
	command -v "$b" >/dev/null 2>&1 && { echo "$b"; return; }
	echo kvmsqueeze
}

# the guest this vm command line names (-g/--guest), default touch
_kvmsqueeze_guest() {
	local i g=touch
	for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
		case ${COMP_WORDS[i]} in
		-g | --guest) g=${COMP_WORDS[i + 1]} ;;
		esac
	done
	echo "$g"
}

# _kvmsqueeze_values CMD WHAT CUR: COMPREPLY for an operand or option
# value written WHAT in the help ("text|csv|json", "DIR", "NAME|PATH",
# "SPEC.json|NAME", "KEY=VALUE", "N"...)
_kvmsqueeze_values() {
	local cmd=$1 what=$2 cur=$3 alt words='' files='' dirs='' bin
	bin=$(_kvmsqueeze_bin)
	local IFS='|'
	for alt in $what; do
		case $alt in
		*DIR*) dirs=1 ;;
		*.json* | *FILE* | *PATH*) files=1 ;;
		NAME)
			if [ "$cmd" = run ]; then
				words="$words $("$bin" run --list 2>/dev/null | awk '{ print $1 }')"
			else
				words="$words $("$bin" vm --list-guests 2>/dev/null | awk '/^[a-z]/ { print $1 }')"
			fi
			;;
		KEY=VALUE)
			words="$words $("$bin" vm --list-guests 2>/dev/null |
				awk -v g="$(_kvmsqueeze_guest)" '/^[a-z]/ { on = $1 == g; next }
					on && /^  [a-z]/ { print $1 "=" }')"
			compopt -o nospace 2>/dev/null
			;;
		*[!a-z0-9-]* | '') ;;
		*) words="$words $alt" ;;
		esac
	done
	unset IFS
	COMPREPLY=()
	[ -n "$words" ] && mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
	if [ -n "$files" ]; then
		compopt -o filenames 2>/dev/null
		mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur")
	elif [ -n "$dirs" ]; then
		compopt -o filenames 2>/dev/null
		mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -d -- "$cur")
	fi
	return 0
}

_kvmsqueeze() {
	local cword=$COMP_CWORD cur=${COMP_WORDS[COMP_CWORD]} prev='' cmd='' i what opt
	[ "$cword" -gt 0 ] && prev=${COMP_WORDS[cword - 1]}
	for ((i = 1; i < cword; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	COMPREPLY=()
	if [ -z "$cmd" ]; then
		# shellcheck disable=SC2154 # completion/mkcomp sets it, in front of this file
		mapfile -t COMPREPLY < <(compgen -W "$_kvmsqueeze_cmds help --help --version" -- "$cur")
		return 0
	fi
	if [ "$cmd" = help ]; then
		[ "$cword" -eq $((i + 1)) ] &&
			mapfile -t COMPREPLY < <(compgen -W "$_kvmsqueeze_cmds" -- "$cur")
		return 0
	fi
	# --opt=VALUE: bash splits it at '=' (COMP_WORDBREAKS)
	if [ "$cur" = = ]; then
		opt=$prev cur=
	elif [ "$prev" = = ] && [ "$cword" -ge 2 ]; then
		opt=${COMP_WORDS[cword - 2]}
	else
		opt=
	fi
	if [ -n "$opt" ]; then
		what=$(_kvmsqueeze_optarg "$cmd" "$opt")
		_kvmsqueeze_values "$cmd" "${what#=}" "$cur"
		return 0
	fi
	what=$(_kvmsqueeze_optarg "$cmd" "$prev")
	case $what in
	'' | =*) ;;
	*)
		_kvmsqueeze_values "$cmd" "$what" "$cur"
		return 0
		;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_kvmsqueeze_opts "$cmd")" -- "$cur")
		return 0
	fi
	what=$(_kvmsqueeze_args "$cmd")
	[ -n "$what" ] && _kvmsqueeze_values "$cmd" "$what" "$cur"
	return 0
}
complete -F _kvmsqueeze kvmsqueeze
