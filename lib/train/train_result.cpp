// What gpt2 train prints besides the loop's progress: its configuration (--dump-config) and the
// result's summary lines.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "config/loader.h"
#include "core/progress.h"
#include "core/strings.h"
#include "train/trainer.h"

namespace gpt2 {

std::string dump_train_config(TrainSections& s) {
  return dump_config(train_section_refs(s));
}

std::string TrainResult::summary() const {
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof line, "%s after %ld steps (%s tokens) in %s, %s tok/s\n",
                interrupted     ? "interrupted"
                : early_stopped ? "stopped early (no improvement)"
                                : "finished",
                long(steps), human_count(double(tokens)).c_str(), format_duration(seconds).c_str(),
                human_count(tokens_per_second).c_str());
  out << line;
  if (std::isfinite(last_train_loss)) {
    std::snprintf(line, sizeof line, "train loss %.4f", last_train_loss);
    out << line;
  }
  if (std::isfinite(last_val_loss)) {
    std::snprintf(line, sizeof line, "  val loss %.4f (ppl %.2f)", last_val_loss,
                  std::exp(last_val_loss));
    out << line;
  }
  if (std::isfinite(best_val_loss)) {
    std::snprintf(line, sizeof line, "  best %.4f at step %ld", best_val_loss, long(best_step));
    out << line;
  }
  if (skipped_steps > 0) out << "  skipped " << skipped_steps << " non-finite step(s)";
  out << "\n";
  if (!last_checkpoint.empty()) out << "checkpoint " << last_checkpoint << "\n";
  if (interrupted) out << "resume with: gpt2 train --resume " << run_dir << "\n";
  return out.str();
}

}  // namespace gpt2
