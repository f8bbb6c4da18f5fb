//! The README's quickstart block, run as a script with the built binary on PATH, from a temp
//! folder that sees the repository's `tests/` (so the vector certificate paths work).

use std::process::Command;

#[test]
fn readme_quickstart_runs() {
    let root = format!("{}/../..", env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(format!("{}/README.md", env!("CARGO_MANIFEST_DIR"))).expect("README");
    let section = readme.split("## Quickstart").nth(1).expect("a Quickstart section");
    let block = section.split("```bash\n").nth(1).and_then(|b| b.split("```").next()).expect("a bash block");
    assert!(block.contains("maskinporten demo"), "the quickstart runs the demo");

    let dir = tempfile::tempdir().expect("tmp");
    #[cfg(unix)]
    std::os::unix::fs::symlink(format!("{root}/tests"), dir.path().join("tests")).expect("symlink");
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_maskinporten")).parent().expect("bin dir").to_path_buf();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let output = Command::new("bash")
        .args(["-euo", "pipefail", "-c", block])
        .current_dir(dir.path())
        .env("PATH", path)
        .output()
        .expect("bash");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "quickstart failed\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("served from the cache"), "demo ran: {stdout}");
    assert!(stdout.contains("WARNING: nothing was verified"), "inspect ran: {stdout}");
    let grant = std::fs::read_to_string(dir.path().join("grant.jwt")).expect("grant.jwt");
    assert_eq!(grant.trim().split('.').count(), 3);
    assert!(dir.path().join("my-keys/my-key-2026.key.pem").exists());
    assert!(dir.path().join("my-keys/my-key-2026.jwks.json").exists());
}
