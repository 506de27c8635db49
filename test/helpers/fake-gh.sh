#!/usr/bin/env bash
# A stand-in for the GitHub CLI, enough for release.yml's steps: a local git repository ($FAKE_GH_GIT) plays
# the repository's tags, a folder ($FAKE_GH_RELEASES) its releases (TAG.md holds the notes). Every ci.yml run
# it is asked about succeeded (the CI gate has tests of its own). Any other call fails loudly, so a workflow
# that starts calling something new fails its dry run instead of passing untested.
set -euo pipefail
git=(git -C "$FAKE_GH_GIT")
echo "gh $*" >>"$FAKE_GH_RELEASES/calls.log"

tag_commit() { "${git[@]}" rev-parse -q --verify "refs/tags/$1^{commit}"; }

if [ "$1" = release ]; then
  tag="$3"
  case "$2" in
    view) [ -f "$FAKE_GH_RELEASES/$tag.md" ] ;;
    create | edit)
      shift 3
      target="" notes=""
      while [ $# -gt 0 ]; do
        case "$1" in --target) target="$2" ;; --notes-file) notes="$2" ;; --title) ;; *) exit 2 ;; esac
        shift 2
      done
      # GitHub makes the tag at --target when it does not exist yet.
      tag_commit "$tag" >/dev/null || "${git[@]}" tag "$tag" "${target:?--target is needed for a new tag}"
      cp "$notes" "$FAKE_GH_RELEASES/$tag.md"
      ;;
    *) echo "fake gh: unexpected call: gh $*" >&2; exit 2 ;;
  esac
  exit 0
fi

[ "$1" = api ] || { echo "fake gh: unexpected call: gh $*" >&2; exit 2; }
shift
method=GET
if [ "$1" = --method ]; then method="$2"; shift 2; fi
path="$1"
shift
fields=()
while [ $# -gt 0 ]; do
  case "$1" in -f | -F) fields+=("$2") ;; --jq) ;; *) echo "fake gh: unexpected option $1" >&2; exit 2 ;; esac
  shift 2
done
field() {
  local f
  for f in "${fields[@]}"; do if [[ "$f" == "$1="* ]]; then echo "${f#*=}"; fi; done
}

case "$method $path" in
  "GET repos/"*"/commits/tags/"*) tag_commit "${path##*/commits/tags/}" ;;
  "GET repos/"*"/actions/workflows/ci.yml/runs?"*) echo success ;;
  "GET repos/"*"/git/matching-refs/tags/"*) "${git[@]}" tag -l "${path##*/git/matching-refs/tags/}*" ;;
  "GET repos/"*"/git/ref/tags/"*) tag_commit "${path##*/git/ref/tags/}" >/dev/null ;;
  "PATCH repos/"*"/git/refs/tags/"*) "${git[@]}" tag -f "${path##*/git/refs/tags/}" "$(field sha)" >/dev/null ;;
  "POST repos/"*"/git/refs")
    ref="$(field ref)"
    "${git[@]}" tag "${ref#refs/tags/}" "$(field sha)"
    ;;
  *) echo "fake gh: unexpected call: gh api --method $method $path" >&2; exit 2 ;;
esac
