//! `cargo run -p maskinporten-vectors -- write` regenerates `tests/vectors/`;
//! `cargo run -p maskinporten-vectors -- check` fails when the committed files drift.

use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = maskinporten_vectors::vectors_dir();
    match std::env::args().nth(1).as_deref() {
        Some("write") => match maskinporten_vectors::write(&dir) {
            Ok(()) => {
                println!("wrote {}", dir.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: could not write {}: {e}", dir.display());
                ExitCode::FAILURE
            }
        },
        Some("check") => {
            let drifted = maskinporten_vectors::drift(&dir);
            if drifted.is_empty() {
                println!("vectors match their generator");
                ExitCode::SUCCESS
            } else {
                eprintln!("these vector files differ from what the generator makes: {}", drifted.join(", "));
                eprintln!("run `cargo run -p maskinporten-vectors -- write` and review the diff");
                ExitCode::FAILURE
            }
        }
        _ => {
            eprintln!("usage: maskinporten-vectors write|check");
            ExitCode::from(2)
        }
    }
}
