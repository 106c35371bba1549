#include "node_context.h"

namespace lq::runtime {

PreparedNode prepare_int8_elementwise(NodeContext& c) { c.fail(c.op_name() + " for these tensor types is not available yet"); }

}  // namespace lq::runtime
