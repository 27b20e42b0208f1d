#pragma once
// A section's declared fields to and from a JSON object under the same keys, so a file such as
// Hugging Face's config.json (ModelConfig's fields, named as GPT2Config names them) is read and
// written from the one declaration in visit(), not field by field.
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "config/fields.h"

namespace gpt2 {

// Reads the section's keys that `json` holds (null = keep the default; other keys are the
// caller's). A value of the wrong type (a fraction for an integer, a string for a number) or
// one its rule refuses is an Error naming `path`, the key, the value and the rule.
void read_json_fields(const SectionRef& section, const nlohmann::json& json,
                      const std::string& path);

// Writes every field of the section into `json`, in declaration order.
void write_json_fields(const SectionRef& section, nlohmann::ordered_json& json);

}  // namespace gpt2
