// The system-call events of a packetdrill script and their expressions
// (pkt_parser_impl.h's Parser; the rest of it is in pkt_parser.cc).
#include "conformance/runner/pkt_parser_impl.h"

namespace synack::conformance::pkt_detail {

bool Parser::parse_syscall(Event& ev) {
  SyscallEvent sc;
  sc.name = next().text;
  if (!expect_punct('(', "expected '(' after system call name")) return false;
  if (!parse_expr_list(0, ')', "expected ')' after syscall arguments", sc.args)) return false;
  if (!expect_punct('=', "expected '=' after syscall arguments")) return false;
  const Token& r = peek();
  if (r.kind == TokKind::Int) sc.ret = r.int_value;
  else if (r.kind != TokKind::Ellipsis) return fail(r, "expected an integer or '...' as the syscall result");
  next();
  if (peek().kind == TokKind::Word) sc.errno_name = next().text;
  if (peek().is_punct('(')) {
    std::string text;
    if (!parse_note(text)) return false;
    (sc.errno_name ? sc.strerror : sc.note) = std::move(text);
    if (sc.errno_name && peek().is_punct('(')) {
      if (!parse_note(text)) return false;
      sc.note = std::move(text);
    }
  }
  ev.body = std::move(sc);
  return true;
}

// `(Operation now in progress)`: plain tokens up to ')', rebuilt with one
// space wherever the source had a gap, so printing is stable.
bool Parser::parse_note(std::string& out) {
  next();  // '('
  out.clear();
  const Token* prev = nullptr;
  while (!peek().is_punct(')')) {
    const Token& t = peek();
    bool plain = t.kind == TokKind::Word || t.kind == TokKind::Int || t.kind == TokKind::Float ||
                 t.kind == TokKind::Ellipsis || t.kind == TokKind::Punct;
    if (!plain) return fail(t, "expected ')' to close the note");
    if (prev != nullptr && (t.substituted || prev->substituted || t.begin != prev->end)) out += ' ';
    out += t.text;
    prev = &t;
    next();
  }
  next();
  return true;
}

bool Parser::parse_expr_list(int depth, char close, const char* msg, std::vector<Expr>& out) {
  if (peek().is_punct(close)) {
    next();
    return true;
  }
  while (true) {
    Expr e;
    if (!parse_expr(depth, e)) return false;
    out.push_back(std::move(e));
    if (peek().is_punct(close)) break;
    if (!peek().is_punct(',')) return fail(peek(), msg);
    next();
  }
  next();
  return true;
}

bool Parser::parse_expr(int depth, Expr& out) {
  if (!parse_primary(depth, out)) return false;
  if (!peek().is_punct('|')) return true;
  std::vector<Expr> ops;
  ops.push_back(std::move(out));
  while (peek().is_punct('|')) {
    next();
    Expr e;
    if (!parse_primary(depth, e)) return false;
    ops.push_back(std::move(e));
  }
  out = Expr::make_or(std::move(ops));
  return true;
}

bool Parser::parse_primary(int depth, Expr& out) {
  const Token& t = peek();
  if (depth >= limits_.max_expr_depth) return fail(t, "expression nested too deeply");
  switch (t.kind) {
    case TokKind::Ellipsis: next(); out = Expr::make_ellipsis(); return true;
    case TokKind::Int: next(); out = Expr::make_int(t.int_value, t.hex); return true;
    case TokKind::String: next(); out = Expr::make_string(t.text); return true;
    case TokKind::Word: {
      next();
      if (peek().is_punct('=')) {
        next();
        Expr v;
        if (!parse_expr(depth + 1, v)) return false;
        out = Expr::make_field(t.text, std::move(v));
        return true;
      }
      if (peek().is_punct('(')) {
        next();
        std::vector<Expr> args;
        if (!parse_expr_list(depth + 1, ')', "expected ')' after call arguments", args)) return false;
        out = Expr::make_call(t.text, std::move(args));
        return true;
      }
      out = Expr::make_symbol(t.text);
      return true;
    }
    default: break;
  }
  if (t.is_punct('[') || t.is_punct('{')) {
    bool list = t.is_punct('[');
    next();
    std::vector<Expr> items;
    if (!parse_expr_list(depth + 1, list ? ']' : '}',
                         list ? "expected ']' after list elements" : "expected '}' after struct fields", items))
      return false;
    out = list ? Expr::make_list(std::move(items)) : Expr::make_struct(std::move(items));
    return true;
  }
  return fail(t, "expected an expression");
}

}  // namespace synack::conformance::pkt_detail
