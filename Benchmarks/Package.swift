// swift-tools-version:6.0
import PackageDescription

// Drivers that measure or cross-check Latchkey but are no part of it: kept out of the product's
// build graph, built from here by scripts/bench and scripts/interop.
let package = Package(
  name: "LatchkeyBenchmarks",
  dependencies: [.package(name: "Latchkey", path: "..")],
  targets: [
    // libargon2 called directly, for the raw-rate ceiling the hashing pool is compared with.
    .systemLibrary(name: "CLibArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
    .executableTarget(
      name: "latchkey-bench",
      dependencies: [
        "CLibArgon2", .product(name: "LatchkeyCrypto", package: "Latchkey"),
        .product(name: "LatchkeyJWT", package: "Latchkey"),
      ],
      path: "Sources/LatchkeyBench"),
    // Drives our JWT and argon2 code from scripts/interop.py (PyJWT, argon2-cffi).
    .executableTarget(
      name: "latchkey-interop",
      dependencies: [
        .product(name: "LatchkeyCrypto", package: "Latchkey"),
        .product(name: "LatchkeyJWT", package: "Latchkey"),
      ],
      path: "Sources/LatchkeyInterop"),
    // Drives our ES256/EdDSA tokens and JWKS from scripts/interop-jwks.py (PyJWT with cryptography).
    .executableTarget(
      name: "latchkey-interop-jwks",
      dependencies: [
        .product(name: "LatchkeyCrypto", package: "Latchkey"),
        .product(name: "LatchkeyJWT", package: "Latchkey"),
      ],
      path: "Sources/LatchkeyInteropJWKS"),
  ],
  swiftLanguageModes: [.v6]
)
