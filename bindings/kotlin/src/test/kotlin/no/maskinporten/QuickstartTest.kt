package no.maskinporten

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.nio.file.Files
import java.nio.file.Path

/** The README quickstart is this project's tested code, not prose. */
class QuickstartTest {
    private fun snippet(text: String): String =
        text.substringAfter("// quickstart:start\n").substringBefore("// quickstart:end").trim()

    @Test
    fun readmeCarriesTheTestedQuickstart() {
        val source = Files.readString(Path.of("src/test/kotlin/readme/Quickstart.kt"))
        val readme = Files.readString(Path.of(System.getProperty("maskinporten.readme") ?: "README.md"))
        val code = snippet(source)
        assertTrue(code.contains("MaskinportenHttpClient(client)"))
        assertTrue(readme.contains(code), "README.md's Kotlin quickstart differs from src/test/kotlin/readme/Quickstart.kt")
    }

    @Test
    fun quickstartRunsAgainstTheSimulator() {
        Simulator.start().use { sim ->
            val request = readme.maskinportenRequest(Vectors.dir.resolve("keys/client.p12"), "vector-password", sim.environment())
            val header = request.headers().firstValue("Authorization").orElseThrow()
            assertTrue(header.startsWith("Bearer ey"), "a JWT access token")
            assertEquals(1, sim.stats()["tokens_issued"].asInt())
        }
    }
}
