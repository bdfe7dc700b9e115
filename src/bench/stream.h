// SPDX-License-Identifier: MIT
// Incremental parsers for the two streaming formats of inference servers: newline-delimited JSON
// (ollama) and server-sent events (llama-server, OpenAI-compatible servers). Both accept the body
// in pieces split at any byte and keep what is incomplete until the next piece.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace worthit::bench {

/// Splits a byte stream into lines ending in "\n" (a "\r" before it is dropped). Empty lines are
/// delivered too (they end SSE events). ollama sends one JSON object per line.
class LineSplitter {
 public:
  using LineHandler = std::function<void(std::string_view line)>;
  /// Feeds the next piece; calls `on_line` for every line it completes.
  void feed(std::string_view data, const LineHandler& on_line);
  /// Ends the stream: a last line without "\n" is delivered. Returns false when it was not
  /// delivered because nothing was left.
  bool finish(const LineHandler& on_line);

 private:
  std::string pending_;
};

/// One server-sent event: the "event:" name ("message" when none was given) and its "data:"
/// lines joined with "\n". llama-server reports a failure inside a stream with a non-standard
/// "error: {...}" line; that arrives as an event named "error".
struct SseEvent {
  std::string event = "message";
  std::string data;
};

/// Server-sent events (https://html.spec.whatwg.org/multipage/server-sent-events.html):
/// "field: value" lines, an empty line dispatches the event, lines starting with ":" are
/// comments (llama-server's keep-alive pings). Only "\n" and "\r\n" end lines.
class SseParser {
 public:
  using EventHandler = std::function<void(const SseEvent& event)>;
  void feed(std::string_view data, const EventHandler& on_event);
  /// Ends the stream: an event whose blank line never came is dispatched.
  void finish(const EventHandler& on_event);

 private:
  void line(std::string_view l, const EventHandler& on_event);
  void dispatch(const EventHandler& on_event);
  LineSplitter lines_;
  SseEvent current_;
  bool has_data_ = false;
};

}  // namespace worthit::bench
