#pragma once
// Search strategies by name. Adding a strategy is one line in strategy_registry.cpp.
#include <memory>
#include <string>
#include <vector>

#include "generate/strategies/search_strategy.h"

namespace gpt2 {

struct StrategyEntry {
  const char* name;
  std::unique_ptr<SearchStrategy> (*make)();
};

const std::vector<StrategyEntry>& strategy_entries();

// The strategy for config.search(); throws Error for an unknown name.
std::unique_ptr<SearchStrategy> make_strategy(const std::string& name);

}  // namespace gpt2
