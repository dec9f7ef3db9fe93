-- wrk: introspection of one client token (TOKEN) by a resource server (client_secret_post, RS_ID/RS_SECRET).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "token=" .. os.getenv("TOKEN") .. "&client_id=" .. os.getenv("RS_ID")
  .. "&client_secret=" .. os.getenv("RS_SECRET")
