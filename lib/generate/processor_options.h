#pragma once
// Each logits processor declares its own options in its header, shaped like a config section:
// the fields once, in visit() (their keys sit directly under `generate:`), the checks in
// validate():
//
//   struct TopKOptions {
//     int64_t k = 0;
//     void visit(FieldVisitor& v) { v.field("top_k", k, "keep the k most likely", ...); }
//     void validate(const GenerateConfig&) const {}
//   };
//
// GenerateConfig holds one options struct per processor of processor_registry.cpp, so its
// fields, their checks and the CLI's --top-k flags all come from the registry; callers read
// them typed: config.processor<TopKOptions>().k.
#include <memory>
#include <typeindex>
#include <typeinfo>
#include <vector>

#include "config/fields.h"

namespace gpt2 {

struct GenerateConfig;

// One processor's options behind one interface, so a config can hold every processor's.
class AnyProcessorOptions {
 public:
  virtual ~AnyProcessorOptions() = default;
  virtual std::unique_ptr<AnyProcessorOptions> clone() const = 0;
  virtual void visit(FieldVisitor& v) = 0;
  virtual void validate(const GenerateConfig& config) const = 0;
  virtual std::type_index type() const = 0;
};

template <class Options>
class ProcessorOptionsOf final : public AnyProcessorOptions {
 public:
  Options value;
  std::unique_ptr<AnyProcessorOptions> clone() const override {
    return std::make_unique<ProcessorOptionsOf>(*this);
  }
  void visit(FieldVisitor& v) override { value.visit(v); }
  void validate(const GenerateConfig& config) const override { value.validate(config); }
  std::type_index type() const override { return typeid(Options); }
};

// Every registered processor's options at their defaults, in registry order; copies are deep.
class ProcessorOptionSet {
 public:
  ProcessorOptionSet();
  ProcessorOptionSet(const ProcessorOptionSet& other);
  ProcessorOptionSet& operator=(const ProcessorOptionSet& other);
  ProcessorOptionSet(ProcessorOptionSet&&) noexcept = default;
  ProcessorOptionSet& operator=(ProcessorOptionSet&&) noexcept = default;

  template <class Options>
  Options& get() {
    return static_cast<ProcessorOptionsOf<Options>&>(find(typeid(Options))).value;
  }
  template <class Options>
  const Options& get() const {
    return static_cast<const ProcessorOptionsOf<Options>&>(find(typeid(Options))).value;
  }
  void visit(FieldVisitor& v);
  void validate(const GenerateConfig& config) const;

 private:
  // Throws Error when no registered processor has options of this type.
  AnyProcessorOptions& find(std::type_index type) const;

  std::vector<std::unique_ptr<AnyProcessorOptions>> options_;
};

}  // namespace gpt2
