package no.maskinporten

import no.maskinporten.core.RotationAction
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.util.Base64

/**
 * The self-service API and the rotation planner through uniffi: requests built by the core,
 * answers recorded in the shapes Digdir documents, typed refusals, and the README example against
 * the simulator's self-service API.
 */
class SelfServiceTest {
    private val clientId = "5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d"
    private val t0 = 1_767_225_600L
    private val day = 86_400L

    private fun publicJwk(kid: String): String = Key.fromJwk(Vectors.text("keys/client.jwk.json")).withKid(kid).publicJwk()!!

    @Test
    fun requestsCarryTheTokenAndEachCallItsLeastScope() {
        val api = SelfService(Environment.test())
        assertEquals("https://api.test.samarbeid.digdir.no/api/v1", api.base())
        val request = api.createClientRequest("admin-token", NewClient("Løsøre", "Utlegg", listOf("brreg:losore/utlegg")))
        assertEquals("POST" to "https://api.test.samarbeid.digdir.no/api/v1/clients", request.method() to request.url())
        assertTrue(request.headers().contains(Header("Authorization", "Bearer admin-token")))
        val body = Vectors.mapper.readTree(request.body())
        assertEquals("maskinporten", body["integration_type"].asText())
        assertEquals("brreg:losore/utlegg", body["scopes"][0].asText())
        assertEquals("idporten:dcr.write", selfServiceScope(SelfServiceCall.CREATE_CLIENT))
        assertEquals("idporten:dcr.read", selfServiceScope(SelfServiceCall.GET_KEYS))
        assertEquals("idporten:dcr.modify", selfServiceScope(SelfServiceCall.REPLACE_KEYS))
        assertEquals("idporten:dcr.modify", adminScopeName(AdminScope.MODIFY))
        val bad = assertThrows<MaskinportenException.InvalidArgument> { api.getClientRequest("t", "../admin") }
        assertEquals("client_id", bad.field)
        val unknown = assertThrows<MaskinportenException.InvalidArgument> { SelfService(Environment.fromName("http://127.0.0.1:9/")) }
        assertEquals("self_service_base", unknown.field)
        val local = Environment.fromName("http://127.0.0.1:9/").withSelfServiceBase("http://127.0.0.1:9/api/v1/")
        assertEquals("http://127.0.0.1:9/api/v1", local.selfServiceBase())
        assertEquals("http://127.0.0.1:9/api/v1/clients/$clientId/jwks", SelfService(local).clientKeysRequest("t", clientId).url())
    }

    @Test
    fun keySetsAreCheckedBeforeAnythingIsBuilt() {
        val api = SelfService(Environment.prod())
        val request = api.replaceKeysRequest("t", clientId, listOf(publicJwk("k1")))
        assertEquals("k1", Vectors.mapper.readTree(request.body())["keys"][0]["kid"].asText())
        val private = Vectors.text("keys/client.jwk.json")
        val refused = assertThrows<MaskinportenException.InvalidArgument> { api.replaceKeysRequest("t", clientId, listOf(private)) }
        assertEquals("invalid_key_set", refused.kind.stableName)
        assertFalse(refused.message!!.contains(Vectors.mapper.readTree(private)["d"].asText().take(16)))
        assertEquals(5, maxRegisteredKeys().toInt())
        assertThrows<MaskinportenException.InvalidArgument> { checkPublicKeySet((0..5).map { publicJwk("k$it") }) }
        assertThrows<MaskinportenException.InvalidArgument> { checkPublicKeySet(listOf(publicJwk("bad/kid"))) }
        checkPublicKeySet(listOf(publicJwk("k1"), publicJwk("k2")))
    }

    @Test
    fun anAdminClientMustSignWithTheEnterpriseCertificate() {
        val key = Key.fromPkcs12(Vectors.bytes("keys/client.p12"), "vector-password")
        checkAdminClient(Client(clientId, key, Environment.test()))
        val refused = assertThrows<MaskinportenException.InvalidArgument> {
            checkAdminClient(Client(clientId, key.withKid("k1"), Environment.test()))
        }
        assertEquals(ErrorKind.INVALID_KEY to "kid", refused.kind to refused.field)
    }

    @Test
    fun recordedAnswersAreRead() {
        val clients = """[{"client_id":"$clientId","client_name":"Utlegg","description":"Reads the register",
            "client_orgno":"311000004","integration_type":"maskinporten","scopes":["brreg:losore/utlegg"],
            "active":true,"created":"2026-01-01T00:00:00.000Z","last_updated":"2026-01-02T00:00:00Z"}]"""
        val client = parseClients(200u, clients.toByteArray()).single()
        assertEquals(RegisteredClient(clientId, "Utlegg", "Reads the register", "311000004", "maskinporten", listOf("brreg:losore/utlegg"), true, t0, t0 + day), client)
        val keys = parseClientKeys(SelfServiceCall.GET_KEYS, 200u, """{"created":"2026-01-01T00:00:00Z","last_updated":1767225600,
            "keys":[{"kid":"mp-1","kty":"RSA","alg":"RS256","use":"sig","e":"AQAB","n":"xyz","exp":1775001600}]}""".toByteArray())
        assertEquals(listOf("mp-1" to 1_775_001_600L), keys.keys.map { it.kid to it.expiresAt })
        assertEquals(t0 to t0, keys.created to keys.lastUpdated)
        assertEquals(emptyList<RegisteredKey>(), parseClientKeys(SelfServiceCall.GET_KEYS, 200u, ByteArray(0)).keys)
        assertEquals(listOf(ScopeAccess("a:b", "APPROVED")), parseScopeAccess(200u, """[{"scope":"a:b","state":"APPROVED"}]""".toByteArray()))
        assertEquals(listOf(PublicScope("c:d", "Public")), parsePublicScopes(200u, """[{"name":"c:d","description":"Public"}]""".toByteArray()))
        parseEmpty(204u, ByteArray(0))
    }

    @Test
    fun refusalsAreTyped() {
        val invalid = assertThrows<MaskinportenException.SelfServiceRefused> {
            parseClient(SelfServiceCall.CREATE_CLIENT, 400u, """{"error":"invalid_request","errors":[{"field":"client_name","message":"must not be blank"}]}""".toByteArray())
        }
        assertEquals(ErrorKind.SELF_SERVICE_INVALID, invalid.kind)
        assertEquals("invalid_request", invalid.error)
        assertEquals(listOf(FieldError("client_name", "must not be blank")), invalid.fieldErrors)
        val scope = assertThrows<MaskinportenException.SelfServiceRefused> { parseEmpty(403u, """{"error":"insufficient_scope"}""".toByteArray()) }
        assertEquals(ErrorKind.ADMIN_SCOPE_MISSING to "idporten:dcr.modify", scope.kind to scope.neededScope)
        assertEquals(403, scope.status?.toInt())
        val terms = assertThrows<MaskinportenException.SelfServiceRefused> { parseClients(428u, ByteArray(0)) }
        assertEquals(ErrorKind.TERMS_NOT_ACCEPTED, terms.kind)
        assertTrue(terms.hint!!.contains("terms"))
        assertEquals(ErrorKind.CLIENT_NOT_FOUND, assertThrows<MaskinportenException> { parseClient(SelfServiceCall.GET_CLIENT, 404u, ByteArray(0)) }.kind)
        assertTrue(assertThrows<MaskinportenException.Unavailable> { parseClients(503u, ByteArray(0)) }.retryable)
    }

    @Test
    fun thePlannerAnswersEachStep() {
        val planner = RotationPlanner(RotationPolicy(propagationDelay = 60, gracePeriod = day))
        val first = planner.plan(ClientKeys(emptyList(), null, null), null, t0)
        assertTrue(first is RotationAction.Publish && first.expiresAt == t0 + 90 * day && first.keep.isEmpty(), "$first")
        val one = ClientKeys(listOf(RegisteredKey("a", t0 + 90 * day, "")), t0, t0)
        val nothing = planner.plan(one, "a", t0 + day)
        assertTrue(nothing is RotationAction.Nothing && nothing.nextAt == t0 + 60 * day, "$nothing")
        val publish = planner.plan(one, "a", t0 + 60 * day)
        assertTrue(publish is RotationAction.Publish && publish.keep == listOf("a"), "$publish")
        val t1 = t0 + 60 * day
        val two = ClientKeys(listOf(RegisteredKey("a", t0 + 90 * day, ""), RegisteredKey("b", t1 + 90 * day, "")), t0, t1)
        assertEquals(RotationAction.Switch("b"), planner.plan(two, "a", t1 + 60))
        assertEquals(RotationAction.Remove(listOf("a"), listOf("b")), planner.plan(two, "b", t1 + 60 + day))
        val policy = assertThrows<MaskinportenException.InvalidArgument> { RotationPlanner(RotationPolicy(maxKeys = 6u)) }
        assertEquals("max_keys", policy.field)
        assertEquals("signing_kid", assertThrows<MaskinportenException.InvalidArgument> { planner.plan(one, "unregistered", t0) }.field)
    }

    @Test
    fun readmeCarriesTheTestedExample() {
        val readme = Files.readString(Path.of(System.getProperty("maskinporten.readme") ?: "README.md"))
        val snippet = Files.readString(Path.of("src/test/kotlin/readme/SelfServiceQuickstart.kt"))
            .substringAfter("// selfservice:start\n").substringBefore("// selfservice:end").trim()
        assertTrue(snippet.contains("RotationPlanner("))
        assertTrue(readme.contains(snippet), "README.md's self-service example differs from src/test/kotlin/readme/SelfServiceQuickstart.kt")
    }

    @Test
    fun theReadmeExampleRunsAgainstTheSimulator() {
        Simulator.start().use { sim ->
            val metadata = JavaHttpTransport().send(metadataRequest(sim.issuer), Duration.ofSeconds(10))
            val environment = Environment.fromMetadata(metadata.body)
            assertEquals("${sim.issuer}api/v1", environment.selfServiceBase())
            val admin = Client(clientId, Key.fromPkcs12(Vectors.bytes("keys/client.p12"), "vector-password"), environment)
            val (newClientId, key) = readme.createClientWithKey(admin, environment, Vectors.text("keys/other.key.pem"))
            val token = TokenProvider(Client(newClientId, key, environment)).token("test:scope.read")
            val claims = Vectors.mapper.readTree(Base64.getUrlDecoder().decode(token.accessToken().split('.')[1]))
            assertEquals(newClientId, claims["client_id"].asText())
            assertEquals("private_key_jwt", claims["client_amr"].asText())
            // A read token for a write call: the simulator answers 403, typed.
            val read = TokenProvider(admin).token(selfServiceScope(SelfServiceCall.LIST_CLIENTS)).accessToken()
            val answer = JavaHttpTransport().send(SelfService(environment).createClientRequest(read, NewClient("x", "y", emptyList())), Duration.ofSeconds(10))
            val refused = assertThrows<MaskinportenException.SelfServiceRefused> { parseClient(SelfServiceCall.CREATE_CLIENT, answer.status.toUShort(), answer.body) }
            assertEquals(ErrorKind.ADMIN_SCOPE_MISSING to "idporten:dcr.write", refused.kind to refused.neededScope)
            assertTrue(refused.detail.contains("idporten:dcr.write"), refused.detail)
        }
    }
}
