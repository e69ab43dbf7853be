#!/usr/bin/env bash
# embed_files OUT HEADER EXTENSION DOC DECLARATION TYPE FIELD FILE…: writes OUT, a Swift file whose
# DECLARATION (e.g. `public static let embedded: [Migration]`) in `extension EXTENSION` lists each
# FILE as `TYPE(name: <base name>, FIELD: <its text>)`, then formats it as swift-format would, so
# the format check and the generators agree. The text goes in a raw string literal: a file holding
# its delimiter, a tab or a carriage return is refused.
embed_files() {
  local out=$1 header=$2 extension=$3 doc=$4 declaration=$5 type=$6 field=$7
  shift 7
  local files=("$@") index file separator
  {
    echo "// $header; do not edit by hand."
    echo "extension $extension {"
    echo "    /// $doc"
    echo "    $declaration = ["
    for index in "${!files[@]}"; do
      file=${files[$index]}
      if grep -q -e '"""#' -e '\\#' "$file"; then
        echo "error: $file contains the raw-string delimiter or its escape (\\#)" >&2
        return 1
      fi
      if grep -qP '\t|\r' "$file"; then
        echo "error: $file contains a tab or a carriage return; indent with spaces" >&2
        return 1
      fi
      printf '        %s(\n            name: "%s",\n            %s: #"""\n' "$type" "$(basename "$file")" "$field"
      # Indented as swift-format wants; Swift strips the closing delimiter's indentation again.
      sed -e 's/^\(.\)/                \1/' "$file"
      separator=","
      [ "$index" -eq $((${#files[@]} - 1)) ] && separator=""
      printf '\n                """#\n        )%s\n' "$separator"
    done
    echo "    ]"
    echo "}"
  } >"$out.tmp"
  mv "$out.tmp" "$out"
  swift format -i "$out"
}
