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

    .target(name: "LatchkeyCrypto", dependencies: ["CLibCrypto", "CArgon2"]),
    .target(name: "LatchkeyJWT", dependencies: ["LatchkeyCrypto"]),
    .target(name: "LatchkeyHTTP", dependencies: ["CMicroHTTPD", "CLatchkeyShims"]),
    .target(name: "LatchkeyPostgres", dependencies: ["CLibPQ"]),
    // The layers, dependencies pointing inward: the domain imports no
    // adapter; the store adds PostgreSQL; the server wires everything.
    .target(name: "LatchkeyDomain"),
    .target(name: "LatchkeyStore", dependencies: ["LatchkeyDomain", "LatchkeyPostgres"]),
    .target(
      name: "LatchkeyServer",
      dependencies: [
        "LatchkeyDomain", "LatchkeyStore", "LatchkeyHTTP", "LatchkeyPostgres", "LatchkeyCrypto",
        "LatchkeyJWT",
      ]),
    .executableTarget(name: "latchkey", dependencies: ["LatchkeyServer", "LatchkeyStore", "LatchkeyDomain"]),
    .executableTarget(
      name: "latchkey-bench", dependencies: ["LatchkeyCrypto", "LatchkeyJWT", "CArgon2", "LatchkeyTesting"],
      path: "Sources/LatchkeyBench"),

    // Drives our JWT and argon2 code from scripts/interop.py (PyJWT, argon2-cffi).
    .executableTarget(
      name: "latchkey-interop", dependencies: ["LatchkeyCrypto", "LatchkeyJWT"],
      path: "Sources/LatchkeyInterop"),
    // Drives our ES256/EdDSA tokens and JWKS from scripts/interop-jwks.py (PyJWT with cryptography).
    .executableTarget(
      name: "latchkey-interop-jwks", dependencies: ["LatchkeyCrypto", "LatchkeyJWT"],
      path: "Sources/LatchkeyInteropJWKS"),

    // Test helpers shared by the test targets: a raw HTTP/1.1 client, a
    // throwaway database per suite, an in-process server.
    .target(
      name: "LatchkeyTesting",
      dependencies: ["LatchkeyServer", "LatchkeyDomain", "LatchkeyHTTP", "LatchkeyPostgres"],
      path: "Tests/LatchkeyTesting"),

    .testTarget(name: "LatchkeyCryptoTests", dependencies: ["LatchkeyCrypto", "CArgon2"]),
    .testTarget(name: "LatchkeyJWTTests", dependencies: ["LatchkeyJWT", "LatchkeyCrypto"]),
    .testTarget(name: "LatchkeyHTTPTests", dependencies: ["LatchkeyHTTP", "LatchkeyTesting"]),
    .testTarget(name: "LatchkeyPostgresTests", dependencies: ["LatchkeyPostgres"]),
    .testTarget(name: "LatchkeyDomainTests", dependencies: ["LatchkeyDomain"]),
    .testTarget(
      name: "LatchkeyStoreTests",
      dependencies: ["LatchkeyStore", "LatchkeyDomain", "LatchkeyPostgres", "LatchkeyTesting"]),
    .testTarget(
      name: "LatchkeyServerTests",
      dependencies: [
        "LatchkeyServer", "LatchkeyDomain", "LatchkeyStore", "LatchkeyHTTP", "LatchkeyPostgres",
        "LatchkeyJWT",
        "LatchkeyCrypto", "LatchkeyTesting",
      ]),
  ],
  swiftLanguageModes: [.v6]
)
