// swift-tools-version:6.0
import Foundation
import PackageDescription

// Release builds are laid out for a small resident set (docs/operations.md, "Binary layout"):
// every Swift function in a section of its own, so that lld can put the functions start-up,
// idle and the hot routes run next to each other, in the order Sources/latchkey/latchkey.order
// lists them (scripts/order-file makes it); and relative relocations packed (RELR), which
// spares the loader reading 24 bytes per pointer; and no dynamic symbol table of our own
// functions (swiftc asks for -export-dynamic; nothing looks them up, and the loader would read
// 0.3 MiB of names). Debug builds and tests are left alone.
let orderedCode: [SwiftSetting] = [
  .unsafeFlags(["-Xfrontend", "-function-sections"], .when(configuration: .release))
]
let orderFile = Context.packageDirectory + "/Sources/latchkey/latchkey.order"
let layout: [LinkerSetting] = [
  .unsafeFlags(
    ["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"]
      // A missing or stale list is no error: the binary is then only less compact.
      + (FileManager.default.fileExists(atPath: orderFile)
        ? ["-Xlinker", "--symbol-ordering-file=" + orderFile, "-Xlinker", "--no-warn-symbol-ordering"] : []),
    .when(configuration: .release))
]

// C libraries come from Debian (scripts/setup installs them); SwiftPM cannot
// fetch packages here, so everything else is written in this package.
let package = Package(
  name: "Latchkey",
  products: [
    .executable(name: "latchkey", targets: ["latchkey"]),
    // For the benchmark and interop drivers in Benchmarks/, a package of their own.
    .library(name: "LatchkeyCrypto", targets: ["LatchkeyCrypto"]),
    .library(name: "LatchkeyJWT", targets: ["LatchkeyJWT"]),
  ],
  targets: [
    .systemLibrary(
      name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev"])]),
    .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
    .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
    .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
    // Only what Swift cannot call directly: MHD's variadic functions.
    .target(name: "CLatchkeyShims", dependencies: ["CMicroHTTPD"]),
    // pthread_setname_np, a GNU extension the Glibc module leaves out.
    .target(name: "CLatchkeyThreads"),

    // FoundationEssentials, Dispatch and pthreads only: the bounded thread pool, threads, conditions.
    .target(
      name: "LatchkeyConcurrency", dependencies: ["CLatchkeyThreads"], swiftSettings: orderedCode),
    // Foundation's whitespace trimming, for every layer (the domain included) without Foundation.
    .target(name: "LatchkeyText", swiftSettings: orderedCode),
    // JSON text for the hot paths (JWT claims, fixed answers, log lines): one escaper.
    .target(name: "LatchkeyJSON", swiftSettings: orderedCode),
    .target(
      name: "LatchkeyCrypto", dependencies: ["CLibCrypto", "CArgon2"], swiftSettings: orderedCode),
    .target(
      name: "LatchkeyJWT", dependencies: ["LatchkeyCrypto", "LatchkeyJSON"], swiftSettings: orderedCode),
    .target(
      name: "LatchkeyHTTP",
      dependencies: ["CMicroHTTPD", "CLatchkeyShims", "LatchkeyConcurrency", "LatchkeyJSON", "LatchkeyText"],
      swiftSettings: orderedCode),
    .target(
      name: "LatchkeyPostgres", dependencies: ["CLibPQ", "LatchkeyConcurrency", "LatchkeyText"],
      swiftSettings: orderedCode),
    // The layers, dependencies pointing inward: the domain imports no
    // adapter; the store adds PostgreSQL; the server wires everything.
    .target(name: "LatchkeyDomain", dependencies: ["LatchkeyText"], swiftSettings: orderedCode),
    .target(
      name: "LatchkeyStore", dependencies: ["LatchkeyDomain", "LatchkeyPostgres"], swiftSettings: orderedCode),
    .target(
      name: "LatchkeyServer",
      dependencies: [
        "LatchkeyDomain", "LatchkeyStore", "LatchkeyHTTP", "LatchkeyPostgres", "LatchkeyCrypto",
        "LatchkeyJWT", "LatchkeyConcurrency", "LatchkeyJSON", "LatchkeyText",
      ],
      swiftSettings: orderedCode),
    .executableTarget(
      name: "latchkey",
      dependencies: [
        "LatchkeyServer", "LatchkeyStore", "LatchkeyDomain", "LatchkeyConcurrency", "LatchkeyText",
      ],
      exclude: ["latchkey.order"], swiftSettings: orderedCode, linkerSettings: layout),

    // Test helpers shared by the test targets: a raw HTTP/1.1 client, a
    // throwaway database per suite, an in-process server.
    .target(
      name: "LatchkeyTesting",
      dependencies: ["LatchkeyServer", "LatchkeyDomain", "LatchkeyHTTP", "LatchkeyPostgres"],
      path: "Tests/LatchkeyTesting"),

    .testTarget(name: "LatchkeyConcurrencyTests", dependencies: ["LatchkeyConcurrency"]),
    .testTarget(name: "LatchkeyTextTests", dependencies: ["LatchkeyText"]),
    .testTarget(name: "LatchkeyCryptoTests", dependencies: ["LatchkeyCrypto", "CArgon2"]),
    .testTarget(name: "LatchkeyJWTTests", dependencies: ["LatchkeyJWT", "LatchkeyCrypto"]),
    .testTarget(
      name: "LatchkeyHTTPTests", dependencies: ["LatchkeyHTTP", "LatchkeyJSON", "LatchkeyTesting"]),
    .testTarget(name: "LatchkeyPostgresTests", dependencies: ["LatchkeyPostgres", "LatchkeyTesting"]),
    .testTarget(name: "LatchkeyDomainTests", dependencies: ["LatchkeyDomain", "LatchkeyText"]),
    .testTarget(
      name: "LatchkeyStoreTests",
      dependencies: ["LatchkeyStore", "LatchkeyDomain", "LatchkeyPostgres", "LatchkeyTesting"]),
    .testTarget(
      name: "LatchkeyServerTests",
      dependencies: [
        "LatchkeyServer", "LatchkeyDomain", "LatchkeyStore", "LatchkeyHTTP", "LatchkeyPostgres",
        "LatchkeyJWT",
        "LatchkeyCrypto", "LatchkeyConcurrency", "LatchkeyTesting",
      ]),
  ],
  swiftLanguageModes: [.v6]
)

// Tests/ is not part of a source-only checkout (the Docker build copies Sources/ alone): without it
// the package is the product and nothing else.
if !FileManager.default.fileExists(atPath: Context.packageDirectory + "/Tests") {
  package.targets.removeAll { $0.type == .test || $0.path?.hasPrefix("Tests/") == true }
}
