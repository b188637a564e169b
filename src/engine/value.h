// Value: what flows along one edge of an ONNX graph — a tensor, a sequence of tensors, or an
// optional that holds nothing.
//
// An optional that holds something is represented by the thing itself (a tensor or a sequence):
// every consumer of an optional accepts both, so no wrapper is needed. A sequence is immutable and
// shares its tensors: sequence ops build a new sequence from the old one's tensors without copying
// their bytes. Copying a Value is cheap. Like Tensor, a Value is not synchronised: share it across
// threads read-only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/tensor.h"

namespace mlos::engine {

class Value {
 public:
  enum class Kind {
    kUnset,          // nothing produced yet (a default-constructed Value)
    kTensor,
    kSequence,
    kEmptyOptional,  // an optional holding nothing
  };

  Value() = default;
  Value(Tensor tensor);  // NOLINT(google-explicit-constructor): every tensor is a value
  // A sequence of `items`, each of element type `element_type` (kept for empty sequences).
  static Value Sequence(DataType element_type, std::vector<Tensor> items);
  static Value EmptyOptional();

  Kind kind() const { return kind_; }
  bool is_tensor() const { return kind_ == Kind::kTensor; }
  bool is_sequence() const { return kind_ == Kind::kSequence; }
  bool is_empty_optional() const { return kind_ == Kind::kEmptyOptional; }
  bool is_set() const { return kind_ != Kind::kUnset; }

  // REQUIRES: is_tensor().
  const Tensor& tensor() const { return tensor_; }
  Tensor& tensor() { return tensor_; }
  // REQUIRES: is_sequence().
  const std::vector<Tensor>& items() const { return *items_; }
  DataType element_type() const { return element_type_; }

  // "tensor float32 [2, 3]", "sequence of float32 (4 items)", "empty optional", "nothing".
  std::string Describe() const;

 private:
  Kind kind_ = Kind::kUnset;
  Tensor tensor_;
  DataType element_type_ = DataType::kInvalid;
  std::shared_ptr<const std::vector<Tensor>> items_;
};

}  // namespace mlos::engine
