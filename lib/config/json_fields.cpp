#include "config/json_fields.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace gpt2 {
namespace {

class JsonReader : public FieldVisitor {
 public:
  JsonReader(const nlohmann::json& json, const std::string& path) : json_(json), path_(path) {}

  void field(const char* key, bool& value, const char*) override {
    if (const auto* node = find(key)) {
      if (!node->is_boolean()) fail(key, *node, "must be true or false");
      value = node->get<bool>();
    }
  }
  void field(const char* key, int64_t& value, const char*, const Rule& rule) override {
    if (const auto* node = find(key)) value = integer(key, *node, rule);
  }
  void field(const char* key, double& value, const char*, const Rule& rule) override {
    if (const auto* node = find(key)) value = number(key, *node, rule);
  }
  void field(const char* key, std::string& value, const char*, const Rule& rule) override {
    if (const auto* node = find(key)) value = text(key, *node, rule);
  }
  void field(const char* key, std::vector<std::string>& value, const char*,
             const Rule& rule) override {
    if (const auto* node = find(key)) {
      value.clear();
      for (const auto& item : list(key, *node)) value.push_back(text(key, item, rule));
    }
  }
  void field(const char* key, std::vector<int64_t>& value, const char*, const Rule& rule) override {
    if (const auto* node = find(key)) {
      value.clear();
      for (const auto& item : list(key, *node)) value.push_back(integer(key, item, rule));
    }
  }
  void field(const char* key, std::vector<double>& value, const char*, const Rule& rule) override {
    if (const auto* node = find(key)) {
      value.clear();
      for (const auto& item : list(key, *node)) value.push_back(number(key, item, rule));
    }
  }

 private:
  const nlohmann::json* find(const char* key) const {
    auto it = json_.find(key);
    return it == json_.end() || it->is_null() ? nullptr : &*it;
  }
  [[noreturn]] void fail(const char* key, const nlohmann::json& node,
                         const std::string& rule) const {
    throw Error(path_ + ": field \"" + key + "\" has value " + node.dump() + ", which " + rule);
  }
  // Integers only: 64.5 is refused, not truncated; 768.0 is 768.
  int64_t integer(const char* key, const nlohmann::json& node, const Rule& rule) const {
    if (node.is_number_integer()) {
      if (node.is_number_unsigned() && node.get<uint64_t>() > uint64_t(INT64_MAX))
        fail(key, node, "is too large");
    } else if (!node.is_number_float() || std::floor(node.get<double>()) != node.get<double>() ||
               std::fabs(node.get<double>()) > 9.0e18) {
      fail(key, node, "must be an integer");
    }
    const int64_t value =
        node.is_number_integer() ? node.get<int64_t>() : int64_t(node.get<double>());
    if (!rule.accepts(double(value))) fail(key, node, rule.text);
    return value;
  }
  double number(const char* key, const nlohmann::json& node, const Rule& rule) const {
    if (!node.is_number()) fail(key, node, "must be a number");
    const double value = node.get<double>();
    if (!rule.accepts(value)) fail(key, node, rule.text);
    return value;
  }
  std::string text(const char* key, const nlohmann::json& node, const Rule& rule) const {
    if (!node.is_string()) fail(key, node, "must be a string");
    std::string value = node.get<std::string>();
    if (!rule.accepts(value)) fail(key, node, rule.text);
    return value;
  }
  const nlohmann::json& list(const char* key, const nlohmann::json& node) const {
    if (!node.is_array()) fail(key, node, "must be a list");
    return node;
  }

  const nlohmann::json& json_;
  const std::string& path_;
};

class JsonWriter : public FieldVisitor {
 public:
  explicit JsonWriter(nlohmann::ordered_json& json) : json_(json) {}
  void field(const char* key, bool& value, const char*) override { json_[key] = value; }
  void field(const char* key, int64_t& value, const char*, const Rule&) override {
    json_[key] = value;
  }
  void field(const char* key, double& value, const char*, const Rule&) override {
    json_[key] = value;
  }
  void field(const char* key, std::string& value, const char*, const Rule&) override {
    json_[key] = value;
  }
  void field(const char* key, std::vector<std::string>& value, const char*, const Rule&) override {
    json_[key] = value;
  }
  void field(const char* key, std::vector<int64_t>& value, const char*, const Rule&) override {
    json_[key] = value;
  }
  void field(const char* key, std::vector<double>& value, const char*, const Rule&) override {
    json_[key] = value;
  }

 private:
  nlohmann::ordered_json& json_;
};

}  // namespace

void read_json_fields(const SectionRef& section, const nlohmann::json& json,
                      const std::string& path) {
  require(json.is_object(), path + ": expected a JSON object");
  JsonReader reader(json, path);
  section.visit(reader);
}

void write_json_fields(const SectionRef& section, nlohmann::ordered_json& json) {
  JsonWriter writer(json);
  section.visit(writer);
}

}  // namespace gpt2
