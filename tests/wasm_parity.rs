//! Native half of "the wasm pipeline gives the same numbers as native": the native
//! build must reproduce tests/fixtures/parity.json, which tests/web.rs checks in
//! Chrome and Firefox. `ADFD_BLESS=1 cargo test --test wasm_parity` rewrites it.

#[path = "common/parity.rs"]
mod parity;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/parity.json");

#[test]
fn native_matches_the_fixture_shared_with_wasm() {
    let got = parity::compute();
    if std::env::var_os("ADFD_BLESS").is_some() {
        std::fs::write(FIXTURE, serde_json::to_string_pretty(&got).unwrap()).unwrap();
    }
    let want: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(FIXTURE).expect("fixture present")).unwrap();
    parity::compare(&got, &want).unwrap();
}
