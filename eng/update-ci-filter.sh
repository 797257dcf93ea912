#!/usr/bin/env bash
# eng/update-ci-filter.sh: regenerates ECommerce.Ci.slnf (the solution filter that CI, eng/test.sh
# and eng/run-local.sh build) from ECommerce.sln: every project of the solution except the Aspire
# AppHost, whose SDK and packages are not on this machine's package mirror.
#
# Usage: eng/update-ci-filter.sh           rewrite ECommerce.Ci.slnf
#        eng/update-ci-filter.sh --check   exit 1 (and say so) when it is out of date; change nothing
#
# Run it after `dotnet sln ECommerce.sln add ...`, so that a new project is built and tested.
set -euo pipefail

repo_root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
sln=$repo_root/ECommerce.sln
filter=$repo_root/ECommerce.Ci.slnf
# Projects left out of the filter, by their name in the solution.
excluded='ECommerce.AppHost'

[[ -f $sln ]] || {
    printf 'update-ci-filter: %s not found\n' "$sln" >&2
    exit 1
}

# A project line of a .sln:  Project("{type}") = "Name", "dir\Name.csproj", "{guid}"
# Solution folders have lines of the same shape whose path is not a project file: only paths
# ending in "proj" are kept. The path is written as the .sln has it (backslashes), with the
# backslashes escaped for JSON; the BOM and any CR (a .sln saved on Windows) are dropped.
generate() {
    sed -e '1s/^\xEF\xBB\xBF//' -e 's/\r$//' "$sln" | awk -F'"' -v excluded="$excluded" '
        BEGIN { n = split(excluded, skip, " "); for (i = 1; i <= n; i++) skipped[skip[i]] = 1 }
        /^Project\("/ && $6 ~ /proj$/ && !($4 in skipped) {
            path = $6
            gsub(/\\/, "&&", path) # "&" is the matched backslash: each one doubled
            paths[++count] = path
        }
        END {
            print "{"
            print "  \"solution\": {"
            print "    \"path\": \"ECommerce.sln\","
            print "    \"projects\": ["
            for (i = 1; i <= count; i++) printf "      \"%s\"%s\n", paths[i], (i < count ? "," : "")
            print "    ]"
            print "  }"
            print "}"
        }'
}

new=$(generate)

if [[ ${1:-} == --check ]]; then
    if [[ ! -f $filter ]] || [[ $(<"$filter") != "$new" ]]; then
        printf 'update-ci-filter: %s is out of date with ECommerce.sln; run eng/update-ci-filter.sh\n' \
            "${filter##*/}" >&2
        exit 1
    fi
    exit 0
elif [[ -n ${1:-} ]]; then
    printf 'usage: %s [--check]\n' "$0" >&2
    exit 2
fi

printf '%s\n' "$new" >"$filter"
printf 'update-ci-filter: wrote %s (%s projects)\n' "${filter##*/}" "$(grep -c 'proj"' "$filter")" >&2
