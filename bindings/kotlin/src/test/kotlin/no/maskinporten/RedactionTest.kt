package no.maskinporten

import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/**
 * Issue 12 item 8: every public object that can hold a key, a password, a grant or a token,
 * formatted with `toString()` (and an error's `message`), must not show the secret.
 */
class RedactionTest {
    private val now = 1_767_225_600L
    private val password = "vector-password"
    private val privateExponent = Vectors.mapper.readTree(Vectors.text("keys/client.jwk.json"))["d"].asText()
    private val pemBody = Vectors.text("keys/client.key.pem").lines().first { !it.startsWith("-----") && it.length > 40 }
    private val accessToken = "eyJraWQiOiJzZWNyZXQtdG9rZW4tdmFsdWUi.c2VjcmV0LXRva2VuLWNsYWltcw.c2VjcmV0LXNpZ25hdHVyZQ"

    private fun assertClean(what: String, text: String, vararg secrets: String) {
        for (secret in secrets) assertFalse(text.contains(secret), "$what shows a secret: $text")
        // Longer fragments too: a redaction that keeps most of a secret is no redaction.
        for (secret in secrets.filter { it.length >= 24 }) assertFalse(text.contains(secret.substring(4, 20)), "$what: $text")
    }

    @Test
    fun keysClientsAndRequestsHideKeysPasswordsAndGrants() {
        val p12 = Key.fromPkcs12(Vectors.bytes("keys/client.p12"), password)
        val pem = Key.fromPem(Vectors.text("keys/client.key.pem"), Vectors.text("keys/client.chain.pem"))
        val jwk = Key.fromJwk(Vectors.text("keys/client.jwk.json"))
        val client = Client("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", p12, Environment.test())
        val options = GrantOptions(scopes = listOf("test:scope.read"))
        val grant = client.grant(options, now, "jti-1")
        val request = client.tokenRequest(options, now, "jti-1")
        assertTrue(request.body().contains(grant.substringAfterLast('.')), "the request holds the grant")
        val prepared = client.prepareGrant(options, now, "jti-1")
        val signature = grant.substringAfterLast('.')
        for ((what, obj) in listOf("Key p12" to p12, "Key pem" to pem, "Key jwk" to jwk, "Client" to client, "HttpRequest" to request, "PreparedGrant" to prepared)) {
            assertClean(what, obj.toString(), password, privateExponent, pemBody, signature)
        }
        // Each flow object, and a step that carries the request.
        val flow = TokenFlow(client, FlowOptions())
        val key = flow.key(options)
        val call = flow.start(key, now * 1000)
        val send = flow.poll(call, now * 1000)
        assertTrue(send is TokenStep.Send)
        val body = (send as TokenStep.Send).request.body()
        val sentGrant = body.substringAfter("assertion=")
        for ((what, obj) in listOf("TokenFlow" to flow, "TokenKey" to key, "TokenCall" to call, "TokenStep.Send" to send)) {
            assertClean(what, obj.toString(), sentGrant.substringAfterLast('.'), password, privateExponent)
        }
    }

    @Test
    fun tokensAndWhatHoldsThemHideTheToken() {
        val body = """{"access_token":"$accessToken","token_type":"Bearer","expires_in":120}"""
        val token = parseTokenResponse(200u, body.toByteArray(), "application/json", now)
        val transport = ScriptedTransport(listOf(ScriptedTransport.ok(body)))
        val client = Client("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", Key.fromPkcs12(Vectors.bytes("keys/client.p12"), password), Environment.test())
        val events = mutableListOf<FlowEvent>()
        val provider = TokenProvider(client, transport = transport, listener = { events += it }, clock = FakeClock(now * 1000))
        val held = provider.token("test:scope.read")
        assertTrue(held.accessToken() == accessToken)
        val answer = HttpAnswer(200, body.toByteArray(), "application/json")
        val things = listOf("AccessToken" to token, "held AccessToken" to held, "TokenProvider" to provider, "HttpAnswer" to answer) +
            events.map { "FlowEvent ${it.name}" to it }
        for ((what, obj) in things) assertClean(what, obj.toString(), accessToken)
        // A success body that fails a check is described by its field names, not its values.
        val broken = assertThrows<MaskinportenException> { parseTokenResponse(200u, body.replace("Bearer", "MAC").toByteArray(), "application/json", now) }
        assertClean("malformed response error", broken.message ?: "", accessToken)
    }

    @Test
    fun validationObjectsHideTheBearerToken() {
        val document = Vectors.document("validation.json")
        val case = document["cases"].first { it["name"].asText() == "valid" }
        val token = case["token"].asText()
        val signature = token.substringAfterLast('.')
        val (validator, _) = ValidationVectorsTest.validator(document, case["now"].asLong())
        val requirements = ValidationVectorsTest.requirements(case["requirements"])
        val valid = validator.validateRequest("Bearer $token", requirements)
        assertTrue(valid is ValidationResult.Valid)
        val refused = validator.validateRequest("Bearer ${token.dropLast(4)}AAAA", requirements)
        assertTrue(refused is ValidationResult.Refused)
        refused as ValidationResult.Refused
        // The sans-IO call object holds the token while the JWKS is fetched.
        val guard = Validator(Environment.test(), ValidatorOptions()).bind(requirements)
        val fetch = guard.begin(java.nio.ByteBuffer.allocateDirect(token.length).put(token.toByteArray()).flip(), false, case["now"].asLong() * 1000)
        assertTrue(fetch is ValidationStep.FetchJwks)
        val things = listOf(
            "Valid" to valid, "Refused" to refused, "error" to refused.error, "Rejection" to refused.rejection,
            "ValidationStep.FetchJwks" to fetch, "ValidationCall" to (fetch as ValidationStep.FetchJwks).call, "Guard" to guard,
            "ValidatedToken" to (valid as ValidationResult.Valid).token,
        )
        for ((what, obj) in things) assertClean(what, obj.toString(), signature, token.substringBefore('.'))
        assertClean("error message", refused.error.message ?: "", signature)
        guard.cancel(fetch.call)
    }

    @Test
    fun validatedTokenHidesThePidAndTheConsentingPerson() {
        val pid = "01017012345"
        val consumer = Organisation("iso6523-actorid-upis", "0192:311000004", "311000004", emptyList(), emptyMap())
        val consent = Authorization.Consent(
            id = "c1", from = "urn:altinn:person:identifier-no:$pid", to = consumer,
            consented = null, validTo = null, consentRights = null,
        )
        val token = ValidatedToken(
            consumer = consumer, supplier = null, delegationSource = null, clientId = "client", clientAmr = null,
            scopes = listOf("test:scope.read"), audience = emptyList(), pid = pid, issuedAt = 1, expiresAt = 2, jti = null,
            authorizationDetails = listOf(consent), claimsJson = """{"pid":"$pid"}""",
        )
        assertTrue(token.pid == pid, "the field itself is the API's to read")
        for ((what, obj) in listOf("ValidatedToken" to token, "Authorization.Consent" to consent)) assertClean(what, obj.toString(), pid)
        assertTrue(token.toString().contains("311000004"), "the consumer is still shown")
    }
}
