package no.maskinporten

import com.fasterxml.jackson.databind.JsonNode
import java.io.BufferedReader
import java.io.InputStreamReader
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit

/**
 * The Maskinporten simulator as a subprocess: `maskinporten-simulator --config e2e.toml --port 0`.
 * Ready when its one JSON line arrives on stdout (no sleeps, no port polling).
 */
class Simulator private constructor(private val process: Process, ready: JsonNode) : AutoCloseable {
    val issuer: String = ready["issuer"].asText()
    val tokenEndpoint: String = ready["token_endpoint"].asText()
    val jwksUri: String = ready["jwks_uri"].asText()

    /** Altinn's platform base on the same listener (`.../altinn`), for [AltinnExchange]. */
    val altinnPlatform: String = ready["altinn_platform"].asText()
    private val http = HttpClient.newHttpClient()

    companion object {
        fun start(): Simulator {
            val binary = Path.of(System.getProperty("maskinporten.simulator") ?: "../../target/debug/maskinporten-simulator")
            val config = Path.of(System.getProperty("maskinporten.simulator.config") ?: "../../tests/simulator/e2e.toml")
            check(Files.isExecutable(binary)) { "simulator binary $binary is missing: run `cargo build -p maskinporten-simulator` (scripts/test-kotlin does)" }
            val process = ProcessBuilder(binary.toString(), "--config", config.toString(), "--port", "0")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start()
            val stdout = BufferedReader(InputStreamReader(process.inputStream, Charsets.UTF_8))
            val line = CompletableFuture.supplyAsync { stdout.readLine() }
            val ready = try {
                line.get(60, TimeUnit.SECONDS) ?: error("simulator exited before its ready line (exit ${process.waitFor()})")
            } catch (e: Exception) {
                process.destroyForcibly()
                throw IllegalStateException("simulator did not start: ${e.message}", e)
            }
            // Keep draining stdout so the simulator never blocks on a full pipe.
            Thread { stdout.useLines { lines -> lines.forEach { } } }.apply { isDaemon = true }.start()
            return Simulator(process, Vectors.mapper.readTree(ready))
        }
    }

    fun environment(): Environment = Environment.custom(issuer, tokenEndpoint, jwksUri)

    private fun admin(method: String, path: String, json: String? = null): String {
        val body = json?.let { HttpRequest.BodyPublishers.ofString(it) } ?: HttpRequest.BodyPublishers.noBody()
        val request = HttpRequest.newBuilder(URI.create(issuer + path.removePrefix("/")))
            .method(method, body)
            .header("Content-Type", "application/json")
            .build()
        val response = http.send(request, HttpResponse.BodyHandlers.ofString())
        check(response.statusCode() in 200..299) { "$method $path: HTTP ${response.statusCode()} ${response.body()}" }
        return response.body()
    }

    /** `POST /_sim/faults`, e.g. `{"kind":"status","status":503,"count":1}`. */
    fun fault(json: String) {
        admin("POST", "/_sim/faults", json)
    }

    fun clearFaults() {
        admin("DELETE", "/_sim/faults")
    }

    fun reset() {
        admin("POST", "/_sim/reset")
    }

    /** `GET /_sim/stats`: requests, tokens_issued, errors by MP code. */
    fun stats(): JsonNode = Vectors.mapper.readTree(admin("GET", "/_sim/stats"))

    override fun close() {
        process.destroy()
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly()
    }
}
