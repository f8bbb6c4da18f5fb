package no.maskinporten

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.assertTimeoutPreemptively
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.security.KeyFactory
import java.security.Signature
import java.security.spec.PKCS8EncodedKeySpec
import java.time.Duration
import java.util.Base64
import java.util.concurrent.CountDownLatch
import java.util.concurrent.atomic.AtomicReference

/** The executors' own paths beyond the shared scenarios: interruption, host signing, stale guards. */
class ExecutorTest {
    private val now = 1_767_225_600_000L
    private val body = """{"access_token":"tok-b","token_type":"Bearer","expires_in":120}"""
    private val read = GrantOptions(scopes = listOf("test:scope.read"))

    private fun client(key: Key = Key.fromPkcs12(Vectors.bytes("keys/client.p12"), "vector-password")) =
        Client("5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d", key, Environment.test())

    @Test
    fun anInterruptedCallerReleasesItsFetchForTheNextOne() {
        val sending = CountDownLatch(1)
        val never = CountDownLatch(1)
        val requests = mutableListOf<String>()
        val transport = HttpTransport { request, _ ->
            synchronized(requests) { requests += request.url() }
            if (requests.size == 1) {
                sending.countDown()
                never.await() // blocks until interrupted
            }
            HttpAnswer(200, body.toByteArray(), "application/json")
        }
        val provider = TokenProvider(client(), transport = transport, listener = FlowEventListener.NONE, clock = FakeClock(now))
        val failure = AtomicReference<Throwable>()
        val first = Thread { runCatching { provider.token(read) }.onFailure(failure::set) }.apply { start() }
        sending.await()
        first.interrupt()
        first.join(10_000)
        assertTrue(failure.get() is InterruptedException, "${failure.get()}")
        // Without the cancel the next caller would wait out the first one's lease (30 s).
        val token = assertTimeoutPreemptively(Duration.ofSeconds(5)) { provider.token(read) }
        assertEquals("tok-b", token.accessToken())
        assertEquals(2, requests.size)
    }

    @Test
    fun aKeyWithoutPrivateKeyIsSignedByTheHostsSigner() {
        val pem = Vectors.text("keys/client.key.pem")
        val der = Base64.getMimeDecoder().decode(pem.lines().filter { !it.startsWith("-----") }.joinToString(""))
        val privateKey = KeyFactory.getInstance("RSA").generatePrivate(PKCS8EncodedKeySpec(der))
        var signed = 0
        val signer = object : ExternalSigner {
            override fun sign(signingInput: ByteArray, algorithm: String): ByteArray {
                signed++
                assertEquals("RS256", algorithm)
                return Signature.getInstance("SHA256withRSA").run { initSign(privateKey); update(signingInput); sign() }
            }
        }
        val external = client(Key.fromExternal(certChainPem = Vectors.text("keys/client.chain.pem")))
        val transport = ScriptedTransport(listOf(ScriptedTransport.ok(body)))
        val provider = TokenProvider(external, transport = transport, signer = signer, listener = FlowEventListener.NONE, clock = FakeClock(now))
        assertEquals("tok-b", provider.token(read).accessToken())
        assertEquals(1, signed)
        // Without a signer the flow's Sign step fails as the core's signer_failed, not a crash.
        val unsigned = TokenProvider(external, transport = ScriptedTransport(), listener = FlowEventListener.NONE, clock = FakeClock(now))
        val error = assertThrows<MaskinportenException> { unsigned.token(read) }
        assertEquals(ErrorKind.SIGNER_FAILED, error.kind)
        assertTrue(error.detail.contains("signer"), error.detail)
    }

    @Test
    fun aGuardNumberOfNoLiveGuardIsRefusedNotACrash() {
        val refused = guardBegin(987_654_321u, java.nio.ByteBuffer.allocateDirect(0), true, now)
        refused as ValidationStep.Refused
        assertEquals(ErrorKind.INVALID_ARGUMENT, refused.error.kind)
        assertEquals(500, refused.rejection.status.toInt())
        val guard = Validator(Environment.test(), ValidatorOptions()).bind(Requirements(scopes = listOf("a:b")))
        val missing = guardBegin(guard.id(), java.nio.ByteBuffer.allocateDirect(0), true, now)
        assertEquals(ErrorKind.TOKEN_MISSING, (missing as ValidationStep.Refused).error.kind, "a live guard answers by number")
    }
}
