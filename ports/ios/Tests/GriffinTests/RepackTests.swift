// GriffinModel.Options.repackWeights on the tiny int4 model that the build writes (the bundled
// model is bf16, which nothing repacks): the prefill's logits stay the default's bit for bit, and
// the model reports the bytes the kernel's blocks take, counted here from griffin-tiny's widths.
import Foundation
import XCTest

@testable import Griffin

final class RepackTests: XCTestCase {
  /// griffin-tiny as int4: $GRIFFIN_INT4_MODEL, which scripts/test.sh sets to the build's
  /// fixtures/griffin-tiny-int4.griffin.
  private func int4ModelPath() throws -> String {
    guard let path = ProcessInfo.processInfo.environment["GRIFFIN_INT4_MODEL"], !path.isEmpty
    else {
      XCTFail("set GRIFFIN_INT4_MODEL to the build's fixtures/griffin-tiny-int4.griffin")
      throw GriffinError(status: .invalidArgument, message: "GRIFFIN_INT4_MODEL is not set")
    }
    return path
  }

  /// A repacked int4 matrix takes, per whole block of 32 rows and per 32 input columns, 32 rows x
  /// (16 bytes of nibbles + a 2-byte scale).
  private static func blockBytes(_ rows: UInt64, _ columns: UInt64) -> UInt64 {
    rows / 32 * ((columns + 31) / 32) * 32 * (16 + 2)
  }

  /// griffin-tiny: width 64, lru_width 96, mlp_width 192, 4 recurrent and 2 local-attention
  /// layers, 4 query heads and 1 key-value head of 16.
  private static var expectedRepackedBytes: UInt64 {
    let recurrent = 2 * blockBytes(96, 64) + blockBytes(64, 96)
    // The key and value projections have 16 rows: no whole block, left as stored.
    let attention = blockBytes(64, 64) + 2 * blockBytes(16, 64) + blockBytes(64, 64)
    let mlp = 2 * blockBytes(192, 64) + blockBytes(64, 192)
    return 4 * recurrent + 2 * attention + 6 * mlp
  }

  private static let prompt: [Int32] = [2, 17, 42, 99, 260, 511, 3, 8, 64, 200, 7, 300]

  private func prefillLogits(_ model: GriffinModel) throws -> [Float] {
    let session = try model.makeSession()
    try session.prefill(Self.prompt)
    return try session.logits()
  }

  func testRepackedModelPrefillsTheDefaultsBitsAndCountsItsBlocks() throws {
    let path = try int4ModelPath()
    let stored = try GriffinModel(path: path)
    XCTAssertEqual(stored.weightsRepackedBytes, 0, "nothing is repacked by default")
    let expected = try prefillLogits(stored)

    let repacked = try GriffinModel(path: path, options: GriffinModel.Options(repackWeights: true))
    let logits = try prefillLogits(repacked)
    XCTAssertEqual(logits.count, expected.count)
    XCTAssertTrue(zip(logits, expected).allSatisfy { $0.bitPattern == $1.bitPattern })
    // Only the AVX-512 VNNI int4 kernel has a repacked form; elsewhere the option does nothing.
    let repacks = repacked.kernels.contains("qd8-qs4w-gemm avx512vnni")
    XCTAssertEqual(
      repacked.weightsRepackedBytes, repacks ? Self.expectedRepackedBytes : 0, repacked.kernels)
  }

  func testKernelsNamesTheInt4Variant() throws {
    let model = try GriffinModel(path: try int4ModelPath())
    // The int4 matrices run on a qd8-qs4w variant, whatever the CPU.
    XCTAssertTrue(model.kernels.contains("qd8-qs4w-gemm "), model.kernels)
  }
}
