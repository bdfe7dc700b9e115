// SPDX-License-Identifier: MIT
#include "advise/train_data.h"

#include "core/toml_reader.h"

namespace worthit {

Result<TrainConstants> load_train_constants(const std::string& path) {
  WORTHIT_TRY(tbl, parse_toml_file(path));
  TomlReader r(tbl, path);
  TrainConstants k;
  WORTHIT_TRY(sources, r.strings("sources"));
  if (sources.empty()) return fail(r.error_at("sources", "required field is missing"));
  WORTHIT_TRY(mfu, r.opt_number("mfu"));
  if (!mfu) return fail(r.error_at("mfu", "required field is missing"));
  if (*mfu <= 0 || *mfu > 1) return fail(r.error_at("mfu", "must be in (0, 1]"));
  WORTHIT_TRY(overhead, r.quantity<Bytes>("framework_overhead", parse_bytes));
  WORTHIT_TRY(nf4, r.opt_number("nf4_bits_per_param"));
  if (nf4 && (*nf4 < 4 || *nf4 > 5))
    return fail(r.error_at("nf4_bits_per_param", "expected 4 bits plus constants, in [4, 5]"));
  if (auto s = r.check_unknown(); !s) return fail(s.error());
  k.mfu = *mfu;
  k.framework_overhead = overhead;
  k.nf4_bits_per_param = nf4.value_or(k.nf4_bits_per_param);
  k.sources = sources;
  return k;
}

}  // namespace worthit
