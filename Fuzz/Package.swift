// swift-tools-version:6.0
import PackageDescription

// libFuzzer harnesses for the parsers that take attacker input. Built and run by scripts/fuzz;
// not part of the main package, whose build and tests never see this directory.
//
// The main package exports no library products, so a `.package(path: "..")` dependency cannot
// reach its modules. Instead Linked/ holds relative symlinks to the library targets under
// ../Sources, compiled here as this package's own targets (with the fuzzer's coverage
// instrumentation, which is the point).
let package = Package(
  name: "LatchkeyFuzz",
  targets: [
    .systemLibrary(name: "CArgon2", path: "Linked/CArgon2", pkgConfig: "libargon2"),
    .systemLibrary(name: "CLibCrypto", path: "Linked/CLibCrypto", pkgConfig: "libcrypto"),
    .systemLibrary(name: "CMicroHTTPD", path: "Linked/CMicroHTTPD", pkgConfig: "libmicrohttpd"),
    .target(name: "CLatchkeyShims", dependencies: ["CMicroHTTPD"], path: "Linked/CLatchkeyShims"),
    .target(name: "CLatchkeyThreads", path: "Linked/CLatchkeyThreads"),
    .target(
      name: "LatchkeyConcurrency", dependencies: ["CLatchkeyThreads"], path: "Linked/LatchkeyConcurrency"),
    .target(name: "LatchkeyText", path: "Linked/LatchkeyText"),
    .target(name: "LatchkeyJSON", path: "Linked/LatchkeyJSON"),
    .target(
      name: "LatchkeyCrypto", dependencies: ["CLibCrypto", "CArgon2", "LatchkeyConcurrency"],
      path: "Linked/LatchkeyCrypto"),
    .target(
      name: "LatchkeyJWT", dependencies: ["LatchkeyCrypto", "LatchkeyJSON"], path: "Linked/LatchkeyJWT"),
    .target(
      name: "LatchkeyHTTP",
      dependencies: ["CMicroHTTPD", "CLatchkeyShims", "LatchkeyConcurrency", "LatchkeyJSON", "LatchkeyText"],
      path: "Linked/LatchkeyHTTP"),

    // LLVMFuzzerRunDriver's declaration, and the shared main that calls it.
    .target(name: "CFuzzerDriver"),
    .target(name: "FuzzSupport", dependencies: ["CFuzzerDriver"]),
    .target(name: "FuzzJWTFixture", dependencies: ["LatchkeyJWT", "LatchkeyCrypto"]),

    .executableTarget(
      name: "fuzz-jwt", dependencies: ["FuzzSupport", "FuzzJWTFixture", "LatchkeyJWT", "LatchkeyCrypto"]),
    .executableTarget(
      name: "fuzz-jwt-claims",
      dependencies: ["FuzzSupport", "FuzzJWTFixture", "LatchkeyJWT", "LatchkeyCrypto"]),
    .executableTarget(name: "fuzz-base64url", dependencies: ["FuzzSupport", "LatchkeyCrypto"]),
    .executableTarget(name: "fuzz-phc", dependencies: ["FuzzSupport", "LatchkeyCrypto", "CArgon2"]),
    .executableTarget(name: "fuzz-http-request", dependencies: ["FuzzSupport", "LatchkeyHTTP"]),
    .executableTarget(name: "fuzz-client-address", dependencies: ["FuzzSupport", "LatchkeyHTTP"]),
    .executableTarget(name: "fuzz-form-body", dependencies: ["FuzzSupport", "LatchkeyHTTP"]),
    .executableTarget(name: "fuzz-cookie", dependencies: ["FuzzSupport", "LatchkeyHTTP"]),
    .executableTarget(name: "fuzz-request-framing", dependencies: ["FuzzSupport", "LatchkeyHTTP"]),
    .executableTarget(name: "fuzz-request-target", dependencies: ["FuzzSupport", "LatchkeyHTTP"]),
  ],
  swiftLanguageModes: [.v6]
)
