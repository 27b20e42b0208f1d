#include "data/parallel_encode.h"

#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <thread>

namespace gpt2 {
namespace {

// Big enough that per-item overhead vanishes, small enough to balance two cores on 1 MB.
constexpr size_t kChunkBytes = 128 * 1024;

struct Segment {
  size_t doc, begin, end;
};

// Cut points inside one document: after a '\n' with a printable ASCII character on both
// sides, the first such place at least kChunkBytes past the previous cut. Whitespace before
// the '\n' would not do: GPT-2's \s+(?!\S) takes " \n" whole at the end of a chunk but
// splits it as " ", "\n" before a word.
void cut_document(const std::string& text, size_t doc, bool can_split, std::vector<Segment>& out) {
  size_t begin = 0;
  while (can_split && text.size() - begin > 2 * kChunkBytes) {
    size_t pos = begin + kChunkBytes, cut = std::string::npos;
    while ((pos = text.find('\n', pos)) != std::string::npos && pos + 1 < text.size()) {
      unsigned char next = text[pos + 1], before = pos > 0 ? text[pos - 1] : ' ';
      if (next > 0x20 && next < 0x7F && before > 0x20 && before < 0x7F) {
        cut = pos + 1;
        break;
      }
      ++pos;
    }
    if (cut == std::string::npos) break;
    out.push_back({doc, begin, cut});
    begin = cut;
  }
  out.push_back({doc, begin, text.size()});
}

}  // namespace

std::vector<uint32_t> encode_documents(const std::vector<std::string>& documents,
                                       const Tokenizer& tokenizer, int32_t separator, int threads,
                                       const std::function<void(int64_t)>& on_progress) {
  // Work items: runs of whole small documents, or pieces of a big one.
  std::vector<Segment> segments;
  const bool can_split = tokenizer.splits_after_newline();
  for (size_t d = 0; d < documents.size(); ++d) cut_document(documents[d], d, can_split, segments);
  std::vector<std::vector<Segment>> items;
  size_t item_bytes = kChunkBytes;
  for (const auto& segment : segments) {
    if (item_bytes >= kChunkBytes) {
      items.emplace_back();
      item_bytes = 0;
    }
    items.back().push_back(segment);
    item_bytes += segment.end - segment.begin;
  }

  std::vector<std::vector<int32_t>> results(items.size());
  std::atomic<size_t> next_item{0};
  std::atomic<int64_t> bytes_done{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    try {
      for (size_t i; !failed && (i = next_item++) < items.size();) {
        int64_t bytes = 0;
        for (const auto& s : items[i]) {
          if (s.begin == 0 && s.doc > 0) results[i].push_back(separator);
          std::string_view text(documents[s.doc]);
          tokenizer.encode_append(text.substr(s.begin, s.end - s.begin), results[i]);
          bytes += s.end - s.begin;
        }
        bytes_done += bytes;
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      failed = true;
    }
  };
  threads = std::max(1, std::min<int>(threads, static_cast<int>(items.size())));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work);
  std::atomic<int> finished{0};
  std::thread waiter([&] {
    for (auto& thread : pool) thread.join();
    finished = 1;
  });
  while (!finished) {
    if (on_progress) on_progress(bytes_done);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  waiter.join();
  if (error) std::rethrow_exception(error);
  if (on_progress) on_progress(bytes_done);

  size_t total = 0;
  for (const auto& r : results) total += r.size();
  std::vector<uint32_t> stream;
  stream.reserve(total);
  for (auto& r : results) {
    stream.insert(stream.end(), r.begin(), r.end());
    std::vector<int32_t>().swap(r);
  }
  return stream;
}

}  // namespace gpt2
