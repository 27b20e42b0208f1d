#include "generate/strategy_registry.h"

#include "core/error.h"
#include "core/strings.h"
#include "generate/strategies/beam_search.h"
#include "generate/strategies/contrastive.h"
#include "generate/strategies/greedy.h"
#include "generate/strategies/sample.h"
#include "generate/strategies/stochastic_beam.h"

namespace gpt2 {

namespace {
template <class S>
std::unique_ptr<SearchStrategy> make() {
  return std::make_unique<S>();
}
}  // namespace

const std::vector<StrategyEntry>& strategy_entries() {
  static const std::vector<StrategyEntry> entries = {
      {"greedy", make<GreedySearch>},
      {"sample", make<SampleSearch>},
      {"beam", make<BeamSearch>},
      {"stochastic_beam", make<StochasticBeamSearch>},
      {"contrastive", make<ContrastiveSearch>},
  };
  return entries;
}

std::unique_ptr<SearchStrategy> make_strategy(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& e : strategy_entries()) {
    if (name == e.name) return e.make();
    names.push_back(e.name);
  }
  throw Error("unknown search strategy \"" + name + "\"; known: " + join(names, ", "));
}

}  // namespace gpt2
