// Request.decodeJSON of a login body, Request.cookies and Request.bearerToken, all from one input:
// `content-type \n cookie \n authorization \n body`. The cookie line may hold several Cookie
// header values separated by 0x01.
import Foundation
import FuzzSupport
import LatchkeyHTTP

struct LoginBody: Decodable {
  var email: String
  var password: String
}

/// The coding paths an error may name: ours, or the empty path (a body that is not an object).
let fieldNames: Set<String> = ["email", "password", ""]

/// Error texts decodeJSON may produce: fixed ones, or a template naming one of our fields.
func describesOnlyFields(_ description: String) -> Bool {
  let fixed = [
    "malformed JSON body", "request body must be application/json", "request body must be a JSON object",
  ]
  if fixed.contains(description) { return true }
  let parts = description.split(separator: "'", omittingEmptySubsequences: false)
  guard parts.count == 3, fieldNames.contains(String(parts[1])) else { return false }
  let template = parts[0] + "'" + "'" + parts[2]
  return ["missing field ''", "wrong type for field ''", "field '' must not be null", "invalid field ''"]
    .contains(String(template))
}

func seeds() -> [[UInt8]] {
  [
    ("application/json\nlatchkey_refresh=abc; theme=dark\nBearer eyJ.eyJ.sig\n"
      + "{\"email\":\"a@b.c\",\"password\":\"pw\"}").seed,
    "Application/JSON; charset=utf-8\n__Host-latchkey_refresh=\"quoted\"\u{1}a=1;a=2\nbearer   tok  \n{}"
      .seed,
    "text/plain\n=novalue; ;k=\nBasic dXNlcjpwdw==\n{\"email\":1,\"password\":null}".seed,
    "application/json\n\n\n{\"email\":\"\\u00e9\",\"password\":\"x\",\"extra\":[1,{\"a\":true}]}".seed,
    "application/json\n\n\n[\"email\"]".seed,
  ]
}

Fuzz.main(seeds: seeds) { bytes in
  let lines = Fuzz.split(bytes, separator: 0x0A, maxSplits: 3)
  func line(_ index: Int) -> String {
    index < lines.count ? String(decoding: lines[index], as: UTF8.self) : ""
  }
  var headers: [(name: String, value: String)] = [("Content-Type", line(0)), ("Authorization", line(2))]
  for cookie in line(1).split(separator: "\u{1}", omittingEmptySubsequences: false) {
    headers.append((name: "Cookie", value: String(cookie)))
  }
  let body = lines.count == 4 ? Array(lines[3]) : []
  let request = Request(method: "POST", path: "/v1/login", headers: headers, body: body)

  for (name, value) in request.cookies {
    Fuzz.check(!name.isEmpty, "empty cookie name")
    // Separators are scalars: U+037E is canonically equivalent to ";" as a
    // Character, but it is no cookie separator.
    Fuzz.check(
      !name.unicodeScalars.contains(";") && !name.unicodeScalars.contains("=")
        && !value.unicodeScalars.contains(";"), "cookie \(name)=\(value)")
    Fuzz.check(
      name.trimmingCharacters(in: .whitespaces) == name, "untrimmed cookie name \(name.debugDescription)")
  }

  if let token = request.bearerToken {
    Fuzz.check(!token.isEmpty, "empty bearer token")
    Fuzz.check(
      token.trimmingCharacters(in: .whitespaces) == token, "untrimmed token \(token.debugDescription)")
    // By bytes: a combining mark after the space makes " " part of another Character.
    let lowered = line(2).utf8.map { (65...90).contains($0) ? $0 | 0x20 : $0 }
    let scheme = Array("bearer".utf8)
    let named = lowered.indices.contains { index in
      index + 7 <= lowered.count && Array(lowered[index..<index + 6]) == scheme
        && (lowered[index + 6] == 0x20 || lowered[index + 6] == 0x09)
    }
    Fuzz.check(named, "bearer token from \(line(2).debugDescription)")
  }

  do throws(HTTPError) {
    let login = try request.decodeJSON(LoginBody.self)
    _ = login.email.utf8.count + login.password.utf8.count
  } catch {
    Fuzz.check(error.status == 400 || error.status == 415, "status \(error.status)")
    // The error goes back to the client and into logs: it must never echo a value (a password).
    Fuzz.check(describesOnlyFields(error.description), "error text \(error.description.debugDescription)")
  }
}
