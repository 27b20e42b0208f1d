#pragma once
// Shared fixtures of the trainer tests: tiny token shards, a tiny model, the gpt2 program.
#include <string>
#include <vector>

#include "train/trainer.h"

namespace gpt2::test {

// Writes train_000000.bin / val_000000.bin into `dir`: a deterministic token stream with some
// structure to learn, ids below 64.
void write_tiny_shards(const std::string& dir);

// A 2-layer, 32-wide model on those shards, one thread, no progress line, run dir `out_dir`.
TrainSections tiny_sections(const std::string& data_dir, const std::string& out_dir);

// The same settings as a YAML file (for the CLI tests).
std::string tiny_yaml(const std::string& data_dir);

// The gpt2 program beside this test program in the build tree (<build>/apps/gpt2).
std::string cli_path();

// A TCP port that was free a moment ago.
int free_port();

// Runs `command` with /bin/sh; returns the exit status and fills `output`.
int shell(const std::string& command, std::string& output);

// The "loss" of each "train" row of a run's log.jsonl, by step.
std::vector<std::pair<int64_t, double>> logged_losses(const std::string& run_dir);

// Model parameters of a checkpoint / model directory, flattened into one float64 vector.
std::vector<double> flat_parameters(const std::string& model_dir);

}  // namespace gpt2::test
