// Tokens of the packetdrill script language (google/packetdrill lexer.l,
// reimplemented): words, decimal/hex integers, decimal fractions, strings,
// `backquoted` commands, %{ code }% blocks, `...`, single punctuation bytes,
// and two line-start forms read raw: `--name[=value]` and `-D NAME=value`.
//
// Contract: lex_pkt() never crashes or loops on any input; it either returns
// the whole token list (ending in End) or the first lexical error with its
// location. Comments (// and /* */) and whitespace are dropped. `${NAME}`
// is replaced by the tokens of the value of an earlier `-D NAME=value`;
// those tokens carry the location of the `$` and are marked substituted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/runner/pkt_ast.h"
#include "stack/base/result.h"

namespace synack::conformance {

enum class TokKind {
  End,
  Int,         // `12`, `-1`, `0x1f` (int_value, hex)
  Float,       // `0.100`, `.1`, `-.5` (text)
  Word,        // [A-Za-z0-9_]+ that is not a number
  String,      // text = contents between the double quotes
  BackQuoted,  // text = contents between the backquotes
  Code,        // text = contents of %{ }%, trimmed of spaces and tabs
  Ellipsis,    // `...`
  Option,      // `--name[=value]` at line start (text = name, value)
  Define,      // `-D NAME=value` at line start (text = name, value)
  Punct,       // any other single byte (text = that byte)
};

struct Token {
  TokKind kind = TokKind::End;
  std::string text;   // see TokKind; for Int/Word/Punct/Ellipsis the source spelling
  std::string value;  // Option/Define value (raw)
  bool has_value = false;
  std::int64_t int_value = 0;
  bool hex = false;
  bool substituted = false;
  int line = 0;
  int column = 0;
  std::size_t begin = 0;  // byte offsets in the source (of `${NAME}` when substituted)
  std::size_t end = 0;

  bool is_punct(char c) const { return kind == TokKind::Punct && text.size() == 1 && text[0] == c; }
  bool is_word(std::string_view w) const { return kind == TokKind::Word && text == w; }
};

struct LexLimits {
  std::size_t max_input_bytes = 4u << 20;
  std::size_t max_tokens = 200000;
};

Result<std::vector<Token>, PktError> lex_pkt(std::string_view src, const std::string& file,
                                             const LexLimits& limits = {});

// Human-readable token name for messages: "'('", "word 'foo'", "end of file".
std::string describe_token(const Token& t);

}  // namespace synack::conformance
