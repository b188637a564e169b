#include "common/npy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

namespace mlos {
namespace {

// What numpy 1.24 writes for np.save(f, np.array([[1, 2, 3], [4, 5, 6]], dtype='<f4')): a
// 118-byte header, padded so that the data starts at byte 128.
std::string NumpyFloatFile() {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  header.append(128 - 10 - header.size() - 1, ' ');
  header += '\n';
  std::string bytes =
      std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size()) + '\0' + header;
  const float values[] = {1, 2, 3, 4, 5, 6};
  return bytes + std::string(reinterpret_cast<const char*>(values), sizeof(values));
}

std::string WithHeader(const std::string& dict, const std::string& data) {
  return std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(dict.size()) + '\0' + dict + data;
}

void ExpectInvalid(const std::string& bytes, const std::string& text) {
  const Status status = ParseNpy(bytes, "in.npy").status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("'in.npy': " + text), std::string::npos) << status.message();
}

TEST(NpyTest, ReadsWhatNumpyWritesAndWritesTheSameBytes) {
  StatusOr<Tensor> tensor = ParseNpy(NumpyFloatFile(), "a.npy");
  ASSERT_TRUE(tensor.ok()) << tensor.status().ToString();
  EXPECT_EQ(tensor->dtype(), DataType::kFloat32);
  EXPECT_EQ(tensor->shape(), (Shape{2, 3}));
  EXPECT_EQ(tensor->data<float>()[5], 6.0f);
  EXPECT_EQ(*SerializeNpy(*tensor), NumpyFloatFile());
}

TEST(NpyTest, RoundTripsEveryDenseType) {
  const DataType types[] = {DataType::kFloat32,  DataType::kFloat64, DataType::kFloat16,
                            DataType::kBFloat16, DataType::kInt8,    DataType::kInt16,
                            DataType::kInt32,    DataType::kInt64,   DataType::kUInt8,
                            DataType::kUInt16,   DataType::kUInt32,  DataType::kUInt64,
                            DataType::kBool};
  const Shape shapes[] = {{}, {5}, {2, 0}, {3, 1, 4}};
  for (DataType type : types) {
    for (const Shape& shape : shapes) {
      Tensor tensor(type, shape);
      auto* bytes = static_cast<unsigned char*>(tensor.raw_data());
      for (size_t i = 0; i < tensor.byte_size(); ++i) {
        bytes[i] = type == DataType::kBool ? i % 2 : static_cast<unsigned char>(i * 37 + 1);
      }
      StatusOr<std::string> file = SerializeNpy(tensor);
      ASSERT_TRUE(file.ok()) << file.status().ToString();
      EXPECT_EQ((file->size() - tensor.byte_size()) % 64, 0u);
      StatusOr<Tensor> back = ParseNpy(*file, "t.npy");
      ASSERT_TRUE(back.ok()) << Name(type) << ": " << back.status().ToString();
      EXPECT_EQ(back->dtype(), type);
      EXPECT_EQ(back->shape(), shape);
      EXPECT_EQ(std::memcmp(back->raw_data(), tensor.raw_data(), tensor.byte_size()), 0)
          << Name(type);
    }
  }
}

TEST(NpyTest, FilesRoundTripAndErrorsNameTheFile) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("npy_test_" + std::to_string(::getpid()) + ".npy"))
          .string();
  Tensor tensor(DataType::kInt64, {3});
  tensor.data<int64_t>()[2] = -7;
  ASSERT_TRUE(WriteNpyFile(path, tensor).ok());
  StatusOr<Tensor> back = ReadNpyFile(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->data<int64_t>()[2], -7);
  std::filesystem::remove(path);
  EXPECT_EQ(ReadNpyFile(path).status().code(), StatusCode::kNotFound);
  Status strings = WriteNpyFile(path, Tensor(DataType::kString, {1}));
  EXPECT_EQ(strings.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(strings.message().find(path), std::string::npos);
}

TEST(NpyTest, RejectsWhatItCannotReadFaithfully) {
  const std::string four_floats(16, '\0');
  ExpectInvalid("not numpy at all", "not a .npy file");
  ExpectInvalid(std::string("\x93NUMPY\x03\x00\x00\x00\x00\x00", 12),
                "unsupported .npy format version 3.0");
  ExpectInvalid(WithHeader("{'descr': '<f4', 'fortran_order': True, 'shape': (4,), }", four_floats),
                "Fortran-order");
  ExpectInvalid(
      WithHeader("{'descr': '>f4', 'fortran_order': False, 'shape': (4,), }", four_floats),
      "unsupported dtype '>f4'");
  ExpectInvalid(
      WithHeader("{'descr': '<U3', 'fortran_order': False, 'shape': (4,), }", four_floats),
      "unsupported dtype '<U3'");
  ExpectInvalid(
      WithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", four_floats),
      "data holds 16 bytes, float32 [5] needs 20");
  ExpectInvalid(
      WithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", four_floats),
      "data holds 16 bytes");
  ExpectInvalid(WithHeader("{'descr': '<f4', 'shape': (4,), }", four_floats), "header lacks");
  ExpectInvalid(
      WithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-4,), }", four_floats),
      "malformed header");
  ExpectInvalid(WithHeader("{'descr': '|b1', 'fortran_order': False, 'shape': (1,), }", "\x02"),
                "bool data");
}

}  // namespace
}  // namespace mlos
