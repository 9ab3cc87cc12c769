//! Arbitrary bytes through the page's parsers: the bytes are read as a settings link
//! (`key=value` pairs separated by `&` or new lines; the first byte picks the base
//! config), applied with `config_from_form`, and, when accepted, written back with
//! `form_from_config` and read again; the whole text is also an h-list for the
//! settings table's `h` row. A crash is a panic, an abort (say, a huge allocation), a rejection
//! that names no control, or an accepted form that does not read back.
#![no_main]

use adfd::config::settings::field;
use adfd::config::{Config, ModelKind};
use adfd::jet::Precision;
use adfd::problem::ProblemKind;
use adfd::web::controls::{control, CONTROLS};
use adfd::web::form::{config_from_form, form_from_config};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    let (&first, rest) = data.split_first().unwrap_or((&0, &[]));
    let problems = [
        ProblemKind::Poisson1d,
        ProblemKind::Biharmonic1d,
        ProblemKind::Poisson2d,
        ProblemKind::Biharmonic2d,
    ];
    let precision = if first & 4 == 0 {
        Precision::F64
    } else {
        Precision::F32
    };
    let model = if first & 8 != 0 {
        ModelKind::Network
    } else {
        ModelKind::Rfm
    };
    let base = Config::defaults_for(problems[(first & 3) as usize], precision, model);

    let text = String::from_utf8_lossy(rest);
    let form: BTreeMap<String, String> = text
        .split(['&', '\n'])
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => (part.to_owned(), String::new()),
        })
        .collect();

    match config_from_form(&form, &base) {
        Ok(c) => {
            let shown = form_from_config(&c);
            assert_eq!(shown.len(), CONTROLS.len());
            let again = config_from_form(&shown, &base)
                .unwrap_or_else(|e| panic!("{shown:?} was accepted, then rejected: {e}"));
            assert_eq!(
                format!("{again:?}"),
                format!("{c:?}"),
                "{shown:?} read back differently"
            );
            let json = serde_json_round_trip(&c);
            assert!(json, "{c:?}: its JSON does not read back");
        }
        Err(e) => {
            let field = e.field().unwrap_or_else(|| panic!("{e} names no field"));
            assert!(control(field).is_some(), "{e}: {field:?} is not a control");
        }
    }

    let h = field("h").expect("the table has h");
    let mut c = Config::default();
    if h.apply(&mut c, &text).is_ok() {
        let mut back = Config::default();
        h.apply(&mut back, &(h.get)(&c))
            .expect("a written h-list parses");
        assert_eq!(back.h.len(), c.h.len());
    }
});

/// The config's JSON (what the page exports) reads back as the same, accepted config.
fn serde_json_round_trip(c: &Config) -> bool {
    let json = serde_json::to_string(c).expect("a config serializes");
    serde_json::from_str::<Config>(&json)
        .is_ok_and(|back| format!("{back:?}") == format!("{c:?}") && back.check().is_ok())
}
