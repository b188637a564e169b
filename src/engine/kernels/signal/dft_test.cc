// Goldens from numpy.fft (fft, ifft, rfft with n=) on the inputs written here.
#include <gtest/gtest.h>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

TEST(DftTest, RealPowerOfTwoAlongAxis1) {
  Tensor x = MakeTensor<float>({2, 8, 1}, {0, 0.941471, 1.109297, 0.44112, -0.3568025, -0.4589243,
                                           0.3205845, 1.356987, 1.789358, 1.312119, 0.4559789,
                                           0.1000098, 0.6634271, 1.720167, 2.390607, 2.150288});
  ExpectTensorNear<float>(
      RunOne(Node("DFT", 1), {x}), {2, 8, 2},
      {3.353733,   0, 1.994647,    -1.131326,  -1.786684,  1.31556,   -1.281042,   0.4460993,
       -1.207574,  0, -1.281042,   -0.4460993, -1.786684,  -1.31556,  1.994647,    1.131326,
       10.58195,   0, 2.287163,    3.672928,   -0.3938009, -0.781988, -0.03530043, -0.196329,
       0.01678824, 0, -0.03530043, 0.196329,   -0.3938009, 0.781988,  2.287163,    -3.672928},
      1e-5, 1e-5);
}

TEST(DftTest, ComplexInverseOfLengthSix) {
  Tensor x = MakeTensor<double>({1, 6, 2}, {1, 0, 0.7648422, 0.25, 0.1699671, 0.5, -0.5048461, 0.75,
                                            -0.9422224, 1, -0.9364567, 1.25});
  ExpectTensorNear<double>(RunOne(Node("DFT", 1).Int("inverse", 1), {x}), {1, 6, 2},
                           {-0.07478596, 0.625, 0.5173674, 0.2810921, 0.2333502, -0.03996938,
                            0.1507009, -0.125, 0.08901267, -0.2100306, 0.08435473, -0.5310921},
                           1e-6, 1e-6);
}

TEST(DftTest, OnesidedZeroPaddedToDftLength) {
  Tensor x = MakeTensor<float>({1, 5, 1}, {1, -2, 3, 0.5, 4});
  ExpectTensorNear<float>(
      RunOne(Node("DFT", 2).Int("onesided", 1), {x, MakeTensor<int64_t>({}, {7})}), {1, 4, 2},
      {6.5, 0, -4.968902, 0.1574723, 1.547839, 0.5150969, 3.671063, 6.62551}, 1e-5, 1e-5);
}

TEST(DftTest, InnerAxisCutToDftLength) {
  Tensor x = MakeTensor<float>({1, 3, 4, 1}, {0, 1, 2.828427, 5.196153, 8, 11.18034, 14.69694,
                                              18.52026, 22.62742, 27, 31.62278, 36.48287});
  ExpectTensorNear<float>(
      RunOne(Node("DFT", 2).Int("axis", 2), {x, MakeTensor<int32_t>({1}, {3})}), {1, 3, 3, 2},
      {3.828427, 0, -1.914214, 1.583464, -1.914214, -1.583464, 33.87728, 0, -4.938639, 3.045464,
       -4.938639, -3.045464, 81.25019, 0, -6.683971, 4.003441, -6.683971, -4.003441},
      1e-5, 1e-5);
}

TEST(DftTest, RejectsBadShapesAndLengths) {
  EXPECT_NE(RunError(Node("DFT", 1), {Iota<float>({2, 4, 3})}).find("last dimension of 1"),
            std::string::npos);
  EXPECT_NE(RunError(Node("DFT", 2), {Iota<float>({2, 4, 1}), MakeTensor<int64_t>({}, {0})})
                .find("must be positive"),
            std::string::npos);
  EXPECT_NE(RunError(Node("DFT", 1).Int("axis", 2), {Iota<float>({2, 4, 1})})
                .find("attribute axis: axis 2 is out of range [-2, 1]"),
            std::string::npos);
}

TEST(StftTest, ComplexSignalWithWindowTwoSided) {
  Tensor signal = MakeTensor<float>(
      {1, 10, 2}, {1,         0,          0.62161,   0.2955202,  -0.2272021, 0.5646425, -0.9040722,
                   0.7833269, -0.8967584, 0.9320391, -0.2107958, 0.997495,   0.6346928, 0.9738476,
                   0.9998586, 0.8632094,  0.6083513, 0.6754632,  -0.2435441, 0.4273799});
  Tensor window = MakeTensor<float>({4}, {0.1, 0.9, 1.0, 0.4});
  ExpectTensorNear<float>(
      RunOne(Node("STFT", 3).Int("onesided", 0), {signal, MakeTensor<int64_t>({}, {3}), window}),
      {1, 3, 4, 2},
      {0.07061801, 1.143941, 0.2798395,  -1.48572,  -0.3250222, -0.01465647, 0.3745647,  0.3564354,
       -0.8544085, 2.304202, 0.5696847,  0.1417974, 0.2520024,  -0.1525465,  -0.3289075, -1.980122,
       1.474276,   1.720688, 0.06105445, -1.575369, -0.1306345, -0.1749924,  -1.150818,  0.419212},
      1e-5, 1e-5);
}

TEST(StftTest, RealBatchWithFrameLengthOnly) {
  Tensor signal =
      MakeTensor<float>({2, 9, 1}, {-3, -2, -1, 0, 1, 2, 3, -3, -2, -1, 0, 1, 2, 3, -3, -2, -1, 0});
  ExpectTensorNear<float>(
      RunOne(NodeBuilder("STFT").Inputs(4, {2}).Outputs(1),
             {signal, MakeTensor<int32_t>({}, {2}), Tensor(), MakeTensor<int32_t>({}, {5})}),
      {2, 3, 3, 2},
      {-5, 0, -2.5, 3.440955,  -2.5, 0.8122992, 5,  0, -2.5, 3.440955, -2.5, 0.8122992,
       1,  0, 1,    -7.330938, 1,    3.355198,  5,  0, -2.5, 3.440955, -2.5, 0.8122992,
       1,  0, 1,    -7.330938, 1,    3.355198,  -3, 0, 4.5,  3.440955, 4.5,  0.8122992},
      1e-5, 1e-5);
}

TEST(StftTest, RejectsMissingOrMismatchedFrameLength) {
  Tensor signal = Iota<float>({1, 16, 1});
  EXPECT_NE(RunError(Node("STFT", 2), {signal, MakeTensor<int64_t>({}, {4})}).find("frame length"),
            std::string::npos);
  EXPECT_NE(RunError(Node("STFT", 4), {signal, MakeTensor<int64_t>({}, {4}), Iota<float>({8}),
                                       MakeTensor<int64_t>({}, {6})})
                .find("input 2 (window): has 8 samples but input 3 (frame_length) is 6"),
            std::string::npos);
  EXPECT_NE(RunError(Node("STFT", 4), {signal, MakeTensor<int64_t>({}, {4}), Iota<float>({32}),
                                       MakeTensor<int64_t>({}, {32})})
                .find("must be in [1, 16]"),
            std::string::npos);
}

// The suite's case (test_melweightmatrix) and one from the ONNX reference algorithm with
// num_mel_bins 4, dft_length 40, sample_rate 16000, 100..6000 Hz, as double.
TEST(MelWeightMatrixTest, MatchesTheReference) {
  ExpectTensorNear<float>(RunOne(Node("MelWeightMatrix", 5),
                                 {MakeTensor<int32_t>({}, {8}), MakeTensor<int32_t>({}, {16}),
                                  MakeTensor<int32_t>({}, {8192}), MakeTensor<float>({}, {0}),
                                  MakeTensor<float>({}, {4096})}),
                          {9, 8},
                          {1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
                           0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1,
                           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  std::vector<double> expected(21 * 4, 0.0);
  const std::vector<double> head = {0,   0, 0, 0,    1, 0, 0, 0,   0,   1,   0, 0,   0, 0.5,
                                    0.5, 0, 0, 0,    1, 0, 0, 0,   0.5, 0.5, 0, 0,   0, 1,
                                    0,   0, 0, 0.75, 0, 0, 0, 0.5, 0,   0,   0, 0.25};
  std::copy(head.begin(), head.end(), expected.begin());
  ExpectTensorNear<double>(RunOne(Node("MelWeightMatrix", 5).Int("output_datatype", 11),
                                  {MakeTensor<int64_t>({}, {4}), MakeTensor<int64_t>({}, {40}),
                                   MakeTensor<int64_t>({}, {16000}), MakeTensor<double>({}, {100}),
                                   MakeTensor<double>({}, {6000})}),
                           {21, 4}, expected);
}

}  // namespace
}  // namespace mlos::engine::testing
