# shellcheck shell=sh
# usage.sh - the argument check each script of scripts/ and bench/ makes
# before it does anything, so that a mistyped option or a --help never
# starts the work itself (a full benchmark that rewrites
# docs/performance.md, a build from scratch, a stack).
#
# Sourced (POSIX sh, for the #!/bin/sh scripts too).  -h and --help print
# the script's opening comment, which is its usage, on stdout and exit 0;
# an argument the script does not take prints what is wrong and the
# usage line on stderr and exits 2, as eligo's own usage errors do
# (eligo(1)).
#
# SPDX-License-Identifier: Apache-2.0

# usage_help FILE: FILE's opening comment up to its SPDX line, without the
# #! line, the shellcheck directives and the leading "# ".
usage_help() {
    sed -n -e '/^# SPDX/q' -e '/^#!/d' -e '/^# shellcheck /d' -e 's/^# \{0,1\}//p' "$1"
}

# usage_error USAGE WHY: "NAME: WHY" and "usage: USAGE" on stderr, NAME
# being USAGE's first word; exits 2.
usage_error() {
    printf '%s: %s\nusage: %s\n' "${1%% *}" "$2" "$1" >&2
    exit 2
}

# usage_words FILE USAGE WORDS [ARG...]: for a script that takes no
# argument or one of WORDS (a space-separated list; "" for none).
# Returns when ARG is absent or one of WORDS; otherwise -h/--help is
# answered (usage_help FILE, exit 0) and anything else is a usage error.
usage_words() {
    _usage_file=$1 _usage=$2 _usage_words=$3
    shift 3
    [ $# = 0 ] && return 0
    case $1 in -h | --help) usage_help "$_usage_file"; exit 0 ;; esac
    [ $# -gt 1 ] && usage_error "$_usage" "too many arguments: $*"
    for _usage_w in $_usage_words; do
        [ "$1" = "$_usage_w" ] && return 0
    done
    usage_error "$_usage" "unknown argument: $1"
}

# usage_counts FILE USAGE MAX [ARG...]: for a script whose arguments are
# at most MAX whole numbers (seconds, lines, households).  Returns when
# they are; otherwise -h/--help is answered and anything else is a usage
# error.
usage_counts() {
    _usage_file=$1 _usage=$2 _usage_max=$3
    shift 3
    case ${1:-} in -h | --help) usage_help "$_usage_file"; exit 0 ;; esac
    [ $# -gt "$_usage_max" ] && usage_error "$_usage" "too many arguments: $*"
    for _usage_a in "$@"; do
        case $_usage_a in
        '' | *[!0-9]*) usage_error "$_usage" "not a whole number: $_usage_a" ;;
        esac
    done
    return 0
}
