// swift-tools-version:5.9
// The Swift binding of griffin-rt: the `Griffin` library over the C API (griffin.h).
//
// Linux and macOS: the C library is an installed griffin-rt, found through pkg-config
// (PKG_CONFIG_PATH=<prefix>/lib/pkgconfig). iOS: run build-xcframework.sh on a Mac; when
// CGriffin.xcframework sits next to this file the package uses it instead (README.md).
import Foundation
import PackageDescription

let packageDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
let xcframework = "CGriffin.xcframework"
let useXCFramework = FileManager.default.fileExists(atPath: packageDirectory + "/" + xcframework)

let cGriffin: Target = useXCFramework
  ? .binaryTarget(name: "CGriffin", path: xcframework)
  : .systemLibrary(
    name: "CGriffin", path: "Sources/CGriffin", pkgConfig: "griffin",
    providers: [.apt(["griffin-rt: cmake --install <build> --prefix <prefix>"])])

let package = Package(
  name: "Griffin",
  platforms: [.iOS(.v15), .macOS(.v12)],
  products: [.library(name: "Griffin", targets: ["Griffin"])],
  targets: [
    cGriffin,
    .target(
      name: "Griffin", dependencies: ["CGriffin"],
      // The xcframework holds a static libgriffin.a, which is C++ inside.
      linkerSettings: useXCFramework ? [.linkedLibrary("c++")] : []),
    .testTarget(name: "GriffinTests", dependencies: ["Griffin"]),
  ]
)
