// swift-tools-version:6.0
import Foundation
import PackageDescription

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
    .target(name: "LatchkeyConcurrency", dependencies: ["CLatchkeyThreads"]),
    // Foundation's whitespace trimming, for every layer (the domain included) without Foundation.
    .target(name: "LatchkeyText"),
    // JSON text for the hot paths (JWT claims, fixed answers, log lines): one escaper.
    .target(name: "LatchkeyJSON"),
    .target(name: "LatchkeyCrypto", dependencies: ["CLibCrypto", "CArgon2"]),
    .target(name: "LatchkeyJWT", dependencies: ["LatchkeyCrypto", "LatchkeyJSON"]),
    .target(
      name: "LatchkeyHTTP",
      dependencies: ["CMicroHTTPD", "CLatchkeyShims", "LatchkeyConcurrency", "LatchkeyJSON", "LatchkeyText"]),
    .target(name: "LatchkeyPostgres", dependencies: ["CLibPQ", "LatchkeyConcurrency", "LatchkeyText"]),
    // The layers, dependencies pointing inward: the domain imports no
    // adapter; the store adds PostgreSQL; the server wires everything.
    .target(name: "LatchkeyDomain", dependencies: ["LatchkeyText"]),
    .target(name: "LatchkeyStore", dependencies: ["LatchkeyDomain", "LatchkeyPostgres"]),
    .target(
      name: "LatchkeyServer",
      dependencies: [
        "LatchkeyDomain", "LatchkeyStore", "LatchkeyHTTP", "LatchkeyPostgres", "LatchkeyCrypto",
        "LatchkeyJWT", "LatchkeyConcurrency", "LatchkeyJSON", "LatchkeyText",
      ]),
    .executableTarget(
      name: "latchkey",
      dependencies: [
        "LatchkeyServer", "LatchkeyStore", "LatchkeyDomain", "LatchkeyConcurrency", "LatchkeyText",
      ]),

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
    .testTarget(name: "LatchkeyDomainTests", dependencies: ["LatchkeyDomain"]),
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
