// Lists of ids as the alert stores keep them in text: "1,2,3".
#pragma once

#include <charconv>
#include <string>
#include <string_view>
#include <vector>

namespace xtrader::store_detail {

// Appends the ids, each as `before` digits `after`, separated by commas.
template <class Id>
void append_ids(std::string& out, const std::vector<Id>& ids, std::string_view before = {},
                std::string_view after = {}) {
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i != 0) out += ',';
        out += before;
        out += std::to_string(ids[i]);
        out += after;
    }
}

// The ids of a comma-separated list; what does not parse is skipped.
template <class Id>
std::vector<Id> parse_ids(std::string_view text) {
    std::vector<Id> out;
    while (!text.empty()) {
        const auto comma = text.find(',');
        const auto item = text.substr(0, comma);
        Id id{};
        if (std::from_chars(item.data(), item.data() + item.size(), id).ec == std::errc{}) {
            out.push_back(id);
        }
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return out;
}

}  // namespace xtrader::store_detail
