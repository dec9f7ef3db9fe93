import Foundation
import LatchkeyTesting
import Testing

@testable import LatchkeyPostgres

@Suite struct PostgresConnectionTests {
  @Test func bindTypesRoundTrip() throws {
    try TestDatabase.withDatabase { url in
      let connection = try PostgresConnection(url: url)
      try connection.execute(
        script: "create table binds (t text, i int8, b bool, d float8, u uuid, y bytea)")
      let insert = "insert into binds values ($1, $2, $3, $4, $5::uuid, $6::bytea)"
      let text = "it's \"quoted\" \\ back; ünïcødé 🔑 ' or 1=1 --"
      let id = UUID()
      let bytes: [UInt8] = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x00, 0x5c]
      let doubles: [Double] = [0.1, -1.5e300, .leastNonzeroMagnitude, .infinity, -.infinity, 1.0 / 3.0]
      let rows: [(String, Int64, Bool, Double, UUID, [UInt8])] = [
        (text, .min, true, doubles[0], id, bytes),
        ("", .max, false, doubles[1], UUID(), []),
        ("x", 0, true, doubles[2], UUID(), [0xff]),
        ("y", -1, false, doubles[3], UUID(), [0x00]),
        ("z", 1, true, doubles[4], UUID(), Array(0...255)),
        ("w", 2, false, doubles[5], UUID(), [0x5c, 0x78]),
      ]
      for row in rows {
        let result = try connection.query(
          insert, [.text(row.0), .int(row.1), .bool(row.2), .double(row.3), .uuid(row.4), .bytes(row.5)])
        #expect(result.affectedRows == 1)
      }
      let read = try connection.query("select t, i, b, d, u, y from binds order by i").rows
      let expected = rows.sorted { $0.1 < $1.1 }
      #expect(read.count == expected.count)
      for (row, want) in zip(read, expected) {
        #expect(row.string(0) == want.0)
        #expect(row.int(1) == want.1)
        #expect(row.bool(2) == want.2)
        #expect(row.double(3) == want.3)
        #expect(row.uuid(4) == want.4)
        #expect(row.bytes(5) == want.5)
        #expect(row.string("t") == want.0)
        #expect(row.int("i") == want.1)
        #expect(row.bytes("y") == want.5)
      }

      let nan = try connection.query("select $1::float8", [.double(.nan)]).rows[0]
      #expect(nan.double(0)?.isNaN == true)

      let nulls = try connection.query(
        "select $1::text as t, $2::int8, $3::bool, $4::float8, $5::uuid, $6::bytea",
        [nil, .null, .null, .null, .null, .null]
      ).rows[0]
      for column in 0..<6 { #expect(nulls.isNull(column)) }
      #expect(nulls.string(0) == nil && nulls.int(1) == nil && nulls.bool(2) == nil)
      #expect(nulls.double(3) == nil && nulls.uuid(4) == nil && nulls.bytes(5) == nil)
      #expect(nulls.isNull("t") && nulls.string("t") == nil)
      // Empty string and empty bytea are values, not NULL.
      let empty = try connection.query("select $1::text, $2::bytea", ["", .bytes([])]).rows[0]
      #expect(!empty.isNull(0) && empty.string(0) == "")
      #expect(!empty.isNull(1) && empty.bytes(1) == [])
      // Out-of-range columns and unknown names read as absent rather than trapping.
      #expect(empty.string(7) == nil && empty.string("nope") == nil)
    }
  }

  @Test func literalsBuildBinds() {
    let binds: [PostgresBind] = ["a", 42, true, nil]
    #expect(binds == [.text("a"), .int(42), .bool(true), .null])
  }

  @Test func textWithNULIsRejectedBeforeSending() throws {
    try TestDatabase.withDatabase { url in
      let connection = try PostgresConnection(url: url)
      let error = #expect(throws: PostgresError.self) {
        try connection.query("select $1::text", [.text("a\u{0}b")])
      }
      #expect(error?.kind == .query && error?.sqlState == "22021")
      #expect(try connection.query("select 1").rows.count == 1)
    }
  }

  @Test func preparedStatementsAreReused() throws {
    try TestDatabase.withDatabase { url in
      let connection = try PostgresConnection(url: url)
      for value in 0..<5 {
        let row = try connection.query("select $1::int8 + 1 as next", [.int(Int64(value))]).rows[0]
        #expect(row.int("next") == Int64(value) + 1)
      }
      #expect(connection.preparedStatementCount == 1)
      // The server agrees: the repeated statement and this one, nothing more.
      let statements = try connection.query("select statement from pg_prepared_statements").rows
      #expect(statements.count == 2)
    }
  }

  @Test func uniqueViolationHidesStatementAndValues() throws {
    try TestDatabase.withDatabase { url in
      let connection = try PostgresConnection(url: url)
      try connection.execute(script: "create table accounts (email text primary key)")
      let insert = "insert into accounts (email) values ($1)"
      _ = try connection.query(insert, ["secret-value-123"])
      let error = #expect(throws: PostgresError.self) {
        try connection.query(insert, ["secret-value-123"])
      }
      #expect(error?.isUniqueViolation == true)
      #expect(error?.kind == .query)
      #expect(error?.isUnavailable == false)
      let description = error?.description ?? ""
      #expect(description == "postgres query error SQLSTATE 23505")
      #expect(!description.contains("secret-value-123"))
      #expect(!description.contains("insert"))
      #expect(!connection.isBroken)
    }
  }

  @Test func syntaxErrorIsAQueryError() throws {
    try TestDatabase.withDatabase { url in
      let connection = try PostgresConnection(url: url)
      let error = #expect(throws: PostgresError.self) { try connection.query("selec 1") }
      #expect(error?.kind == .query)
      #expect(error?.sqlState == "42601")
      #expect(error?.isUnavailable == false)
      let scriptError = #expect(throws: PostgresError.self) {
        try connection.execute(script: "select 1; selec 2")
      }
      #expect(scriptError?.kind == .query)
      #expect(!connection.isBroken)
      #expect(try connection.query("select 1").rows[0].int(0) == 1)
    }
  }

  @Test func wrongParameterCountIsAQueryError() throws {
    try TestDatabase.withDatabase { url in
      let connection = try PostgresConnection(url: url)
      let error = #expect(throws: PostgresError.self) {
        try connection.query("select $1::int8, $2::int8", [1])
      }
      #expect(error?.kind == .query)
      #expect(error?.isUnavailable == false)
      #expect(!connection.isBroken)
    }
  }

  @Test func statementTimeoutIsATimeout() throws {
    try TestDatabase.withDatabase { url in
      let connection = try PostgresConnection(url: url, statementTimeoutMilliseconds: 200)
      var error: PostgresError?
      let seconds = elapsed {
        error = #expect(throws: PostgresError.self) { try connection.query("select pg_sleep(2)") }
      }
      #expect(error?.kind == .timeout)
      #expect(error?.sqlState == "57014")
      #expect(error?.isUnavailable == false)
      #expect(seconds < 1.5)
      #expect(!connection.isBroken)
      #expect(try connection.query("select 1").rows.count == 1)
    }
  }

  @Test func schemaChangeUnderCachedPlanIsRetried() throws {
    try TestDatabase.withDatabase { url in
      let connection = try PostgresConnection(url: url)
      let other = try PostgresConnection(url: url)
      try connection.execute(script: "create table widgets (id int8); insert into widgets values (1)")
      #expect(try connection.query("select * from widgets").rows[0].columnCount == 1)
      try other.execute(script: "alter table widgets add column name text default 'w'")
      let row = try connection.query("select * from widgets").rows[0]
      #expect(row.columnNames == ["id", "name"])
    }
  }

  @Test func terminatedBackendIsUnavailable() throws {
    try TestDatabase.withDatabase { url in
      let connection = try PostgresConnection(url: url)
      let admin = try PostgresConnection(url: url)
      let pid = try #require(try connection.query("select pg_backend_pid()").rows[0].int(0))
      let terminated = try admin.query("select pg_terminate_backend($1::int4, 5000)", [.int(pid)])
      #expect(terminated.rows[0].bool(0) == true)
      let error = #expect(throws: PostgresError.self) { try connection.query("select 1") }
      #expect(error?.isUnavailable == true)
      #expect(error?.kind == .connection)
      #expect(connection.isBroken)
      let again = #expect(throws: PostgresError.self) { try connection.query("select 1") }
      #expect(again?.isUnavailable == true)
    }
  }

  @Test func closedPortFailsFast() {
    var error: PostgresError?
    let seconds = elapsed {
      error = #expect(throws: PostgresError.self) {
        _ = try PostgresConnection(
          url: "postgres://latchkey:hunter2pass@127.0.0.1:1/latchkey?sslmode=disable")
      }
    }
    #expect(error?.kind == .connection)
    #expect(error?.isUnavailable == true)
    #expect(seconds < 1)
    #expect(error?.description.contains("hunter2pass") == false)
    #expect(error?.serverMessage.contains("hunter2pass") == false)
  }

  @Test func invalidURLDoesNotEchoIt() {
    let error = #expect(throws: PostgresError.self) {
      _ = try PostgresConnection(url: "postgres://u:%zzsecret@127.0.0.1:1/x")
    }
    #expect(error?.kind == .connection)
    #expect(error?.description.contains("secret") == false)
  }

  @Test func closedConnectionThrowsClosed() throws {
    try TestDatabase.withDatabase { url in
      let connection = try PostgresConnection(url: url)
      connection.close()
      #expect(connection.isBroken)
      let error = #expect(throws: PostgresError.self) { try connection.query("select 1") }
      #expect(error?.kind == .closed && error?.isUnavailable == true)
    }
  }

  @Test func byteaEscapeFormatDecodes() {
    #expect(Bytea.decode("\\x00ff5c") == [0x00, 0xff, 0x5c])
    #expect(Bytea.decode("a\\\\b\\000\\377") == [0x61, 0x5c, 0x62, 0x00, 0xff])
    #expect(Bytea.decode("\\x0") == nil)
    #expect(Bytea.decode("\\xzz") == nil)
  }

  @Test func errorDescriptions() {
    #expect(PostgresError(kind: .poolTimeout, serverMessage: "x").isUnavailable)
    #expect(PostgresError(kind: .query, sqlState: "57P01", serverMessage: "x").isUnavailable)
    #expect(PostgresError(kind: .query, sqlState: "08006", serverMessage: "x").isUnavailable)
    #expect(!PostgresError(kind: .timeout, sqlState: "57014", serverMessage: "x").isUnavailable)
    let query = PostgresError(kind: .query, sqlState: "22P02", serverMessage: "invalid input: \"v\"")
    #expect(query.description == "postgres query error SQLSTATE 22P02")
    let connection = PostgresError(kind: .connection, serverMessage: "Connection refused")
    #expect(connection.description == "postgres connection error: Connection refused")
  }
}
