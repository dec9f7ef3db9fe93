import Foundation
import LatchkeyTesting
import Testing

/// Guessing cannot lock the owner out: a browser that logged in before keeps
/// its own failure budget (docs/api.md#device-cookie).
@Suite("device cookies")
struct DeviceCookieTests {
  @Test("after strangers spend the account's budget, the owner's known browser still logs in")
  func knownBrowserKeepsItsBudget() throws {
    try withServer(["LATCHKEY_LOGIN_MAX_FAILURES_PER_ACCOUNT": "3"]) { server in
      let email = uniqueEmail()
      try server.client().register(email)
      let first = try server.client().login(email)
      let device = try #require(first.setCookies.first { $0.name == "latchkey_device" })
      #expect(device.value.count > 40)

      for _ in 0..<3 { #expect(try server.client().login(email, "a stranger's guess").status == 401) }
      // Unknown devices are locked out for the window...
      #expect(try server.client().login(email).status == 429)
      // ...the known browser is not.
      let known = [("Cookie", "latchkey_device=\(device.value)")]
      let owner = try server.client().login(email, headers: known)
      #expect(owner.status == 200)
      // Its own guesses count against its own budget.
      for _ in 0..<3 { #expect(try server.client().login(email, "owner typo", headers: known).status == 401) }
      #expect(try server.client().login(email, headers: known).status == 429)
    }
  }

  @Test("a forged, altered or foreign device cookie counts as an unknown device")
  func forgedCookiesAreUnknown() throws {
    try withServer(["LATCHKEY_LOGIN_MAX_FAILURES_PER_ACCOUNT": "2"]) { server in
      let ann = uniqueEmail("ann")
      let bob = uniqueEmail("bob")
      try server.client().register(ann)
      try server.client().register(bob)
      let annDevice = try #require(
        try server.client().login(ann).setCookies.first { $0.name == "latchkey_device" }?.value)
      let bobDevice = try #require(
        try server.client().login(bob).setCookies.first { $0.name == "latchkey_device" }?.value)
      for _ in 0..<2 { #expect(try server.client().login(ann, "guess").status == 401) }
      var altered = Array(annDevice)
      altered[altered.count - 2] = altered[altered.count - 2] == "A" ? "B" : "A"
      for value in [String(altered), bobDevice, "garbage", annDevice + "x"] {
        let response = try server.client().login(ann, headers: [("Cookie", "latchkey_device=\(value)")])
        #expect(response.status == 429, "\(value)")
      }
    }
  }
}
