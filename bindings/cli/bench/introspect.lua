-- wrk: POST /api/v1/introspect for the token in the TOKEN environment variable.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"identity_provider":"maskinporten","token":"' .. os.getenv("TOKEN") .. '"}'
