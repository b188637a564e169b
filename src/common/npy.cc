#include "common/npy.h"

#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>

namespace mlos {
namespace {

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr size_t kHeaderAlignment = 64;

struct Descriptor {
  DataType dtype;
  const char* name;  // as written
};

// One descriptor per DataType; the reader also accepts '|' and '=' in place of '<' (and the
// reverse for one-byte types) since byte order does not matter there or on a little-endian host.
constexpr Descriptor kDescriptors[] = {
    {DataType::kFloat32, "<f4"},  {DataType::kFloat64, "<f8"}, {DataType::kFloat16, "<f2"},
    {DataType::kBFloat16, "<V2"}, {DataType::kInt8, "|i1"},    {DataType::kInt16, "<i2"},
    {DataType::kInt32, "<i4"},    {DataType::kInt64, "<i8"},   {DataType::kUInt8, "|u1"},
    {DataType::kUInt16, "<u2"},   {DataType::kUInt32, "<u4"},  {DataType::kUInt64, "<u8"},
    {DataType::kBool, "|b1"},
};

std::optional<DataType> DataTypeOfDescriptor(std::string_view descr) {
  if (descr.size() != 3 || descr[0] == '>') return std::nullopt;
  for (const Descriptor& descriptor : kDescriptors) {
    if (descr.substr(1) != std::string_view(descriptor.name).substr(1)) continue;
    const bool one_byte = ElementSize(descriptor.dtype) == 1;
    if (one_byte || descr[0] == '<' || descr[0] == '=' || descriptor.dtype == DataType::kBFloat16) {
      return descriptor.dtype;
    }
  }
  return std::nullopt;
}

// The header dictionary, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }.
struct Header {
  std::optional<std::string> descr;
  std::optional<bool> fortran_order;
  std::optional<Shape> shape;
};

// A strict parser for the one Python literal numpy writes as the header.
class HeaderParser {
 public:
  explicit HeaderParser(std::string_view text) : text_(text) {}

  // Returns an error message, empty on success.
  std::string Parse(Header& header) {
    if (!Consume('{')) return "expected '{'";
    while (!Consume('}')) {
      std::string key;
      if (!ParseString(key)) return "expected a quoted key";
      if (!Consume(':')) return "expected ':' after '" + key + "'";
      if (key == "descr") {
        std::string descr;
        if (!ParseString(descr)) return "'descr' is not a string";
        header.descr = descr;
      } else if (key == "fortran_order") {
        if (ConsumeWord("True")) {
          header.fortran_order = true;
        } else if (ConsumeWord("False")) {
          header.fortran_order = false;
        } else {
          return "'fortran_order' is not True or False";
        }
      } else if (key == "shape") {
        Shape shape;
        if (!ParseShape(shape)) return "'shape' is not a tuple of non-negative integers";
        header.shape = shape;
      } else {
        return "unknown key '" + key + "'";
      }
      if (!Consume(',') && !Peek('}')) return "expected ',' or '}'";
    }
    SkipSpace();
    if (position_ != text_.size()) return "unexpected text after the dictionary";
    return "";
  }

 private:
  void SkipSpace() {
    while (position_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[position_]))) {
      ++position_;
    }
  }
  bool Peek(char c) {
    SkipSpace();
    return position_ < text_.size() && text_[position_] == c;
  }
  bool Consume(char c) {
    if (!Peek(c)) return false;
    ++position_;
    return true;
  }
  bool ConsumeWord(std::string_view word) {
    SkipSpace();
    if (text_.substr(position_, word.size()) != word) return false;
    position_ += word.size();
    return true;
  }
  bool ParseString(std::string& out) {
    SkipSpace();
    if (position_ >= text_.size() || (text_[position_] != '\'' && text_[position_] != '"'))
      return false;
    const char quote = text_[position_++];
    const size_t end = text_.find(quote, position_);
    if (end == std::string_view::npos) return false;
    out = std::string(text_.substr(position_, end - position_));
    position_ = end + 1;
    return true;
  }
  bool ParseShape(Shape& shape) {
    if (!Consume('(')) return false;
    while (!Consume(')')) {
      SkipSpace();
      const size_t start = position_;
      int64_t dim = 0;
      while (position_ < text_.size() &&
             std::isdigit(static_cast<unsigned char>(text_[position_]))) {
        if (dim > (INT64_MAX - 9) / 10) return false;
        dim = dim * 10 + (text_[position_++] - '0');
      }
      if (position_ == start) return false;
      if (position_ < text_.size() && text_[position_] == 'L') ++position_;  // Python 2 longs
      shape.push_back(dim);
      if (!Consume(',') && !Peek(')')) return false;
    }
    return true;
  }

  std::string_view text_;
  size_t position_ = 0;
};

uint32_t ReadLittleEndian(std::string_view bytes) {
  uint32_t value = 0;
  for (size_t i = bytes.size(); i-- > 0;) value = value << 8 | static_cast<unsigned char>(bytes[i]);
  return value;
}

}  // namespace

StatusOr<Tensor> ParseNpy(std::string_view bytes, const std::string& source) {
  auto invalid = [&](const std::string& what) {
    return InvalidArgument("'" + source + "': " + what);
  };
  if (bytes.size() < kMagic.size() + 4 || bytes.substr(0, kMagic.size()) != kMagic) {
    return invalid("not a .npy file (bad magic)");
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  const int minor = static_cast<unsigned char>(bytes[7]);
  if ((major != 1 && major != 2) || minor != 0) {
    return invalid("unsupported .npy format version " + std::to_string(major) + "." +
                   std::to_string(minor) + " (1.0 and 2.0 are supported)");
  }
  const size_t length_bytes = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + length_bytes) return invalid("truncated header");
  const size_t header_length = ReadLittleEndian(bytes.substr(8, length_bytes));
  const size_t data_offset = 8 + length_bytes + header_length;
  if (bytes.size() < data_offset) return invalid("truncated header");
  const std::string_view header_text = bytes.substr(8 + length_bytes, header_length);

  Header header;
  if (std::string error = HeaderParser(header_text).Parse(header); !error.empty()) {
    return invalid("malformed header: " + error);
  }
  if (!header.descr || !header.fortran_order || !header.shape) {
    return invalid("header lacks 'descr', 'fortran_order' or 'shape'");
  }
  if (*header.fortran_order) return invalid("Fortran-order arrays are not supported");
  const std::optional<DataType> dtype = DataTypeOfDescriptor(*header.descr);
  if (!dtype) {
    return invalid("unsupported dtype '" + *header.descr +
                   "' (little-endian numeric and bool types are supported)");
  }
  Tensor tensor(*dtype, *header.shape);
  const std::string_view data = bytes.substr(data_offset);
  if (data.size() != tensor.byte_size()) {
    return invalid("data holds " + std::to_string(data.size()) + " bytes, " + Name(*dtype) + " " +
                   ShapeToString(tensor.shape()) + " needs " + std::to_string(tensor.byte_size()));
  }
  if (!data.empty()) std::memcpy(tensor.raw_data(), data.data(), data.size());
  if (*dtype == DataType::kBool) {
    for (char value : data) {
      if (value != 0 && value != 1) return invalid("bool data holds a byte other than 0 or 1");
    }
  }
  return tensor;
}

StatusOr<std::string> SerializeNpy(const Tensor& tensor) {
  const char* descr = nullptr;
  for (const Descriptor& descriptor : kDescriptors) {
    if (descriptor.dtype == tensor.dtype()) descr = descriptor.name;
  }
  if (descr == nullptr) {
    return InvalidArgument(std::string(".npy cannot hold ") + Name(tensor.dtype()) + " tensors");
  }
  std::string shape = "(";
  for (int64_t dim : tensor.shape())
    shape += std::to_string(dim) + (tensor.shape().size() == 1 ? "," : ", ");
  if (tensor.shape().size() > 1) shape.resize(shape.size() - 2);
  shape += ")";
  std::string header =
      std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  const bool version2 = header.size() + 1 + kHeaderAlignment > UINT16_MAX;
  const size_t prefix = version2 ? 12 : 10;
  header.append(kHeaderAlignment - (prefix + header.size() + 1) % kHeaderAlignment, ' ');
  header += '\n';
  std::string out(kMagic);
  out += static_cast<char>(version2 ? 2 : 1);
  out += '\0';
  for (size_t i = 0; i < (version2 ? 4u : 2u); ++i)
    out += static_cast<char>(header.size() >> (8 * i));
  out += header;
  out.append(static_cast<const char*>(tensor.raw_data()), tensor.byte_size());
  return out;
}

StatusOr<Tensor> ReadNpyFile(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error))
    return NotFound("'" + path + "' does not exist");
  std::ifstream file(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (file.bad()) return InvalidArgument("'" + path + "': read failed");
  return ParseNpy(bytes, path);
}

Status WriteNpyFile(const std::string& path, const Tensor& tensor) {
  StatusOr<std::string> bytes = SerializeNpy(tensor);
  if (!bytes.ok()) return bytes.status().WithContext("'" + path + "'");
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
  file.close();
  if (!file) return InvalidArgument("'" + path + "': write failed");
  return Status::Ok();
}

}  // namespace mlos
