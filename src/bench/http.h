// SPDX-License-Identifier: MIT
// A small HTTP/1.1 client for local inference servers: plain http only, streaming bodies handed
// to a callback chunk by chunk with monotonic timestamps, connect and read timeouts.
// cpp-httplib (Debian's libcpp-httplib, 0.11.4) does the protocol; only http.cc includes it.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace worthit::bench {

/// Where a server listens: "http://host:port/base" split into its parts.
struct Endpoint {
  std::string host;
  int port = 80;
  std::string base_path;  ///< "" or "/prefix" (no trailing slash); prepended to every path
  /// "http://host:port" plus the base path.
  std::string url() const;
};

/// Parses an http URL. https is refused (no TLS for local servers), as is anything that is not
/// "http://host[:port][/path]". Errors name `where` (usually "--url").
Result<Endpoint> parse_endpoint(const std::string& url, const std::string& where = "--url");

/// Timeouts of one client, in seconds.
struct HttpTimeouts {
  double connect_s = 10;  ///< to establish the TCP connection
  double read_s = 300;    ///< longest silence while waiting for response bytes
};

/// Seconds since `start` on the monotonic clock (std::chrono::steady_clock).
double seconds_since(std::chrono::steady_clock::time_point start);

/// What a request saw, with times in seconds from the moment the request was sent.
struct HttpResponse {
  int status = 0;
  std::string body;  ///< the whole body for get()/post(); for stream() only when status >= 400
  std::optional<double> first_byte_s;  ///< first body byte arrived
  double total_s = 0;                  ///< the response ended
};

/// Receives each piece of a streamed body as it arrives, with its arrival time in seconds since
/// the request was sent. Returning false cancels the request.
using ChunkHandler = std::function<bool(std::string_view data, double t_s)>;

/// One connection's worth of HTTP requests to one endpoint. Not thread-safe: use one client per
/// thread. Failures are Errors whose `what` says what happened in words ("connection refused",
/// "no data for 0.3 s (timeout)", "connection closed mid-response").
class HttpClient {
 public:
  HttpClient(Endpoint endpoint, HttpTimeouts timeouts);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// POSTs a JSON body and streams the response body to `on_chunk` (also for error statuses,
  /// whose body is then collected in HttpResponse::body as well). `cancel`, when set and true,
  /// aborts the transfer at the next chunk.
  Result<HttpResponse> stream(const std::string& path, const std::string& json_body,
                              const ChunkHandler& on_chunk,
                              const std::atomic<bool>* cancel = nullptr);
  /// GET with the whole body collected.
  Result<HttpResponse> get(const std::string& path);
  /// POST of a JSON body with the whole response body collected.
  Result<HttpResponse> post(const std::string& path, const std::string& json_body);

  const Endpoint& endpoint() const { return endpoint_; }

 private:
  Result<HttpResponse> send(const std::string& method, const std::string& path,
                            const std::string& body, const ChunkHandler* on_chunk,
                            const std::atomic<bool>* cancel);
  Endpoint endpoint_;
  HttpTimeouts timeouts_;
};

/// The error message a server put into an error body: ollama's {"error":"..."}, llama-server's and
/// OpenAI's {"error":{"message":"..."}}, a bare {"message":"..."} (llama-server's in-stream error),
/// or the body itself (first 200 bytes) otherwise.
std::string server_error_text(const std::string& body);

}  // namespace worthit::bench
