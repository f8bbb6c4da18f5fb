-- wrk: POST /api/v1/token with texas's JSON body (a cache hit after the first call).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"identity_provider":"maskinporten","target":"test:scope.read"}'
