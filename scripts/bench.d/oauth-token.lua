-- wrk: client-credentials grants; BASIC is the client's "Basic base64(id:secret)" (client_secret_basic).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("BASIC")
wrk.body = "grant_type=client_credentials"
