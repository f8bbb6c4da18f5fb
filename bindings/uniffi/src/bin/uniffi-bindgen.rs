//! The crate's own `uniffi-bindgen`, pinned to the same uniffi version as the library.
//! Library mode: `uniffi-bindgen generate --library target/debug/libmaskinporten_uniffi.so --language kotlin --out-dir OUT`.
fn main() {
    uniffi::uniffi_bindgen_main()
}
