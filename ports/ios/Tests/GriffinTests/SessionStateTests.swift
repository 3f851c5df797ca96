// Snapshots and fork through the Swift package: a restored or forked session continues exactly
// like the original.
import Foundation
import XCTest

@testable import Griffin

final class SessionStateTests: XCTestCase {
  let next = GenerateOptions(maxTokens: 24)

  func testSnapshotRoundTripContinuesIdentically() throws {
    let model = try Fixtures.openModel()
    let session = try model.makeSession()
    try session.generate(Fixtures.prompt, options: GenerateOptions(maxTokens: 6)) { _ in true }
    let position = try session.position()
    let state = try session.saveState()
    XCTAssertEqual(UInt64(state.count), try model.memoryPlan().stateBytes)

    let first = try session.generate(" and", options: next) { _ in true }.text
    XCTAssertNotEqual(try session.position(), position)
    try session.loadState(state)
    XCTAssertEqual(try session.position(), position)
    XCTAssertEqual(try session.generate(" and", options: next) { _ in true }.text, first)

    let other = try model.makeSession()
    try other.loadState(state)
    XCTAssertEqual(try other.generate(" and", options: next) { _ in true }.text, first)
    XCTAssertEqual(try other.saveState(), try session.saveState())
  }

  func testCorruptSnapshotIsRefusedAndChangesNothing() throws {
    let session = try Fixtures.openModel().makeSession()
    try session.generate(Fixtures.prompt, options: GenerateOptions(maxTokens: 4)) { _ in true }
    let before = try session.saveState()
    var corrupt = before
    corrupt[corrupt.count - 1] ^= 0x5a
    for bad in [corrupt, before.prefix(before.count / 2), Data()] {
      XCTAssertThrowsError(try session.loadState(bad)) { error in
        let griffinError = error as? GriffinError
        XCTAssertEqual(griffinError?.status, .invalidArgument)
        XCTAssertFalse(griffinError?.message.isEmpty ?? true)
      }
    }
    XCTAssertEqual(try session.saveState(), before)
  }

  func testForkContinuesLikeTheOriginalAndIndependently() throws {
    let session = try Fixtures.openModel().makeSession()
    try session.generate(Fixtures.prompt, options: GenerateOptions(maxTokens: 6)) { _ in true }
    let position = try session.position()
    let branch = try session.fork()
    XCTAssertEqual(try branch.position(), position)
    let fromBranch = try branch.generate(" and", options: next) { _ in true }.text
    XCTAssertEqual(try session.position(), position)
    XCTAssertEqual(try session.generate(" and", options: next) { _ in true }.text, fromBranch)
  }

  func testForkOutlivesItsSourceAndModelReference() throws {
    // Each session keeps its model alive: dropping every other reference is safe.
    var branch: GriffinSession?
    do {
      let session = try Fixtures.openModel().makeSession()
      try session.prefill(try session.model.tokenize(Fixtures.prompt, addBos: true))
      branch = try session.fork()
    }
    let logits = try XCTUnwrap(branch).logits()
    XCTAssertEqual(logits.count, Int(try XCTUnwrap(branch).model.vocabSize))
  }
}
