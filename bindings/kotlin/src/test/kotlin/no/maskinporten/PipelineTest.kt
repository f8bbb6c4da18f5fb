package no.maskinporten

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

class PipelineTest {
    @Test
    fun nativeLibraryLoadsFromTheJarAndUsesAwsLc() {
        assertEquals("aws-lc-rs", cryptoBackend())
    }
}
