// GriffinModel.Options' residency options (copyWeights, prefault, lockWeights, hugePages), and
// sleepBetweenSteps and perTokenActivationScales: each decodes the bundled model to the same tokens as the mapped default, and
// reports its huge pages.
import Foundation
import XCTest

@testable import Griffin

final class ResidencyTests: XCTestCase {
  private static let hugePage: UInt64 = 2 << 20

  private func mappedTokens() throws -> [Int32] {
    let model = try Fixtures.openModel()
    XCTAssertEqual(model.weightsHugePageBytes, 0, "a mapped file has no huge-page copy")
    return try Fixtures.greedyTokens(model, Fixtures.prompt, maxTokens: 12)
  }

  func testCopyAndPrefaultDecodeAsTheMappedFile() throws {
    let expected = try mappedTokens()
    XCTAssertEqual(expected.count, 12)
    for options in [
      GriffinModel.Options(copyWeights: true), GriffinModel.Options(prefault: true),
      GriffinModel.Options(sleepBetweenSteps: true),
      // The bundled model is bf16: activation scales (integer paths only) change nothing.
      GriffinModel.Options(perTokenActivationScales: true),
      GriffinModel.Options(powerOfTwoActivationScales: true),
    ] {
      let model = try GriffinModel(path: Fixtures.modelPath, options: options)
      XCTAssertEqual(try Fixtures.greedyTokens(model, Fixtures.prompt, maxTokens: 12), expected)
      XCTAssertEqual(model.weightsHugePageBytes, 0)
    }
  }

  func testHugePagesDecodeAsTheMappedFileByPathAndDescriptor() throws {
    let expected = try mappedTokens()
    let fileBytes = try XCTUnwrap(
      try FileManager.default.attributesOfItem(atPath: Fixtures.modelPath)[.size] as? UInt64)
    let mostGranted = (fileBytes + Self.hugePage - 1) / Self.hugePage * Self.hugePage
    let options = GriffinModel.Options(hugePages: true)
    let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: Fixtures.modelPath))
    defer { try? handle.close() }
    let models = [
      try GriffinModel(path: Fixtures.modelPath, options: options),
      try GriffinModel(fileDescriptor: handle.fileDescriptor, offset: 0, length: 0, options: options),
    ]
    for model in models {
      XCTAssertEqual(try Fixtures.greedyTokens(model, Fixtures.prompt, maxTokens: 12), expected)
      // What the kernel granted depends on THP and free memory; never more than the copy.
      XCTAssertLessThanOrEqual(model.weightsHugePageBytes, mostGranted)
    }
  }

  func testLockWeightsDecodesOrNamesTheLimit() throws {
    let expected = try mappedTokens()
    do {
      let model = try GriffinModel(path: Fixtures.modelPath, options: GriffinModel.Options(lockWeights: true))
      XCTAssertEqual(try Fixtures.greedyTokens(model, Fixtures.prompt, maxTokens: 12), expected)
    } catch let error as GriffinError {
      // Allowed only as the documented refusal: RLIMIT_MEMLOCK below the weights' size.
      XCTAssertEqual(error.status, .outOfMemory)
      XCTAssertTrue(error.message.contains("RLIMIT_MEMLOCK"), error.message)
    }
  }
}
