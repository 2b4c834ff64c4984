# Sourced by the render benchmarks: render_files SHARED [FILE...] fills FILES with the files given,
# or, without any, with the largest seed playbook and the largest corpus file under SHARED.
render_files() {
  local shared=$1 d f
  shift
  FILES=("$@")
  ((${#FILES[@]} == 0)) || return 0
  for d in "$shared/seeds" "$shared/corpus"; do
    # the largest *.md below the directory (names may contain spaces)
    f=$(find "$d" -type f -name '*.md' -printf '%s\t%p\n' 2>/dev/null | sort -n | tail -n 1 | cut -f2-)
    [[ -n $f ]] && FILES+=("$f")
  done
  return 0
}
