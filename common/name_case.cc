#include "common/name_case.h"

#include "absl/strings/ascii.h"

namespace sessions {

std::string CamelToUpperSnake(absl::string_view camel) {
  std::string out;
  out.reserve(camel.size() + 4);
  for (size_t i = 0; i < camel.size(); ++i) {
    const char c = camel[i];
    if (absl::ascii_isupper(c) && i > 0) {
      const char prev = camel[i - 1];
      const bool next_lower = i + 1 < camel.size() && absl::ascii_islower(camel[i + 1]);
      if (absl::ascii_islower(prev) || absl::ascii_isdigit(prev) ||
          (absl::ascii_isupper(prev) && next_lower)) {
        out.push_back('_');
      }
    }
    out.push_back(absl::ascii_toupper(c));
  }
  return out;
}

std::string SnakeToPascal(absl::string_view snake) {
  std::string out;
  out.reserve(snake.size());
  bool upper = true;
  for (char c : snake) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out.push_back(upper ? absl::ascii_toupper(c) : c);
    upper = c == '.';
  }
  return out;
}

std::string LooseNameKey(absl::string_view name) {
  std::string key;
  key.reserve(name.size());
  for (char c : name) {
    if (c != '_') key.push_back(absl::ascii_tolower(c));
  }
  return key;
}

}  // namespace sessions
