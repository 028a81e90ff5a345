#include "sync/lenient_json.h"

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace otsync::sync {
namespace {

// Deeper documents are rejected: job scripts nest a handful of levels, and a bounded depth keeps
// the recursive destruction of ConfigValue far from the stack limit.
constexpr size_t kMaxNestingDepth = 64;

Status SyntaxError(std::string_view text, size_t offset, std::string_view what) {
  if (offset > text.size()) offset = text.size();
  size_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return Status::InvalidArgument("line " + std::to_string(line) + ", column " +
                                 std::to_string(offset - line_start + 1) + ": " +
                                 std::string(what));
}

// The offset of the quote opening the JSON string whose closing quote is at `closing`.
size_t OpeningQuoteOf(std::string_view text, size_t closing) {
  for (size_t i = closing; i > 0; --i) {
    if (text[i - 1] != '"') continue;
    size_t backslashes = 0;
    while (i - 1 >= backslashes + 1 && text[i - 2 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return i - 1;
  }
  return closing;
}

bool IsJsonWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Returns `text` with comments and trailing commas replaced by spaces (newlines kept), so that
// every offset in the result is the same offset in the source.
Result<std::string> BlankOutExtensions(std::string_view text) {
  std::string strict(text);
  bool in_string = false;
  // The last two significant characters outside comments, and where the last one is.
  char last_significant = '\0';
  char before_last_significant = '\0';
  size_t last_significant_offset = 0;
  for (size_t i = 0; i < strict.size(); ++i) {
    char c = strict[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (IsJsonWhitespace(c)) continue;
    if (c == '/' && i + 1 < strict.size() && strict[i + 1] == '/') {
      for (; i < strict.size() && strict[i] != '\n'; ++i) strict[i] = ' ';
      continue;
    }
    if (c == '/' && i + 1 < strict.size() && strict[i + 1] == '*') {
      size_t close = strict.find("*/", i + 2);
      if (close == std::string::npos) return SyntaxError(text, i, "unterminated /* comment");
      for (size_t j = i; j < close + 2; ++j) {
        if (strict[j] != '\n') strict[j] = ' ';
      }
      i = close + 1;
      continue;
    }
    if ((c == '}' || c == ']') && last_significant == ',' && before_last_significant != '{' &&
        before_last_significant != '[' && before_last_significant != ',') {
      strict[last_significant_offset] = ' ';
    }
    if (c == '"') in_string = true;
    before_last_significant = last_significant;
    last_significant = c;
    last_significant_offset = i;
  }
  return strict;
}

// The names nlohmann's lexer gives tokens (lexer::token_type_name): the only text an error
// message may carry after its excerpt of the input.
constexpr std::string_view kTokenNames[] = {"<uninitialized>",
                                            "true literal",
                                            "false literal",
                                            "null literal",
                                            "string literal",
                                            "number literal",
                                            "'['",
                                            "'{'",
                                            "']'",
                                            "'}'",
                                            "':'",
                                            "','",
                                            "<parse error>",
                                            "end of input",
                                            "'[', '{', or a literal",
                                            "unknown token"};

// nlohmann's message without its "[json.exception...] parse error at line L, column C: " prefix
// and without the "; last read: '...'" excerpt of the input. The excerpt may hold any text, a
// secret or a copy of "; expected ..." included, so only a known token name is kept after it.
std::string DescribeParseError(const std::string& message) {
  std::string_view description = message;
  if (size_t column = description.find(", column "); column != std::string_view::npos) {
    if (size_t colon = description.find(": ", column); colon != std::string_view::npos) {
      description.remove_prefix(colon + 2);
    }
  }
  size_t excerpt = description.find("; last read: '");
  if (excerpt == std::string_view::npos) return std::string(description);
  std::string kept(description.substr(0, excerpt));
  for (std::string_view name : kTokenNames) {
    std::string expected = "; expected " + std::string(name);
    if (description.size() - excerpt > expected.size() && description.ends_with(expected)) {
      kept += expected;
      break;
    }
  }
  return kept;
}

// What went wrong, without the input. nlohmann reports a number too large for a double as
// out_of_range.406 "number overflow parsing '<the number>'", outside the parse-error format.
std::string DescribeError(const nlohmann::detail::exception& error) {
  constexpr int kNumberOverflow = 406;
  if (error.id == kNumberOverflow) return "number out of range";
  return DescribeParseError(error.what());
}

class TreeBuilder {
 public:
  using json = nlohmann::json;

  explicit TreeBuilder(std::string_view text) : text_(text) {}

  bool null() { return AddScalar(ConfigValue{}); }
  bool boolean(bool value) {
    ConfigValue v;
    v.kind = ConfigValue::Kind::kBool;
    v.bool_value = value;
    return AddScalar(std::move(v));
  }
  bool number_integer(json::number_integer_t value) {
    ConfigValue v;
    v.kind = ConfigValue::Kind::kInteger;
    v.integer_value = value;
    return AddScalar(std::move(v));
  }
  bool number_unsigned(json::number_unsigned_t value) {
    ConfigValue v;
    if (value <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      v.kind = ConfigValue::Kind::kInteger;
      v.integer_value = static_cast<int64_t>(value);
    } else {
      v.kind = ConfigValue::Kind::kDouble;
      v.double_value = static_cast<double>(value);
    }
    return AddScalar(std::move(v));
  }
  bool number_float(json::number_float_t value, const json::string_t& /*text*/) {
    ConfigValue v;
    v.kind = ConfigValue::Kind::kDouble;
    v.double_value = value;
    return AddScalar(std::move(v));
  }
  bool string(json::string_t& value) {
    ConfigValue v;
    v.kind = ConfigValue::Kind::kString;
    v.string_value = std::move(value);
    return AddScalar(std::move(v));
  }
  bool binary(json::binary_t& /*value*/) { return false; }
  bool start_object(std::size_t /*elements*/) { return Open(ConfigValue::Kind::kObject); }
  bool key(json::string_t& name) {
    stack_.back()->members.push_back(ConfigMember{std::move(name), ConfigValue{}});
    return true;
  }
  bool end_object() { return Close(); }
  bool start_array(std::size_t /*elements*/) { return Open(ConfigValue::Kind::kArray); }
  bool end_array() { return Close(); }
  // `position` counts the characters read, up to the end of the offending token. A string
  // token is reported where it starts.
  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& error) {
    size_t offset = position > 0 ? position - 1 : 0;
    if (offset < text_.size() && text_[offset] == '"' &&
        std::string_view(error.what()).find("unexpected string literal") !=
            std::string_view::npos) {
      offset = OpeningQuoteOf(text_, offset);
    }
    error_ = SyntaxError(text_, offset, DescribeError(error));
    return false;
  }

  const Status& error() const { return error_; }
  ConfigValue TakeRoot() { return std::move(root_); }

 private:
  // Where the next value goes: the root, the end of the open array, or the open member.
  ConfigValue* Slot() {
    if (stack_.empty()) return &root_;
    ConfigValue* container = stack_.back();
    if (container->kind == ConfigValue::Kind::kArray) {
      container->items.emplace_back();
      return &container->items.back();
    }
    return &container->members.back().value;
  }

  bool AddScalar(ConfigValue value) {
    *Slot() = std::move(value);
    return true;
  }

  bool Open(ConfigValue::Kind kind) {
    if (stack_.size() >= kMaxNestingDepth) {
      error_ = Status::InvalidArgument("the document nests deeper than " +
                                       std::to_string(kMaxNestingDepth) + " levels");
      return false;
    }
    ConfigValue* slot = Slot();
    slot->kind = kind;
    stack_.push_back(slot);
    return true;
  }

  bool Close() {
    stack_.pop_back();
    return true;
  }

  std::string_view text_;
  ConfigValue root_;
  std::vector<ConfigValue*> stack_;
  Status error_;
};

}  // namespace

Result<ConfigValue> ParseLenientJson(std::string_view text) {
  OTSYNC_ASSIGN_OR_RETURN(std::string strict, BlankOutExtensions(text));
  TreeBuilder builder(text);
  bool parsed = false;
  try {
    parsed = nlohmann::json::sax_parse(strict, &builder);
  } catch (const nlohmann::json::exception& error) {
    return Status::InvalidArgument(DescribeError(error));
  }
  if (!parsed) {
    if (!builder.error().ok()) return builder.error();
    return Status::InvalidArgument("the document is not valid JSON");
  }
  return builder.TakeRoot();
}

}  // namespace otsync::sync
