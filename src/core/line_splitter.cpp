#include "core/line_splitter.hpp"

namespace hotswap {

void LineSplitter::feed(std::string_view chunk) {
    while (!chunk.empty()) {
        size_t nl = chunk.find('\n');
        if (nl == std::string_view::npos) {
            partial_.append(chunk);
            while (partial_.size() >= max_line_) {
                on_line_(std::string_view(partial_).substr(0, max_line_));
                partial_.erase(0, max_line_);
            }
            return;
        }
        std::string_view piece = chunk.substr(0, nl);
        if (partial_.empty()) {
            if (!piece.empty() && piece.back() == '\r') piece.remove_suffix(1);
            on_line_(piece);
        } else {
            partial_.append(piece);
            if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
            on_line_(partial_);
            partial_.clear();
        }
        chunk.remove_prefix(nl + 1);
    }
}

void LineSplitter::finish() {
    if (!partial_.empty()) {
        on_line_(partial_);
        partial_.clear();
    }
}

}  // namespace hotswap
