#include "common/manifest.h"
// Implemented by the Axon owner.
