// Errors of the Swift binding: a failed C call's status (griffin_status) and its message.
import CGriffin

/// Thrown by every failing call: the C status and the C API's message, unchanged.
public struct GriffinError: Error, Equatable, CustomStringConvertible {
  /// griffin_status, value for value (GRIFFIN_OK never appears in an error).
  public enum Status: UInt32, Sendable {
    case invalidArgument = 1
    case notFound = 2
    case io = 3
    case invalidModel = 4
    case unsupported = 5
    case outOfMemory = 6
    case outOfRange = 7
    case internalError = 8
  }

  public let status: Status
  public let message: String

  public init(status: Status, message: String) {
    self.status = status
    self.message = message
  }

  public var description: String { "\(status): \(message)" }

  /// Throws when `status` is not GRIFFIN_OK, with the calling thread's last C message.
  static func check(_ status: griffin_status) throws {
    if status == GRIFFIN_OK { return }
    throw GriffinError(
      status: Status(rawValue: UInt32(status.rawValue)) ?? .internalError,
      message: String(cString: griffin_last_error()))
  }
}
