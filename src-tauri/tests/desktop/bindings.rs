//! The UI's TypeScript bindings are generated from the commands; this fails when they
//! drift. `make bindings` rewrites them.

#[test]
fn ui_bindings_match_the_commands() {
    let want = cairn_desktop::bindings_typescript().expect("bindings generate");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings.ts");
    if std::env::var_os("CAIRN_WRITE_BINDINGS").is_some() {
        std::fs::write(&path, &want).expect("write bindings");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "ui/src/lib/bindings.ts is out of date with the Rust commands; run `make bindings`."
    );
    // Every command the app manifest declares is in the bindings.
    let manifest = include_str!("../../build.rs");
    for line in manifest.lines().filter(|l| l.trim_start().starts_with('"')) {
        let cmd = line.trim().trim_matches(|c| c == '"' || c == ',');
        let camel: String = cmd
            .split('_')
            .enumerate()
            .map(|(i, w)| {
                if i == 0 {
                    w.to_string()
                } else {
                    w[..1].to_uppercase() + &w[1..]
                }
            })
            .collect();
        assert!(
            want.contains(&format!("\t{camel}: (")),
            "{cmd} missing from bindings"
        );
    }
}
