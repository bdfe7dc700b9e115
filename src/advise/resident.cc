// SPDX-License-Identifier: MIT
#include "advise/resident.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "core/text.h"
#include "core/toml_reader.h"

namespace worthit {
namespace {

struct KindName {
  ResidentKind kind;
  const char* name;
};
constexpr KindName kKinds[] = {
    {ResidentKind::Llm, "llm"},          {ResidentKind::Image, "image"},
    {ResidentKind::SpeechToText, "stt"}, {ResidentKind::TextToSpeech, "tts"},
    {ResidentKind::Vision, "vision"},    {ResidentKind::Embedding, "embedding"},
};

}  // namespace

Result<ResidentKind> parse_resident_kind(const std::string& s) {
  std::vector<std::string> names;
  for (const auto& k : kKinds) {
    if (s == k.name) return k.kind;
    names.push_back(k.name);
  }
  const std::string hint = did_you_mean(s, names);
  return fail("", fmt::format("unknown kind '{}'", s),
              hint.empty() ? "llm, image, stt, tts, vision or embedding" : hint);
}

const char* resident_kind_name(ResidentKind k) {
  for (const auto& e : kKinds)
    if (e.kind == k) return e.name;
  return "?";
}

Result<ResidentEntry> load_resident_file(const std::string& path) {
  WORTHIT_TRY(tbl, parse_toml_file(path));
  TomlReader r(tbl, path);
  ResidentEntry e;
  e.file = path;
  WORTHIT_TRY(id, r.string("id"));
  WORTHIT_TRY(name, r.opt_string("name"));
  WORTHIT_TRY(kind, r.string("kind"));
  auto k = parse_resident_kind(kind);
  if (!k) return fail(r.error_at("kind", k.error().what, k.error().hint));
  WORTHIT_TRY(params, r.opt_number("params"));
  WORTHIT_TRY(mem, r.quantity<Bytes>("memory", parse_bytes));
  if (mem.base() <= 0) return fail(r.error_at("memory", "must be positive"));
  WORTHIT_TRY(scope, r.string("memory_scope"));
  if (scope != "required" && scope != "weights")
    return fail(r.error_at("memory_scope", fmt::format("unknown scope '{}'", scope),
                           "required (runtime VRAM a source gives) or weights (weights only)"));
  WORTHIT_TRY(prec, r.opt_string("precision"));
  WORTHIT_TRY(sources, r.strings("sources"));
  if (sources.empty()) return fail(r.error_at("sources", "required field is missing"));
  if (auto s = r.check_unknown(); !s) return fail(s.error());
  e.id = id;
  e.name = name.value_or(id);
  e.kind = *k;
  e.params = params.value_or(0);
  e.memory = mem;
  e.memory_scope = scope;
  e.precision = prec.value_or("");
  e.sources = sources;
  return e;
}

Result<std::vector<ResidentEntry>> load_resident_catalog(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& f : std::filesystem::directory_iterator(dir, ec))
    if (f.path().extension() == ".toml") files.push_back(f.path().string());
  if (ec) return fail(dir, "cannot read the resident-model catalog: " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<ResidentEntry> out;
  for (const auto& f : files) {
    WORTHIT_TRY(e, load_resident_file(f));
    for (const auto& o : out)
      if (to_lower(o.id) == to_lower(e.id))
        return fail(error_in_file(f, "id", fmt::format("id '{}' is also used by {}", e.id, o.file)));
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

Result<ResidentEntry> find_resident(const std::vector<ResidentEntry>& cat, const std::string& id) {
  std::vector<std::string> ids;
  for (const auto& e : cat) {
    if (to_lower(e.id) == to_lower(id)) return e;
    ids.push_back(e.id);
  }
  return fail("", fmt::format("unknown resident model '{}'", id), did_you_mean(id, ids));
}

}  // namespace worthit
