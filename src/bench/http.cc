// SPDX-License-Identifier: MIT
// The only file that includes <httplib.h>: Debian builds cpp-httplib as a shared library with
// OpenSSL, zlib and brotli enabled, so the header must see the same CPPHTTPLIB_* definitions
// (they come from pkg-config's cpp-httplib.pc through the CMake target).
#include "bench/http.h"

#include <fmt/format.h>
#include <httplib.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace worthit::bench {

std::string Endpoint::url() const { return fmt::format("http://{}:{}{}", host, port, base_path); }

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Result<Endpoint> parse_endpoint(const std::string& url, const std::string& where) {
  if (url.rfind("https://", 0) == 0)
    return fail(where, fmt::format("https is not supported: '{}'", url),
                "worthit talks to local servers over plain http; use http://");
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0)
    return fail(where, fmt::format("expected a URL like http://127.0.0.1:11434, got '{}'", url));
  std::string rest = url.substr(scheme.size());
  Endpoint e;
  const auto slash = rest.find('/');
  if (slash != std::string::npos) {
    e.base_path = rest.substr(slash);
    rest = rest.substr(0, slash);
    while (!e.base_path.empty() && e.base_path.back() == '/') e.base_path.pop_back();
  }
  const auto colon = rest.rfind(':');
  e.host = rest.substr(0, colon);
  if (colon != std::string::npos) {
    const std::string port = rest.substr(colon + 1);
    try {
      size_t used = 0;
      e.port = std::stoi(port, &used);
      if (used != port.size() || e.port <= 0 || e.port > 65535) throw std::invalid_argument(port);
    } catch (const std::exception&) {
      return fail(where, fmt::format("bad port '{}' in '{}'", port, url));
    }
  }
  if (e.host.empty()) return fail(where, fmt::format("no host in '{}'", url));
  return e;
}

HttpClient::HttpClient(Endpoint endpoint, HttpTimeouts timeouts)
    : endpoint_(std::move(endpoint)), timeouts_(timeouts) {}
HttpClient::~HttpClient() = default;

namespace {

void set_timeout(double s, const std::function<void(time_t, time_t)>& setter) {
  const double whole = std::floor(s);
  setter(static_cast<time_t>(whole), static_cast<time_t>((s - whole) * 1e6));
}

// httplib reports a read timeout and a peer that closed the connection both as Error::Read;
// the silence before the failure tells them apart.
std::string describe(httplib::Error err, const Endpoint& e, const HttpTimeouts& t, double silence_s,
                     bool got_bytes) {
  switch (err) {
    case httplib::Error::Connection:
      return fmt::format("cannot connect to {}:{} (connection refused or unreachable)", e.host,
                         e.port);
    case httplib::Error::ConnectionTimeout:
      return fmt::format("cannot connect to {}:{} within {:g} s", e.host, e.port, t.connect_s);
    case httplib::Error::Read:
      if (silence_s >= 0.9 * t.read_s)
        return fmt::format("no data from the server for {:g} s (timeout; see --timeout-s)",
                           t.read_s);
      return got_bytes ? "connection closed mid-response" : "connection closed before a response";
    case httplib::Error::Write:
      return "connection closed while sending the request";
    case httplib::Error::Canceled:
      return "request canceled";
    default:
      return fmt::format("HTTP client error: {}", httplib::to_string(err));
  }
}

}  // namespace

Result<HttpResponse> HttpClient::send(const std::string& method, const std::string& path,
                                      const std::string& body, const ChunkHandler* on_chunk,
                                      const std::atomic<bool>* cancel) {
  httplib::Client cli(endpoint_.host, endpoint_.port);
  set_timeout(timeouts_.connect_s, [&](time_t s, time_t us) { cli.set_connection_timeout(s, us); });
  set_timeout(timeouts_.read_s, [&](time_t s, time_t us) { cli.set_read_timeout(s, us); });
  cli.set_keep_alive(false);
  httplib::Request req;
  req.method = method;
  req.path = endpoint_.base_path + path;
  if (!body.empty()) {
    req.body = body;
    req.set_header("Content-Type", "application/json");
  }
  req.set_header("Accept-Encoding", "identity");  // chunks must arrive as the server sends them
  HttpResponse out;
  const auto start = std::chrono::steady_clock::now();
  double last_activity = 0;
  req.response_handler = [&](const httplib::Response& r) {
    out.status = r.status;
    last_activity = seconds_since(start);
    return true;
  };
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    const double t = seconds_since(start);
    last_activity = t;
    if (!out.first_byte_s) out.first_byte_s = t;
    if (cancel && cancel->load()) return false;
    if (!on_chunk || out.status >= 400) out.body.append(data, n);
    if (on_chunk && out.status < 400) return (*on_chunk)(std::string_view(data, n), t);
    return true;
  };
  httplib::Response res;
  httplib::Error err = httplib::Error::Success;
  const bool ok = cli.send(req, res, err);
  out.total_s = seconds_since(start);
  if (!ok) {
    const double silence = out.total_s - last_activity;
    return fail(endpoint_.url() + path,
                describe(err, endpoint_, timeouts_, silence, out.first_byte_s.has_value()));
  }
  out.status = res.status;
  return out;
}

Result<HttpResponse> HttpClient::stream(const std::string& path, const std::string& json_body,
                                        const ChunkHandler& on_chunk,
                                        const std::atomic<bool>* cancel) {
  return send("POST", path, json_body, &on_chunk, cancel);
}

Result<HttpResponse> HttpClient::get(const std::string& path) {
  return send("GET", path, "", nullptr, nullptr);
}

Result<HttpResponse> HttpClient::post(const std::string& path, const std::string& json_body) {
  return send("POST", path, json_body, nullptr, nullptr);
}

std::string server_error_text(const std::string& body) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error")) {
    const auto& e = j["error"];
    if (e.is_string()) return e.get<std::string>();
    if (e.is_object() && e.contains("message") && e["message"].is_string())
      return e["message"].get<std::string>();
  }
  // llama-server's "error:" stream line carries the error object itself.
  if (j.is_object() && j.contains("message") && j["message"].is_string())
    return j["message"].get<std::string>();
  std::string s = body.substr(0, 200);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace worthit::bench
