// The domain of the fused operators (the optimizer's kMlosDomain, optimizer/graph_view.h), for the
// kernels' registrations.
#pragma once

namespace mlos::engine {

inline constexpr char kFusedDomain[] = "com.mlos";

}  // namespace mlos::engine
