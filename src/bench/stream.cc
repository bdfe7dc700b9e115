// SPDX-License-Identifier: MIT
#include "bench/stream.h"

namespace worthit::bench {

namespace {

std::string_view chomp(std::string_view s) {
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

}  // namespace

void LineSplitter::feed(std::string_view data, const LineHandler& on_line) {
  size_t pos = 0;
  while (pos < data.size()) {
    const size_t nl = data.find('\n', pos);
    if (nl == std::string_view::npos) {
      pending_.append(data.substr(pos));
      return;
    }
    std::string_view piece = data.substr(pos, nl - pos);
    if (!pending_.empty()) {
      // Only a line that was split across pieces needs the copy.
      pending_.append(piece);
      const std::string whole = std::move(pending_);
      pending_.clear();
      on_line(chomp(whole));
    } else {
      on_line(chomp(piece));
    }
    pos = nl + 1;
  }
}

bool LineSplitter::finish(const LineHandler& on_line) {
  if (pending_.empty()) return false;
  const std::string rest = std::move(pending_);
  pending_.clear();
  on_line(chomp(rest));
  return true;
}

void SseParser::feed(std::string_view data, const EventHandler& on_event) {
  lines_.feed(data, [&](std::string_view l) { line(l, on_event); });
}

void SseParser::finish(const EventHandler& on_event) {
  lines_.finish([&](std::string_view l) { line(l, on_event); });
  dispatch(on_event);
}

void SseParser::line(std::string_view l, const EventHandler& on_event) {
  if (l.empty()) {
    dispatch(on_event);
    return;
  }
  if (l.front() == ':') return;  // comment / keep-alive
  const size_t colon = l.find(':');
  const std::string_view field = l.substr(0, colon);
  std::string_view value =
      colon == std::string_view::npos ? std::string_view() : l.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data" || field == "error") {
    if (field == "error") current_.event = "error";
    if (has_data_) current_.data += '\n';
    current_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    current_.event = std::string(value);
  }
  // "id", "retry" and unknown fields carry nothing worthit needs.
}

void SseParser::dispatch(const EventHandler& on_event) {
  if (has_data_) on_event(current_);
  current_ = SseEvent{};
  has_data_ = false;
}

}  // namespace worthit::bench
