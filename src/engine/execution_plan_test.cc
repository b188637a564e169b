#include "engine/execution_plan.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "engine/test_models.h"

namespace mlos::engine {
namespace {

using testing::ModelBuilder;

// A stand-in kernel for plan tests: passes input 0 through to every output.
class PassThrough final : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    for (Tensor& output : context.outputs) output = context.input(0);
    return Status::Ok();
  }
};

StatusOr<std::unique_ptr<Kernel>> MakePassThrough(const KernelInit&) {
  return std::unique_ptr<Kernel>(std::make_unique<PassThrough>());
}

// Knows "Pass" in the default domain from opset 1, for float32 only.
KernelRegistry PassRegistry() {
  KernelRegistry registry;
  registry.Register({"", "Pass", 1, 1 << 30, {DataType::kFloat32}, &MakePassThrough});
  return registry;
}

void ExpectError(const Status& status, StatusCode code, const std::string& text) {
  EXPECT_EQ(status.code(), code) << status.ToString();
  EXPECT_NE(status.message().find(text), std::string::npos) << status.message();
}

TEST(ExecutionPlanTest, SortsNodesWhateverTheFileOrder) {
  ModelBuilder builder;
  builder.Input("x", DataType::kFloat32, {2}).Output("z", DataType::kFloat32, {2});
  builder.Node("Pass", {"y"}, {"z"}, "second");
  builder.Node("Pass", {"x"}, {"y"}, "first");
  const KernelRegistry registry = PassRegistry();
  StatusOr<ExecutionPlan> plan = BuildExecutionPlan(builder.proto(), registry);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->nodes.size(), 2u);
  EXPECT_EQ(plan->nodes[0].node->name(), "first");
  EXPECT_EQ(plan->nodes[1].node->name(), "second");
  EXPECT_EQ(plan->nodes[1].description, "node 'second' (Pass)");
}

TEST(ExecutionPlanTest, DetectsCycles) {
  ModelBuilder builder;
  builder.Input("x", DataType::kFloat32, {2}).Output("b", DataType::kFloat32, {2});
  builder.Node("Pass", {"b"}, {"a"}, "loop_a");
  builder.Node("Pass", {"a"}, {"b"}, "loop_b");
  const KernelRegistry registry = PassRegistry();
  ExpectError(BuildExecutionPlan(builder.proto(), registry).status(), StatusCode::kInvalidArgument,
              "the graph has a cycle through node 'loop_a' (Pass)");
}

TEST(ExecutionPlanTest, DetectsDanglingInputs) {
  ModelBuilder builder;
  builder.Input("x", DataType::kFloat32, {2}).Output("y", DataType::kFloat32, {2});
  builder.Node("Pass", {"ghost"}, {"y"}, "reader");
  const KernelRegistry registry = PassRegistry();
  ExpectError(BuildExecutionPlan(builder.proto(), registry).status(), StatusCode::kInvalidArgument,
              "node 'reader' (Pass): input 'ghost' is not produced by any node, initializer or "
              "graph input");
}

TEST(ExecutionPlanTest, UnsupportedOpNamesNodeOpDomainAndOpset) {
  ModelBuilder builder(15);
  builder.Input("x", DataType::kFloat32, {2}).Output("y", DataType::kFloat32, {2});
  builder.Node("Frobnicate", {"x"}, {"y"}, "frob");
  const KernelRegistry registry = PassRegistry();
  ExpectError(BuildExecutionPlan(builder.proto(), registry).status(), StatusCode::kUnimplemented,
              "node 'frob' (Frobnicate, domain ai.onnx, opset 15): ");

  ModelBuilder typed(15);
  typed.Input("x", DataType::kInt64, {2}).Output("y", DataType::kInt64, {2});
  typed.Node("Pass", {"x"}, {"y"}, "ints");
  ExpectError(BuildExecutionPlan(typed.proto(), registry).status(), StatusCode::kUnimplemented,
              "node 'ints' (Pass, domain ai.onnx, opset 15): ");

  ModelBuilder custom(15);
  custom.Import("com.example", 3);
  custom.Input("x", DataType::kFloat32, {2}).Output("y", DataType::kFloat32, {2});
  custom.Node("Pass", {"x"}, {"y"}, "mine", "com.example");
  ExpectError(BuildExecutionPlan(custom.proto(), registry).status(), StatusCode::kUnimplemented,
              "node 'mine' (Pass, domain com.example, opset 3): ");
}

TEST(ExecutionPlanTest, FoldsConstantsAndSeesThemAsConstantInputs) {
  ModelBuilder builder;
  builder.Input("x", DataType::kFloat32, {2})
      .FloatInitializer("w", {2}, {1, 2})
      .Output("y", DataType::kFloat32, {2});
  onnx::NodeProto& constant = builder.Node("Constant", {}, {"c"});
  auto* value = constant.add_attribute();
  value->set_name("value_floats");
  value->set_type(onnx::AttributeProto::FLOATS);
  value->add_floats(3);
  value->add_floats(4);
  builder.Node("Pass", {"c", "w", "x"}, {"y"});
  const KernelRegistry registry = PassRegistry();
  StatusOr<ExecutionPlan> plan = BuildExecutionPlan(builder.proto(), registry);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->nodes.size(), 1u);  // the Constant node is gone
  ASSERT_EQ(plan->constants.size(), 2u);
  EXPECT_EQ(plan->constant_bytes, 16u);
  const std::vector<int>& inputs = plan->nodes[0].inputs;
  EXPECT_TRUE(plan->IsConstant(inputs[0]));
  EXPECT_TRUE(plan->IsConstant(inputs[1]));
  EXPECT_FALSE(plan->IsConstant(inputs[2]));
  EXPECT_EQ(plan->constants[inputs[0]].tensor().data<float>()[1], 4.0f);
  EXPECT_EQ(plan->constants[inputs[1]].tensor().data<float>()[0], 1.0f);
  EXPECT_FALSE(builder.proto().graph().initializer(0).has_raw_data());  // weights held once
}

TEST(ExecutionPlanTest, ReleasesEachIntermediateAfterItsLastReader) {
  ModelBuilder builder;
  builder.Input("x", DataType::kFloat32, {2}).Output("d", DataType::kFloat32, {2});
  builder.Node("Pass", {"x"}, {"a", "unused"}, "n0");
  builder.Node("Pass", {"a"}, {"b"}, "n1");
  builder.Node("Pass", {"a", "b"}, {"c"}, "n2");
  builder.Node("Pass", {"c"}, {"d"}, "n3");
  const KernelRegistry registry = PassRegistry();
  StatusOr<ExecutionPlan> plan = BuildExecutionPlan(builder.proto(), registry);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  auto released = [&](size_t node) {
    std::vector<int> slots = plan->nodes[node].release_after;
    std::sort(slots.begin(), slots.end());
    return slots;
  };
  const std::vector<int>& n0_outputs = plan->nodes[0].outputs;
  EXPECT_EQ(released(0), (std::vector<int>{plan->input_slots[0], n0_outputs[1]}));  // x, unused
  EXPECT_TRUE(released(1).empty());
  EXPECT_EQ(released(2), (std::vector<int>{n0_outputs[0], plan->nodes[1].outputs[0]}));  // a, b
  EXPECT_EQ(released(3), (std::vector<int>{plan->nodes[2].outputs[0]}));  // c; d is an output
}

}  // namespace
}  // namespace mlos::engine
