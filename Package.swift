// swift-tools-version:6.0
import PackageDescription

// C libraries come from Debian (scripts/setup installs them); SwiftPM cannot
// fetch packages here, so everything else is written in this package.
let package = Package(
  name: "Latchkey",
  products: [
    .executable(name: "latchkey", targets: ["latchkey"])
  ],
  targets: [
    .systemLibrary(
      name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev"])]),
    .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
    .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
    .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
    // Only what Swift cannot call directly: MHD's variadic functions.
    .target(name: "CLatchkeyShims", dependencies: ["CMicroHTTPD"]),

    // Foundation and Synchronization only: the bounded thread pool.
    .target(name: "LatchkeyConcurrency"),
    .target(name: "LatchkeyCrypto", dependencies: ["CLibCrypto", "CArgon2", "LatchkeyConcurrency"]),
    .target(name: "LatchkeyJWT", dependencies: ["LatchkeyCrypto"]),
    .target(name: "LatchkeyHTTP", dependencies: ["CMicroHTTPD", "CLatchkeyShims", "LatchkeyConcurrency"]),
    .target(name: "LatchkeyPostgres", dependencies: ["CLibPQ"]),
    .target(
      name: "LatchkeyCore",
      dependencies: ["LatchkeyCrypto", "LatchkeyJWT", "LatchkeyHTTP", "LatchkeyPostgres"]),
    .executableTarget(name: "latchkey", dependencies: ["LatchkeyCore"]),
    .executableTarget(
      name: "latchkey-bench", dependencies: ["LatchkeyCrypto", "LatchkeyJWT", "CArgon2", "LatchkeyTesting"],
      path: "Sources/LatchkeyBench"),

    // Drives our JWT and argon2 code from scripts/interop.py (PyJWT, argon2-cffi).
    .executableTarget(
      name: "latchkey-interop", dependencies: ["LatchkeyCrypto", "LatchkeyJWT"],
      path: "Sources/LatchkeyInterop"),

    // Test helpers shared by the test targets: a raw HTTP/1.1 client, a
    // throwaway database per suite, an in-process server.
    .target(
      name: "LatchkeyTesting", dependencies: ["LatchkeyCore", "LatchkeyHTTP", "LatchkeyPostgres"],
      path: "Tests/LatchkeyTesting"),

    .testTarget(name: "LatchkeyConcurrencyTests", dependencies: ["LatchkeyConcurrency"]),
    .testTarget(name: "LatchkeyCryptoTests", dependencies: ["LatchkeyCrypto", "CArgon2"]),
    .testTarget(name: "LatchkeyJWTTests", dependencies: ["LatchkeyJWT", "LatchkeyCrypto"]),
    .testTarget(name: "LatchkeyHTTPTests", dependencies: ["LatchkeyHTTP", "LatchkeyTesting"]),
    .testTarget(name: "LatchkeyPostgresTests", dependencies: ["LatchkeyPostgres"]),
    .testTarget(
      name: "LatchkeyCoreTests",
      dependencies: [
        "LatchkeyCore", "LatchkeyHTTP", "LatchkeyPostgres", "LatchkeyJWT", "LatchkeyCrypto",
        "LatchkeyTesting",
      ]),
  ],
  swiftLanguageModes: [.v6]
)
