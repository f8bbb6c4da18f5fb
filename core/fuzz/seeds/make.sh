#!/usr/bin/env bash
# Rewrites the committed seed inputs of the fuzz targets from the shared test vectors
# (tests/vectors) and the PKCS#12 fixtures. Seeds only start the search: they need not track the
# vectors exactly. Targets whose input is a file the repository already holds (PKCS#12, PEM, JWK,
# JWKS) are seeded by scripts/fuzz straight from tests/vectors/keys and core/tests/fixtures.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
root=../../..
keys=$root/tests/vectors/keys

python3 - "$root" <<'PY'
import base64, json, os, sys
root = sys.argv[1]
vectors = os.path.join(root, "tests", "vectors")

def put(target, name, data):
    os.makedirs(target, exist_ok=True)
    with open(os.path.join(target, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)

def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

# Access tokens, their parts and their decoded header and claims.
cases = json.load(open(os.path.join(vectors, "validation.json")))["cases"]
for case in cases:
    token, name = case["token"], case["name"]
    put("validate", name + ".txt", token)
    parts = token.split(".")
    if len(parts) == 3 and len(token) < 4096:  # the oversized token seeds only `validate`
        put("diff_b64", name + ".txt", parts[1])
        try:
            claims, header = b64url(parts[1]), b64url(parts[0])
        except ValueError:
            continue
        put("validate_claims", name + ".json", claims)
        put("diff_raw", name + ".claims.json", claims)
        put("diff_raw", name + ".header.json", header)

# Token responses: status index, content-type index, body (see token_response.rs's tables).
statuses = [200, 201, 204, 299, 400, 401, 403, 404, 405, 408, 409, 413, 415, 422, 425, 429,
            500, 501, 502, 503, 504, 507, 0, 100, 199, 300, 302, 304, 399, 599, 600, 65535]
content_types = [None, "application/json", "application/json; charset=utf-8", "text/html",
                 "text/plain", "application/x-www-form-urlencoded", "TEXT/HTML; charset=iso-8859-1", ""]
for case in json.load(open(os.path.join(vectors, "responses.json")))["cases"]:
    head = bytes([statuses.index(case["status"]), content_types.index(case.get("content_type"))])
    put("token_response", case["name"], head + case["body"].encode())

# Environments: a mode byte (0 name, 1 custom, 2 metadata, 3 metadata request), then the text.
environments = {
    "name-test": "\x00test",
    "name-url": "\x00https://test.maskinporten.no/",
    "name-loopback": "\x00http://127.0.0.1:8080/",
    "custom": "\x01http://localhost:9/\nhttp://localhost:9/token\nhttp://[::1]:9/jwk",
    "custom-https": "\x01https://issuer.example/\nhttps://issuer.example/token\nhttps://issuer.example/jwk",
    "metadata": "\x02" + json.dumps({"issuer": "http://127.0.0.1:9/", "token_endpoint": "http://127.0.0.1:9/token",
                                      "jwks_uri": "http://127.0.0.1:9/jwk"}),
    "metadata-request": "\x03https://maskinporten.no/",
}
for name, text in environments.items():
    put("environment", name, text)

# Authorization details: a mode byte (0 JSON, 1 system user, 2 consent), then the text.
details = {
    "system-user": "\x00" + json.dumps({"type": "urn:altinn:systemuser", "systemuser_org":
                                         {"authority": "iso6523-actorid-upis", "ID": "0192:313000001"},
                                         "externalRef": "ref"}),
    "consent": "\x00" + json.dumps([{"type": "urn:altinn:consent", "id": "c-1", "from": "urn:altinn:person:x"}]),
    "other": "\x00" + json.dumps({"type": "urn:example:thing", "x": [1, {"y": None}]}),
    "system-user-fields": "\x01313000001\nmy-ref",
    "consent-fields": "\x02c-1\nurn:altinn:organization:identifier-no:313000001",
}
for name, text in details.items():
    put("authorization_details", name, text)

# Validity times: a tag byte (even: UTCTime, odd: GeneralizedTime), then the text.
for name, (tag, text) in {"utc": (0, "260101000000Z"), "utc-1999": (0, "991231235959Z"),
                          "generalized": (1, "20260101000000Z"), "leap-day": (1, "20240229120000Z")}.items():
    put("diff_time", name, bytes([tag]) + text.encode())
PY

# Certificates as DER, for the certificate and DER-walker targets.
mkdir -p certificate diff_der
split_pem() {
    awk -v out="$2" '/-----BEGIN CERTIFICATE-----/{n++; f=out"-"n".pem"} f{print > f} /-----END CERTIFICATE-----/{close(f); f=""}' "$1"
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
split_pem "$keys/client.chain.pem" "$tmp/client"
split_pem "$keys/expired.chain.pem" "$tmp/expired"
for pem in "$tmp"/*.pem; do
    name=$(basename "$pem" .pem)
    openssl x509 -in "$pem" -outform DER -out "certificate/$name.der"
    cp "certificate/$name.der" "diff_der/$name.der"
done

# Java keystores (JKS and JCEKS) for the from_jks target.
mkdir -p jks
for type in JKS JCEKS; do
    rm -f "jks/keytool.${type,,}"
    keytool -genkeypair -keystore "jks/keytool.${type,,}" -storetype "$type" -storepass fixture-pw -keypass fixture-pw \
        -alias first -keyalg RSA -keysize 1024 -validity 3650 -dname "CN=first, O=Fixture AS, C=NO" >/dev/null 2>&1
done
