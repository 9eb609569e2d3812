#pragma once
// overloaded{…}: one visitor of a std::variant from several lambdas, the standard idiom.

namespace hotswap {

template <class... Ts>
struct overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

}  // namespace hotswap
