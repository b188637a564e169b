// The Axon version: the project version, set by the build.
#pragma once

namespace mlos::axon {

inline constexpr char kAxonVersion[] = MLOS_AXON_VERSION;

}  // namespace mlos::axon
